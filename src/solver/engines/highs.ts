/**
 * HiGHS (WebAssembly) behind the engine interface. The model goes in as CPLEX LP text.
 *
 * Memory: a Wasm heap only grows, and every solve leaves its high-water mark behind, so the
 * runtime is dropped and reloaded every RECYCLE_AFTER solves (and after any solve bigger than
 * a village); the old heap is then garbage the JS engine can free. Measured across hundreds of
 * solves by the benchmark (`recycle` in scripts/bench/solver.ts).
 */
import highsImport from 'highs';
import type { LpEngine, LpModel, LpSolution } from '../model.js';

// The package's types describe a CommonJS module while Node loads its ES build: take the
// loader from wherever it is.
type Loader = typeof highsImport.default;
const loadHighs: Loader = ((highsImport as unknown as { default?: Loader }).default ?? highsImport) as Loader;
type Highs = Awaited<ReturnType<Loader>>;

const RECYCLE_AFTER = 100;
const BIG_MODEL_COLUMNS = 20_000;

let runtime: Promise<Highs> | null = null;
let solvesOnRuntime = 0;

async function getRuntime(): Promise<Highs> {
  if (!runtime || solvesOnRuntime >= RECYCLE_AFTER) {
    runtime = loadHighs();
    solvesOnRuntime = 0;
  }
  return runtime;
}

/** Forget the current Wasm runtime (tests and the benchmark call this to measure leaks). */
export function recycleHighs(): void {
  runtime = null;
}

export const highsEngine: LpEngine = {
  name: 'highs',
  warm(): void {
    // Compiling the Wasm module runs off the main thread: start it before indexing.
    void getRuntime().catch(() => (runtime = null));
  },
  async solve(model: LpModel, options): Promise<LpSolution> {
    const began = Date.now();
    const highs = await getRuntime();
    solvesOnRuntime += model.variables.length > BIG_MODEL_COLUMNS ? RECYCLE_AFTER : 1;
    const values = new Float64Array(model.variables.length);
    if (model.variables.length === 0) return { status: 'optimal', values, objective: 0 };
    const text = toLpText(model);
    let result;
    try {
      result = highs.solve(text, {
        output_flag: false,
        // Writing the text counts against the budget; HiGHS's own clock starts after parsing.
        time_limit: Math.max(0.05, options.timeLimitSec - (Date.now() - began) / 1000),
        mip_rel_gap: options.relativeGap ?? 1e-6,
        mip_abs_gap: 1e-7,
      } as Parameters<Highs['solve']>[1]);
    } catch (err) {
      // A failed Wasm call may leave the runtime in a bad state: start afresh next time.
      runtime = null;
      return { status: 'error', values, objective: NaN, message: String(err) };
    }
    const status = result.Status;
    if (status === 'Infeasible') return { status: 'infeasible', values, objective: NaN };
    const columns = result.Columns as Record<string, { Primal?: number }>;
    let any = false;
    model.variables.forEach((v, i) => {
      const c = columns[v.name];
      if (c && typeof c.Primal === 'number') {
        values[i] = c.Primal;
        any = true;
      }
    });
    if (status === 'Optimal') return { status: 'optimal', values, objective: result.ObjectiveValue };
    if (status === 'Time limit reached') return any ? { status: 'timeout', values, objective: result.ObjectiveValue } : { status: 'timeout', values, objective: NaN };
    return { status: any ? 'feasible' : 'error', values, objective: result.ObjectiveValue, message: status };
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
