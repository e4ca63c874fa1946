/** Worker-thread side of solveInThread: one solve, then exit. */
import { parentPort, workerData } from 'node:worker_threads';
import { solveRoster, type SolveInput, type SolveOptions } from '../solver/index.js';

const { input, options } = workerData as { input: SolveInput; options: SolveOptions };
// The loader, the solver's modules and the input are in: the thread's start-up ends here.
parentPort?.postMessage({ type: 'ready', at: Date.now() });
try {
  const result = await solveRoster(input, {
    ...options,
    onProgress: (progress) => parentPort?.postMessage({ type: 'progress', progress }),
  });
  parentPort?.postMessage({ type: 'result', result, postedAt: Date.now() });
} catch (error) {
  parentPort?.postMessage({ type: 'error', message: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) });
}
