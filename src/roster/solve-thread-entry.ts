/**
 * Worker-thread side of solveInThread: loads the solver, solves the primer (a small district,
 * src/solver/primer.ts) when it is a standby thread, so the first real solve runs optimised
 * code, says it is ready, then
 * answers solves one at a time until its parent lets it go. After each solve its idle HiGHS
 * threads end, so their Wasm heaps go back to the OS between solves.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { releaseIdleHighsThreads, useHighsModule, type HighsModule } from '../solver/engines/highs-pool.js';
import { solveRoster, type SolveInput, type SolveOptions } from '../solver/index.js';
import { primerInput } from '../solver/primer.js';

const port = parentPort;
if (!port) throw new Error('solve-thread-entry runs only as a worker thread');
const { highsModule, prime } = workerData as { highsModule: HighsModule; prime: boolean };
useHighsModule(highsModule);
if (prime) {
  await solveRoster(primerInput(), { engine: 'highs', deadlineMs: 10_000 }).catch(() => undefined);
  releaseIdleHighsThreads();
}
port.postMessage({ type: 'ready' });
port.on('message', ({ input, options }: { input: SolveInput; options: SolveOptions }) => {
  const received = Date.now();
  void solveRoster(input, { ...options, onProgress: (progress) => port.postMessage({ type: 'progress', progress }) })
    .then((result) => port.postMessage({ type: 'result', result, received, postedAt: Date.now() }))
    .catch((error: unknown) => port.postMessage({ type: 'error', message: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) }))
    .finally(releaseIdleHighsThreads);
});
