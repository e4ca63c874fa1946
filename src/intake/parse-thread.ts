/**
 * Parses uploads in worker threads. Reading and checking a 20 MB file is seconds of CPU, which
 * on the main thread left /readyz and every other request unanswered for 28-65 s. A small pool
 * of threads is kept warm (starting one through tsx takes ~0.4 s); each thread has a heap cap
 * and each parse a deadline, so a file that would need more is refused with a 413 instead of
 * taking the process down with it.
 */
import { Worker } from 'node:worker_threads';
import type { AvailabilityWindow, Cadre, Gate } from '../domain/types.js';
import { AppError, type ErrorCode } from '../errors.js';
import { DEFAULT_LIMITS, PARSE_HEAP_MB, PARSE_IDLE_MS, PARSE_THREADS, PARSE_TIMEOUT_MS, type IntakeLimits } from './limits.js';
import { tooLarge } from './problem.js';
import type { Entity, IntakeContext, IntakeResult, UploadFile } from './types.js';

interface Records {
  gates: Gate;
  cadres: Cadre;
  availability: AvailabilityWindow;
}

/** What a thread is sent: only structured-cloneable data (the context's Map and Set clone as they are). */
export interface ParseRequest {
  entity: Entity;
  body: Uint8Array;
  contentType: string;
  ctx: IntakeContext;
  limits: IntakeLimits;
}

export type ParseReply =
  | { type: 'result'; result: IntakeResult<unknown> }
  | { type: 'refused'; code: ErrorCode; message: string; details: unknown }
  | { type: 'error'; message: string };

const ENTRY = new URL('./parse-thread-entry.ts', import.meta.url).href;
// As in roster/solve-thread.ts: the entry is TypeScript and Node 20 ignores `--import` in a
// worker's execArgv, so the thread starts from a script that registers tsx's loader first.
const BOOTSTRAP = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(ENTRY)}); })`;

/**
 * `parseXxxUpload(file, ctx, limits)` for `entity`, run in a parse thread. The body's bytes are
 * moved to the thread when they own their memory (else copied): `file.body` must not be used
 * afterwards.
 */
export function parseInThread<E extends Entity>(
  entity: E,
  file: UploadFile,
  ctx: IntakeContext,
  limits: IntakeLimits = DEFAULT_LIMITS,
): Promise<IntakeResult<Records[E]>> {
  return defaultPool.parse(entity, file, ctx, limits);
}

/**
 * Bytes that can be transferred without harm: a Buffer that is a slice of a larger one (Node's
 * small-allocation pool, a socket read) is copied, since moving its memory would take the rest
 * away from whoever else uses it.
 */
function movableBytes(body: Buffer): Uint8Array {
  const ownsMemory = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer;
  return ownsMemory ? new Uint8Array(body.buffer, 0, body.byteLength) : new Uint8Array(body);
}

export interface PoolOptions {
  threads: number;
  timeoutMs: number;
  heapMb: number;
  idleMs: number;
}

const DEFAULT_POOL: PoolOptions = { threads: PARSE_THREADS, timeoutMs: PARSE_TIMEOUT_MS, heapMb: PARSE_HEAP_MB, idleMs: PARSE_IDLE_MS };

interface Job {
  request: ParseRequest;
  transfer: ArrayBuffer[];
  resolve(reply: ParseReply): void;
  reject(error: Error): void;
}

/** One thread, one job at a time. Its listeners stay for its whole life, so a late 'error' is never unhandled. */
class ParseThread {
  private readonly worker: Worker;
  private job: { job: Job; deadline: NodeJS.Timeout } | null = null;
  private idleTimer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly options: PoolOptions,
    private readonly onFree: (thread: ParseThread) => void,
  ) {
    this.worker = new Worker(BOOTSTRAP, { eval: true, resourceLimits: { maxOldGenerationSizeMb: options.heapMb } });
    this.worker.on('message', (reply: ParseReply) => this.finish(reply));
    this.worker.on('error', (error) => this.fail(isOutOfMemory(error) ? outOfMemory(options.heapMb) : error));
    this.worker.on('exit', (code) => this.fail(new Error(`the parse thread exited with code ${code}`)));
  }

  get alive(): boolean {
    return !this.ended;
  }

  run(job: Job): void {
    clearTimeout(this.idleTimer);
    this.worker.ref();
    this.job = { job, deadline: setTimeout(() => this.fail(tooSlow(this.options.timeoutMs)), this.options.timeoutMs) };
    try {
      this.worker.postMessage(job.request, job.transfer);
    } catch (error) {
      this.fail(error as Error); // bytes that cannot be moved or cloned: rare enough to give up the thread
    }
  }

  private finish(reply: ParseReply): void {
    const current = this.release();
    if (!current) return;
    // An idle thread must not keep the process alive, and is ended after a while to give its heap back.
    this.worker.unref();
    this.idleTimer = setTimeout(() => this.end(), this.options.idleMs).unref();
    current.resolve(reply);
    this.onFree(this);
  }

  /** Out of memory, past the deadline, crashed or exited: the thread is ended and its job refused. */
  private fail(error: Error): void {
    const current = this.release();
    this.end();
    if (!current) return; // an idle thread ending, or the 'exit' after an 'error' already answered
    current.reject(error);
    this.onFree(this);
  }

  private release(): Job | null {
    if (!this.job) return null;
    clearTimeout(this.job.deadline);
    const { job } = this.job;
    this.job = null;
    return job;
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.idleTimer);
    void this.worker.terminate();
  }
}

/** At most `threads` parses at once; the rest wait in order. */
export class ParsePool {
  private readonly idle: ParseThread[] = [];
  private busy = 0;
  private readonly queue: Job[] = [];

  constructor(private readonly options: PoolOptions = DEFAULT_POOL) {}

  async parse<E extends Entity>(entity: E, file: UploadFile, ctx: IntakeContext, limits: IntakeLimits = DEFAULT_LIMITS): Promise<IntakeResult<Records[E]>> {
    const body = movableBytes(file.body);
    const request: ParseRequest = { entity, body, contentType: file.contentType, ctx, limits };
    const reply = await new Promise<ParseReply>((resolve, reject) => {
      this.queue.push({ request, transfer: [body.buffer as ArrayBuffer], resolve, reject });
      this.next();
    });
    if (reply.type === 'refused') throw new AppError(reply.code, reply.message, reply.details);
    if (reply.type === 'error') throw new Error(`the parse thread failed: ${reply.message}`);
    return reply.result as IntakeResult<Records[E]>;
  }

  private next(): void {
    while (this.queue.length > 0 && this.busy < this.options.threads) {
      const job = this.queue.shift() as Job;
      this.busy++;
      this.takeIdle().run(job);
    }
  }

  private takeIdle(): ParseThread {
    for (let thread = this.idle.pop(); thread; thread = this.idle.pop()) {
      if (thread.alive) return thread;
    }
    return new ParseThread(this.options, (thread) => {
      this.busy--;
      if (thread.alive) this.idle.push(thread);
      this.next();
    });
  }
}

const defaultPool = new ParsePool();

function isOutOfMemory(error: Error): boolean {
  return (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
}

const outOfMemory = (heapMb: number): AppError =>
  tooLarge({
    en: `reading the file needs more than the ${heapMb} MB one upload may use; split it into smaller files (文件过大)`,
    zh: `读取此文件所需内存超过单次上传的上限 ${heapMb} MB，请拆分成较小的文件`,
  });

const tooSlow = (timeoutMs: number): AppError =>
  tooLarge({
    en: `reading the file took longer than ${timeoutMs / 1000} s, the most one upload may take; split it into smaller files (文件过大)`,
    zh: `读取此文件超过 ${timeoutMs / 1000} 秒（单次上传的上限），请拆分成较小的文件`,
  });
