/** Publish helpers for the feed tests: content -> states -> ICS, as the publish workflow does. */
import type { Assignment, Gap } from '../../../src/domain/roster.js';
import {
  cadreFeedEvents,
  nextEventStates,
  partnerNames,
  renderCadreFeed,
  renderVillageFeed,
  villageFeedEvents,
  type CadreFeedContentInput,
  type EventState,
  type VillageFeedContentInput,
} from '../../../src/feeds/index.js';
import { cadresById, gatesById, ZONE } from '../roster-views/fixtures.js';

export const FIRST_PUBLISH = new Date('2021-12-12T10:00:00Z');
export const SECOND_PUBLISH = new Date('2021-12-13T03:30:00Z');

/** A person's feed content over the whole roster's assignments. */
export function cadreContent(cadreId: string, assignments: readonly Assignment[]): CadreFeedContentInput {
  const cadre = cadresById.get(cadreId);
  if (cadre === undefined) throw new Error(cadreId);
  return {
    cadre,
    assignments: assignments.filter((a) => a.cadreId === cadreId),
    partnersOf: partnerNames(assignments, cadresById),
    gatesById,
    timeZone: ZONE,
  };
}

/** Publish a person's feed after `previous` states: the new states and the ICS. */
export function publishCadreFeed(
  content: CadreFeedContentInput,
  previous: ReadonlyMap<string, EventState>,
  publishedAt: Date,
): { states: Map<string, EventState>; ics: string } {
  const states = nextEventStates(previous, cadreFeedEvents(content), publishedAt);
  const ics = renderCadreFeed({ ...content, states, calendarName: `值守 · ${content.cadre.name}`, url: 'https://duty.example/feeds/t0k3n.ics' });
  return { states, ics };
}

/** A village's feed content. */
export function villageContent(village: string, assignments: readonly Assignment[], gaps?: readonly Gap[]): VillageFeedContentInput {
  return { village, assignments, ...(gaps === undefined ? {} : { gaps }), cadresById, gatesById, timeZone: ZONE };
}

export function publishVillageFeed(
  content: VillageFeedContentInput,
  previous: ReadonlyMap<string, EventState>,
  publishedAt: Date,
): { states: Map<string, EventState>; ics: string } {
  const states = nextEventStates(previous, villageFeedEvents(content), publishedAt);
  const ics = renderVillageFeed({ ...content, states, calendarName: `${content.village} 值守` });
  return { states, ics };
}
