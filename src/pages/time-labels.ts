/** Local-time wording of shifts for the pages: `12-13` and `16:00–24:00`, as rosters write them. */
import { formatLocalDateTime, localDate } from '../domain/time.js';

export interface ShiftLabel {
  /** Local date `MM-DD` of the start. */
  day: string;
  /** `YYYY-MM-DD` of the start. */
  date: string;
  /** `08:00–16:00`; a shift ending at the next midnight ends at `24:00`. */
  hours: string;
}

export function shiftLabel(start: Date, end: Date, timeZone: string): ShiftLabel {
  const from = formatLocalDateTime(start, timeZone);
  const to = formatLocalDateTime(end, timeZone);
  const sameDay = localDate(start, timeZone) === localDate(end, timeZone);
  const endsAtMidnight = !sameDay && to.endsWith(' 00:00') && end.getTime() - start.getTime() <= 86_400_000;
  const toText = sameDay ? to.slice(11) : endsAtMidnight ? '24:00' : to.slice(5);
  return { day: from.slice(5, 10), date: from.slice(0, 10), hours: `${from.slice(11)}–${toText}` };
}

/** `2021-12-13 16:05` in the plan's zone. */
export function localTime(instant: Date, timeZone: string): string {
  return formatLocalDateTime(instant, timeZone);
}
