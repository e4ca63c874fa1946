/**
 * HiGHS (WebAssembly) behind the engine interface. The model goes in as CPLEX LP text and is
 * solved in a worker thread (highs-pool.ts: parallel blocks, a time limit that holds, and
 * a Wasm heap that is given back).
 */
import type { LpEngine, LpModel, LpSolution } from '../model.js';
import { highsThreadCount, solveInHighsThread, warmHighsThreads } from './highs-pool.js';

export const highsEngine: LpEngine = {
  name: 'highs',
  parallelism: highsThreadCount(),
  warm(): void {
    // Compiling the Wasm module runs off the solve's thread: start it before indexing.
    warmHighsThreads();
  },
  async solve(model: LpModel, options): Promise<LpSolution> {
    const began = Date.now();
    const values = new Float64Array(model.variables.length);
    if (model.variables.length === 0) return { status: 'optimal', values, objective: 0 };
    const text = toLpText(model);
    // Writing the text counts against the budget; HiGHS's own clock starts after parsing.
    const limit = Math.max(0.05, options.timeLimitSec - (Date.now() - began) / 1000);
    const answer = await solveInHighsThread(
      text,
      { output_flag: false, time_limit: limit, mip_rel_gap: options.relativeGap ?? 1e-6, mip_abs_gap: 1e-7 },
      model.variables.length,
      limit * 1000,
    );
    if (answer.overran) return { status: 'timeout', values, objective: NaN };
    if (answer.error !== undefined) return { status: 'error', values, objective: NaN, message: answer.error };
    const status = answer.status;
    const objective = answer.objective ?? NaN;
    const found = answer.values ?? values;
    if (status === 'Infeasible') return { status: 'infeasible', values, objective: NaN };
    if (status === 'Optimal') return { status: 'optimal', values: found, objective };
    if (status === 'Time limit reached') return answer.any ? { status: 'timeout', values: found, objective } : { status: 'timeout', values, objective: NaN };
    return { status: answer.any ? 'feasible' : 'error', values: found, objective, message: status };
  },
};

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(12);
}

function linear(vars: number[], coefs: number[], names: string[]): string {
  const parts: string[] = [];
  for (let i = 0; i < vars.length; i++) {
    const c = coefs[i] as number;
    if (c === 0) continue;
    const name = names[vars[i] as number] as string;
    parts.push(`${c < 0 ? '-' : '+'} ${num(Math.abs(c))} ${name}`);
    // Short lines: the LP reader is line-oriented and long lines only cost memory.
    if (parts.length % 12 === 0) parts.push('\n ');
  }
  return parts.length ? parts.join(' ') : `0 ${names[vars[0] ?? 0]}`;
}

/** CPLEX LP text; rows are named r<i> (labels stay on the JS side, names cost parse time). */
export function toLpText(model: LpModel): string {
  const names = model.variables.map((v) => v.name);
  const out: string[] = [model.sense === 'max' ? 'Maximize' : 'Minimize'];
  const costVars: number[] = [];
  const costs: number[] = [];
  model.variables.forEach((v, i) => {
    if (v.cost !== 0) {
      costVars.push(i);
      costs.push(v.cost);
    }
  });
  out.push(` obj: ${costVars.length ? linear(costVars, costs, names) : `0 ${names[0]}`}`);
  out.push('Subject To');
  model.rows.forEach((r, i) => {
    const expr = linear(r.vars, r.coefs, names);
    if (r.lb === r.ub) out.push(` r${i}: ${expr} = ${num(r.ub)}`);
    else {
      if (r.ub !== Infinity) out.push(` r${i}: ${expr} <= ${num(r.ub)}`);
      if (r.lb !== -Infinity) out.push(` q${i}: ${expr} >= ${num(r.lb)}`);
    }
  });
  out.push('Bounds');
  const generals: string[] = [];
  model.variables.forEach((v) => {
    const lb = v.lb === -Infinity ? '-inf' : num(v.lb);
    const ub = v.ub === Infinity ? '+inf' : num(v.ub);
    out.push(` ${lb} <= ${v.name} <= ${ub}`);
    if (v.integer) generals.push(v.name);
  });
  if (generals.length) {
    out.push('General');
    for (let i = 0; i < generals.length; i += 20) out.push(' ' + generals.slice(i, i + 20).join(' '));
  }
  out.push('End');
  return out.join('\n');
}
