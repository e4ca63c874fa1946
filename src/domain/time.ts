/**
 * Local wall-clock time <-> absolute instants, for a deployment's own zone. Everything a
 * person types or reads is local; everything stored and computed is an absolute instant.
 */
import { TZDate } from '@date-fns/tz';

const LOCAL_DATE_TIME = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const CLOCK = /^(\d{1,2}):(\d{2})$/;

/** Minutes since local midnight for `HH:mm` (`24:00` allowed = 1440), or null if malformed. */
export function parseClock(text: string): number | null {
  const m = CLOCK.exec(text.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return null;
  return h * 60 + min;
}

/** `HH:mm` for minutes since midnight (1440 -> `24:00`). */
export function formatClock(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/** True for a real calendar date `YYYY-MM-DD`. */
export function isLocalDate(text: string): boolean {
  const m = LOCAL_DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/**
 * The instant of a local wall-clock time (`2021-12-13 08:00`, `2021-12-13T08:00`, or a date
 * alone = midnight) in `timeZone`; `24:00` means the next midnight. Null when malformed or
 * not a real date/time.
 */
export function parseLocalDateTime(text: string, timeZone: string): Date | null {
  const m = LOCAL_DATE_TIME.exec(text.trim());
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  if (minute > 59 || second > 59 || hour > 24 || (hour === 24 && (minute !== 0 || second !== 0))) return null;
  return new Date(new TZDate(year, month - 1, day, hour, minute, second, timeZone).getTime());
}

/** The instant of local `date` (`YYYY-MM-DD`) plus `minutes` after its local midnight. */
export function localInstant(date: string, minutes: number, timeZone: string): Date {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(new TZDate(y, mo - 1, d, 0, minutes, 0, timeZone).getTime());
}

/** Local `YYYY-MM-DD` of an instant. */
export function localDate(instant: Date, timeZone: string): string {
  return formatLocalDateTime(instant, timeZone).slice(0, 10);
}

// Rosters name the same few shift boundaries thousands of times (every feed of a publish), and
// each zone lookup costs a formatter call: remembered, up to a bound.
const localTimes = new Map<string, string>();
const LOCAL_TIMES_KEPT = 50_000;

/** Local `YYYY-MM-DD HH:mm` of an instant. */
export function formatLocalDateTime(instant: Date, timeZone: string): string {
  const key = `${instant.getTime()}|${timeZone}`;
  const known = localTimes.get(key);
  if (known !== undefined) return known;
  const z = new TZDate(instant.getTime(), timeZone);
  const text = `${z.getFullYear()}-${pad(z.getMonth() + 1)}-${pad(z.getDate())} ${pad(z.getHours())}:${pad(z.getMinutes())}`;
  if (localTimes.size >= LOCAL_TIMES_KEPT) localTimes.clear();
  localTimes.set(key, text);
  return text;
}

/** ISO 8601 with the zone's offset, e.g. `2021-12-13T08:00:00+08:00`. */
export function isoWithOffset(instant: Date, timeZone: string): string {
  const z = new TZDate(instant.getTime(), timeZone);
  const offset = -z.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${localDate(instant, timeZone)}T${pad(z.getHours())}:${pad(z.getMinutes())}:${pad(z.getSeconds())}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The local date `days` after `date` (calendar arithmetic, zone-free). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

const validZones = new Set<string>();

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  // Building a formatter costs far more than the calendar line it guards: once per zone.
  if (validZones.has(timeZone)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    validZones.add(timeZone);
    return true;
  } catch {
    return false;
  }
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `T` with every Date in it (at any depth) as text: what {@link instantsAsText} returns. */
export type InstantsAsText<T> = T extends Date
  ? string
  : T extends readonly (infer U)[]
    ? InstantsAsText<U>[]
    : T extends object
      ? { [K in keyof T]: InstantsAsText<T[K]> }
      : T;

/**
 * `value` with every Date inside plain objects and arrays written as {@link isoWithOffset} in
 * `timeZone`: one format for instants in every answer. Other objects are kept as they are.
 */
export function instantsAsText<T>(value: T, timeZone: string): InstantsAsText<T> {
  return convertInstants(value, timeZone) as InstantsAsText<T>;
}

function convertInstants(value: unknown, timeZone: string): unknown {
  if (value instanceof Date) return isoWithOffset(value, timeZone);
  if (Array.isArray(value)) return value.map((v) => convertInstants(v, timeZone));
  if (value !== null && typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convertInstants(v, timeZone)]));
  }
  return value;
}
