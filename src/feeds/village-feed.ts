/**
 * A village's feed for its head: one event per gate-shift of its gates, listing everyone on
 * it. A gate-shift short of people is the same event titled `缺口 / gap` with the reason, so
 * filling the gap later updates that event in place (same UID, higher SEQUENCE) instead of
 * leaving a stale gap beside a new duty event.
 */
import type { Assignment, Gap } from '../domain/roster.js';
import type { Cadre, Gate } from '../domain/types.js';
import { compareByStartGate, compareCodes, gateShiftKey, missingSeats } from '../domain/keys.js';
import { renderCalendar, type FeedCalendarOptions } from './calendar.js';
import type { EventState, FeedEventContent } from './event-state.js';
import { dutySummary, gapLine, gapSummary, gateLocation, nameList, personName, shiftTimeLine } from './labels.js';
import { villageEventUid } from './uid.js';

/** What a village feed shows. */
export interface VillageFeedContentInput {
  village: string;
  /** Assignments at its gates; rows at other villages' gates are ignored. */
  assignments: readonly Assignment[];
  /** Gaps at its gates; leave out to show duty only. */
  gaps?: readonly Gap[];
  cadresById: ReadonlyMap<string, Pick<Cadre, 'name'>>;
  gatesById: ReadonlyMap<string, Gate>;
  timeZone: string;
}

/** Everything {@link renderVillageFeed} needs. */
export interface VillageFeedInput extends VillageFeedContentInput, FeedCalendarOptions {
  /** From {@link nextEventStates} over {@link villageFeedEvents} of the same input. */
  states: ReadonlyMap<string, EventState>;
}

/** One gate-shift of the village with the people on it and its gaps. */
interface GateShift {
  gateId: string;
  start: Date;
  end: Date;
  cadreIds: string[];
  gaps: Gap[];
}

/** The events of a village feed, by start then gate. */
export function villageFeedEvents(input: VillageFeedContentInput): FeedEventContent[] {
  return gateShiftsOf(input).map((shift) => {
    const gate = input.gatesById.get(shift.gateId);
    const missing = missingSeats(shift.gaps);
    const onDuty = shift.cadreIds.length;
    const names = shift.cadreIds.map((id) => personName(input.cadresById, id));
    return {
      uid: villageEventUid(input.village, shift.gateId, shift.start),
      start: shift.start,
      end: shift.end,
      summary: shift.gaps.length === 0 ? dutySummary(gate) : gapSummary(gate, onDuty, onDuty + missing),
      location: gateLocation(gate),
      description: [
        `在岗 / On duty: ${nameList(names)}`,
        ...shift.gaps.map((g) => gapLine(missingSeats([g]), g.reason, g.detailZh)),
        shiftTimeLine(shift.start, shift.end, input.timeZone),
      ].join('\n'),
    };
  });
}

/** The ICS text of a village feed. */
export function renderVillageFeed(input: VillageFeedInput): string {
  return renderCalendar(villageFeedEvents(input), input.states, input.timeZone, input);
}

function gateShiftsOf(input: VillageFeedContentInput): GateShift[] {
  const inVillage = (row: { gateId: string }): boolean => input.gatesById.get(row.gateId)?.village === input.village;
  const shifts = new Map<string, GateShift>();
  const shiftOf = (row: { gateId: string; start: Date; end: Date }): GateShift => {
    const key = gateShiftKey(row.gateId, row.start);
    let shift = shifts.get(key);
    if (shift === undefined) {
      shift = { gateId: row.gateId, start: row.start, end: row.end, cadreIds: [], gaps: [] };
      shifts.set(key, shift);
    }
    if (row.end > shift.end) shift.end = row.end;
    return shift;
  };
  for (const a of input.assignments.filter(inVillage)) shiftOf(a).cadreIds.push(a.cadreId);
  for (const g of (input.gaps ?? []).filter(inVillage)) shiftOf(g).gaps.push(g);
  const ordered = [...shifts.values()].sort(compareByStartGate);
  for (const shift of ordered) shift.gaps.sort((a, b) => compareCodes(a.reason, b.reason));
  return ordered;
}
