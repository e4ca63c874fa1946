/**
 * HiGHS (WebAssembly) in worker threads, one runtime per thread and as many threads as
 * cores (at most MAX_THREADS). Why threads:
 * - independent blocks (villages, towns) are solved at the same time, one per core;
 * - a solve that overruns its time limit (HiGHS checks it between phases, and a presolve or
 *   a single LP can run past it) is cut off: the thread is terminated GRACE_MS after the
 *   limit and the call answers `timeout`, so a solve's deadline holds;
 * - a Wasm heap only grows: each thread reloads its runtime every RECYCLE_AFTER solves (and
 *   after any model bigger than a village), and a terminated thread returns all of it.
 * Threads are unreferenced while idle, so they never keep a process alive.
 *
 * The Wasm module is compiled once per process and handed to every thread (a compiled
 * `WebAssembly.Module` is shared between isolates, with the optimised code V8 tiers up as it
 * runs): a thread's runtime is then an instance of it, ~10 ms, and its first solve runs the
 * optimised code. Compiled afresh per thread, as the package loads itself, a thread's first
 * LP ran 0.7-0.9 s slower than its later ones, and a district solve's solve thread starts new
 * HiGHS threads every time (scripts/bench: `--families --api`).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const MAX_THREADS = 2;
const GRACE_MS = 500;
const RECYCLE_AFTER = 100;
const BIG_MODEL_COLUMNS = 20_000;

const HIGHS_PATH = createRequire(import.meta.url).resolve('highs');
const WASM_PATH = HIGHS_PATH.replace(/highs\.js$/, 'highs.wasm');
// A CommonJS script (eval workers run as scripts): load the runtime (an instance of the
// process's compiled module), solve what it is sent, answer the primal values in column order
// (columns are named x0, x1, ... by ModelBuilder).
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const load = require(workerData.highsPath);
const compiled = workerData.module;
const settings = {
  instantiateWasm(imports, done) {
    const instance = new WebAssembly.Instance(compiled, imports);
    done(instance, compiled);
    return instance.exports;
  },
};
let runtime = null;
let solves = 0;
parentPort.on('message', async ({ text, options, columns, big }) => {
  try {
    if (!runtime || solves >= ${RECYCLE_AFTER}) { runtime = load(settings); solves = 0; }
    const highs = await runtime;
    solves += big ? ${RECYCLE_AFTER} : 1;
    const r = highs.solve(text, options);
    const values = new Float64Array(columns);
    let any = false;
    for (const [name, c] of Object.entries(r.Columns || {})) {
      if (typeof c.Primal === 'number') { values[Number(name.slice(1))] = c.Primal; any = true; }
    }
    parentPort.postMessage({ status: r.Status, objective: r.ObjectiveValue, values, any }, [values.buffer]);
  } catch (e) {
    runtime = null;
    parentPort.postMessage({ error: String(e) });
  }
});`;

export interface ThreadAnswer {
  status?: string;
  objective?: number;
  values?: Float64Array;
  any?: boolean;
  error?: string;
  /** The thread was terminated: it overran the time limit. */
  overran?: boolean;
}

interface Job {
  text: string;
  options: Record<string, unknown>;
  columns: number;
  limitMs: number;
  resolve: (answer: ThreadAnswer) => void;
}

const idle: Worker[] = [];
let started = 0;
const queue: Job[] = [];

/** Threads the pool runs: solves at once. */
export function highsThreadCount(): number {
  return Math.max(1, Math.min(MAX_THREADS, availableParallelism()));
}

/** A compiled `WebAssembly.Module` (opaque here: Node's types name no Wasm values). */
export type HighsModule = object;
const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => HighsModule } };
let compiled: HighsModule | undefined;

/** The process's compiled HiGHS module (compiled on first use, ~50 ms). */
export function highsModule(): HighsModule {
  compiled ??= new wasm.Module(readFileSync(WASM_PATH));
  return compiled;
}

/**
 * Use a module compiled elsewhere in this process (a solve thread is given its parent's, so
 * the code optimised by earlier solves carries over).
 */
export function useHighsModule(module: HighsModule): void {
  compiled = module;
}

function newThread(): Worker {
  started++;
  const worker = new Worker(THREAD, { eval: true, workerData: { highsPath: HIGHS_PATH, module: highsModule() } });
  worker.unref();
  return worker;
}

/** Start the threads (and their Wasm compile) ahead of the first solve. */
export function warmHighsThreads(): void {
  while (started < highsThreadCount()) idle.push(newThread());
}

/** Solve LP text in a thread; the limit is HiGHS's own, the thread is cut off GRACE_MS after it. */
export function solveInHighsThread(text: string, options: Record<string, unknown>, columns: number, limitMs: number): Promise<ThreadAnswer> {
  return new Promise((resolve) => {
    queue.push({ text, options, columns, limitMs, resolve });
    dispatch();
  });
}

function dispatch(): void {
  while (queue.length > 0) {
    const worker = idle.pop() ?? (started < highsThreadCount() ? newThread() : null);
    if (!worker) return;
    run(worker, queue.shift() as Job);
  }
}

function run(worker: Worker, job: Job): void {
  worker.ref();
  const finish = (answer: ThreadAnswer, healthy: boolean): void => {
    clearTimeout(timer);
    worker.off('message', onMessage);
    worker.off('error', onError);
    if (healthy) {
      worker.unref();
      idle.push(worker);
    } else {
      started--;
      void worker.terminate();
    }
    job.resolve(answer);
    dispatch();
  };
  const onMessage = (answer: ThreadAnswer): void => finish(answer, answer.error === undefined);
  const onError = (error: Error): void => finish({ error: String(error) }, false);
  const timer = setTimeout(() => finish({ overran: true }, false), job.limitMs + GRACE_MS);
  worker.on('message', onMessage);
  worker.on('error', onError);
  worker.postMessage({ text: job.text, options: job.options, columns: job.columns, big: job.columns > BIG_MODEL_COLUMNS });
}

/** Ends the idle threads (their Wasm heaps go back to the OS); busy ones finish first. */
export function releaseIdleHighsThreads(): void {
  for (const worker of idle.splice(0)) {
    started--;
    void worker.terminate();
  }
}
