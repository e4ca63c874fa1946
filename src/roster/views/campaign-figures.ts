/**
 * A campaign to date, as planners and village heads read it: per village and per person, the
 * hours and nights stood in the campaign's published plans within its fairness window, the
 * hours offered over the same days, and the spread of hours per offered hour (the campaign's
 * test of fairness: 1 is perfectly in proportion). A village head sees their villages only.
 */
import type { Principal } from '../../auth/tokens.js';
import type { Models } from '../../db/models.js';
import { addDays, localDate } from '../../domain/time.js';
import type { Cadre } from '../../domain/types.js';
import { AppError } from '../../errors.js';
import { daysBetween } from '../../solver/edges.js';
import type { LoadSpread } from '../../solver/index.js';
import { loadSpread, spread } from '../../solver/metrics.js';
import { getCampaign } from '../campaigns.js';
import { liveState } from '../live-state.js';
import { listPlans } from '../plans.js';
import { publishedRosterAt, type PublishedRoster } from '../publish.js';
import { campaignLoads, cappedOffered, horizonEnd, windowStart } from '../solve-context.js';

export interface PersonToDate {
  cadreId: string;
  name: string;
  village: string;
  hours: number;
  nights: number;
  offeredHours: number;
}

export interface VillageToDate {
  village: string;
  town: string;
  people: number;
  hours: { min: number; median: number; max: number };
  nights: { min: number; median: number; max: number };
  loadSpread: LoadSpread;
}

export interface CampaignFigures {
  campaignId: string;
  name: string;
  /** First and last local day counted (the fairness window up to the last published day). */
  from: string;
  to: string;
  plans: { planId: string; name: string; version: number }[];
  loadSpread: LoadSpread;
  villages: VillageToDate[];
  people: PersonToDate[];
}

export async function readCampaignFigures(models: Models, principal: Principal, campaignId: string): Promise<CampaignFigures> {
  if (principal.role !== 'planner' && principal.role !== 'village_head') throw new AppError('forbidden', 'campaign figures are for planners and village heads');
  return campaignFigures(models, campaignId, (village) => principal.role === 'planner' || principal.villages.includes(village));
}

/** The campaign to date over the people of the villages `visible` keeps (the caller has checked who may read it). */
export async function campaignFigures(models: Models, campaignId: string, visible: (village: string) => boolean): Promise<CampaignFigures> {
  const campaign = await getCampaign(models, campaignId);
  const { versions } = await liveState(models);
  const members = (await listPlans(models)).filter((p) => p.spec.campaignId === campaignId && versions[p.id] !== undefined);
  const rosters = (await Promise.all(members.map((p) => publishedRosterAt(models, p.id, versions[p.id] ?? null)))).filter(
    (r): r is PublishedRoster => r !== null,
  );
  const timezone = members[0]?.spec.timezone ?? 'Asia/Shanghai';
  const lastEnd = Math.max(0, ...members.map((p) => horizonEnd(p.spec).getTime()));
  const to = lastEnd > 0 ? localDate(new Date(lastEnd - 1), timezone) : campaign.spec.start;
  // The window of a plan starting the day after the last published day, as the next solve would count it.
  const from = windowStart(campaign, addDays(to, 1));
  const cadres = await models.Cadre.find({}, { _id: 0, id: 1, name: 1, village: 1, maxHoursWeek: 1 }).lean<
    Pick<Cadre, 'id' | 'name' | 'village' | 'maxHoursWeek'>[]
  >();
  const byId = new Map(cadres.map((c) => [c.id, c] as const));
  const weeklyRule = Math.max(0, ...members.map((p) => p.spec.rules.maxHoursPerWeek));
  const loads = campaignLoads({
    windowFrom: from,
    timezone,
    until: Infinity,
    offeredBefore: addDays(to, 1),
    rosters: rosters.map((r) => ({ assignments: r.assignments, offered: r.offered ?? null })),
  });
  const townOf = new Map(rosters.flatMap((r) => r.gates.map((g) => [g.village, g.town] as const)));
  const people: PersonToDate[] = loads
    .map((l) => {
      const c = byId.get(l.cadreId) ?? rosters.flatMap((r) => r.cadres).find((x) => x.id === l.cadreId);
      const offered = cappedOffered(l.offeredByDay, campaign.spec.start, byId.get(l.cadreId)?.maxHoursWeek ?? weeklyRule);
      return { cadreId: l.cadreId, name: c?.name ?? '', village: c?.village ?? '', hours: round1(l.hours), nights: l.nights, offeredHours: round1(offered) };
    })
    .filter((p) => visible(p.village))
    .sort((a, b) => (a.village === b.village ? (a.cadreId < b.cadreId ? -1 : 1) : a.village < b.village ? -1 : 1));
  const villages = [...new Set(people.map((p) => p.village))].map((village) => {
    const mine = people.filter((p) => p.village === village);
    return {
      village,
      town: townOf.get(village) ?? '',
      people: mine.length,
      hours: spread(mine.map((p) => p.hours)),
      nights: spread(mine.map((p) => p.nights)),
      loadSpread: loadSpread(mine),
    };
  });
  return {
    campaignId,
    name: campaign.name,
    from,
    to: daysBetween(from, to) >= 0 ? to : from,
    plans: members.map((p) => ({ planId: p.id, name: p.name, version: versions[p.id] as number })),
    loadSpread: loadSpread(people),
    villages,
    people,
  };
}

/** One town's people to date: hours and nights (min, median, max). */
export function townToDate(figures: CampaignFigures, town: string): { people: number; hours: VillageToDate['hours']; nights: VillageToDate['nights'] } | null {
  const villages = new Set(figures.villages.filter((v) => v.town === town).map((v) => v.village));
  const mine = figures.people.filter((p) => villages.has(p.village));
  if (!mine.length) return null;
  return { people: mine.length, hours: spread(mine.map((p) => p.hours)), nights: spread(mine.map((p) => p.nights)) };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
