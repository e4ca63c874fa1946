/**
 * Lead repair: gates that need a village cadre on every shift but got none, empty ones
 * included. The fast construction places one lead per lead gate-shift first; this pass
 * catches what it missed by (1) swapping a lead standing elsewhere in the same slot (where
 * they are not the needed lead) with a non-lead here: same slot, so every per-person rule
 * still holds; (2) moving such a lead here outright when this gate-shift has room (places
 * unchanged, one shortfall fewer); (3) letting a free lead take the place of a non-lead here,
 * or an empty place; (4) freeing a lead by handing one of their conflicting shifts to a
 * colleague first. Coverage never drops.
 */
import type { RosterState } from './roster-state.js';

/** Who may be moved or placed at gate g (default: everyone who may serve it). */
export type LeadCandidates = (g: number) => readonly number[];

export function repairLeads(
  state: RosterState,
  gates: readonly number[] = state.inst.gates.map((_, g) => g),
  candidates?: LeadCandidates,
  deadlineAt = Infinity,
): number {
  const inst = state.inst;
  const of: LeadCandidates = candidates ?? ((g) => inst.eligiblePeople[g] ?? []);
  const S = inst.slotCount;
  let fixed = 0;
  gates.forEach((g) => {
    if (!inst.gates[g]?.leadRequired || Date.now() >= deadlineAt) return;
    for (let s = 0; s < S; s++) {
      if ((inst.need[g * S + s] ?? 0) === 0 || (state.leads[g * S + s] ?? 0) > 0 || Date.now() >= deadlineAt) continue;
      if (swapIn(state, g, s, of) || moveIn(state, g, s, of) || replaceWithFreeLead(state, g, s, of) || chainLeadIn(state, g, s, of)) fixed++;
    }
  });
  return fixed;
}

/** Non-pinned non-leads standing gate g in slot s. */
function nonLeadsAt(state: RosterState, g: number, s: number, of: LeadCandidates): number[] {
  const inst = state.inst;
  const S = inst.slotCount;
  return of(g).filter((r) => !inst.isLead[r] && state.gateAt[r * S + s] === g + 1 && !state.pinned.has(r * S + s));
}

function swapIn(state: RosterState, g: number, s: number, of: LeadCandidates): boolean {
  const inst = state.inst;
  const S = inst.slotCount;
  const here = nonLeadsAt(state, g, s, of);
  for (const q of of(g)) {
    if (!inst.isLead[q] || state.pinned.has(q * S + s)) continue;
    const g2 = (state.gateAt[q * S + s] ?? 0) - 1;
    if (g2 < 0 || g2 === g || state.lastLead(q, g2, s)) continue;
    const r = here.find((x) => of(g2).includes(x));
    if (r === undefined) continue;
    state.remove(q, s);
    state.remove(r, s);
    state.place(q, g, s);
    state.place(r, g2, s);
    return true;
  }
  return false;
}

/** A lead not needed where they stand in slot s moves to (g, s), which has room. */
function moveIn(state: RosterState, g: number, s: number, of: LeadCandidates): boolean {
  const inst = state.inst;
  const S = inst.slotCount;
  if (state.open(g, s) <= 0) return false;
  for (const q of of(g)) {
    if (!inst.isLead[q] || state.pinned.has(q * S + s)) continue;
    const g2 = (state.gateAt[q * S + s] ?? 0) - 1;
    if (g2 < 0 || g2 === g || state.lastLead(q, g2, s)) continue;
    state.remove(q, s);
    state.place(q, g, s);
    return true;
  }
  return false;
}

function replaceWithFreeLead(state: RosterState, g: number, s: number, of: LeadCandidates): boolean {
  const inst = state.inst;
  const r = nonLeadsAt(state, g, s, of)[0];
  if (r === undefined && state.open(g, s) <= 0) return false;
  for (const q of of(g)) {
    if (!inst.isLead[q] || state.refusal(q, s) !== null) continue;
    if (state.open(g, s) <= 0 && r !== undefined) state.remove(r, s);
    state.place(q, g, s);
    return true;
  }
  return false;
}

function chainLeadIn(state: RosterState, g: number, s: number, of: LeadCandidates): boolean {
  const inst = state.inst;
  const S = inst.slotCount;
  const r = nonLeadsAt(state, g, s, of)[0];
  const hasRoom = state.open(g, s) > 0;
  if (r === undefined && !hasRoom) return false;
  for (const q of of(g)) {
    if (!inst.isLead[q]) continue;
    const why = state.refusal(q, s);
    if (why === null || why === 'availability' || why === 'busy') continue;
    for (const t of state.slotsOf(q)) {
      if (state.pinned.has(q * S + t)) continue;
      const gt = state.remove(q, t);
      const needsLead = inst.gates[gt]?.leadRequired === true && (state.leads[gt * S + t] ?? 0) === 0;
      if (state.refusal(q, s) === null) {
        const taker = of(gt).find((x) => x !== q && x !== r && (!needsLead || inst.isLead[x]) && state.refusal(x, t) === null);
        if (taker !== undefined) {
          state.place(taker, gt, t);
          if (!hasRoom && r !== undefined) state.remove(r, s);
          state.place(q, g, s);
          return true;
        }
      }
      state.place(q, gt, t);
    }
  }
  return false;
}
