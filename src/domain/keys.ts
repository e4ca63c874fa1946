/**
 * Identities shared by every view of a roster. A gate-shift has no record of its own: it is
 * identified by its gate and its start instant, which every assignment and gap carries.
 * Here in src/domain, below everything that orders or joins roster rows (the roster's views,
 * the pure feeds, the ground's presence, the pages), so none of them imports another for it.
 */
import type { Assignment, Gap } from './roster.js';

/** Key of a gate-shift: the same gate starting at the same instant. */
export function gateShiftKey(gateId: string, start: Date): string {
  // JSON keeps ids containing any separator character from colliding.
  return JSON.stringify([gateId, start.getTime()]);
}

/** Key of one person's duty at one gate-shift; an assignment's identity across versions. */
export function assignmentKey(a: Pick<Assignment, 'cadreId' | 'gateId' | 'start'>): string {
  return JSON.stringify([a.cadreId, a.gateId, a.start.getTime()]);
}

/** Index records by their `id`. */
export function indexById<T extends { id: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((item) => [item.id, item]));
}

/** One collator: `localeCompare(b, locale)` would build a new one on every call. */
const CHINESE_COLLATOR = new Intl.Collator('zh-Hans-CN');

/** Order for Chinese names (pinyin), stable across runs of the same runtime. */
export function compareNames(a: string, b: string): number {
  return CHINESE_COLLATOR.compare(a, b);
}

/** Order for roster rows: by start, then gate, then person. */
export function compareByStartGate(
  a: Pick<Assignment, 'start' | 'gateId'> & { cadreId?: string },
  b: Pick<Assignment, 'start' | 'gateId'> & { cadreId?: string },
): number {
  return a.start.getTime() - b.start.getTime() || compareCodes(a.gateId, b.gateId) || compareCodes(a.cadreId ?? '', b.cadreId ?? '');
}

/** Plain code-point order for machine ids (locale-independent). */
export function compareCodes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Empty seats at one gate-shift from its gap records. Each record describes the same seats
 * (needed vs filled), so several records (e.g. one per reason) are not added up: the
 * largest shortfall counts. Never negative, whatever the solver wrote.
 */
export function missingSeats(gapsAtOneGateShift: readonly Pick<Gap, 'needed' | 'filled'>[]): number {
  return gapsAtOneGateShift.reduce((most, g) => Math.max(most, g.needed - g.filled), 0);
}

/** Gaps grouped by gate-shift, in first-seen order. */
export function gapsByGateShift(gaps: readonly Gap[]): Gap[][] {
  const groups = new Map<string, Gap[]>();
  for (const g of gaps) {
    const key = gateShiftKey(g.gateId, g.start);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [g]);
    else group.push(g);
  }
  return [...groups.values()];
}
