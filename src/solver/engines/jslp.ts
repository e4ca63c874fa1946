/**
 * javascript-lp-solver behind the engine interface. Pure JS, no Wasm; its branch and bound
 * stalls on MILPs beyond a few hundred integers and checks its own timeout only between
 * nodes, so a single LP relaxation can run far past it. It therefore runs in a worker thread
 * of its own: when the time limit (plus a small grace) passes, the thread is terminated and
 * the call returns `timeout` at once. The thread is kept between calls (starting one costs
 * tens of milliseconds) and replaced after a termination. Callers refuse blocks larger than
 * it can solve (milp-stage.ts, JSLP_MAX_INTEGERS).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { LpEngine, LpModel, LpSolution } from '../model.js';

/** Past the time limit, how long the thread may still take to answer before it is terminated. */
const GRACE_MS = 250;

const SOLVER_PATH = createRequire(import.meta.url).resolve('javascript-lp-solver');
// A CommonJS script (eval workers run as scripts, with require): solve each model it is sent.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const solver = require(workerData.solverPath);
parentPort.on('message', (model) => {
  let result;
  try { result = solver.Solve(model); } catch (e) { result = { feasible: false, error: String(e) }; }
  parentPort.postMessage(result);
});`;

let thread: Worker | null = null;

function getThread(): Worker {
  if (!thread) {
    thread = new Worker(THREAD, { eval: true, workerData: { solverPath: SOLVER_PATH } });
    thread.unref();
  }
  return thread;
}

type JslpModel = Record<string, unknown>;
type JslpResult = Record<string, number | boolean | string | undefined>;

/** Run one model in the thread; null when the time ran out and the thread was terminated. */
function solveInThread(model: JslpModel, limitMs: number): Promise<JslpResult | null> {
  const worker = getThread();
  return new Promise((resolve) => {
    worker.ref();
    const done = (result: JslpResult | null): void => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.unref();
      resolve(result);
    };
    const onMessage = (result: JslpResult): void => done(result);
    const onError = (): void => {
      if (thread === worker) thread = null;
      done({ feasible: false, error: 'thread failed' });
    };
    const timer = setTimeout(() => {
      if (thread === worker) thread = null;
      void worker.terminate();
      done(null);
    }, limitMs + GRACE_MS);
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.postMessage(model);
  });
}

export const jslpEngine: LpEngine = {
  name: 'jslp',
  warm(): void {
    getThread();
  },
  async solve(model: LpModel, options): Promise<LpSolution> {
    const values = new Float64Array(model.variables.length);
    if (model.variables.length === 0) return { status: 'optimal', values, objective: 0 };
    const limitMs = Math.max(50, options.timeLimitSec * 1000);
    const constraints: Record<string, { min?: number; max?: number; equal?: number }> = {};
    const variables: Record<string, Record<string, number>> = {};
    const ints: Record<string, 1> = {};
    model.variables.forEach((v) => {
      const coefs: Record<string, number> = { obj: v.cost };
      // jslp variables are >= 0; finite upper bounds and positive lower bounds become rows.
      if (v.ub !== Infinity) {
        coefs[`ub_${v.name}`] = 1;
        constraints[`ub_${v.name}`] = { max: v.ub };
      }
      if (v.lb > 0) {
        coefs[`lb_${v.name}`] = 1;
        constraints[`lb_${v.name}`] = { min: v.lb };
      }
      variables[v.name] = coefs;
      if (v.integer) ints[v.name] = 1;
    });
    model.rows.forEach((r, i) => {
      const key = `r${i}`;
      constraints[key] = r.lb === r.ub ? { equal: r.ub } : { ...(r.lb !== -Infinity ? { min: r.lb } : {}), ...(r.ub !== Infinity ? { max: r.ub } : {}) };
      r.vars.forEach((v, j) => {
        const coefs = variables[model.variables[v]?.name as string] as Record<string, number>;
        coefs[key] = (coefs[key] ?? 0) + (r.coefs[j] as number);
      });
    });
    const started = Date.now();
    const result = await solveInThread(
      { optimize: 'obj', opType: model.sense, constraints, variables, ints, options: { timeout: limitMs, tolerance: options.relativeGap ?? 0 } },
      limitMs,
    );
    if (result === null) return { status: 'timeout', values, objective: NaN, message: `javascript-lp-solver stopped after ${limitMs} ms` };
    const timedOut = Date.now() - started >= limitMs;
    if (!result.feasible) return { status: timedOut ? 'timeout' : 'infeasible', values, objective: NaN };
    model.variables.forEach((v, i) => {
      const x = result[v.name];
      values[i] = typeof x === 'number' ? x : 0;
    });
    return { status: timedOut ? 'timeout' : 'optimal', values, objective: Number(result.result) };
  },
};
