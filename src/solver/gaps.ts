/**
 * Every gate-shift left short, with an honest reason: who may serve the gate, and what keeps
 * each of them from this shift.
 */
import type { Gap, GapReason } from '../domain/roster.js';
import { Avail, Unavail } from './instance.js';
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
    const closedBy = inst.unavailReason[p * inst.slotCount + s];
    // Closed by duty outside this plan: on duty there, or held by a rule that duty triggers.
    if (closedBy === Unavail.Busy) c.busy++;
    else if (closedBy === Unavail.Hours24) c.cap++;
    else if (closedBy === Unavail.Rest || closedBy === Unavail.Nights) c.rest++;
    else if (inst.avail[p * inst.slotCount + s] === Avail.No) c.unavailable++;
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

/** A gap's explanation for planners (English) and village heads (Chinese). */
interface Explanation {
  en: string;
  zh: string;
}

const WHO = {
  eligible: { en: 'eligible', zh: '可派驻人员' },
  leads: { en: 'village cadres eligible', zh: '可带班的村干部' },
} as const;

function sentence(c: Census, who: (typeof WHO)[keyof typeof WHO]): Explanation {
  const parts: [number, string, string][] = [
    [c.unavailable, 'unavailable or not taking nights', '人不可值班或不值夜班'],
    [c.busy, 'on duty at this or another gate', '人正在本门岗或其他门岗值班'],
    [c.cap, 'at their weekly or 24 h hour cap', '人已达每周或24小时工时上限'],
    [c.rest, 'held by the rest or night rule', '人受休息或连续夜班规则限制'],
    [c.free, 'free but not placed before the deadline', '人有空但在截止时间前未排上'],
  ];
  const shown = parts.filter(([n]) => n > 0);
  return {
    en: `${c.eligible} ${who.en}: ${shown.map(([n, en]) => `${n} ${en}`).join(', ')}.`,
    zh: `${who.zh}共${c.eligible}人：${shown.map(([n, , zh]) => `${n}${zh}`).join('，')}。`,
  };
}

function join(a: Explanation, b: Explanation): Explanation {
  return { en: `${a.en} ${b.en}`, zh: `${a.zh}${b.zh}` };
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
      let why: Explanation;
      if (filled < needed) {
        const c = census(state, eligible, s);
        reason = reasonOf(c, deadline);
        why = c.eligible === 0 ? { en: 'Nobody may serve this gate.', zh: '没有人可派驻到此门岗。' } : sentence(c, WHO.eligible);
        if (noLead) why = join(why, { en: 'No village cadre lead either.', zh: '也没有村干部带班。' });
      } else {
        const leads = eligible.filter((p) => inst.isLead[p]);
        reason = 'no_lead_available';
        why =
          leads.length === 0
            ? { en: 'Filled, but no village cadre may serve this gate to lead.', zh: '人数已满，但没有可派驻此门岗的村干部带班。' }
            : join({ en: 'Filled without a lead;', zh: '人数已满但无村干部带班；' }, sentence(census(state, leads, s), WHO.leads));
      }
      gaps.push({ gateId: gate.id, start, end, needed, filled, reason, detail: why.en, detailZh: why.zh });
    }
  });
  return gaps;
}
