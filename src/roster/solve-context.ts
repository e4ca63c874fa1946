/**
 * What a solve of a plan sees beyond its own days, read from the published state:
 *
 * - **history**: the plan's own published shifts (and gaps, and offered hours) before its
 *   horizon, left there by a roll. They are not solved again; the stored roster carries them
 *   forward unchanged, so feeds keep ended shifts and reports of past days still read them.
 * - **duty elsewhere**: every other plan's published shifts, and the history above. The
 *   solver holds every per-person rule across the edge with them (src/solver/edges.ts).
 * - **the campaign to date** (a plan in a campaign): per person, the hours and nights stood in
 *   the campaign's plans inside its fairness window and not decided by this solve, and the
 *   hours offered over the window's days before the horizon (the days' ledgers of those plans'
 *   published versions, the largest where plans overlap, within the weekly cap of each 7-day
 *   block). Fairness then judges load to date against offered to date.
 *
 * Weekly caps count 7-day blocks from the campaign's start, or from the plan's origin (its
 * first day when created) for a plan on its own, so a rolled plan keeps its blocks.
 */
import type { Models } from '../db/models.js';
import type { PlanSpec } from '../domain/plan.js';
import type { Assignment, Gap } from '../domain/roster.js';
import { addDays, localInstant, parseClock } from '../domain/time.js';
import { daysBetween, nightIndex } from '../solver/edges.js';
import type { FixedDuty, OfferedLedger, PriorLoad, SolveContext } from '../solver/index.js';
import { getCampaign, type Campaign } from './campaigns.js';
import { liveState } from './live-state.js';
import { publishedRosterAt, type PublishedRoster } from './publish.js';

const HOUR = 3_600_000;

export interface PlanHistory {
  assignments: Assignment[];
  gaps: Gap[];
  /** The ledger of the days before the horizon (null when the plan has none). */
  offered: OfferedLedger | null;
}

export interface SolveSurroundings {
  context: SolveContext;
  /** The published roster's shifts inside the horizon (the re-plan's starting point), or undefined before the first publish. */
  previous: Assignment[] | undefined;
  history: PlanHistory;
}

/** The instant the plan's first shift starts: everything earlier is history. */
export function horizonStart(spec: PlanSpec): Date {
  return localInstant(spec.start, parseClock(spec.firstShiftStart) ?? 0, spec.timezone);
}

export function horizonEnd(spec: PlanSpec): Date {
  return new Date(localInstant(addDays(spec.start, spec.days), parseClock(spec.firstShiftStart) ?? 0, spec.timezone).getTime());
}

export async function solveSurroundings(models: Models, plan: { id: string; spec: PlanSpec; origin: string }): Promise<SolveSurroundings> {
  const { versions } = await liveState(models);
  const rosters = await Promise.all(Object.entries(versions).map(([id, version]) => publishedRosterAt(models, id, version)));
  const live = rosters.filter((r): r is PublishedRoster => r !== null);
  const own = live.find((r) => r.planId === plan.id) ?? null;
  const from = horizonStart(plan.spec).getTime();
  const history: PlanHistory = {
    assignments: own?.assignments.filter((a) => new Date(a.start).getTime() < from) ?? [],
    gaps: own?.gaps.filter((g) => new Date(g.start).getTime() < from) ?? [],
    offered: own?.offered ? ledgerBefore(own.offered, plan.spec.start) : null,
  };
  const previous = own?.assignments.filter((a) => new Date(a.start).getTime() >= from);
  const fixedDuty: FixedDuty[] = [...history.assignments, ...live.filter((r) => r.planId !== plan.id).flatMap((r) => r.assignments)].map(
    ({ cadreId, start, end }) => ({ cadreId, start: new Date(start), end: new Date(end) }),
  );
  const campaignId = plan.spec.campaignId;
  if (!campaignId) return { context: { fixedDuty, weekAnchor: plan.origin }, previous, history };

  const campaign = await getCampaign(models, campaignId);
  const members = new Set((await models.Plan.find({ 'spec.campaignId': campaignId }, { _id: 1 }).lean<{ _id: string }[]>()).map((p) => p._id));
  members.add(plan.id);
  const prior = campaignToDate(
    plan.spec,
    campaign,
    history,
    live.filter((r) => r.planId !== plan.id && members.has(r.planId)),
  );
  return { context: { fixedDuty, weekAnchor: campaign.spec.start, prior }, previous, history };
}

/** First local day the campaign's fairness counts for a plan starting on `start`. */
export function windowStart(campaign: Campaign, start: string): string {
  const { windowDays } = campaign.spec;
  if (windowDays === null) return campaign.spec.start;
  const back = addDays(start, -windowDays);
  return back > campaign.spec.start ? back : campaign.spec.start;
}

/**
 * Per person: load in the campaign's window that this solve does not decide (other member
 * plans up to the horizon's end, this plan's history), and offered hours before the horizon.
 */
function campaignToDate(spec: PlanSpec, campaign: Campaign, history: PlanHistory, others: readonly PublishedRoster[]): PriorLoad[] {
  const loads = campaignLoads({
    windowFrom: windowStart(campaign, spec.start),
    timezone: spec.timezone,
    until: horizonEnd(spec).getTime(),
    offeredBefore: spec.start,
    rosters: [
      { assignments: history.assignments, offered: history.offered },
      ...others.map((r) => ({ assignments: r.assignments, offered: r.offered ?? null })),
    ],
  });
  // The solver counts weeks from the plan's first 7-day block of the campaign.
  const firstBlock = Math.floor(daysBetween(campaign.spec.start, spec.start) / 7);
  return loads.map((l) => ({
    cadreId: l.cadreId,
    hours: l.hours,
    nights: l.nights,
    offeredByWeek: [...l.offeredByDay.entries()].reduce<{ week: number; hours: number }[]>((weeks, [date, h]) => {
      const week = Math.floor(daysBetween(campaign.spec.start, date) / 7) - firstBlock;
      const entry = weeks.find((w) => w.week === week);
      if (entry) entry.hours += h;
      else weeks.push({ week, hours: h });
      return weeks;
    }, []),
  }));
}

export interface LoadsQuery {
  /** First local day counted. */
  windowFrom: string;
  timezone: string;
  /** Duty starting at or after this instant is left out. */
  until: number;
  /** Offered hours count for the days before this local date. */
  offeredBefore: string;
  rosters: readonly { assignments: readonly { cadreId: string; start: Date | string; end: Date | string }[]; offered: OfferedLedger | null }[];
}

export interface CampaignLoad {
  cadreId: string;
  hours: number;
  nights: number;
  /** Local date -> hours offered that day (before weekly caps). */
  offeredByDay: Map<string, number>;
}

/**
 * Hours and nights stood, and hours offered, per person over a campaign's days: duty in
 * [windowFrom, until); offered per day the largest of the rosters' ledgers (plans may overlap).
 */
export function campaignLoads(q: LoadsQuery): CampaignLoad[] {
  const windowFrom = localInstant(q.windowFrom, 0, q.timezone).getTime();
  const hours = new Map<string, number>();
  const nights = new Map<string, number>();
  for (const roster of q.rosters) {
    for (const a of roster.assignments) {
      const a0 = new Date(a.start).getTime();
      const a1 = new Date(a.end).getTime();
      if (a0 < windowFrom || a0 >= q.until) continue;
      hours.set(a.cadreId, (hours.get(a.cadreId) ?? 0) + (a1 - a0) / HOUR);
      if (nightIndex(a0, a1, q.windowFrom, q.timezone) !== null) nights.set(a.cadreId, (nights.get(a.cadreId) ?? 0) + 1);
    }
  }
  const days = Math.max(0, daysBetween(q.windowFrom, q.offeredBefore));
  const offeredByDay = new Map<string, Float64Array>();
  for (const { offered: ledger } of q.rosters) {
    if (!ledger) continue;
    const shift = daysBetween(q.windowFrom, ledger.start);
    for (const [cadreId, row] of Object.entries(ledger.byPerson)) {
      let mine = offeredByDay.get(cadreId);
      row.forEach((h, i) => {
        const d = shift + i;
        if (d < 0 || d >= days || h <= 0) return;
        mine ??= new Float64Array(days);
        mine[d] = Math.max(mine[d] ?? 0, h);
      });
      if (mine) offeredByDay.set(cadreId, mine);
    }
  }
  const out: CampaignLoad[] = [];
  for (const cadreId of new Set([...hours.keys(), ...offeredByDay.keys()])) {
    const byDay = new Map<string, number>();
    offeredByDay.get(cadreId)?.forEach((h, d) => {
      if (h > 0) byDay.set(addDays(q.windowFrom, d), h);
    });
    out.push({ cadreId, hours: hours.get(cadreId) ?? 0, nights: nights.get(cadreId) ?? 0, offeredByDay: byDay });
  }
  return out;
}

/** Hours offered over a campaign's days, each 7-day block from its start within the weekly cap. */
export function cappedOffered(offeredByDay: ReadonlyMap<string, number>, campaignStart: string, weeklyCap: number): number {
  const perBlock = new Map<number, number>();
  for (const [date, h] of offeredByDay) {
    const block = Math.floor(daysBetween(campaignStart, date) / 7);
    perBlock.set(block, (perBlock.get(block) ?? 0) + h);
  }
  let total = 0;
  for (const h of perBlock.values()) total += Math.min(h, weeklyCap);
  return total;
}

/** The days of a ledger before `date`. */
function ledgerBefore(ledger: OfferedLedger, date: string): OfferedLedger | null {
  const keep = daysBetween(ledger.start, date);
  if (keep <= 0) return null;
  const byPerson: Record<string, number[]> = {};
  for (const [id, row] of Object.entries(ledger.byPerson)) byPerson[id] = row.slice(0, keep);
  return { start: ledger.start, byPerson };
}

/** The history's ledger followed by the solve's (which starts at the horizon): one ledger from the plan's first recorded day. */
export function joinLedgers(history: OfferedLedger | null, solved: OfferedLedger): OfferedLedger {
  if (!history) return solved;
  const gap = daysBetween(history.start, solved.start);
  const byPerson: Record<string, number[]> = {};
  for (const id of new Set([...Object.keys(history.byPerson), ...Object.keys(solved.byPerson)])) {
    const row = new Array<number>(gap).fill(0);
    (history.byPerson[id] ?? []).slice(0, gap).forEach((h, i) => (row[i] = h));
    byPerson[id] = [...row, ...(solved.byPerson[id] ?? [])];
  }
  return { start: history.start, byPerson };
}
