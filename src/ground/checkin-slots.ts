/**
 * Which gate-shift a check-in at a gate belongs to. Pure.
 *
 * A person may check in from `EARLY_MS` before their own shift; someone not rostered at the
 * gate then is a walk-in at the gate-shift on at that moment (or about to start). A gate-shift
 * exists where the roster has a person or a gap: a gate not needed then has none.
 */
import type { Assignment, Gap } from '../domain/roster.js';

/** How early before a shift one may check in for it. */
export const EARLY_MS = 30 * 60_000;
/** How long after a shift's end one may still check out of it. */
export const LATE_CHECK_OUT_MS = 2 * 3_600_000;

export interface RosterOfPlan {
  planId: string;
  assignments: readonly Assignment[];
  gaps: readonly Gap[];
}

export interface Slot {
  planId: string;
  gateId: string;
  start: Date;
  end: Date;
  /** The person is on the roster at this gate-shift (otherwise a walk-in). */
  rostered: boolean;
}

/** Gate-shifts of one gate in one roster, by start. */
export function gateShifts(roster: RosterOfPlan, gateId: string): { start: Date; end: Date }[] {
  const byStart = new Map<number, { start: Date; end: Date }>();
  for (const row of [...roster.assignments, ...roster.gaps]) {
    if (row.gateId === gateId && !byStart.has(row.start.getTime())) byStart.set(row.start.getTime(), { start: row.start, end: row.end });
  }
  return [...byStart.values()].sort((a, b) => a.start.getTime() - b.start.getTime());
}

/**
 * The gate-shift a check-in by `cadreId` at `gateId` at `at` is for: their own shift there
 * (the one on now before one about to start), else the gate's shift on now (or about to
 * start) as a walk-in; null when no published roster needs anyone at that gate then.
 */
export function slotFor(rosters: readonly RosterOfPlan[], gateId: string, cadreId: string, at: Date): Slot | null {
  const t = at.getTime();
  const within = (s: { start: Date; end: Date }) => s.start.getTime() - EARLY_MS <= t && t < s.end.getTime();
  const onNowFirst = (a: { start: Date }, b: { start: Date }) =>
    Number(b.start.getTime() <= t) - Number(a.start.getTime() <= t) || a.start.getTime() - b.start.getTime();
  const own = rosters
    .flatMap((r) =>
      r.assignments
        .filter((a) => a.gateId === gateId && a.cadreId === cadreId && within(a))
        .map((a) => ({ planId: r.planId, gateId, start: a.start, end: a.end, rostered: true })),
    )
    .sort(onNowFirst);
  if (own[0]) return own[0];
  const walkIn = rosters
    .flatMap((r) =>
      gateShifts(r, gateId)
        .filter(within)
        .map((s) => ({ planId: r.planId, gateId, start: s.start, end: s.end, rostered: false })),
    )
    .sort(onNowFirst);
  return walkIn[0] ?? null;
}

/** Gate-shifts one could be checking out of at `at` (latest first). */
export function checkOutCandidates(rosters: readonly RosterOfPlan[], gateId: string, at: Date): { planId: string; start: Date; end: Date }[] {
  const t = at.getTime();
  return rosters
    .flatMap((r) =>
      gateShifts(r, gateId)
        .filter((s) => s.start.getTime() - EARLY_MS <= t && t < s.end.getTime() + LATE_CHECK_OUT_MS)
        .map((s) => ({ planId: r.planId, ...s })),
    )
    .sort((a, b) => b.start.getTime() - a.start.getTime());
}
