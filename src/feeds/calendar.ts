/**
 * One VCALENDAR from event contents and their stored states, via ical-generator.
 *
 * Times are written in UTC (`DTSTART:20211213T000000Z`). Apple Calendar, Google Calendar and
 * Outlook all read UTC instants correctly and show them in the device's zone; a VTIMEZONE
 * would need rules generated for every zone a deployment may choose, and ical-generator
 * with a calendar zone but no generator formats plain Dates in the *server process's*
 * zone, a silent error. `X-WR-TIMEZONE` still names the plan's zone as a display hint.
 *
 * ical-generator writes every property and its escaping; it renders the calendar shell and
 * each event. Events are folded by our own `foldContentLines` (same rule, much faster),
 * since `ICalEvent.toString()` leaves folding to the calendar.
 */
import ical, { ICalEvent } from 'ical-generator';
import { isValidTimeZone } from '../domain/time.js';
import { foldContentLines } from './fold.js';
import { eventFingerprint, type EventState, type FeedEventContent } from './event-state.js';

/** How the calendar presents itself in a client. */
export interface FeedCalendarOptions {
  /** X-WR-CALNAME / NAME, e.g. `值守 · 张三`. */
  calendarName: string;
  /** The feed's own address (URL property), if known. */
  url?: string;
}

const CALENDAR_END = 'END:VCALENDAR';
const PRODUCT_ID = { company: 'gate-duty', product: 'roster feeds', language: 'ZH' } as const;
/** Clients should poll hourly: a re-plan after an absence must reach phones the same day. */
const REFRESH_SECONDS = 3600;

/**
 * The ICS text of `events` (in the given order) with SEQUENCE, DTSTAMP, LAST-MODIFIED and
 * CREATED from `states`. DTSTAMP = LAST-MODIFIED: in a published feed (no METHOD) DTSTAMP is
 * when the information was last revised (RFC 5545 3.8.7.2). Throws if an event has no state,
 * or a state describes other content: the caller forgot {@link nextEventStates}, and a
 * SEQUENCE that did not rise would leave phones showing the old shift.
 */
export function renderCalendar(
  events: readonly FeedEventContent[],
  states: ReadonlyMap<string, EventState>,
  timeZone: string,
  options: FeedCalendarOptions,
): string {
  if (!isValidTimeZone(timeZone)) throw new Error(`unknown time zone ${timeZone}`);
  const calendar = ical({
    prodId: PRODUCT_ID,
    // ical-generator writes NAME and X-WR-CALNAME unescaped: escape here so a name with a
    // comma cannot corrupt the value, and keep it on one line (no injected properties).
    name: escapeText(options.calendarName.replace(/[\r\n]+/g, ' ')),
    ttl: REFRESH_SECONDS,
    ...(options.url === undefined ? {} : { url: new URL(options.url).href }),
  });
  const eventText = events
    .map((event) => {
      const state = stateOf(states, event);
      return new ICalEvent(
        {
          id: event.uid,
          sequence: state.sequence,
          stamp: state.lastModified,
          created: state.created,
          lastModified: state.lastModified,
          start: event.start,
          end: event.end,
          summary: event.summary,
          location: event.location,
          description: event.description,
        },
        calendar,
      ).toString();
    })
    .join('');
  const shell = calendar.toString(); // header and END:VCALENDAR, folded by ical-generator
  if (!shell.endsWith(CALENDAR_END)) throw new Error('unexpected ical-generator output');
  // X-WR-TIMEZONE goes before the events: RFC 5545's grammar puts calendar properties
  // before components, and ical-generator's `x()` would write it after them.
  const body = foldContentLines(`X-WR-TIMEZONE:${timeZone}\r\n${eventText}`);
  // RFC 5545 ends every content line, the last included, with CRLF; ical-generator omits it.
  return `${shell.slice(0, -CALENDAR_END.length)}${body}${CALENDAR_END}\r\n`;
}

function stateOf(states: ReadonlyMap<string, EventState>, event: FeedEventContent): EventState {
  const state = states.get(event.uid);
  if (state === undefined) throw new Error(`no stored state for event ${event.uid}`);
  if (state.fingerprint !== eventFingerprint(event)) throw new Error(`stale state for event ${event.uid}`);
  return state;
}

/** RFC 5545 TEXT escaping of a one-line value (backslash, semicolon, comma). */
function escapeText(text: string): string {
  return text.replace(/[\\;,]/g, (c) => `\\${c}`);
}
