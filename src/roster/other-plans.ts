/**
 * Plans may cover the same days (a town plan beside a village plan, a second week drafted
 * early). A person's duty in another plan's published roster is busy time in this solve:
 * nobody stands two gates at once, and rest and weekly hours count across plans.
 */
import type { Models } from '../db/models.js';
import { addDays, localInstant } from '../domain/time.js';
import type { AvailabilityWindow } from '../domain/types.js';
import type { SolveInput } from '../solver/index.js';
import { liveState } from './live-state.js';
import { publishedRosterAt } from './publish.js';

const HOUR_MS = 3_600_000;

export interface DutyElsewhere {
  cadreId: string;
  start: Date;
  end: Date;
}

/** Every shift of every other plan's published roster. */
export async function dutyInOtherPlans(models: Models, planId: string): Promise<DutyElsewhere[]> {
  const { versions } = await liveState(models);
  const others = Object.entries(versions).filter(([id]) => id !== planId);
  const rosters = await Promise.all(others.map(([id, version]) => publishedRosterAt(models, id, version)));
  return rosters.flatMap((r) => r?.assignments.map(({ cadreId, start, end }) => ({ cadreId, start: new Date(start), end: new Date(end) })) ?? []);
}

/**
 * The solve input with duty elsewhere made binding: each such shift, widened by the minimum
 * rest on both sides, becomes unavailable time; and each person's weekly cap is lowered by
 * the most hours they stand elsewhere in any 7-day block of this plan (conservative: the
 * cap can only be kept, never exceeded).
 */
export function withDutyElsewhere(input: SolveInput, elsewhere: readonly DutyElsewhere[]): SolveInput {
  const { plan } = input;
  const restMs = plan.rules.minRestHours * HOUR_MS;
  const planStart = localInstant(plan.start, 0, plan.timezone).getTime();
  const planEnd = localInstant(addDays(plan.start, plan.days), 0, plan.timezone).getTime();
  const known = new Set(input.cadres.map((c) => c.id));
  const relevant = elsewhere.filter((d) => known.has(d.cadreId) && d.end.getTime() + restMs > planStart && d.start.getTime() - restMs < planEnd);
  if (relevant.length === 0) return input;

  const blocked: AvailabilityWindow[] = relevant.map((d) => ({
    cadreId: d.cadreId,
    start: new Date(d.start.getTime() - restMs),
    end: new Date(d.end.getTime() + restMs),
    kind: 'unavailable',
  }));
  const weekMs = 7 * 24 * HOUR_MS;
  const hoursByBlock = new Map<string, number>();
  for (const d of relevant) {
    const from = Math.max(d.start.getTime(), planStart);
    const to = Math.min(d.end.getTime(), planEnd);
    if (to <= from) continue;
    const key = `${d.cadreId}|${Math.floor((from - planStart) / weekMs)}`;
    hoursByBlock.set(key, (hoursByBlock.get(key) ?? 0) + (to - from) / HOUR_MS);
  }
  const mostHoursElsewhere = new Map<string, number>();
  for (const [key, hours] of hoursByBlock) {
    const cadreId = key.slice(0, key.lastIndexOf('|'));
    mostHoursElsewhere.set(cadreId, Math.max(mostHoursElsewhere.get(cadreId) ?? 0, hours));
  }
  const cadres = input.cadres.map((c) => {
    const used = mostHoursElsewhere.get(c.id);
    if (!used) return c;
    return { ...c, maxHoursWeek: Math.max(0, (c.maxHoursWeek ?? plan.rules.maxHoursPerWeek) - used) };
  });
  return { ...input, cadres, availability: [...input.availability, ...blocked] };
}

export interface DoubleBooking {
  cadreId: string;
  start: Date;
  /** The other plan that has this person on duty at the same time. */
  otherPlanId: string;
}

/**
 * Shifts of `assignments` that overlap a shift the same person stands in another plan.
 * A roster solved before the other plan was published can have them; publishing it would
 * put one person at two gates at once.
 */
export function doubleBookings(assignments: readonly { cadreId: string; start: Date; end: Date }[], others: readonly { planId: string; assignments: readonly { cadreId: string; start: Date; end: Date }[] }[]): DoubleBooking[] {
  const elsewhere = new Map<string, { start: number; end: number; planId: string }[]>();
  for (const other of others) {
    for (const a of other.assignments) {
      const list = elsewhere.get(a.cadreId) ?? [];
      list.push({ start: new Date(a.start).getTime(), end: new Date(a.end).getTime(), planId: other.planId });
      elsewhere.set(a.cadreId, list);
    }
  }
  const found: DoubleBooking[] = [];
  for (const a of assignments) {
    const from = new Date(a.start).getTime();
    const to = new Date(a.end).getTime();
    const clash = elsewhere.get(a.cadreId)?.find((o) => o.start < to && o.end > from);
    if (clash) found.push({ cadreId: a.cadreId, start: new Date(a.start), otherPlanId: clash.planId });
  }
  return found;
}
