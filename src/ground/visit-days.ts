/**
 * Serving the day's unannounced visit lists (the generator is ./visit-lists.ts): the first
 * request of a day, at or after its start, draws every squad's list from the stored gates,
 * the active inspector tokens (one token = one squad) and the visits so far, and stores it
 * once (see the VisitDay schema); every later request reads it. A squad sees only its own
 * list and only from the start of its day, so no list can be known at a gate beforehand.
 */
import type { Principal } from '../auth/tokens.js';
import type { Models } from '../db/models.js';
import { addDays, localInstant, parseClock } from '../domain/time.js';
import type { Gate } from '../domain/types.js';
import { AppError } from '../errors.js';
import { getPlan } from '../roster/plans.js';
import { listInspections } from './inspections.js';
import { liveRosters } from './live-rosters.js';
import { planVisits, visitDayOf, type PastVisit, type ShiftLayout, type Squad, type VisitPlan } from './visit-lists.js';

export interface VisitDayView {
  plan: VisitPlan;
  layout: ShiftLayout;
  gateNames: Map<string, string>;
}

/** The day's lists as the caller may see them: a squad its own, a planner every one. */
export async function visitDay(models: Models, principal: Principal, date: string, now: Date, fallbackZone: string): Promise<VisitDayView> {
  if (principal.role !== 'inspector' && principal.role !== 'planner')
    throw new AppError('forbidden', 'visit lists are for inspection squads and planners: the gates must not know');
  const layout = await layoutOn(models, date, fallbackZone);
  const dayStart = localInstant(date, parseClock(layout.firstShiftStart) ?? 0, layout.timezone);
  if (now.getTime() < dayStart.getTime()) throw new AppError('forbidden', `the visit lists of ${date} open at the start of that day`);
  const gates = await models.Gate.find({}, { _id: 0, id: 1, name: 1, village: 1, town: 1, coverFrom: 1, coverTo: 1, activeFrom: 1, activeTo: 1 }).lean<
    Gate[]
  >();
  const plan = (await storedPlan(models, date)) ?? (await drawPlan(models, date, layout, gates));
  const lists =
    principal.role === 'planner' ? plan.lists : [plan.lists.find((l) => l.squadId === principal.tokenId) ?? { squadId: principal.tokenId, visits: [] }];
  return {
    plan: { ...plan, lists, unplanned: principal.role === 'planner' ? plan.unplanned : [] },
    layout,
    gateNames: new Map(gates.map((g) => [g.id, g.name])),
  };
}

/** Today's visit day: it starts with the first shift of the live plan that covers today. */
export async function currentVisitDate(models: Models, now: Date, fallbackZone: string): Promise<string> {
  const fallback: ShiftLayout = { timezone: fallbackZone, shiftHours: 8, firstShiftStart: '00:00' };
  return visitDayOf(now, await layoutOn(models, visitDayOf(now, fallback), fallbackZone));
}

/** The shift pattern of the live plan that covers `date` (the first by id), else 8 h shifts from midnight. */
async function layoutOn(models: Models, date: string, fallbackZone: string): Promise<ShiftLayout> {
  for (const roster of [...(await liveRosters(models))].sort((a, b) => (a.planId < b.planId ? -1 : 1))) {
    const { spec } = await getPlan(models, roster.planId);
    if (spec.start <= date && date < addDays(spec.start, spec.days))
      return { timezone: spec.timezone, shiftHours: spec.shiftHours, firstShiftStart: spec.firstShiftStart };
  }
  return { timezone: fallbackZone, shiftHours: 8, firstShiftStart: '00:00' };
}

async function storedPlan(models: Models, date: string): Promise<VisitPlan | null> {
  const doc = await models.VisitDay.findOne({ _id: `visits:${date}` }).lean<{ plan: VisitPlan }>();
  return doc ? revive(doc.plan) : null;
}

async function drawPlan(models: Models, date: string, layout: ShiftLayout, gates: Gate[]): Promise<VisitPlan> {
  const squads: Squad[] = (
    await models.ApiToken.find({ role: 'inspector', revokedAt: null }, { _id: 0, tokenId: 1, towns: 1 }).lean<{ tokenId: string; towns?: string[] }[]>()
  )
    .sort((a, b) => (a.tokenId < b.tokenId ? -1 : 1))
    .map((t) => ({ id: t.tokenId, scope: t.towns?.length ? t.towns : 'district' }));
  // Visits so far: spot checks made, and the visits of earlier lists (counted as made, so a
  // squad that records on paper does not make every gate due again the next day).
  const earlier = await models.VisitDay.find({}, { date: 1, plan: 1 }).lean<{ date: string; plan: VisitPlan }[]>();
  const planned: PastVisit[] = earlier
    .filter((d) => d.date < date)
    .flatMap((d) => revive(d.plan).lists.flatMap((l) => l.visits.map((v) => ({ gateId: v.gateId, at: v.start }))));
  const made = (await listInspections(models, { tokenId: '', role: 'planner', villages: [], cadreId: null, towns: [] }, {})).map((i) => ({
    gateId: i.gateId,
    at: i.at,
  }));
  const startedOn = earlier.map((d) => d.date).sort()[0];
  const plan = planVisits({ date, gates, squads, layout, history: [...made, ...planned], startedOn: startedOn && startedOn < date ? startedOn : date });
  try {
    await models.VisitDay.create({ _id: `visits:${date}`, date, plan });
    return plan;
  } catch (error) {
    if ((error as { code?: number }).code !== 11000) throw error;
    return (await storedPlan(models, date)) ?? plan;
  }
}

/** Stored instants come back as Dates from the driver, but be safe with strings too. */
function revive(plan: VisitPlan): VisitPlan {
  return {
    ...plan,
    dayStart: new Date(plan.dayStart),
    dayEnd: new Date(plan.dayEnd),
    lists: plan.lists.map((l) => ({ ...l, visits: l.visits.map((v) => ({ ...v, start: new Date(v.start), end: new Date(v.end) })) })),
  };
}
