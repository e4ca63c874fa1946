/**
 * Lead repair: gates that need a village cadre on every shift but got none. The fast
 * construction places leads first where it can; this pass catches what it missed by
 * (1) swapping a lead standing elsewhere in the same slot (where they are not the needed
 * lead) with a non-lead here: same slot, so every per-person rule still holds; or
 * (2) letting a free lead take the place of a non-lead here; (3) freeing a lead by handing
 * one of their conflicting shifts to a colleague first. Coverage never drops.
 */
import type { RosterState } from './roster-state.js';

export function repairLeads(state: RosterState): number {
  const inst = state.inst;
  const S = inst.slotCount;
  let fixed = 0;
  inst.gates.forEach((gate, g) => {
    if (!gate.leadRequired) return;
    for (let s = 0; s < S; s++) {
      if ((inst.need[g * S + s] ?? 0) === 0 || (state.leads[g * S + s] ?? 0) > 0 || (state.filled[g * S + s] ?? 0) === 0) continue;
      if (swapIn(state, g, s) || replaceWithFreeLead(state, g, s) || chainLeadIn(state, g, s)) fixed++;
    }
  });
  return fixed;
}

/** Non-pinned non-leads standing gate g in slot s. */
function nonLeadsAt(state: RosterState, g: number, s: number): number[] {
  const inst = state.inst;
  const S = inst.slotCount;
  return (inst.eligiblePeople[g] ?? []).filter((r) => !inst.isLead[r] && state.gateAt[r * S + s] === g + 1 && !state.pinned.has(r * S + s));
}

function swapIn(state: RosterState, g: number, s: number): boolean {
  const inst = state.inst;
  const S = inst.slotCount;
  const here = nonLeadsAt(state, g, s);
  for (const q of inst.eligiblePeople[g] ?? []) {
    if (!inst.isLead[q] || state.pinned.has(q * S + s)) continue;
    const g2 = (state.gateAt[q * S + s] ?? 0) - 1;
    if (g2 < 0 || g2 === g || state.lastLead(q, g2, s)) continue;
    const r = here.find((x) => (inst.eligibleGates[x] ?? []).includes(g2));
    if (r === undefined) continue;
    state.remove(q, s);
    state.remove(r, s);
    state.place(q, g, s);
    state.place(r, g2, s);
    return true;
  }
  return false;
}

function replaceWithFreeLead(state: RosterState, g: number, s: number): boolean {
  const inst = state.inst;
  const r = nonLeadsAt(state, g, s)[0];
  if (r === undefined) return false;
  for (const q of inst.eligiblePeople[g] ?? []) {
    if (!inst.isLead[q] || state.refusal(q, s) !== null) continue;
    state.remove(r, s);
    state.place(q, g, s);
    return true;
  }
  return false;
}

function chainLeadIn(state: RosterState, g: number, s: number): boolean {
  const inst = state.inst;
  const S = inst.slotCount;
  const r = nonLeadsAt(state, g, s)[0];
  const hasRoom = state.open(g, s) > 0;
  if (r === undefined && !hasRoom) return false;
  for (const q of inst.eligiblePeople[g] ?? []) {
    if (!inst.isLead[q]) continue;
    const why = state.refusal(q, s);
    if (why === null || why === 'availability' || why === 'busy') continue;
    for (const t of state.slotsOf(q)) {
      if (state.pinned.has(q * S + t)) continue;
      const gt = state.remove(q, t);
      const needsLead = inst.gates[gt]?.leadRequired === true && (state.leads[gt * S + t] ?? 0) === 0;
      if (state.refusal(q, s) === null) {
        const taker = (inst.eligiblePeople[gt] ?? []).find((x) => x !== q && x !== r && (!needsLead || inst.isLead[x]) && state.refusal(x, t) === null);
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
