/**
 * Re-solve the placements of some people exactly with the coverage MILP, everyone else
 * fixed. Used where the fast construction could not be certified by the flow bound: a
 * short-handed village's own people, then the people spanning villages over what villages
 * left open. The MILP's answer replaces the old placements only when it fills at least as
 * many places, so a timed-out engine never makes the roster worse. On a re-plan the model
 * is lexicographic: places, then previous assignments kept, then leads (then fairness unless coverage only).
 */
import type { Block } from './block.js';
import { solveBlock } from './block-solve.js';
import type { Instance } from './instance.js';
import type { LpEngine } from './model.js';
import type { RosterState } from './roster-state.js';

const JSLP_BLOCK_SECONDS = 10;

export interface MilpStageResult {
  /** Exact optimum of places these people can fill given everyone else; null if not proven. */
  proven: number | null;
  filled: number;
  timedOut: boolean;
}

export async function resolveWithMilp(
  inst: Instance,
  state: RosterState,
  people: readonly number[],
  gates: readonly number[],
  engine: LpEngine,
  deadlineAt: number,
  name: string,
  coverageOnly = true,
  coverageCap?: number,
  /** Re-plan: the published roster (key p * slotCount + s -> gate); the model then keeps as much of it as coverage allows. */
  previous?: ReadonlyMap<number, number>,
): Promise<MilpStageResult> {
  const S = inst.slotCount;
  const before: { p: number; g: number; s: number; pinned: boolean }[] = [];
  for (const p of people) {
    for (const s of state.slotsOf(p)) {
      const pinned = state.pinned.has(p * S + s);
      before.push({ p, g: state.remove(p, s), s, pinned });
    }
  }
  const pos = new Map(gates.map((g, i) => [g, i] as const));
  const block: Block = {
    name,
    people: [...people],
    gates: [...gates],
    need: gates.map((g) => {
      const row = new Int32Array(S);
      for (let s = 0; s < S; s++) row[s] = Math.max(0, state.open(g, s));
      return row;
    }),
    leadPresent: gates.map((g) => {
      const row = new Uint8Array(S);
      for (let s = 0; s < S; s++) row[s] = (state.leads[g * S + s] ?? 0) > 0 ? 1 : 0;
      return row;
    }),
    pins: before.filter((b) => b.pinned && pos.has(b.g)).map((b) => ({ p: b.p, gi: pos.get(b.g) as number, s: b.s })),
    previous: previous ? previousOf(previous, people, S) : null,
    ...(coverageCap !== undefined ? { coverageCap } : {}),
  };
  // javascript-lp-solver's branch and bound can stall on one block: give each block a slice,
  // keep its incumbent, and move on (the flow bound still tells how far from optimal).
  const until = engine.name === 'jslp' ? Math.min(deadlineAt, Date.now() + JSLP_BLOCK_SECONDS * 1000) : deadlineAt;
  const result = await solveBlock(inst, block, engine, { deadlineAt: until, fairness: inst.plan.fairness, coverageOnly });
  const pinnedKeys = new Set(before.filter((b) => b.pinned).map((b) => b.p * S + b.s));
  const accept = result.filled >= before.length;
  const chosen = accept ? result.placements : before;
  for (const x of chosen) {
    if (state.works(x.p, x.s) || state.open(x.g, x.s) <= 0) continue;
    state.place(x.p, x.g, x.s);
  }
  for (const key of pinnedKeys) state.pinned.add(key);
  return { proven: result.status === 'optimal' ? result.provenCoverage : null, filled: accept ? result.filled : before.length, timedOut: result.status !== 'optimal' };
}

function previousOf(previous: ReadonlyMap<number, number>, people: readonly number[], S: number): Map<number, number> {
  const mine = new Set(people);
  const out = new Map<number, number>();
  for (const [key, g] of previous) if (mine.has(Math.floor(key / S))) out.set(key, g);
  return out;
}
