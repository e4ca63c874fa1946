/** Worker-thread side of solveInThread: one solve, then exit. */
import { parentPort, workerData } from 'node:worker_threads';
import { solveRoster, type SolveInput, type SolveOptions } from '../solver/index.js';

const { input, options } = workerData as { input: SolveInput; options: SolveOptions };
try {
  const result = await solveRoster(input, {
    ...options,
    onProgress: (progress) => parentPort?.postMessage({ type: 'progress', progress }),
  });
  parentPort?.postMessage({ type: 'result', result });
} catch (error) {
  parentPort?.postMessage({ type: 'error', message: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) });
}
