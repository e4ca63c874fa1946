/**
 * Runs solveRoster in a worker thread: a district solve is seconds of CPU, which would
 * otherwise stall every HTTP request (feeds, pages) of the web process, and HiGHS's WASM
 * heap only grows, so a thread that exits returns it to the OS.
 */
import { Worker } from 'node:worker_threads';
import type { SolveInput, SolveOptions, SolveResult } from '../solver/index.js';

type Progress = { phase: string; fraction: number };
type Message =
  | { type: 'ready'; at: number }
  | { type: 'progress'; progress: Progress }
  | { type: 'result'; result: SolveResult; postedAt: number }
  | { type: 'error'; message: string };

/** Where the thread's own time went, beside the solver's stages. */
export interface ThreadTimings {
  /** Spawn -> the thread ready to solve: its loader, the solver's modules, the input copied in. */
  startMs: number;
  /** The result copied back from the thread. */
  resultMs: number;
}

const ENTRY = new URL('./solve-thread-entry.ts', import.meta.url).href;
// The entry is TypeScript. Node 20 ignores `--import` in a worker's execArgv, so the thread
// starts from this tiny script that registers tsx's loader, then imports the entry.
const BOOTSTRAP = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(ENTRY)}); })`;

export function solveInThread(
  input: SolveInput,
  options: Omit<SolveOptions, 'onProgress'>,
  onProgress?: (p: Progress) => void,
): Promise<{ result: SolveResult; thread: ThreadTimings }> {
  return new Promise((resolve, reject) => {
    const spawnedAt = Date.now();
    let readyAt = spawnedAt;
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { input, options } });
    let settled = false;
    worker.on('message', (message: Message) => {
      if (message.type === 'ready') readyAt = message.at;
      else if (message.type === 'progress') onProgress?.(message.progress);
      else if (message.type === 'result') {
        settled = true;
        resolve({ result: message.result, thread: { startMs: Math.max(0, readyAt - spawnedAt), resultMs: Math.max(0, Date.now() - message.postedAt) } });
      } else {
        settled = true;
        reject(new Error(message.message));
      }
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the solve thread exited with code ${code}`));
    });
  });
}
