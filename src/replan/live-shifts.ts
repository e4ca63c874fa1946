/**
 * People's shifts in the live published rosters, with each plan's absence policy: what a
 * self-report is checked against and which plans an accepted absence makes re-plan.
 * Published rosters are immutable, so each is read once per version and kept.
 */
import type { Models } from '../db/models.js';
import type { AbsencePolicy } from '../domain/plan.js';
import type { Assignment } from '../domain/roster.js';
import { liveState } from '../roster/live-state.js';
import { getPlan, shiftStarts } from '../roster/plans.js';
import { publishedRosterAt, type PublishedRoster } from '../roster/publish.js';

export interface LivePlan {
  planId: string;
  version: number;
  roster: PublishedRoster;
  /** The roster's assignments by person. */
  byCadre: Map<string, Assignment[]>;
  policy: AbsencePolicy;
  planName: string;
  /** The plan's first and last instant. */
  from: Date;
  to: Date;
}

export interface LiveShift {
  planId: string;
  policy: AbsencePolicy;
  gateId: string;
  start: Date;
  end: Date;
}

const cache = new Map<string, { roster: PublishedRoster; byCadre: Map<string, Assignment[]> }>();

/** Every plan with a published version, with that version's roster. */
export async function livePlans(models: Models): Promise<LivePlan[]> {
  const live = await liveState(models);
  const plans: LivePlan[] = [];
  for (const [planId, version] of Object.entries(live.versions)) {
    const key = `${planId}:${version}`;
    let cached = cache.get(key);
    if (!cached) {
      const roster = await publishedRosterAt(models, planId, version);
      if (!roster) continue;
      const byCadre = new Map<string, Assignment[]>();
      for (const a of roster.assignments) byCadre.set(a.cadreId, [...(byCadre.get(a.cadreId) ?? []), a]);
      for (const k of cache.keys()) if (k.startsWith(`${planId}:`)) cache.delete(k);
      cached = { roster, byCadre };
      cache.set(key, cached);
    }
    const { roster, byCadre } = cached;
    const plan = await getPlan(models, planId);
    const starts = shiftStarts(plan.spec);
    const last = starts[starts.length - 1] ?? new Date(0);
    plans.push({
      planId,
      version,
      roster,
      byCadre,
      policy: plan.spec.absencePolicy,
      planName: plan.name,
      from: starts[0] ?? new Date(0),
      to: new Date(last.getTime() + plan.spec.shiftHours * 3_600_000),
    });
  }
  return plans;
}

/** A person's published shifts overlapping [from, to), soonest first. */
export function shiftsOf(plans: readonly LivePlan[], cadreId: string, span: { from: Date; to: Date }): LiveShift[] {
  const shifts: LiveShift[] = [];
  for (const plan of plans) {
    for (const a of plan.byCadre.get(cadreId) ?? []) {
      const start = new Date(a.start);
      const end = new Date(a.end);
      if (start < span.to && end > span.from) shifts.push({ planId: plan.planId, policy: plan.policy, gateId: a.gateId, start, end });
    }
  }
  return shifts.sort((a, b) => a.start.getTime() - b.start.getTime());
}
