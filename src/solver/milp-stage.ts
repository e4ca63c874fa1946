/**
 * Re-solve the placements of some people exactly with the coverage MILP, everyone else
 * fixed. Used where the fast construction could not be certified by its bounds: a
 * short-handed village's own people; a town's people together with the villages they can
 * help; on a re-plan the people around what changed. The MILP's answer replaces the old
 * placements only when it fills more places, or as many with no more lead shortfalls, so a
 * timed-out engine never makes the roster worse. The model is lexicographic: places, then
 * (re-plan) previous assignments kept, then lead shortfalls (then fairness unless coverage only).
 */
import type { Block } from './block.js';
import { solveBlock } from './block-solve.js';
import type { Instance } from './instance.js';
import type { LpEngine } from './model.js';
import type { RosterState } from './roster-state.js';

/** javascript-lp-solver's branch and bound stalls on a few hundred integers: bigger blocks are refused, not tried. */
export const JSLP_MAX_INTEGERS = 400;

export interface MilpStageResult {
  /** Exact optimum of places these people can fill given everyone else; null if not proven. */
  proven: number | null;
  /** Fewest lead shortfalls at these gates given that optimum; null if not proven. */
  provenLeadShort: number | null;
  filled: number;
  timedOut: boolean;
  /** Why the engine was not asked at all (a block too large for it), for the solve's notes. */
  refused?: string;
}

export interface MilpStageOptions {
  /** Absolute time by which this block must be done (a time box within the solve's deadline). */
  until: number;
  name: string;
  /** No fairness stage (default true: fairness is repaired afterwards). */
  coverageOnly?: boolean;
  /** The current roster meets its lead bound (a certified roster is then kept as it is). */
  leadsMet?: boolean;
  /** A proven upper bound on places this block can fill (lets the engine stop early). */
  coverageCap?: number;
  /** Try the LP relaxation as a certificate of the current roster first (see solveBlock). */
  certify?: boolean;
  /** Re-plan: the published roster (key p * slotCount + s -> gate); the model then keeps as much of it as coverage allows. */
  previous?: ReadonlyMap<number, number>;
}

export async function resolveWithMilp(inst: Instance, state: RosterState, people: readonly number[], gates: readonly number[], engine: LpEngine, opts: MilpStageOptions): Promise<MilpStageResult> {
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
    name: opts.name,
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
    previous: opts.previous ? previousOf(opts.previous, people, S) : null,
    ...(opts.coverageCap !== undefined ? { coverageCap: opts.coverageCap } : {}),
  };
  const result = await solveBlock(inst, block, engine, {
    deadlineAt: opts.until,
    fairness: inst.plan.fairness,
    coverageOnly: opts.coverageOnly ?? true,
    ...(opts.leadsMet ? { leadsMet: true } : {}),
    ...(engine.name === 'jslp' ? { maxIntegers: JSLP_MAX_INTEGERS } : {}),
    ...(opts.certify ? { certifyAt: before.length } : {}),
  });
  const pinnedKeys = new Set(before.filter((b) => b.pinned).map((b) => b.p * S + b.s));
  const place = (xs: readonly { p: number; g: number; s: number }[]): void => {
    for (const x of xs) if (!state.works(x.p, x.s) && state.open(x.g, x.s) > 0) state.place(x.p, x.g, x.s);
  };
  const leadShortAt = (): number => leadShortfall(inst, state, gates);
  let accept = result.filled > before.length;
  if (!accept && result.filled === before.length && result.placements.length > 0) {
    // Same places: keep the MILP's answer only if it has no more lead shortfalls.
    place(before);
    const old = leadShortAt();
    for (const b of before) state.remove(b.p, b.s);
    place(result.placements);
    accept = leadShortAt() <= old;
    for (const x of result.placements) if (state.gateAt[x.p * S + x.s] === x.g + 1) state.remove(x.p, x.s);
  }
  place(accept ? result.placements : before);
  for (const key of pinnedKeys) state.pinned.add(key);
  const optimal = result.status === 'optimal' || result.status === 'certified';
  return {
    proven: optimal ? result.provenCoverage : null,
    provenLeadShort: optimal ? result.provenLeadShort : null,
    filled: accept ? result.filled : before.length,
    timedOut: result.status === 'timeout',
    ...(result.refused ? { refused: `${opts.name}: ${result.refused}` } : {}),
  };
}

/** Gate-shifts of `gates` needing a lead that have none. */
export function leadShortfall(inst: Instance, state: RosterState, gates: readonly number[]): number {
  const S = inst.slotCount;
  let n = 0;
  for (const g of gates) {
    if (!inst.gates[g]?.leadRequired) continue;
    for (let s = 0; s < S; s++) if ((inst.need[g * S + s] ?? 0) > 0 && (state.leads[g * S + s] ?? 0) === 0) n++;
  }
  return n;
}

function previousOf(previous: ReadonlyMap<number, number>, people: readonly number[], S: number): Map<number, number> {
  const mine = new Set(people);
  const out = new Map<number, number>();
  for (const [key, g] of previous) if (mine.has(Math.floor(key / S))) out.set(key, g);
  return out;
}
