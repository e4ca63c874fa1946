/**
 * Every gate-shift left short, with an honest reason: who may serve the gate, and what keeps
 * each of them from this shift.
 */
import type { Gap, GapReason } from '../domain/roster.js';
import type { Instance } from './instance.js';
import { Avail } from './instance.js';
import type { RosterState } from './roster-state.js';

interface Census {
  eligible: number;
  unavailable: number;
  busy: number;
  cap: number;
  rest: number;
  free: number;
}

function census(state: RosterState, people: readonly number[], s: number): Census {
  const inst = state.inst;
  const c: Census = { eligible: people.length, unavailable: 0, busy: 0, cap: 0, rest: 0, free: 0 };
  for (const p of people) {
    if (inst.avail[p * inst.slotCount + s] === Avail.No) c.unavailable++;
    else if (state.works(p, s)) c.busy++;
    else {
      const rule = state.refusal(p, s);
      if (rule === 'weeklyHours' || rule === 'maxHoursPer24h') c.cap++;
      else if (rule === 'minRest' || rule === 'consecutiveNights') c.rest++;
      else c.free++;
    }
  }
  return c;
}

function sentence(c: Census, who: string): string {
  const parts = [
    c.unavailable && `${c.unavailable} unavailable or not taking nights`,
    c.busy && `${c.busy} on duty at this or another gate`,
    c.cap && `${c.cap} at their weekly or 24 h hour cap`,
    c.rest && `${c.rest} held by the rest or night rule`,
    c.free && `${c.free} free but not placed before the deadline`,
  ].filter(Boolean);
  return `${c.eligible} ${who}: ${parts.join(', ')}.`;
}

function reasonOf(c: Census, deadline: boolean): GapReason {
  if (c.eligible === 0) return 'no_one_eligible';
  if (c.free > 0) return deadline ? 'deadline' : 'busy_elsewhere';
  if (c.unavailable === c.eligible) return 'no_one_available';
  if (c.cap === 0 && c.rest === 0) return 'busy_elsewhere';
  return c.cap >= c.rest ? 'eligible_at_hour_cap' : 'rest_rule';
}

export function findGaps(state: RosterState, deadline: boolean): Gap[] {
  const inst = state.inst;
  const S = inst.slotCount;
  const gaps: Gap[] = [];
  inst.gates.forEach((gate, g) => {
    const eligible = inst.eligiblePeople[g] ?? [];
    for (let s = 0; s < S; s++) {
      const needed = inst.need[g * S + s] ?? 0;
      if (needed === 0) continue;
      const filled = state.filled[g * S + s] ?? 0;
      const noLead = gate.leadRequired && (state.leads[g * S + s] ?? 0) === 0;
      if (filled >= needed && !noLead) continue;
      const start = new Date(inst.slotStart[s] as number);
      const end = new Date((inst.slotStart[s] as number) + inst.shiftMs);
      let reason: GapReason;
      let detail: string;
      if (filled < needed) {
        const c = census(state, eligible, s);
        reason = reasonOf(c, deadline);
        detail = c.eligible === 0 ? 'Nobody may serve this gate.' : sentence(c, 'eligible');
        if (noLead) detail += ' No village cadre lead either.';
      } else {
        const leads = eligible.filter((p) => inst.isLead[p]);
        reason = 'no_lead_available';
        detail = leads.length === 0 ? 'Filled, but no village cadre may serve this gate to lead.' : `Filled without a lead; ${sentence(census(state, leads, s), 'village cadres eligible')}`;
      }
      gaps.push({ gateId: gate.id, start, end, needed, filled, reason, detail });
    }
  });
  return gaps;
}
