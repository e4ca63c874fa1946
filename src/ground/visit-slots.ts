/**
 * The hour grid a visit day is cut into, which hours are night, and which hours a gate can
 * be visited in. Visits go into one-hour windows aligned to the plan's first shift start, so
 * every window lies inside exactly one shift and "night" can follow the roster's own nights.
 */
import { addDays, formatClock, formatLocalDateTime, localInstant, parseClock } from '../domain/time.js';
import type { ShiftLayout, VisitGate } from './visit-types.js';

/** Length of a visit window: long enough to reach a village, short enough to be unannounced. */
export const VISIT_WINDOW_MINUTES = 60;
const DAY_MINUTES = 1440;
/** The roster counts a shift as a night shift when it overlaps 00:00-06:00 (plan rules). */
const NIGHT_SHIFT_UNTIL = 360;
/** Of a night shift, only the dark hours count as a night visit: 22:00-06:00. */
const DARK_FROM = 1320;
const DARK_UNTIL = 360;

export interface Slot {
  index: number;
  /** Local clock minute the window starts at, 0..1439. */
  clock: number;
  /** Local calendar date the window starts on (after midnight it is the next date). */
  calendarDate: string;
  start: Date;
  end: Date;
  night: boolean;
}

/**
 * The day's windows. Night = inside one of the plan's night shifts (a shift overlapping
 * 00:00-06:00, as the consecutive-nights rule counts them) and inside 22:00-06:00, so a
 * visit at 07:00 in a 00:00-08:00 shift is not sold as a night check.
 */
export function daySlots(date: string, layout: ShiftLayout): Slot[] {
  const first = parseClock(layout.firstShiftStart) ?? 0;
  const count = DAY_MINUTES / VISIT_WINDOW_MINUTES;
  return Array.from({ length: count }, (_, index) => {
    const minutes = first + index * VISIT_WINDOW_MINUTES;
    const clock = minutes % DAY_MINUTES;
    const calendarDate = addDays(date, Math.floor(minutes / DAY_MINUTES));
    const start = localInstant(calendarDate, clock, layout.timezone);
    const shiftStart = (first + Math.floor((index * VISIT_WINDOW_MINUTES) / (layout.shiftHours * 60)) * layout.shiftHours * 60) % DAY_MINUTES;
    const night = isNightShift(shiftStart, layout.shiftHours * 60) && isDark(clock);
    return { index, clock, calendarDate, start, end: new Date(start.getTime() + VISIT_WINDOW_MINUTES * 60_000), night };
  });
}

function isNightShift(startClock: number, length: number): boolean {
  return startClock < NIGHT_SHIFT_UNTIL || startClock + length > DAY_MINUTES;
}

function isDark(windowStart: number): boolean {
  return windowStart >= DARK_FROM || windowStart + VISIT_WINDOW_MINUTES <= DARK_UNTIL;
}

/** The night windows as `HH:mm-HH:mm` ranges, merged where they touch. */
export function describeNightHours(slots: readonly Slot[]): string[] {
  const ranges: [number, number][] = [];
  for (const s of slots.filter((x) => x.night)) {
    const last = ranges[ranges.length - 1];
    if (last && last[1] === s.index) last[1] = s.index + 1;
    else ranges.push([s.index, s.index + 1]);
  }
  return ranges.map(([from, to]) => {
    const a = (slots[from] as Slot).clock;
    const b = ((slots[to - 1] as Slot).clock + VISIT_WINDOW_MINUTES) % DAY_MINUTES;
    return `${formatClock(a)}-${formatClock(b === 0 ? DAY_MINUTES : b)}`;
  });
}

/**
 * Indexes of the windows a gate can be visited in: it is active that date and staffed the
 * whole window (a visit to a gate nobody is meant to hold checks nothing).
 */
export function gateSlots(gate: VisitGate, slots: readonly Slot[]): number[] {
  const from = parseClock(gate.coverFrom) ?? 0;
  const to = parseClock(gate.coverTo) ?? DAY_MINUTES;
  const covered = (minute: number): boolean => {
    const m = minute % DAY_MINUTES;
    return to > from ? m >= from && m < to : m >= from || m < to;
  };
  return slots
    .filter((s) => isActiveOn(gate, s.calendarDate))
    .filter((s) => {
      for (let m = s.clock; m < s.clock + VISIT_WINDOW_MINUTES; m++) if (!covered(m)) return false;
      return true;
    })
    .map((s) => s.index);
}

export function isActiveOn(gate: Pick<VisitGate, 'activeFrom' | 'activeTo'>, date: string): boolean {
  return (gate.activeFrom === null || gate.activeFrom <= date) && (gate.activeTo === null || date <= gate.activeTo);
}

/** The visit day an instant belongs to: its local date, or the day before if it falls before the first shift start. */
export function visitDayOf(at: Date, layout: ShiftLayout): string {
  const local = formatLocalDateTime(at, layout.timezone); // YYYY-MM-DD HH:mm
  const clock = parseClock(local.slice(11)) ?? 0;
  const date = local.slice(0, 10);
  return clock < (parseClock(layout.firstShiftStart) ?? 0) ? addDays(date, -1) : date;
}

/** Whole days from `from` to `to` (both `YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
