/**
 * Fairness repair and the fairness test. A shift may move from p to q when q may serve the
 * gate, may take the slot under every rule, the move keeps a lead at a gate needing one, and
 * q is lighter by the plan's measure: equal mode, q has 2+ shifts fewer; proportional mode,
 * q's load per unit of offered time stays below p's after the move. Every move lowers the
 * sum of squared (weighted) loads, so repair terminates; when it stops, no fixable
 * imbalance remains, which is exactly the test of a fair roster.
 */
import { Avail } from './instance.js';
import type { RosterState } from './roster-state.js';

export interface FairnessWeights {
  /** Per person: 1 in equal mode, offered time / mean offered time in proportional mode. */
  weight: Float64Array;
}

/**
 * The marginal cost of a person's k-th shift is k / weight; a move of one shift from p to q
 * changes the sum of those costs by (lq + 1) / wq - lp / wp (loads to date: with a campaign,
 * what each carried before this plan counts too). A fixable move lowers it; the night and
 * preference hand-overs below may only keep it where it is, so no hand-over undoes a fairness
 * move and the repair ends (in equal mode, weights 1: the same as "q has one shift fewer").
 */
function costChange(state: RosterState, w: Float64Array, p: number, q: number): number {
  return (state.loadToDate(q) + 1) / (w[q] ?? 1) - state.loadToDate(p) / (w[p] ?? 1);
}

function lighterEnough(state: RosterState, w: Float64Array, p: number, q: number): boolean {
  // Equal mode (weights 1): lq + 1 < lp, i.e. p carries two or more shifts more than q.
  return costChange(state, w, p, q) < -1e-9;
}

/** Some colleague who could take shift (p, s) right now and is lighter enough, or -1. */
export function fixableTaker(state: RosterState, w: Float64Array, p: number, s: number): number {
  const inst = state.inst;
  const S = inst.slotCount;
  const g = (state.gateAt[p * S + s] ?? 0) - 1;
  if (g < 0 || state.pinned.has(p * S + s)) return -1;
  for (const q of inst.eligiblePeople[g] ?? []) {
    if (q === p || !lighterEnough(state, w, p, q)) continue;
    if (state.lastLead(p, g, s) && !inst.isLead[q]) continue;
    if (state.refusal(q, s) === null) return q;
  }
  return -1;
}

/** Count shifts that could move to a lighter eligible colleague without breaking a rule. */
export function countFixableImbalances(state: RosterState, w: Float64Array): number {
  let n = 0;
  const P = state.inst.people.length;
  for (let p = 0; p < P; p++) for (const s of state.slotsOf(p)) if (fixableTaker(state, w, p, s) >= 0) n++;
  return n;
}

/**
 * Move shifts from heavier to lighter people until none can move; then even out nights
 * where it costs no hours fairness. `movable` limits which people may be touched (re-plan).
 * `converged` is false when the deadline stopped it first.
 */
export function balance(
  state: RosterState,
  w: Float64Array,
  movable: (p: number) => boolean = () => true,
  deadlineAt = Infinity,
): { moves: number; converged: boolean } {
  const P = state.inst.people.length;
  let moves = 0;
  for (let pass = 0; pass < 50 && Date.now() < deadlineAt; pass++) {
    let moved = 0;
    const order = [...Array(P).keys()].filter(movable).sort((a, b) => state.loadToDate(b) - state.loadToDate(a));
    for (const p of order) {
      if (Date.now() >= deadlineAt) return { moves, converged: false };
      for (const s of state.slotsOf(p)) {
        const q = fixableTaker(state, w, p, s);
        if (q < 0 || !movable(q)) continue;
        const g = state.remove(p, s);
        state.place(q, g, s);
        moved++;
      }
    }
    moved += balanceNights(state, w, movable);
    moved += honourPreferences(state, w, movable);
    moves += moved;
    if (moved === 0) return { moves, converged: true };
  }
  return { moves, converged: false };
}

/** A night shift moves from p to q when q has 2+ fewer nights (to date) and the move costs no hours fairness. */
function balanceNights(state: RosterState, w: Float64Array, movable: (p: number) => boolean): number {
  const inst = state.inst;
  const S = inst.slotCount;
  let moved = 0;
  for (let p = 0; p < inst.people.length; p++) {
    if (!movable(p) || (state.nights[p] ?? 0) < 1 || state.nightsToDate(p) < 2) continue;
    for (const s of state.slotsOf(p)) {
      if (inst.slotNight[s] === null || state.pinned.has(p * S + s)) continue;
      const fewerNights = (q: number) => movable(q) && state.nightsToDate(q) + 2 <= state.nightsToDate(p) + 1e-9 && costChange(state, w, p, q) <= 1e-9;
      if (handOver(state, p, s, fewerNights)) moved++;
    }
  }
  return moved;
}

/**
 * Gives p's shift s to the first eligible colleague q that `accepts` and every hard rule
 * allows (keeping a lead where the gate needs one). True when the shift moved.
 */
function handOver(state: RosterState, p: number, s: number, accepts: (q: number) => boolean): boolean {
  const inst = state.inst;
  const g = (state.gateAt[p * inst.slotCount + s] ?? 0) - 1;
  for (const q of inst.eligiblePeople[g] ?? []) {
    if (q === p || !accepts(q)) continue;
    if (state.lastLead(p, g, s) && !inst.isLead[q]) continue;
    if (state.refusal(q, s) !== null) continue;
    state.remove(p, s);
    state.place(q, g, s);
    return true;
  }
  return false;
}

/**
 * Preferences come after fairness: a shift moves from p, who did not ask for it, to q, who
 * prefers it, only when that costs no hours fairness (in equal mode: q has exactly one shift
 * fewer, so the load multiset stays the same) and, for a night shift, q has fewer nights than
 * p (the nights spread does not worsen).
 */
function honourPreferences(state: RosterState, w: Float64Array, movable: (p: number) => boolean): number {
  const inst = state.inst;
  const S = inst.slotCount;
  let moved = 0;
  for (let p = 0; p < inst.people.length; p++) {
    if (!movable(p)) continue;
    for (const s of state.slotsOf(p)) {
      if (inst.avail[p * S + s] === Avail.Preferred || state.pinned.has(p * S + s)) continue;
      const night = inst.slotNight[s] !== null;
      const prefersIt = (q: number) =>
        movable(q) &&
        inst.avail[q * S + s] === Avail.Preferred &&
        Math.abs(costChange(state, w, p, q)) <= 1e-9 &&
        (!night || state.nightsToDate(q) + 1 <= state.nightsToDate(p) + 1e-9);
      if (handOver(state, p, s, prefersIt)) moved++;
    }
  }
  return moved;
}
