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
import type { Placement } from './block-solve.js';
import { solveBlock } from './block-solve.js';
import { leadFlowBound, leadGateShifts } from './flow-bound.js';
import { augment, greedyFill } from './greedy.js';
import { repairLeads } from './lead.js';
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
  /** Proven caps on the places sets of these people can fill (see Block.peopleCaps). */
  peopleCaps?: Block['peopleCaps'];
  /** Try the LP relaxation as a certificate of the current roster first (see solveBlock). */
  certify?: boolean;
  /** Re-plan: the published roster (key p * slotCount + s -> gate); the model then keeps as much of it as coverage allows. */
  previous?: ReadonlyMap<number, number>;
  /** Places proven optimal already: only lead shortfalls are minimised, keeping at least this many places (see solveBlock). */
  placesKept?: number;
  /** A lower bound on lead shortfalls at `gates` that holds for any roster (e.g. the villages' own bounds added up). */
  leadFloor?: number;
  /** Stages the full model may not run (see solveBlock's noFullModel). */
  noFullModel?: readonly ('coverage' | 'lead')[];
}

export async function resolveWithMilp(
  inst: Instance,
  state: RosterState,
  people: readonly number[],
  gates: readonly number[],
  engine: LpEngine,
  opts: MilpStageOptions,
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
    ...(opts.peopleCaps ? { peopleCaps: opts.peopleCaps } : {}),
  };
  const pinnedKeys = new Set(before.filter((b) => b.pinned).map((b) => b.p * S + b.s));
  const place = (xs: readonly { p: number; g: number; s: number }[]): void => {
    for (const x of xs) if (!state.works(x.p, x.s) && state.open(x.g, x.s) > 0) state.place(x.p, x.g, x.s);
  };
  const leadShortAt = (): number => leadShortfall(inst, state, gates);
  const mine = new Set(people);
  const cache = new Map(gates.map((g) => [g, (inst.eligiblePeople[g] ?? []).filter((p) => mine.has(p))] as const));
  const candidates = (g: number): readonly number[] => cache.get(g) ?? [];
  const roundFrom = (placements: readonly Placement[], bound: number): number => {
    for (const x of placements) if (!state.works(x.p, x.s) && state.open(x.g, x.s) > 0 && state.refusal(x.p, x.s) === null) state.place(x.p, x.g, x.s);
    greedyFill(state, gates, candidates);
    if (state.placesHeld(people) < bound) augment(state, gates, candidates, 1, 3, opts.until);
    const reached = state.placesHeld(people);
    if (reached < bound) for (const p of people) for (const s of state.slotsOf(p)) state.remove(p, s);
    return reached;
  };
  const leadShortWith = (xs: readonly Placement[]): number => {
    place(xs);
    const n = leadShortAt();
    for (const x of xs) state.remove(x.p, x.s);
    return n;
  };
  // Places are proven; leads are repaired, then proven fewest by a flow floor, the lead LP,
  // or a leads MILP that keeps the places (when the time box allows).
  const leadsOfProvenPlaces = async (filled: number): Promise<MilpStageResult> => {
    repairLeads(state, gates, candidates, opts.until);
    const short = leadShortAt();
    const floor = Math.max(opts.leadFloor ?? 0, leadFloor(inst, people, gates, block.leadPresent ?? []));
    let provenLeadShort: number | null = short <= floor ? short : null;
    if (provenLeadShort === null && Date.now() < opts.until) {
      const r = await resolveWithMilp(inst, state, people, gates, engine, {
        until: opts.until,
        name: opts.name,
        placesKept: filled,
        ...(opts.noFullModel ? { noFullModel: opts.noFullModel } : {}),
      });
      provenLeadShort = r.provenLeadShort;
    }
    return { proven: filled, provenLeadShort, filled, timedOut: false };
  };
  const result = await solveBlock(inst, block, engine, {
    deadlineAt: opts.until,
    fairness: inst.plan.fairness,
    coverageOnly: opts.coverageOnly ?? true,
    ...(opts.leadsMet ? { leadsMet: true } : {}),
    ...(engine.name === 'jslp' ? { maxIntegers: JSLP_MAX_INTEGERS } : {}),
    ...(opts.certify ? { certifyAt: before.length, roundFrom } : {}),
    ...(opts.placesKept !== undefined ? { placesKept: opts.placesKept } : {}),
    ...(opts.certify || opts.placesKept !== undefined ? { leadCertifyAt: leadShortWith(before), incumbent: before } : {}),
    ...(opts.noFullModel ? { noFullModel: opts.noFullModel } : {}),
    ...(opts.previous ? {} : { leadsByCaller: true }),
  });
  if (result.status === 'placesProven') {
    place(result.placements);
    for (const key of pinnedKeys) state.pinned.add(key);
    return await leadsOfProvenPlaces(result.provenCoverage ?? state.placesHeld(people));
  }
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
  // Each proof stands on its own: a coverage optimum stays proven when a later stage ran out of time.
  return {
    proven: result.provenCoverage,
    provenLeadShort: result.provenLeadShort,
    filled: accept ? result.filled : before.length,
    timedOut: result.status === 'timeout',
    ...(result.refused ? { refused: `${opts.name}: ${result.refused}` } : {}),
  };
}

/**
 * Lead shortfalls at `gates` no roster of `people` can avoid: gate-shifts needing a lead that
 * nobody else leads (`ledByOthers`, per gate index and slot), less the most of them the
 * people's leads can reach (the lead max-flow).
 */
function leadFloor(inst: Instance, people: readonly number[], gates: readonly number[], ledByOthers: readonly Uint8Array[]): number {
  const S = inst.slotCount;
  let open = 0;
  gates.forEach((g, gi) => {
    if (!inst.gates[g]?.leadRequired) return;
    for (let s = 0; s < S; s++) if ((inst.need[g * S + s] ?? 0) > 0 && (ledByOthers[gi]?.[s] ?? 0) === 0) open++;
  });
  const reachable = leadGateShifts(inst, gates) - leadFlowBound(inst, people, gates);
  return Math.max(0, open - reachable);
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
