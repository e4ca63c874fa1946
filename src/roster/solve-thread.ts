/**
 * Runs solveRoster in a worker thread: a district solve is seconds of CPU, which would
 * otherwise stall every HTTP request (feeds, pages) of the web process.
 *
 * The thread is ready before it is asked: a standby thread loads the solver (tsx's loader and
 * the modules, ~0.4 s) and solves a small primer district (~1 s of CPU, so V8 has optimised
 * the solver's code) while nothing is asked of it, and then serves solves one at a time, up
 * to REUSE_FOR of them, warm. It is handed the process's compiled HiGHS module
 * (highs-pool.ts), so the HiGHS threads it starts run optimised Wasm from their first LP, and
 * it ends those threads after each solve (their heaps go back to the OS). A thread that
 * failed a solve is let go; a new standby starts when one is taken or let go.
 *
 * Measured (`npm run bench -- --families --api`, normal seed 1, first solve in a fresh
 * service): thread start 552 ms -> 51 ms, villages stage 3.8 s -> 2.8 s with the shared
 * module alone.
 */
import { Worker } from 'node:worker_threads';
import { highsModule } from '../solver/engines/highs-pool.js';
import type { SolveInput, SolveOptions, SolveResult } from '../solver/index.js';

type Progress = { phase: string; fraction: number };
type Message =
  | { type: 'ready' }
  | { type: 'progress'; progress: Progress }
  | { type: 'result'; result: SolveResult; received: number; postedAt: number }
  | { type: 'error'; message: string };

/** Where the thread's own time went, beside the solver's stages. */
export interface ThreadTimings {
  /**
   * Asked -> the thread solving: waiting for a standby thread still loading (0 when it had
   * loaded), a whole start when there was none, and the input copied in.
   */
  startMs: number;
  /** The result copied back from the thread. */
  resultMs: number;
}

/** Solves a thread serves before it is let go (its heap starts afresh). */
const REUSE_FOR = 20;

const ENTRY = new URL('./solve-thread-entry.ts', import.meta.url).href;
// The entry is TypeScript. Node 20 ignores `--import` in a worker's execArgv, so the thread
// starts from this tiny script that registers tsx's loader, then imports the entry.
const BOOTSTRAP = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(ENTRY)}); })`;

interface SolveThread {
  worker: Worker;
  /** Settles when the thread is ready (or has failed to start). */
  ready: Promise<void>;
  /** Set once the thread failed or ended. */
  failure: Error | null;
  solves: number;
}

/** The thread waiting for the next solve. */
let standby: SolveThread | null = null;

/** Starts a standby thread, if there is none, so the next solve need not wait for one. */
export function prepareSolveThreads(): void {
  standby ??= startThread(true);
}

/** A thread started for a solve that is waiting does not solve the primer first. */
function startThread(prime: boolean): SolveThread {
  const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { highsModule: highsModule(), prime } });
  // Waiting, it must not keep a process alive; a solve refs it while it runs.
  worker.unref();
  const thread: SolveThread = { worker, ready: Promise.resolve(), failure: null, solves: 0 };
  thread.ready = new Promise<void>((resolve) => {
    worker.once('message', () => resolve());
    const fail = (error: Error) => {
      thread.failure ??= error;
      if (standby === thread) standby = null;
      resolve();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the solve thread exited with code ${code}`)));
  });
  return thread;
}

export async function solveInThread(
  input: SolveInput,
  options: Omit<SolveOptions, 'onProgress'>,
  onProgress?: (p: Progress) => void,
): Promise<{ result: SolveResult; thread: ThreadTimings }> {
  const askedAt = Date.now();
  const thread = standby ?? startThread(false);
  // A second solve of this process meanwhile (another worker) starts a thread of its own.
  standby = null;
  thread.worker.ref();
  await thread.ready;
  let healthy = false;
  try {
    if (thread.failure) throw thread.failure;
    const answer = await solveOn(thread, input, options, askedAt, onProgress);
    healthy = true;
    return answer;
  } finally {
    thread.worker.unref();
    thread.solves++;
    if (healthy && thread.solves < REUSE_FOR && !thread.failure && standby === null) standby = thread;
    else {
      void thread.worker.terminate();
      // The next one loads while this solve's roster is stored.
      setImmediate(prepareSolveThreads);
    }
  }
}

function solveOn(
  thread: SolveThread,
  input: SolveInput,
  options: Omit<SolveOptions, 'onProgress'>,
  askedAt: number,
  onProgress?: (p: Progress) => void,
): Promise<{ result: SolveResult; thread: ThreadTimings }> {
  const { worker } = thread;
  return new Promise((resolve, reject) => {
    const done = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (message: Message) => {
      if (message.type === 'progress') onProgress?.(message.progress);
      else if (message.type === 'result') {
        done();
        resolve({ result: message.result, thread: { startMs: Math.max(0, message.received - askedAt), resultMs: Math.max(0, Date.now() - message.postedAt) } });
      } else if (message.type === 'error') {
        done();
        thread.failure = new Error(message.message);
        reject(thread.failure);
      }
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    const onExit = (code: number) => {
      done();
      reject(new Error(`the solve thread exited with code ${code}`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage({ input, options });
  });
}
