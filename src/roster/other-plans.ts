/**
 * Plans may cover the same days (a town plan beside a village plan, a second week drafted
 * early). A solve sees every other plan's published duty (./solve-context.ts), but a roster
 * solved before another plan was published can still clash with it: publishing checks here.
 */
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
export function doubleBookings(
  assignments: readonly { cadreId: string; start: Date; end: Date }[],
  others: readonly { planId: string; assignments: readonly { cadreId: string; start: Date; end: Date }[] }[],
): DoubleBooking[] {
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
