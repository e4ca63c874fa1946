/**
 * What every stage of a solve shares: the indexed input, the roster being built, the engine,
 * the clock. A stage is a function of (context, what earlier stages proved) that returns
 * what it proved; index.ts runs them in order and times each one.
 */
import { placesNeeded } from '../block.js';
import type { Instance } from '../instance.js';
import type { LpEngine } from '../model.js';
import type { RosterState } from '../roster-state.js';

export interface StageContext {
  inst: Instance;
  state: RosterState;
  engine: LpEngine;
  deadlineAt: number;
  /** True once the deadline has passed (and stays true). */
  expired(): boolean;
  /** Things a planner or the benchmark should know (e.g. a block refused by an engine). */
  notes: string[];
}

/** Per-block time box: one hard block must not eat the whole budget of the others. */
export function boxed(ctx: StageContext, seconds: number): number {
  return Math.min(ctx.deadlineAt, Date.now() + seconds * 1000);
}

/** Filled places at `gates`. */
export function filledAt(ctx: StageContext, gates: readonly number[]): number {
  const S = ctx.inst.slotCount;
  let n = 0;
  for (const g of gates) for (let s = 0; s < S; s++) n += ctx.state.filled[g * S + s] ?? 0;
  return n;
}

/** Places needed at `gates`. */
export function neededAt(ctx: StageContext, gates: readonly number[]): number {
  return placesNeeded(ctx.inst, gates);
}
