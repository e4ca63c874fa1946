/**
 * Fast construction: fill places in time order with the person who may take them and can
 * least afford to be passed over, then augment: an empty place is filled by a person whose
 * conflicting shift can be handed to a colleague (chains of one or two hand-overs). On village blocks with slack this reaches the max-flow bound,
 * which then certifies the coverage as optimal without any LP; blocks where it does not are
 * handed to the exact coverage MILP (see index.ts).
 */
import type { Instance } from './instance.js';
import { Avail } from './instance.js';
import type { RosterState } from './roster-state.js';

export type Candidates = (g: number) => readonly number[];

/**
 * Slack of person p from slot s on: days on which they could still work minus the shifts
 * their weekly cap still allows. Someone with no slack loses capacity if passed over now.
 */
function slack(state: RosterState, p: number, s: number): number {
  const inst = state.inst;
  const days = daysAhead(inst)[p * inst.slotCount + s] ?? 0;
  return days - ((totalCaps(inst)[p] ?? 0) - (state.load[p] ?? 0));
}

const daysAheadCache = new WeakMap<Instance, Int32Array>();
const totalCapsCache = new WeakMap<Instance, Int32Array>();

/** Per person: the shifts their weekly caps allow over the whole plan. */
function totalCaps(inst: Instance): Int32Array {
  let out = totalCapsCache.get(inst);
  if (out) return out;
  out = new Int32Array(inst.people.length);
  for (let p = 0; p < inst.people.length; p++) for (let w = 0; w < inst.weeks; w++) out[p]! += inst.weekCap[p * inst.weeks + w] ?? 0;
  totalCapsCache.set(inst, out);
  return out;
}

/** daysAhead[p * S + s]: distinct days with a slot after s that p is available for. */
function daysAhead(inst: Instance): Int32Array {
  let out = daysAheadCache.get(inst);
  if (out) return out;
  const S = inst.slotCount;
  out = new Int32Array(inst.people.length * S);
  for (let p = 0; p < inst.people.length; p++) {
    // Walking backwards: days with an available slot later than s, s's own day included.
    let days = 0;
    let counted = -1;
    for (let s = S - 1; s >= 0; s--) {
      out[p * S + s] = days;
      const day = Math.floor(s / inst.daySlots);
      if (inst.avail[p * S + s] !== Avail.No && counted !== day) {
        counted = day;
        days++;
      }
    }
  }
  daysAheadCache.set(inst, out);
  return out;
}

/** Better of two candidates for a place: lead when the gate lacks one, less slack, lighter, fewer nights, preferred. */
function better(state: RosterState, g: number, s: number, a: number, b: number): boolean {
  const inst = state.inst;
  const wantLead = inst.gates[g]?.leadRequired === true && (state.leads[g * inst.slotCount + s] ?? 0) === 0;
  if (wantLead && inst.isLead[a] !== inst.isLead[b]) return inst.isLead[a] === true;
  const sa = Math.max(0, slack(state, a, s));
  const sb = Math.max(0, slack(state, b, s));
  if (sa !== sb) return sa < sb;
  const la = state.loadToDate(a);
  const lb = state.loadToDate(b);
  if (la !== lb) return la < lb;
  if (inst.slotNight[s] !== null) {
    const na = state.nightsToDate(a);
    const nb = state.nightsToDate(b);
    if (na !== nb) return na < nb;
  }
  const pa = inst.avail[a * inst.slotCount + s] === Avail.Preferred;
  const pb = inst.avail[b * inst.slotCount + s] === Avail.Preferred;
  if (pa !== pb) return pa;
  return a < b;
}

/**
 * Fill open places in time order, each with the best candidate still allowed by every rule
 * (see `better`: a lead where one is missing, then whoever would lose capacity if passed
 * over, then the lightest). Measured on the district: time order with the slack rule leaves
 * 5 of 120 villages short of their flow bound; scarcest-slot-first left 75.
 */
export function greedyFill(state: RosterState, gates: readonly number[], candidates: Candidates): void {
  const inst = state.inst;
  const S = inst.slotCount;
  const leadGates = gates.filter((g) => inst.gates[g]?.leadRequired === true);
  for (let s = 0; s < inst.slotCount; s++) {
    // One lead per lead gate-shift first: otherwise the slot's leads may all stand at gates
    // that do not need them by the time a lead gate comes up in input order.
    for (const g of leadGates) {
      if (state.open(g, s) <= 0 || (state.leads[g * S + s] ?? 0) > 0) continue;
      let best = -1;
      for (const p of candidates(g)) {
        if (!inst.isLead[p] || state.refusal(p, s) !== null) continue;
        if (best < 0 || better(state, g, s, p, best)) best = p;
      }
      if (best >= 0) state.place(best, g, s);
    }
    for (const g of gates) {
      while (state.open(g, s) > 0) {
        let best = -1;
        for (const p of candidates(g)) {
          if (state.refusal(p, s) !== null) continue;
          if (best < 0 || better(state, g, s, p, best)) best = p;
        }
        if (best < 0) break;
        state.place(best, g, s);
      }
    }
  }
}

/**
 * Fill empty places by ejection chains: q takes the place after handing one conflicting
 * shift on, and that shift is filled the same way, up to `depth` hand-overs. Each success
 * adds one filled place and touches only the people on the chain.
 */
export function augment(state: RosterState, gates: readonly number[], candidates: Candidates, depth = 1, maxRounds = 3, deadlineAt = Infinity): number {
  const S = state.inst.slotCount;
  let gained = 0;
  for (let round = 0; round < maxRounds; round++) {
    let gainedThisRound = 0;
    for (const g of gates) {
      if (Date.now() >= deadlineAt) return gained + gainedThisRound;
      for (let s = 0; s < S; s++) {
        while (state.open(g, s) > 0 && tryFill(state, g, s, candidates, depth, false, new Set())) gainedThisRound++;
      }
    }
    gained += gainedThisRound;
    if (gainedThisRound === 0) break;
  }
  return gained;
}

/** Shifts of q that stand in the way of q taking slot s under `rule`. */
function blockers(state: RosterState, q: number, s: number, rule: string): number[] {
  const inst = state.inst;
  const near = Math.max(inst.restSpan, inst.daySlots - 1);
  return state.slotsOf(q).filter((t) => {
    if (rule === 'weeklyHours') return inst.slotWeek[t] === inst.slotWeek[s];
    if (rule === 'consecutiveNights') return inst.slotNight[t] !== null && Math.abs((inst.slotNight[t] ?? 0) - (inst.slotNight[s] ?? 0)) <= inst.maxNights;
    return Math.abs(t - s) <= near;
  });
}

function tryFill(state: RosterState, g: number, s: number, candidates: Candidates, depth: number, needLead: boolean, onChain: Set<number>): boolean {
  const inst = state.inst;
  const S = inst.slotCount;
  for (const q of candidates(g)) {
    if (needLead && !inst.isLead[q]) continue;
    if (onChain.has(q)) continue;
    const why = state.refusal(q, s);
    if (why === null) {
      state.place(q, g, s);
      return true;
    }
    if (depth === 0 || why === 'availability') continue;
    if (why === 'busy') {
      // q stands another gate in this very slot: move q here if someone else can take that
      // place (every per-person rule of q is unchanged by a move within one slot).
      if (state.pinned.has(q * S + s)) continue;
      const g2 = (state.gateAt[q * S + s] ?? 0) - 1;
      if (g2 === g || (needLead && state.lastLead(q, g2, s))) continue;
      const lostLead = state.lastLead(q, g2, s);
      state.remove(q, s);
      state.place(q, g, s);
      onChain.add(q);
      if (tryFill(state, g2, s, candidates, depth - 1, lostLead, onChain)) return true;
      onChain.delete(q);
      state.remove(q, s);
      state.place(q, g2, s);
      continue;
    }
    for (const t of blockers(state, q, s, why)) {
      if (state.pinned.has(q * S + t)) continue;
      const gt = state.remove(q, t);
      const lostLead = inst.isLead[q] === true && inst.gates[gt]?.leadRequired === true && (state.leads[gt * S + t] ?? 0) === 0;
      if (state.refusal(q, s) === null) {
        state.place(q, g, s);
        onChain.add(q);
        if (tryFill(state, gt, t, candidates, depth - 1, lostLead, onChain)) return true;
        onChain.delete(q);
        state.remove(q, s);
      }
      state.place(q, gt, t);
    }
  }
  return false;
}
