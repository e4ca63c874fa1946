/**
 * javascript-lp-solver behind the engine interface. Pure JS, no Wasm; its branch and bound
 * stalls on MILPs beyond a few hundred integers, so the solver only hands it small blocks
 * (one village, or the few people spanning villages) and always under a time limit.
 */
import solverImport from 'javascript-lp-solver';

type Solver = typeof solverImport.default;
const solver: Solver = ((solverImport as unknown as { default?: Solver }).default ?? solverImport) as Solver;
import type { LpEngine, LpModel, LpSolution } from '../model.js';

export const jslpEngine: LpEngine = {
  name: 'jslp',
  async solve(model: LpModel, options): Promise<LpSolution> {
    const values = new Float64Array(model.variables.length);
    if (model.variables.length === 0) return { status: 'optimal', values, objective: 0 };
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
    const result = solver.Solve({
      optimize: 'obj',
      opType: model.sense,
      constraints,
      variables,
      ints,
      options: { timeout: Math.max(50, options.timeLimitSec * 1000), tolerance: options.relativeGap ?? 0 },
    }) as Record<string, number | boolean | undefined>;
    if (!result.feasible) return { status: Date.now() - started >= options.timeLimitSec * 1000 ? 'timeout' : 'infeasible', values, objective: NaN };
    model.variables.forEach((v, i) => {
      const x = result[v.name];
      values[i] = typeof x === 'number' ? x : 0;
    });
    const timedOut = Date.now() - started >= options.timeLimitSec * 1000;
    return { status: timedOut ? 'timeout' : 'optimal', values, objective: Number(result.result) };
  },
};
