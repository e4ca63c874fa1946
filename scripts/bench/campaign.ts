/**
 * Campaign bench: four consecutive weeks of one district as one campaign, through the real
 * service (HTTP, embedded FerretDB unless MONGODB_URI), each week's availability drawn
 * afresh, each week solved after the one before is published; then a roll of a district plan.
 *
 * Per week and cumulative: places filled vs the solve's bound, the spread of hours per offered
 * hour (max / min over people who offered at least 24 h), fixable imbalances, solve time beside
 * the same week solved outside the campaign. After the four weeks:
 * - every rule by the independent checker (test/unit/solver/fixtures.ts): each week with its
 *   own availability, and all four weeks as one 28-day roster for the rules that cross a
 *   week's edge (two places at once, rest, 24 h, weekly, consecutive nights);
 * - the cumulative spread, offered hours counted per week from that week's availability
 *   alone (the solver's definition, without any campaign context);
 * - fixable imbalances over the campaign: a shift of any week that could move to someone
 *   lighter to date (proportional: hours per offered hour) who was available then, with every
 *   rule of the 28 days kept.
 * The roll: the district sample moved to have begun yesterday, published, then rolled one day
 * (real time: the freeze window is the next 24 h from now).
 */
import { planSpecSchema } from '../../src/domain/plan.js';
import type { Assignment } from '../../src/domain/roster.js';
import { addDays, localDate } from '../../src/domain/time.js';
import type { AvailabilityWindow, Cadre, Gate } from '../../src/domain/types.js';
import type { ApiClient } from '../../src/http/client/api-client.js';
import { buildInstance, Avail } from '../../src/solver/instance.js';
import { offeredSlots } from '../../src/solver/metrics.js';
import { RosterState } from '../../src/solver/roster-state.js';
import type { SolveInput } from '../../src/solver/index.js';
import { violations } from '../../test/unit/solver/fixtures.js';
import { availabilityJson, cadresJson, gatesJson } from '../lib/directory-json.js';
import { generateDistrict } from '../lib/generate-district.js';
import { FAMILIES, generateFamily } from '../lib/generate-family.js';
import { mulberry32 } from '../lib/mulberry32.js';
import { withFreshService } from './service.js';

const START = '2021-12-13';
const ZONE = 'Asia/Shanghai';
const DAY_MS = 86_400_000;
const CROSS_RULES = ['two places at once', 'minRest', 'maxHoursPer24h', 'weeklyHours', 'consecutiveNights'];

export interface WeekFigures {
  week: number;
  filled: number;
  bound: number;
  status: string;
  solveMs: number;
  apiMs: number;
  aloneSolveMs: number;
  /** max/min hours per offered hour this week alone, and to date. */
  weekRatio: number | null;
  toDateRatio: number | null;
  fixable: number;
  violations: number;
}

export interface CampaignFigures {
  instance: string;
  weeks: WeekFigures[];
  crossViolations: string[];
  cumulativeRatio: number | null;
  worstWeekRatio: number | null;
  campaignFixable: number;
}

export interface RollFigures {
  rollMs: number;
  /** From the request to the roll's solve done (snapshot, re-plan, storing), before the publish. */
  replanMs: number;
  solverMs: number;
  frozenChanged: number;
  movedOutsideNewDay: number;
  newDayFilled: number;
  newDayNeeded: number;
  version: number | null;
}

interface District {
  gates: Gate[];
  cadres: Cadre[];
  availability: AvailabilityWindow[];
}

export interface CampaignBench {
  campaigns: CampaignFigures[];
  /** The same weeks planned one after the other without a campaign (each plan blind to the others' fairness). */
  blind: CampaignFigures[];
  roll: RollFigures;
}

export async function runCampaignBench(log: (line: string) => void, weeks = 4): Promise<CampaignBench> {
  const sample = generateDistrict('district', 1);
  const family = generateFamily(FAMILIES.normal, 1);
  const instances: [string, District][] = [
    ['district sample (375 gates, 2,958 people)', sample],
    [`family normal seed 1 (${family.gates.length} gates, ${family.cadres.length} people)`, family],
  ];
  const campaigns: CampaignFigures[] = [];
  const blind: CampaignFigures[] = [];
  for (const [name, district] of instances) {
    campaigns.push(await runCampaign(name, district, weeks, log, true));
    blind.push(await runCampaign(name, district, weeks, log, false));
  }
  const roll = await runRoll(sample, log);
  return { campaigns, blind, roll };
}

async function runCampaign(name: string, district: District, weeks: number, log: (line: string) => void, inCampaign: boolean): Promise<CampaignFigures> {
  const out: CampaignFigures = { instance: name, weeks: [], crossViolations: [], cumulativeRatio: null, worstWeekRatio: null, campaignFixable: 0 };
  const label = inCampaign ? name : `${name}, no campaign`;
  await withFreshService(async (api) => {
    await api.call('uploadGates', { body: gatesJson(district.gates), contentType: 'application/json' });
    await api.call('uploadCadres', { body: cadresJson(district.cadres), contentType: 'application/json' });
    const campaign = inCampaign ? await api.call('createCampaign', { json: { name, start: START } }) : null;
    const inputs: SolveInput[] = [];
    const rosters: Assignment[][] = [];
    for (let w = 0; w < weeks; w++) {
      const availability = redrawn(district, w);
      await api.call('uploadAvailability', { body: availabilityJson(availability, ZONE), contentType: 'application/json', query: { replace: 'true' } });
      const start = addDays(START, 7 * w);
      const spec = { start, days: 7, fairness: 'proportional' as const };
      // The same week outside the campaign first, against the same published weeks.
      const alone = campaign ? await solveAndWait(api, (await api.call('createPlan', { json: { name: `week ${w + 1} alone`, ...spec } })).id) : null;
      const plan = await api.call('createPlan', { json: { name: `week ${w + 1}`, ...spec, ...(campaign ? { campaignId: campaign.id } : {}) } });
      const started = performance.now();
      const solve = await solveAndWait(api, plan.id);
      const apiMs = Math.round(performance.now() - started);
      await api.call('publishPlan', { path: { id: plan.id }, json: { solveId: solve.id } });
      const roster = await api.call('getRoster', { path: { id: plan.id } });
      const assignments = roster.assignments.map((a) => ({
        cadreId: a.cadreId,
        gateId: a.gateId,
        start: new Date(a.start),
        end: new Date(a.end),
        pinned: a.pinned,
      }));
      const input: SolveInput = { plan: planSpecSchema.parse(spec), gates: district.gates, cadres: district.cadres, availability, pins: [] };
      inputs.push(input);
      rosters.push(assignments);
      const metrics = solve.metrics as NonNullable<typeof solve.metrics>;
      const week: WeekFigures = {
        week: w + 1,
        filled: metrics.placesFilled,
        bound: metrics.upperBound.value,
        status: solve.outcome ?? '',
        solveMs: Math.round(metrics.solveMs),
        apiMs,
        aloneSolveMs: Math.round(alone?.metrics?.solveMs ?? 0),
        weekRatio: spreadRatio([assignments], [input]),
        toDateRatio: spreadRatio(rosters, inputs),
        fixable: metrics.fixableImbalances,
        violations: violations(input, assignments).length,
      };
      out.weeks.push(week);
      log(
        `  ${label} week ${week.week}: ${week.filled}/${week.bound} ${week.status}, solve ${week.solveMs} ms (alone ${week.aloneSolveMs} ms), API ${apiMs} ms, spread week ${week.weekRatio} to date ${week.toDateRatio}, fixable ${week.fixable}, broken ${week.violations}`,
      );
    }
    const together: SolveInput = {
      plan: planSpecSchema.parse({ start: START, days: 7 * weeks }),
      gates: district.gates,
      cadres: district.cadres,
      availability: [],
      pins: [],
    };
    out.crossViolations = violations(together, rosters.flat()).filter((v) => CROSS_RULES.some((rule) => v.startsWith(rule)));
    out.cumulativeRatio = spreadRatio(rosters, inputs);
    out.worstWeekRatio = Math.max(...out.weeks.map((w) => w.weekRatio ?? Infinity));
    out.campaignFixable = campaignFixable(together, inputs, rosters);
    log(
      `  ${label}: across the edges ${out.crossViolations.length} broken, cumulative spread ${out.cumulativeRatio} (worst single week ${worstWeekText(out.worstWeekRatio)}), fixable over the campaign ${out.campaignFixable}`,
    );
  });
  return out;
}

/**
 * Week w's availability: every person gets the week's windows of a colleague of the same
 * village and role (a seeded shuffle per week), moved to that week: fresh, and as realistic.
 */
function redrawn(district: District, w: number): AvailabilityWindow[] {
  if (w === 0) return district.availability;
  const random = mulberry32(1000 + w);
  const groups = new Map<string, string[]>();
  for (const c of district.cadres) {
    const key = `${c.village}|${c.role}`;
    groups.set(key, [...(groups.get(key) ?? []), c.id]);
  }
  const donor = new Map<string, string>();
  for (const ids of groups.values()) {
    const shuffled = [...ids];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j] as string, shuffled[i] as string];
    }
    ids.forEach((id, i) => donor.set(id, shuffled[i] as string));
  }
  const byPerson = new Map<string, AvailabilityWindow[]>();
  for (const win of district.availability) byPerson.set(win.cadreId, [...(byPerson.get(win.cadreId) ?? []), win]);
  const shift = 7 * w * DAY_MS;
  return district.cadres.flatMap((c) =>
    (byPerson.get(donor.get(c.id) ?? c.id) ?? []).map((win) => ({
      ...win,
      cadreId: c.id,
      start: new Date(win.start.getTime() + shift),
      end: new Date(win.end.getTime() + shift),
    })),
  );
}

/** Hours and offered hours per person over the weeks (offered per week from its own availability, no context). */
function loadsOver(rosters: Assignment[][], inputs: SolveInput[]): Map<string, { hours: number; offered: number }> {
  const out = new Map<string, { hours: number; offered: number }>();
  inputs.forEach((input, k) => {
    const inst = buildInstance(input.plan, input.gates, input.cadres, input.availability);
    const offered = offeredSlots(inst);
    inst.people.forEach((c, p) => {
      const row = out.get(c.id) ?? { hours: 0, offered: 0 };
      row.offered += (offered[p] ?? 0) * input.plan.shiftHours;
      out.set(c.id, row);
    });
    for (const a of rosters[k] ?? []) {
      const row = out.get(a.cadreId) ?? { hours: 0, offered: 0 };
      row.hours += (a.end.getTime() - a.start.getTime()) / 3_600_000;
      out.set(a.cadreId, row);
    }
  });
  return out;
}

function spreadRatio(rosters: Assignment[][], inputs: SolveInput[]): number | null {
  const ratios = [...loadsOver(rosters, inputs).values()].filter((r) => r.offered >= 24).map((r) => r.hours / r.offered);
  const min = Math.min(...ratios);
  return min > 0 ? Math.round((Math.max(...ratios) / min) * 1000) / 1000 : null;
}

/**
 * Shifts of any week that could move to a colleague lighter to date by hours per offered hour,
 * who was available then, keeping every rule of the whole campaign and a lead where needed.
 */
function campaignFixable(together: SolveInput, inputs: SolveInput[], rosters: Assignment[][]): number {
  const inst = buildInstance(together.plan, together.gates, together.cadres, []);
  const weekInst = inputs.map((input) => buildInstance(input.plan, input.gates, input.cadres, input.availability));
  const state = new RosterState(inst);
  const S = inst.slotCount;
  const slotOf = new Map(inst.slotStart.map((t, s) => [t, s] as const));
  for (const a of rosters.flat()) {
    const p = inst.personIndex.get(a.cadreId);
    const g = inst.gateIndex.get(a.gateId);
    const s = slotOf.get(a.start.getTime());
    if (p !== undefined && g !== undefined && s !== undefined) state.place(p, g, s);
  }
  const loads = loadsOver(rosters, inputs);
  const offered = inst.people.map((c) => Math.max(1e-9, loads.get(c.id)?.offered ?? 0));
  const perWeekSlots = weekInst[0]?.slotCount ?? S;
  let fixable = 0;
  for (let p = 0; p < inst.people.length; p++) {
    for (const s of state.slotsOf(p)) {
      const g = (state.gateAt[p * S + s] ?? 0) - 1;
      const week = Math.floor(s / perWeekSlots);
      const local = weekInst[week];
      if (!local) continue;
      const t = s - week * perWeekSlots;
      const lp = (state.load[p] ?? 0) / (offered[p] as number);
      const taker = (inst.eligiblePeople[g] ?? []).find((q) => {
        if (q === p || ((state.load[q] ?? 0) + 1) / (offered[q] as number) >= lp - 1e-9) return false;
        const wq = local.personIndex.get(inst.people[q]?.id ?? '');
        if (wq === undefined || local.avail[wq * local.slotCount + t] === Avail.No) return false;
        if (state.lastLead(p, g, s) && !inst.isLead[q]) return false;
        return state.refusal(q, s) === null;
      });
      if (taker !== undefined) fixable++;
    }
  }
  return fixable;
}

async function solveAndWait(api: ApiClient, planId: string) {
  let solve = await api.call('startSolve', { path: { id: planId }, json: {} });
  while (solve.status === 'queued' || solve.status === 'running') {
    await new Promise((r) => setTimeout(r, 100));
    solve = await api.call('getSolve', { path: { id: solve.id } });
  }
  if (solve.status !== 'done') throw new Error(`bench solve ${solve.status}: ${solve.error}`);
  return solve;
}

/** The district moved to have begun yesterday, published, then rolled one day at real time. */
async function runRoll(district: District, log: (line: string) => void): Promise<RollFigures> {
  let figures: RollFigures | undefined;
  await withFreshService(async (api) => {
    const yesterday = addDays(localDate(new Date(), ZONE), -1);
    const shift = Math.round((Date.parse(yesterday) - Date.parse(START)) / DAY_MS) * DAY_MS;
    const moved = district.availability.map((w) => ({ ...w, start: new Date(w.start.getTime() + shift), end: new Date(w.end.getTime() + shift) }));
    const gates = district.gates.map((g) => ({
      ...g,
      activeFrom: g.activeFrom && addDays(g.activeFrom, shift / DAY_MS),
      activeTo: g.activeTo && addDays(g.activeTo, shift / DAY_MS),
    }));
    await api.call('uploadGates', { body: gatesJson(gates), contentType: 'application/json' });
    await api.call('uploadCadres', { body: cadresJson(district.cadres), contentType: 'application/json' });
    await api.call('uploadAvailability', { body: availabilityJson(moved, ZONE), contentType: 'application/json' });
    const plan = await api.call('createPlan', { json: { name: 'rolling district', start: yesterday, days: 7 } });
    const first = await solveAndWait(api, plan.id);
    await api.call('publishPlan', { path: { id: plan.id }, json: { solveId: first.id } });
    const before = (await api.call('getRoster', { path: { id: plan.id } })).assignments;
    const started = performance.now();
    let roll = await api.call('rollPlan', { path: { id: plan.id }, json: { days: 1 } });
    let replanMs = 0;
    while (roll.phase !== 'idle') {
      await new Promise((r) => setTimeout(r, 50));
      roll = await api.call('getRoll', { path: { id: plan.id } });
      if (!replanMs && (await api.call('getSolve', { path: { id: roll.solveId as string } })).status === 'done')
        replanMs = Math.round(performance.now() - started);
    }
    const rollMs = Math.round(performance.now() - started);
    const solve = await api.call('getSolve', { path: { id: roll.solveId as string } });
    const after = (await api.call('getRoster', { path: { id: plan.id } })).assignments;
    const key = (a: { cadreId: string; gateId: string; start: string }) => `${a.cadreId}|${a.gateId}|${Date.parse(a.start)}`;
    const freeze = Date.parse(roll.freezeUntil ?? '');
    const newDay = Date.parse(`${addDays(yesterday, 7)}T00:00:00+08:00`);
    const afterKeys = new Set(after.map(key));
    const beforeKeys = new Set(before.map(key));
    const frozenChanged =
      before.filter((a) => Date.parse(a.start) < freeze && !afterKeys.has(key(a))).length +
      after.filter((a) => Date.parse(a.start) < freeze && !beforeKeys.has(key(a))).length;
    const movedOutsideNewDay = before.filter((a) => Date.parse(a.start) >= freeze && Date.parse(a.start) < newDay && !afterKeys.has(key(a))).length;
    const newDayRows = after.filter((a) => Date.parse(a.start) >= newDay);
    const gaps = (await api.call('getGaps', { path: { id: plan.id } })).gaps.filter((g) => Date.parse(g.start) >= newDay);
    const needed = newDayRows.length + gaps.reduce((n, g) => n + g.needed - g.filled, 0);
    figures = {
      rollMs,
      replanMs: replanMs || rollMs,
      solverMs: Math.round(solve.metrics?.solveMs ?? 0),
      frozenChanged,
      movedOutsideNewDay,
      newDayFilled: newDayRows.length,
      newDayNeeded: needed,
      version: roll.result?.publishedVersion ?? null,
    };
    log(
      `  roll: ${figures.replanMs} ms to re-planned, ${rollMs} ms to published (solver ${figures.solverMs} ms), frozen shifts changed ${frozenChanged}, shifts moved before the new day ${movedOutsideNewDay}, new day ${newDayRows.length} places filled`,
    );
  });
  if (!figures) throw new Error('roll bench did not run');
  return figures;
}

export function formatCampaignBench(result: CampaignBench): string {
  const lines: string[] = [];
  result.campaigns.forEach((c, i) => {
    const blind = result.blind[i];
    lines.push(
      `\n${c.instance}`,
      '',
      '| week | filled / bound | solve (campaign) | solve (same week alone) | ratio | API solve | spread this week | spread to date | fixable (solve) | broken (week) |',
      '|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const w of c.weeks) {
      lines.push(
        `| ${w.week} | ${w.filled} / ${w.bound} ${w.status} | ${w.solveMs} ms | ${w.aloneSolveMs} ms | ${(w.solveMs / Math.max(1, w.aloneSolveMs)).toFixed(2)}x | ${w.apiMs} ms | ${w.weekRatio} | ${w.toDateRatio} | ${w.fixable} | ${w.violations} |`,
      );
    }
    lines.push(
      '',
      `after ${c.weeks.length} weeks: cumulative spread ${c.cumulativeRatio} (worst single week ${worstWeekText(c.worstWeekRatio)}); rules broken across the weeks' edges ${c.crossViolations.length}${c.crossViolations.length ? ` (e.g. ${c.crossViolations.slice(0, 3).join('; ')})` : ''}; fixable imbalances over the whole campaign in hindsight ${c.campaignFixable}`,
    );
    if (blind)
      lines.push(
        `the same weeks without a campaign: cumulative spread ${blind.cumulativeRatio}; rules broken across the edges ${blind.crossViolations.length}; fixable in hindsight ${blind.campaignFixable}; solves ${blind.weeks.map((w) => `${w.solveMs} ms`).join(', ')}`,
      );
  });
  const r = result.roll;
  lines.push('', '| roll of the district plan, one day | figure | target |', '|---|---|---|');
  lines.push(`| POST roll -> re-planned (request, snapshot, solve, store) | ${r.replanMs} ms (solver ${r.solverMs} ms) | < 5 s |`);
  lines.push(`| POST roll -> published (and every touched feed re-rendered) | ${r.rollMs} ms | |`);
  lines.push(`| published shifts inside the freeze window changed | ${r.frozenChanged} | 0 |`);
  lines.push(`| published shifts after the freeze window, before the new day, moved | ${r.movedOutsideNewDay} | no more than the new day needs |`);
  lines.push(`| new day: places filled / needed | ${r.newDayFilled} / ${r.newDayNeeded} | |`);
  return lines.join('\n');
}

/** A week's spread is null when someone who offered 24 h or more got no hours: unbounded, said so. */
function worstWeekText(ratio: number | null): string {
  return ratio !== null && Number.isFinite(ratio) ? String(ratio) : 'unbounded: a week gave someone who offered 24 h or more no hours';
}
