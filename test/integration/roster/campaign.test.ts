/**
 * A campaign through the API: plans that follow each other keep every rule across their edge
 * (checked by the independent checker on both rosters as one), each plan's figures show the
 * campaign to date, the campaign's figures are scoped, and a plan rolls forward keeping what
 * the freeze window holds.
 */
import { describe, expect, it } from 'vitest';
import { localInstant } from '../../../src/domain/time.js';
import type { AvailabilityWindow, Cadre, Gate } from '../../../src/domain/types.js';
import { planSpecSchema } from '../../../src/domain/plan.js';
import { RollWorker } from '../../../src/roster/roll-protocol.js';
import { createLogger } from '../../../src/logger.js';
import { violations } from '../../unit/solver/fixtures.js';
import {
  api,
  EAST,
  feedPath,
  getFeed,
  parseFeed,
  publish,
  ROSTER_CADRES,
  ROSTER_GATES,
  seedRosterDistrict,
  solve,
  testWorker,
  type AssignmentView,
} from '../../helpers/roster-fixtures.js';
import { createTestApp, type TestApp } from '../../helpers/test-app.js';
import { afterAll, beforeAll } from 'vitest';
import request from 'supertest';

const TZ = 'Asia/Shanghai';
const RULES = { minRestHours: 8, maxHoursPer24h: 12, maxHoursPerWeek: 24, maxConsecutiveNights: 2 };
// The app's clock: Tuesday 14 December 2021, 10:00 (a roll drops Monday).
const NOW = localInstant('2021-12-14', 600, TZ);

let t: TestApp;
let planner: string;
beforeAll(async () => {
  t = await createTestApp({}, undefined, undefined, { clock: () => NOW });
  planner = await t.token({ role: 'planner' });
  await seedRosterDistrict(t.app, planner);
});
afterAll(async () => t?.close());

/** The uploaded directory as the independent checker reads it. */
function directory(): { gates: Gate[]; cadres: Cadre[]; availability: AvailabilityWindow[] } {
  const gates = ROSTER_GATES.map((g) => ({
    id: String(g.id),
    name: String(g.name),
    village: String(g.village),
    town: String(g.town),
    staffPerShift: Number(g.staff_per_shift),
    coverFrom: String(g.cover_from),
    coverTo: String(g.cover_to),
    activeFrom: null,
    activeTo: null,
    leadRequired: g.lead_required === 'yes',
  }));
  const cadres = ROSTER_CADRES.map((c) => ({
    id: String(c.id),
    name: String(c.name),
    phone: null,
    role: c.role as Cadre['role'],
    village: String(c.village),
    serves: c.serves ? [String(c.serves)] : [],
    maxHoursWeek: null,
    nightOk: c.night_ok === 'yes',
  }));
  const availability: AvailabilityWindow[] = [
    { cadreId: 'A03', kind: 'unavailable', start: localInstant('2021-12-13', 480, TZ), end: localInstant('2021-12-13', 960, TZ) },
  ];
  return { gates, cadres, availability };
}

function asAssignments(rows: AssignmentView[]) {
  return rows.map((r) => ({ cadreId: r.cadreId, gateId: r.gateId, start: new Date(r.start), end: new Date(r.end), pinned: false }));
}

async function roster(planId: string): Promise<AssignmentView[]> {
  const res = await api(t.app, planner).get(`/api/v1/plans/${planId}/roster`);
  expect(res.status).toBe(200);
  return res.body.assignments;
}

async function newPlan(body: object): Promise<string> {
  const res = await api(t.app, planner).post('/api/v1/plans', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

describe('a campaign of plans that follow each other', () => {
  let campaignId: string;
  let first: string;
  let second: string;

  it('when a campaign is created, then plans may join it; one naming no campaign or starting before it is refused with the field named', async () => {
    const created = await api(t.app, planner).post('/api/v1/campaigns', { name: '镇海专项', start: '2021-12-13' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.spec).toEqual({ start: '2021-12-13', windowDays: null });
    campaignId = created.body.id;
    const unknown = await api(t.app, planner).post('/api/v1/plans', { name: 'x', start: '2021-12-13', days: 2, campaignId: 'c_nope' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details.problems[0].field).toBe('campaignId');
    const early = await api(t.app, planner).post('/api/v1/plans', { name: 'x', start: '2021-12-12', days: 2, campaignId });
    expect(early.status).toBe(422);
    expect(early.body.error.details.problems[0].field).toBe('start');
    expect((await api(t.app, planner).post('/api/v1/campaigns', { name: 'y', start: '2021-13-01' })).status).toBe(422);
  });

  it('when the second plan is solved after the first is published, then the independent checker finds no rule broken across the edge and loads to date add both plans', async () => {
    const worker = testWorker(t.models);
    first = await newPlan({ name: '第一段', start: '2021-12-13', days: 2, rules: RULES, campaignId });
    await publish(t.app, planner, first, await solve(t.app, planner, worker, first));
    second = await newPlan({ name: '第二段', start: '2021-12-15', days: 2, rules: RULES, campaignId });
    const plan = await api(t.app, planner).get(`/api/v1/plans/${second}`);
    expect(plan.body.spec.fairness, 'a campaign spreads in proportion to what each offered').toBe('proportional');
    const solveId = await solve(t.app, planner, worker, second);

    const a = await roster(first);
    const draft = await api(t.app, planner).get(`/api/v1/solves/${solveId}/roster`);
    const b: AssignmentView[] = draft.body.assignments;
    expect(b.length).toBeGreaterThan(0);
    const together = { plan: planSpecSchema.parse({ start: '2021-12-13', days: 4, rules: RULES }), ...directory(), pins: [] };
    expect(violations(together, asAssignments([...a, ...b]))).toEqual([]);

    // Someone on the last night of the first plan, with nights on both its days, gets no night at the start of the second.
    const nightsOf = (rows: AssignmentView[], id: string) =>
      rows.filter((r) => r.cadreId === id && new Date(r.start).getTime() === localInstant(r.start.slice(0, 10), 0, TZ).getTime());
    for (const id of new Set(a.map((r) => r.cadreId))) {
      if (nightsOf(a, id).length === 2)
        expect(
          b.some((r) => r.cadreId === id && r.start.startsWith('2021-12-15T00:00')),
          id,
        ).toBe(false);
    }

    const metrics = draft.body.metrics;
    const hoursIn = (rows: AssignmentView[], id: string) => rows.filter((r) => r.cadreId === id).length * 8;
    for (const load of metrics.perPerson) {
      expect(load.toDate.hours, load.cadreId).toBe(hoursIn(a, load.cadreId) + hoursIn(b, load.cadreId));
    }
    expect(metrics.campaign.loadSpread.people).toBeGreaterThan(0);
    await publish(t.app, planner, second, solveId);
  });

  it('when a planner and a village head read the campaign, then the head sees their village only and a cadre token is refused', async () => {
    const whole = await api(t.app, planner).get(`/api/v1/campaigns/${campaignId}/figures`);
    expect(whole.status).toBe(200);
    expect(whole.body.plans.map((p: { planId: string }) => p.planId).sort()).toEqual([first, second].sort());
    const both = [...(await roster(first)), ...(await roster(second))];
    for (const person of whole.body.people) expect(person.hours, person.cadreId).toBe(both.filter((r) => r.cadreId === person.cadreId).length * 8);
    expect(whole.body.from).toBe('2021-12-13');
    expect(whole.body.to).toBe('2021-12-16');

    const head = await t.token({ role: 'village_head', villages: [EAST] });
    const scoped = await api(t.app, head).get(`/api/v1/campaigns/${campaignId}/figures`);
    expect(scoped.status).toBe(200);
    expect(new Set(scoped.body.people.map((p: { village: string }) => p.village))).toEqual(new Set([EAST]));
    expect(scoped.body.villages.map((v: { village: string }) => v.village)).toEqual([EAST]);
    const cadre = await t.token({ role: 'cadre', cadreId: 'A01' });
    expect((await api(t.app, cadre).get(`/api/v1/campaigns/${campaignId}/figures`)).status).toBe(403);
    expect((await api(t.app, head).post('/api/v1/campaigns', { name: 'z', start: '2021-12-13' })).status).toBe(403);
  });
});

describe('rolling a plan forward', () => {
  it('when a published plan is rolled one day on Tuesday morning, then Monday drops, Thursday is planned, shifts within 24 h stay as published and ended shifts stay in the roster and feeds', async () => {
    const worker = testWorker(t.models);
    const rolls = new RollWorker(t.models, createLogger('silent'), { clock: () => NOW });
    const planId = await newPlan({ name: '滚动', start: '2021-12-13', days: 3 });
    await publish(t.app, planner, planId, await solve(t.app, planner, worker, planId));
    const before = await roster(planId);

    const head = await t.token({ role: 'village_head', villages: [EAST] });
    expect((await api(t.app, head).post(`/api/v1/plans/${planId}/roll`, {})).status, 'only planners roll').toBe(403);

    const started = await api(t.app, planner).post(`/api/v1/plans/${planId}/roll`, { days: 1 });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body.to).toEqual({ start: '2021-12-14', days: 3 });
    expect(started.body.freezeUntil).toBe('2021-12-15T10:00:00+08:00');
    expect((await api(t.app, planner).post(`/api/v1/plans/${planId}/roll`, {})).status, 'one roll at a time').toBe(409);
    expect((await api(t.app, planner).get(`/api/v1/plans/${planId}`)).body.spec.start).toBe('2021-12-14');

    expect(await worker.runOnce()).toBe(true);
    await rolls.runOnce();
    const done = await api(t.app, planner).get(`/api/v1/plans/${planId}/roll`);
    expect(done.body.phase).toBe('idle');
    expect(done.body.result).toEqual({ publishedVersion: 2, draftSolveId: null, error: null });

    const after = await roster(planId);
    const key = (r: AssignmentView) => `${r.cadreId}|${r.gateId}|${new Date(r.start).toISOString()}`;
    const freeze = new Date('2021-12-15T02:00:00.000Z').getTime();
    const keptBefore = before
      .filter((r) => new Date(r.start).getTime() < freeze)
      .map(key)
      .sort();
    const nowBefore = after.filter((r) => new Date(r.start).getTime() < freeze).map(key);
    for (const k of keptBefore) expect(nowBefore, `published ${k} inside the freeze window or ended`).toContain(k);
    expect(
      after.some((r) => r.start.startsWith('2021-12-13')),
      'Monday stays as history',
    ).toBe(true);
    expect(
      after.some((r) => r.start.startsWith('2021-12-16')),
      'Thursday is planned',
    ).toBe(true);
    // Monday is history in the feed too, with the same event as before.
    const person = after.find((r) => r.start.startsWith('2021-12-13'))!.cadreId;
    const link = await api(t.app, planner).post(`/api/v1/cadres/${person}/feed-token`);
    const events = parseFeed((await getFeed(t.app, feedPath(link.body.url))).body).events;
    expect(events.some((e) => e.start.toISOString().startsWith('2021-12-12T16:00') || e.start.getTime() < localInstant('2021-12-14', 0, TZ).getTime())).toBe(
      true,
    );
  });

  it('when a plan rolls daily at 06:00 and leaves drafts, then the 10:00 pass rolls it once keeping its length and leaves the re-plan as a draft', async () => {
    const worker = testWorker(t.models);
    const rolls = new RollWorker(t.models, createLogger('silent'), { clock: () => NOW });
    const planId = await newPlan({ name: '每日滚动', start: '2021-12-13', days: 2, rollPolicy: { dailyAt: '06:00', publish: 'draft' } });
    await publish(t.app, planner, planId, await solve(t.app, planner, worker, planId));
    await rolls.runOnce();
    const started = await api(t.app, planner).get(`/api/v1/plans/${planId}/roll`);
    expect(started.body.to).toEqual({ start: '2021-12-14', days: 2 });
    expect(started.body.requestedBy).toBe('daily at 06:00');
    expect(await worker.runOnce()).toBe(true);
    await rolls.runOnce();
    const done = await api(t.app, planner).get(`/api/v1/plans/${planId}/roll`);
    expect(done.body.result.publishedVersion).toBeNull();
    expect(done.body.result.draftSolveId).toBe(started.body.solveId);
    expect((await api(t.app, planner).get(`/api/v1/plans/${planId}`)).body.publishedVersion, 'a draft waits for the planner').toBe(1);
    // The same day, no second roll: the day of the roll is stored with it.
    expect((await t.models.Roll.findById(planId).lean<{ dailyOn?: string }>())?.dailyOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await rolls.runOnce();
    expect((await api(t.app, planner).get(`/api/v1/plans/${planId}/roll`)).body.solveId).toBe(started.body.solveId);
    expect(await publish(t.app, planner, planId, done.body.result.draftSolveId)).toBe(2);
  });

  it('when a planner rolls a campaign plan from the console, then the page shows the campaign to date, 303 to the roll card, and after the roll its published version', async () => {
    const worker = testWorker(t.models);
    const rolls = new RollWorker(t.models, createLogger('silent'), { clock: () => NOW });
    const campaign = await api(t.app, planner).post('/api/v1/campaigns', { name: '控制台专项', start: '2021-12-13' });
    const planId = await newPlan({ name: '控制台滚动', start: '2021-12-13', days: 2, campaignId: campaign.body.id });
    await publish(t.app, planner, planId, await solve(t.app, planner, worker, planId));

    const signIn = await request(t.app).post('/planner/sign-in').set('Sec-Fetch-Site', 'same-origin').type('form').send({ token: planner });
    const cookie = String(signIn.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
    const page = await request(t.app).get(`/planner/plans/${planId}`).set('Cookie', cookie);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/data-campaign-to-date>专项至今（含本计划，\d+ 人）：每人工时 最少/);
    expect(page.text).toContain('id="roll-form"');
    const csrf = /name="csrf-token" content="([^"]+)"/.exec(page.text)?.[1] ?? '';

    const refused = await request(t.app).post(`/planner/plans/${planId}/roll`).set('Cookie', cookie).type('form').send({ _csrf: csrf, days: '40' });
    expect(refused.status, 'more than 31 days').toBe(400);
    const rolled = await request(t.app).post(`/planner/plans/${planId}/roll`).set('Cookie', cookie).type('form').send({ _csrf: csrf, days: '1' });
    expect(rolled.status).toBe(303);
    expect(rolled.headers.location).toBe(`/planner/plans/${planId}?rolling=1#roll`);
    const rolling = await request(t.app).get(`/planner/plans/${planId}?rolling=1`).set('Cookie', cookie);
    expect(rolling.text).toContain('data-rolling-flash');
    expect(rolling.text).toContain('data-roll-phase="solving"');
    expect(rolling.text, 'no second roll while one is open').not.toContain('id="roll-form"');
    expect(rolling.text).toContain('2021-12-13（2 天）→ 2021-12-14（2 天）');

    expect(await worker.runOnce()).toBe(true);
    await rolls.runOnce();
    const done = await request(t.app).get(`/planner/plans/${planId}`).set('Cookie', cookie);
    expect(done.text).toContain('data-roll-phase="idle"');
    expect(done.text).toMatch(/data-roll-outcome>已发布第 2 版/);
    expect((await api(t.app, planner).get(`/api/v1/plans/${planId}`)).body.publishedVersion).toBe(2);
  });

  it('when a roll would push the plan past 31 days, then it is refused naming days; a plan never published is refused with 409', async () => {
    const planId = await newPlan({ name: '长', start: '2021-12-14', days: 31 });
    const refused = await api(t.app, planner).post(`/api/v1/plans/${planId}/roll`, { days: 1 });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details.problems[0].field).toBe('days');
    const unpublished = await newPlan({ name: '未发布', start: '2021-12-14', days: 2 });
    expect((await api(t.app, planner).post(`/api/v1/plans/${unpublished}/roll`, {})).status).toBe(409);
  });
});
