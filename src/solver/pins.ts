/**
 * Pins and the previous roster enter the roster before anything is solved. A pin that breaks
 * a rule is not placed; the planner gets the rule's name and a sentence instead.
 */
import type { Assignment } from '../domain/roster.js';
import type { Instance } from './instance.js';
import { Unavail } from './instance.js';
import type { RosterState, RuleName } from './roster-state.js';
import type { Pin, PinConflict } from './types.js';

const RULE_TEXT: Record<RuleName, string> = {
  availability: 'the person is not available for the whole shift',
  busy: 'the person is already pinned elsewhere in that shift',
  minRest: 'it leaves less than the minimum rest after or before another pinned shift',
  maxHoursPer24h: 'it exceeds the maximum hours in 24 h together with other pinned shifts',
  weeklyHours: "it exceeds the person's weekly hour cap together with other pinned shifts",
  consecutiveNights: 'it makes too many consecutive night shifts together with other pinned shifts',
};

/** Slots closed by duty outside the solve (edges.ts): the rule and its sentence. */
const EDGE_TEXT: Record<number, [string, string]> = {
  [Unavail.Busy]: ['busy', 'the person is on duty in another plan (or an earlier day of this one) in that shift'],
  [Unavail.Rest]: ['minRest', 'it leaves less than the minimum rest before or after duty in another plan (or an earlier day of this one)'],
  [Unavail.Hours24]: ['maxHoursPer24h', 'it exceeds the maximum hours in 24 h together with duty in another plan (or an earlier day of this one)'],
  [Unavail.Nights]: ['consecutiveNights', 'it makes too many consecutive night shifts together with nights in another plan (or earlier days of this one)'],
};

/** Where a pin lands: person, gate, slot; or why it cannot. */
export function locate(inst: Instance, cadreId: string, gateId: string, start: Date): { p: number; g: number; s: number } | { rule: string; message: string } {
  const p = inst.personIndex.get(cadreId);
  if (p === undefined) return { rule: 'unknownCadre', message: `No person ${cadreId} in this plan.` };
  const g = inst.gateIndex.get(gateId);
  if (g === undefined) return { rule: 'unknownGate', message: `No gate ${gateId} in this plan.` };
  const s = inst.slotStart.indexOf(start.getTime());
  if (s < 0) return { rule: 'shiftGrid', message: 'The pinned start is not the start of a shift of this plan.' };
  return { p, g, s };
}

export function applyPins(inst: Instance, state: RosterState, pins: Pin[]): PinConflict[] {
  const conflicts: PinConflict[] = [];
  const S = inst.slotCount;
  const sorted = [...pins].sort((a, b) => a.start.getTime() - b.start.getTime());
  for (const pin of sorted) {
    const where = locate(inst, pin.cadreId, pin.gateId, pin.start);
    const fail = (rule: string, message: string): void => void conflicts.push({ pin, rule, message });
    if ('rule' in where) {
      fail(where.rule, where.message);
      continue;
    }
    const { p, g, s } = where;
    if (!(inst.eligibleGates[p] ?? []).includes(g)) fail('locality', `${pin.cadreId} may not serve gate ${pin.gateId} (locality).`);
    else if ((inst.need[g * S + s] ?? 0) === 0) fail('gateNotNeeded', `Gate ${pin.gateId} needs nobody in that shift (inactive or outside its cover hours).`);
    else if (inst.unavailReason[p * S + s] === Unavail.NotNightOk) fail('nightOk', `${pin.cadreId} does not take night shifts.`);
    else if (EDGE_TEXT[inst.unavailReason[p * S + s] ?? 0]) {
      const [rule, text] = EDGE_TEXT[inst.unavailReason[p * S + s] ?? 0] as [string, string];
      fail(rule, `Pin of ${pin.cadreId} breaks a rule: ${text}.`);
    } else if (state.open(g, s) <= 0) fail('gateFull', `Gate ${pin.gateId} already has its ${inst.need[g * S + s]} people pinned in that shift.`);
    else {
      const rule = state.refusal(p, s);
      if (rule !== null) fail(rule, `Pin of ${pin.cadreId} breaks a rule: ${RULE_TEXT[rule]}.`);
      else {
        state.place(p, g, s);
        state.pinned.add(p * S + s);
      }
    }
  }
  return conflicts;
}

/**
 * Put back every previous assignment that still keeps every rule (in time order), so a
 * re-plan starts from the published roster and only fills what the change opened.
 */
export function applyPrevious(inst: Instance, state: RosterState, previous: Assignment[]): Map<number, number> {
  const S = inst.slotCount;
  const kept = new Map<number, number>();
  for (const a of [...previous].sort((x, y) => x.start.getTime() - y.start.getTime())) {
    const where = locate(inst, a.cadreId, a.gateId, a.start);
    if ('rule' in where) continue;
    const { p, g, s } = where;
    kept.set(p * S + s, g);
    if (state.works(p, s)) continue; // a pin already put them there (or elsewhere)
    if (!(inst.eligibleGates[p] ?? []).includes(g) || state.open(g, s) <= 0 || state.refusal(p, s) !== null) continue;
    state.place(p, g, s);
  }
  return kept;
}
