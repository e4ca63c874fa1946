/**
 * A person's own feed: one event per shift they stand, naming who else is on it.
 */
import type { Assignment } from '../domain/roster.js';
import type { Cadre, Gate } from '../domain/types.js';
import { compareByStartGate, gateShiftKey } from '../domain/keys.js';
import { renderCalendar, type FeedCalendarOptions } from './calendar.js';
import type { EventState, FeedEventContent } from './event-state.js';
import { dutySummary, gateLocation, nameList, personName, shiftTimeLine } from './labels.js';
import { eventUid } from './uid.js';

/** What a person's feed shows. */
export interface CadreFeedContentInput {
  cadre: Pick<Cadre, 'id' | 'name'>;
  /** Their assignments; others' rows are ignored, so a wrong query cannot leak them. */
  assignments: readonly Assignment[];
  /** Names of the others on the same gate-shift (see {@link partnerNames}). */
  partnersOf: (assignment: Assignment) => readonly string[];
  gatesById: ReadonlyMap<string, Gate>;
  /** The plan's zone, for the local-time line and X-WR-TIMEZONE. */
  timeZone: string;
}

/** Everything {@link renderCadreFeed} needs: the content, the calendar options and the states. */
export interface CadreFeedInput extends CadreFeedContentInput, FeedCalendarOptions {
  /** From {@link nextEventStates} over {@link cadreFeedEvents} of the same input. */
  states: ReadonlyMap<string, EventState>;
}

/** The events of a person's feed, by start; feed them to `nextEventStates` at publish time. */
export function cadreFeedEvents(input: CadreFeedContentInput): FeedEventContent[] {
  return input.assignments
    .filter((a) => a.cadreId === input.cadre.id)
    .sort(compareByStartGate)
    .map((a) => {
      const gate = input.gatesById.get(a.gateId);
      return {
        uid: eventUid(a.cadreId, a.gateId, a.start, a.planId),
        start: a.start,
        end: a.end,
        summary: dutySummary(gate),
        location: gateLocation(gate),
        description: [`同班 / On duty with: ${nameList(input.partnersOf(a))}`, shiftTimeLine(a.start, a.end, input.timeZone)].join('\n'),
      };
    });
}

/** The ICS text of a person's feed. */
export function renderCadreFeed(input: CadreFeedInput): string {
  return renderCalendar(cadreFeedEvents(input), input.states, input.timeZone, input);
}

/**
 * `partnersOf` for {@link renderCadreFeed}: from all assignments of a roster, the names of
 * the other people at the same gate-shift (names only, never phone numbers).
 */
export function partnerNames(
  allAssignments: readonly Assignment[],
  cadresById: ReadonlyMap<string, Pick<Cadre, 'name'>>,
): (assignment: Assignment) => string[] {
  const onShift = new Map<string, string[]>();
  for (const a of allAssignments) {
    const key = gateShiftKey(a.gateId, a.start);
    const ids = onShift.get(key) ?? [];
    ids.push(a.cadreId);
    onShift.set(key, ids);
  }
  return (assignment) =>
    (onShift.get(gateShiftKey(assignment.gateId, assignment.start)) ?? []).filter((id) => id !== assignment.cadreId).map((id) => personName(cadresById, id));
}
