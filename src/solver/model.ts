/**
 * An engine-neutral linear model as plain data: variables, labelled rows, one objective.
 * Rule builders add to it; engines only read it. Labels name the rule family and its
 * subject (e.g. `rest:p12:s4`) so a conflict or a gap can be explained by name.
 */

/** One decision variable. */
export interface LpVariable {
  name: string;
  lb: number;
  ub: number;
  integer: boolean;
  /** Objective coefficient. */
  cost: number;
}

/** One labelled row: lb <= sum(coefs[i] * x[vars[i]]) <= ub (either side may be infinite). */
export interface LpRow {
  label: string;
  vars: number[];
  coefs: number[];
  lb: number;
  ub: number;
}

/** The whole model. */
export interface LpModel {
  sense: 'max' | 'min';
  variables: LpVariable[];
  rows: LpRow[];
}

/** Outcome of one engine run. `values` is indexed like `model.variables`. */
export interface LpSolution {
  status: 'optimal' | 'feasible' | 'infeasible' | 'timeout' | 'error';
  values: Float64Array;
  objective: number;
  /** Best proven bound on the objective, when the engine reports one. */
  bound?: number;
  message?: string;
}

/** What every engine offers. */
export interface LpEngine {
  readonly name: 'highs' | 'jslp';
  solve(model: LpModel, options: { timeLimitSec: number; relativeGap?: number }): Promise<LpSolution>;
  /** Start loading the engine (e.g. compiling WebAssembly) while the input is indexed. */
  warm?(): void;
  /** How many solves it runs at once (default 1): independent blocks are handed to it in parallel. */
  readonly parallelism?: number;
}

export class ModelBuilder {
  readonly model: LpModel;
  constructor(sense: 'max' | 'min') {
    this.model = { sense, variables: [], rows: [] };
  }

  addVar(lb: number, ub: number, integer: boolean, cost = 0): number {
    const i = this.model.variables.length;
    this.model.variables.push({ name: `x${i}`, lb, ub, integer, cost });
    return i;
  }

  addRow(label: string, vars: number[], coefs: number[], lb: number, ub: number): void {
    if (vars.length === 0) return;
    this.model.rows.push({ label, vars, coefs, lb, ub });
  }

  /** Sum of vars (all coefficients 1) at most ub. */
  atMost(label: string, vars: number[], ub: number): void {
    this.addRow(
      label,
      vars,
      vars.map(() => 1),
      -Infinity,
      ub,
    );
  }
}
