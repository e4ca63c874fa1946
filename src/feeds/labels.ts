/**
 * The words a feed shows, Chinese first (the readers are village cadres), English after a
 * slash for dispatched staff from elsewhere. Names only: no phone number ever reaches a feed.
 */
import type { GapReason } from '../domain/roster.js';
import { formatLocalDateTime, localDate } from '../domain/time.js';
import type { Cadre, Gate } from '../domain/types.js';
import { compareNames } from '../domain/keys.js';

/** Shown for a person or gate missing from the lookups, instead of their id (which may be a phone-like code). */
export const UNKNOWN = '未知 / unknown';
const NONE = '无 / none';
/** Chinese enumeration comma, the natural separator for a list of Chinese names. */
const NAME_SEPARATOR = '、';

/** Why a place stayed empty, in words for a village head. */
export const GAP_REASON_LABELS: Readonly<Record<GapReason, string>> = {
  no_one_eligible: '无人可派 / nobody may serve here',
  no_one_available: '无人有空 / nobody available',
  busy_elsewhere: '可派人员均在别处值守 / all busy elsewhere',
  eligible_at_hour_cap: '可派人员均已达工时上限 / all at their hour cap',
  rest_rule: '受休息规则限制 / rest rule',
  no_lead_available: '无村干部带班 / no village cadre to lead',
  deadline: '求解超时未排 / solve ran out of time',
  no_show: '未到岗 / no check-in (no-show)',
};

/** `值守 东门 · 俞范村`: what and where, readable in a month view. */
export function dutySummary(gate: Gate | undefined): string {
  return `值守 ${gatePlace(gate)}`;
}

/** `缺口 / gap 东门 · 俞范村 (1/2)`: a gate-shift with fewer people than it needs. */
export function gapSummary(gate: Gate | undefined, onDuty: number, needed: number): string {
  return `缺口 / gap ${gatePlace(gate)} (${onDuty}/${needed})`;
}

/** `蛟川街道 俞范村 东门`: largest to smallest, as Chinese addresses are written. */
export function gateLocation(gate: Gate | undefined): string {
  return gate === undefined ? UNKNOWN : `${gate.town} ${gate.village} ${gate.name}`;
}

/** `张三、李四`, in pinyin order, or `无 / none`. */
export function nameList(names: readonly string[]): string {
  return names.length === 0 ? NONE : [...names].sort(compareNames).join(NAME_SEPARATOR);
}

/** A person's display name; never their id or phone. */
export function personName(cadresById: ReadonlyMap<string, Pick<Cadre, 'name'>>, cadreId: string): string {
  return cadresById.get(cadreId)?.name ?? UNKNOWN;
}

/**
 * `时间 / Time: 2021-12-13 16:00–24:00 (Asia/Shanghai)`. Calendars show times in the phone's
 * zone; this line states the plan's own local time for anyone travelling or misconfigured.
 */
export function shiftTimeLine(start: Date, end: Date, timeZone: string): string {
  const from = formatLocalDateTime(start, timeZone);
  const to = formatLocalDateTime(end, timeZone);
  const sameDay = localDate(start, timeZone) === localDate(end, timeZone);
  // A shift ending at the next midnight reads as `24:00` on its own day, as rosters write it.
  const endsAtNextMidnight = to.endsWith(' 00:00') && end.getTime() - start.getTime() <= 86_400_000;
  const toText = sameDay ? to.slice(11) : endsAtNextMidnight ? '24:00' : to;
  return `时间 / Time: ${from}–${toText} (${timeZone})`;
}

/** A gap's line in a village event: how many are missing and why. */
export function gapLine(missing: number, reason: GapReason, detail: string): string {
  const why = detail.trim() === '' ? GAP_REASON_LABELS[reason] : `${GAP_REASON_LABELS[reason]}: ${detail.trim()}`;
  return `缺口 / Gap: 缺 ${missing} 人 / ${missing} missing — ${why}`;
}

function gatePlace(gate: Gate | undefined): string {
  return gate === undefined ? UNKNOWN : `${gate.name} · ${gate.village}`;
}
