/**
 * From "X cannot come" to "the place is filled and the groups are told": an absence posted
 * through the API, and one a person reports on their own page, are re-planned by the re-plan
 * worker through the ordinary solve path and published through the publish protocol; the
 * local robot server (./robot-server.ts) gets the shift changes in the right groups,
 * mentioning the right mobiles. Nothing of the service is mocked.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localDate, localInstant } from '../../../src/domain/time.js';
import { createLogger } from '../../../src/logger.js';
import { ReplanWorker } from '../../../src/replan/replan-protocol.js';
import type { SolveWorker } from '../../../src/roster/solves.js';
import { api, EAST, NAME_OF, publish, ROSTER_CADRES, seedRosterDistrict, solve, testWorker, WEST } from '../../helpers/roster-fixtures.js';
import { createTestApp, type TestApp } from '../../helpers/test-app.js';
import type { DeliveryWorker } from '../../../src/messaging/index.js';
import { drain, testDelivery } from './helpers.js';
import { startRobotServer, type RobotServer } from './robot-server.js';

const ZONE = 'Asia/Shanghai';
const KEYS = { east: 'replan-east-wecom', west: 'replan-west-ding', hook: 'replan-hook' };
const SECRETS = { west: 'SECreplan-west', hook: 'replan-hook-secret' };
const MOBILE_OF = new Map(ROSTER_CADRES.filter((c) => c.phone).map((c) => [String(c.id), String(c.phone).replace(/\D/g, '').slice(-11)]));

let t: TestApp;
let robots: RobotServer;
let planner: string;
let worker: SolveWorker;
let replanner: ReplanWorker;
let delivery: DeliveryWorker;
let planId: string;
/**
 * The plan runs the day after tomorrow and the day after (local days): a day later than
 * needed, so a run that crosses local midnight still finds the first day ahead of it.
 */
const day1 = addDays(localDate(new Date(), ZONE), 2);
const day2 = addDays(day1, 1);

interface Row {
  cadreId: string;
  gateId: string;
  village: string;
  start: string;
  end: string;
}

beforeAll(async () => {
  robots = await startRobotServer();
  robots.secrets.set(KEYS.west, SECRETS.west);
  robots.secrets.set(KEYS.hook, SECRETS.hook);
  t = await createTestApp();
  planner = await t.token({ role: 'planner' });
  await seedRosterDistrict(t.app, planner);
  for (const body of [
    { kind: 'wecom', url: robots.urlOf('wecom', KEYS.east), villages: [EAST] },
    { kind: 'dingtalk', url: robots.urlOf('dingtalk', KEYS.west), secret: SECRETS.west, villages: [WEST] },
    { kind: 'webhook', url: robots.urlOf('webhook', KEYS.hook), secret: SECRETS.hook, events: ['publish_summary'] },
  ]) {
    expect((await api(t.app, planner).post('/api/v1/channels', body)).status).toBe(201);
  }
  worker = testWorker(t.models);
  replanner = new ReplanWorker(t.models, createLogger('silent'));
  planId = (await api(t.app, planner).post('/api/v1/plans', { name: '两日值守', start: day1, days: 2 })).body.id as string;
  // Fill-ins on the first day are published at once, those of the second wait: the policy's
  // hours end at or just before the second day starts (whatever the hour the test runs).
  const hours = Math.floor((localInstant(day2, 0, ZONE).getTime() - Date.now()) / 3_600_000);
  const patched = await api(t.app, planner).patch(`/api/v1/plans/${planId}`, { absencePolicy: { publishFillInsWithinHours: hours } });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  expect(patched.body.spec.absencePolicy).toEqual({ selfReportNeedsAcceptance: false, minLeadHours: 2, publishFillInsWithinHours: hours });
  await publish(t.app, planner, planId, await solve(t.app, planner, worker, planId));
  // One delivery worker for the file: each holds its channels' leases while it lives.
  delivery = testDelivery(t.models, createLogger('silent'));
  await drain(delivery);
  robots.received.length = 0;
});
afterAll(async () => {
  await delivery?.stop();
  await t?.close();
  await robots?.close();
});

/** Runs the re-plan worker and the solve worker until no re-plan work is left. */
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const busy = await replanner.runOnce();
    const solved = await worker.runOnce();
    if (!busy && !solved) return;
  }
  throw new Error('the re-plan did not settle');
}

async function roster(version?: number): Promise<Row[]> {
  const res = await api(t.app, planner).get(`/api/v1/plans/${planId}/roster${version ? `?version=${version}` : ''}`);
  expect(res.status).toBe(200);
  return res.body.assignments as Row[];
}

const onDay = (day: string) => (r: Row) => r.start.startsWith(day);
const key = (r: Row) => `${r.cadreId}|${r.gateId}|${r.start}`;
const place = (r: Row) => `${r.gateId}|${r.start}`;

/** Who gained which shift from one roster to the next. */
function gained(before: Row[], after: Row[]): Row[] {
  const had = new Set(before.map(key));
  return after.filter((r) => !had.has(key(r)));
}

/** People who gained or lost a shift. */
function changedPeople(before: Row[], after: Row[]): string[] {
  return [...new Set([...gained(before, after), ...gained(after, before)].map((r) => r.cadreId))].sort();
}

/**
 * Each changed person is named in their own village's group (mentioned by mobile where they
 * have one), and a group with nobody changed hears nothing.
 */
function expectToldInTheirGroups(changed: string[]): void {
  for (const [village, robot] of [
    [EAST, KEYS.east],
    [WEST, KEYS.west],
  ] as const) {
    const got = robots.received.filter((r) => r.robot === robot);
    const theirs = changed.filter((id) => HOME.get(id) === village);
    if (!theirs.length) expect(got, `${village} has no change to hear of`).toEqual([]);
    for (const id of theirs) {
      expect(got.map((r) => r.text).join('\n'), `${id} named in ${village}`).toContain(NAME_OF.get(id));
      if (MOBILE_OF.has(id))
        expect(
          got.flatMap((r) => r.mentions),
          `${id} mentioned in ${village}`,
        ).toContain(MOBILE_OF.get(id));
    }
  }
}

/** People who take no nights: day places have people to spare, so a freed one can be refilled. */
const DAY_ONLY = new Set(ROSTER_CADRES.filter((c) => c.night_ok === 'no').map((c) => String(c.id)));
const HOME = new Map(ROSTER_CADRES.map((c) => [String(c.id), String(c.village)]));

/** Someone living and on duty in `village`, with a mobile, taking no nights, on duty on both days (so one day is held back). */
function personOnBothDays(rows: Row[], village: string): string {
  const candidates = [...MOBILE_OF.keys()].filter(
    (id) =>
      DAY_ONLY.has(id) &&
      HOME.get(id) === village &&
      rows.some((r) => r.cadreId === id && r.village === village && onDay(day1)(r)) &&
      rows.some((r) => r.cadreId === id && onDay(day2)(r)),
  );
  expect(candidates.length, `someone in ${village} with a mobile stands duty on both days`).toBeGreaterThan(0);
  return candidates[0] as string;
}

describe('absence posted through the API', () => {
  it('when a planner marks someone out for both days, then the first day’s fill-ins are published at once, the second day waits as a draft, and the village group is told, mentioning the right mobiles', async () => {
    // Arrange
    const before = await roster();
    const absent = personOnBothDays(before, EAST);
    const from = localInstant(day1, 0, ZONE);
    const to = localInstant(addDays(day2, 1), 0, ZONE);

    // Act
    const posted = await api(t.app, planner).post('/api/v1/absences', { cadreId: absent, from: from.toISOString(), to: to.toISOString(), reason: '发热' });
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    expect(posted.body).toMatchObject({ status: 'accepted', source: 'planner', replan: { status: 'pending', results: [] } });
    await settle();
    await drain(delivery);

    // Assert: version 2, the absent person off the first day and still on the second.
    const plan = await api(t.app, planner).get(`/api/v1/plans/${planId}`);
    expect(plan.body.publishedVersion).toBe(2);
    const after = await roster();
    expect(after.filter((r) => r.cadreId === absent && onDay(day1)(r))).toEqual([]);
    const secondDayKept = after.filter((r) => r.cadreId === absent && onDay(day2)(r));
    const freed = before.filter((r) => r.cadreId === absent && onDay(day1)(r)).map(place);
    expect(after.filter((r) => freed.includes(place(r))).length, 'the freed first-day places are filled again').toBe(
      before.filter((r) => freed.includes(place(r))).length,
    );
    const fillIns = gained(before, after);
    const listed = (await api(t.app, planner).get(`/api/v1/absences?cadreId=${absent}`)).body.items[0];
    expect(listed.replan.status).toBe('done');
    expect(listed.replan.results).toHaveLength(1);
    expect(listed.replan.results[0]).toMatchObject({ planId, publishedVersion: 2 });
    const draftId = listed.replan.results[0].draftSolveId as string;
    expect(draftId, 'the second day’s fill-ins wait as a draft').toMatch(/^s_/);
    const draft = (await api(t.app, planner).get(`/api/v1/solves/${draftId}/roster`)).body.assignments as Row[];
    expect(draft.filter((r) => r.cadreId === absent)).toEqual([]);
    // The absent person's second day stays as published, except a place a first-day fill-in
    // leaves (the fill-in moves with the place it vacates, and that place is published as the
    // draft has it, whoever else sat there): which places that is depends on the solve.
    const people = (rows: Row[], p: string) =>
      rows
        .filter((r) => place(r) === p)
        .map((r) => r.cadreId)
        .sort();
    for (const r of before.filter((r) => r.cadreId === absent && onDay(day2)(r))) {
      if (secondDayKept.some((k) => key(k) === key(r))) continue;
      expect(people(after, place(r)), `${place(r)} is published as the draft has it`).toEqual(people(draft, place(r)));
      expect(
        fillIns.some((f) => before.some((b) => b.cadreId === f.cadreId && place(b) === place(r))),
        `${place(r)} is left by a first-day fill-in`,
      ).toBe(true);
    }
    // Everyone who gained a shift in version 2 has only shifts the draft gives them (a move
    // that fills a freed place comes with the place it leaves); the rest of the draft waits.
    for (const f of fillIns) {
      const inDraft = new Set(draft.filter((r) => r.cadreId === f.cadreId).map(key));
      expect(
        after.filter((r) => r.cadreId === f.cadreId).every((r) => inDraft.has(key(r))),
        f.cadreId,
      ).toBe(true);
    }
    expect(draft.map(key).sort(), 'part of the re-plan waits for the planner').not.toEqual(after.map(key).sort());
    const diff = await api(t.app, planner).get(`/api/v1/plans/${planId}/diff?from=2&to=2`);
    expect(diff.status).toBe(200);

    // The console shows the waiting draft with a link to its changes.
    const page = await consolePage('/planner');
    expect(page).toContain('data-replan-drafts');
    expect(page).toContain(`/planner/plans/${planId}/publish?solve=${draftId}`);

    // The east group (WeCom) is told: the absent person's mobile and each fill-in's.
    const east = robots.received.filter((r) => r.robot === KEYS.east);
    if (process.env.SHOW_MESSAGES) console.log(east.map((r) => `${r.text}\nmentions: ${JSON.stringify(r.mentions)}`).join('\n---\n'));
    expect(east.map((r) => r.text).join('\n')).toContain(`${NAME_OF.get(absent)} @${MOBILE_OF.get(absent)} 班次有变：\n× 取消`);
    if (secondDayKept.length === before.filter((r) => r.cadreId === absent && onDay(day2)(r)).length) {
      expect(east.map((r) => r.text).join('\n'), 'the absent person’s second day is not told yet').not.toMatch(
        new RegExp(`× 取消 ${Number(day2.slice(5, 7))}月${Number(day2.slice(8))}日`),
      );
    }
    expectToldInTheirGroups(changedPeople(before, after));
    expect(robots.received.filter((r) => r.robot === KEYS.hook).map((r) => r.title)).toEqual(['发布：两日值守 第2版']);
    expect(robots.rejected).toEqual([]);
  });
});

describe('absence reported on the person’s own page', () => {
  let secret: string;
  let reporter: string;
  let shift: Row;
  let head: string;

  beforeAll(async () => {
    const rows = await roster();
    reporter = personOnBothDays(rows, WEST);
    shift = rows.find((r) => r.cadreId === reporter && onDay(day1)(r)) as Row;
    const link = await api(t.app, planner).post(`/api/v1/cadres/${reporter}/feed-token`);
    secret = /\/feeds\/([^/]+)\.ics$/.exec(link.body.url)?.[1] as string;
    // The head of 西村 is a volunteer with a phone in the people list (the stand-ins, when no
    // head names anyone, would be the village's cadres: this tells the two apart).
    head = ['B06', 'B03'].find((id) => id !== reporter) as string;
    await t.token({ role: 'village_head', villages: [WEST], personId: head });
    robots.received.length = 0;
  });

  const report = (fields: Record<string, string>) =>
    request(t.app)
      .post('/me/absences')
      .type('form')
      .send({ token: secret, ...fields });
  const reportShift = (reason: string) => report({ planId, gateId: shift.gateId, start: String(Date.parse(shift.start)), reason });

  it('when the shift starts sooner than the policy allows, then nothing is recorded and the page names the village head with their phone', async () => {
    await api(t.app, planner).patch(`/api/v1/plans/${planId}`, { absencePolicy: { minLeadHours: 100 } });

    const res = await reportShift('孩子生病');

    expect(res.status).toBe(422);
    expect(res.text).toContain('data-too-soon');
    const contacts = /data-contacts>([\s\S]*?)<\/ul>/.exec(res.text)?.[1] ?? '';
    expect(contacts).toContain(NAME_OF.get(head));
    expect(contacts).toContain(`tel:${MOBILE_OF.get(head)}`);
    expect(contacts).toContain('村社负责人');
    const listed = (await api(t.app, planner).get(`/api/v1/absences?cadreId=${reporter}`)).body.items;
    expect(listed).toEqual([]);
  });

  it('when a report has no reason or names a shift that is not theirs, then 422 names the field', async () => {
    await api(t.app, planner).patch(`/api/v1/plans/${planId}`, { absencePolicy: { minLeadHours: 2 } });
    expect((await reportShift('')).text).toContain('reason');
    const notTheirs = await report({ planId, gateId: 'G1', start: String(Date.parse(shift.start) + 3_600_000), reason: '发热' });
    expect(notTheirs.status).toBe(422);
    expect(notTheirs.text).toContain('shift');
    const ended = await report({ from: '2021-12-13T08:00', to: '2021-12-13T16:00', reason: '发热' });
    expect(ended.status).toBe(422);
    expect(ended.text).toContain('to: the span has already ended');
    const garbled = await report({ from: '明天早上', to: `${day2}T16:00`, reason: '发热' });
    expect(garbled.status).toBe(422);
    expect(garbled.text).toContain('from: not a local date and time');
    expect((await api(t.app, planner).get(`/api/v1/absences?cadreId=${reporter}`)).body.items, 'nothing was recorded').toEqual([]);
  });

  it('when acceptance is required, then the report waits as reported until the head of that village accepts it; then it is re-planned and the west group is told', async () => {
    // Arrange
    await api(t.app, planner).patch(`/api/v1/plans/${planId}`, { absencePolicy: { selfReportNeedsAcceptance: true } });
    const before = await roster();
    const eastHead = await t.token({ role: 'village_head', villages: [EAST] });
    const westHead = await t.token({ role: 'village_head', villages: [WEST] });

    // Act: the person reports; the page redirects and says it waits.
    const res = await reportShift('孩子生病');
    expect(res.status).toBe(303);
    const page = await request(t.app).get(res.headers.location as string);
    expect(page.text).toContain('data-report-flash');
    expect(page.text).toContain('等待村社负责人或排班员确认');
    const waiting = (await api(t.app, westHead).get(`/api/v1/absences?cadreId=${reporter}`)).body.items;
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ status: 'reported', source: 'self', reason: '孩子生病', replan: { status: 'none' } });
    await settle();
    expect((await api(t.app, planner).get(`/api/v1/plans/${planId}`)).body.publishedVersion, 'nothing happens before acceptance').toBe(2);

    // A head of another village may not accept it (API or page); the person's own head may,
    // from the village page, where the report waits with its accept button.
    expect((await api(t.app, eastHead).post(`/api/v1/absences/${waiting[0].id}/accept`)).status).toBe(403);
    const accept = (token: string) => request(t.app).post('/village/absences/accept').type('form').send({ token, id: waiting[0].id });
    expect((await accept(eastHead)).status).toBe(403);
    expect((await request(t.app).get(`/village?token=${eastHead}`)).text).not.toContain(waiting[0].id);
    const westPage = await request(t.app).get(`/village?token=${westHead}`);
    expect(westPage.text).toMatch(/data-status="reported"[^\n]*孩子生病 · 待确认/);
    expect(westPage.text).toContain(`name="id" value="${waiting[0].id}"`);
    const accepted = await accept(westHead);
    expect(accepted.status, accepted.text).toBe(303);
    const confirmed = await request(t.app).get(accepted.headers.location as string);
    expect(confirmed.text).toContain('data-absence-flash');
    expect(confirmed.text).toMatch(/data-status="accepted"/);
    // Accepting again (the API, as a planner) changes nothing.
    const again = await api(t.app, planner).post(`/api/v1/absences/${waiting[0].id}/accept`);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ status: 'accepted', source: 'self' });
    await settle();
    await drain(delivery);

    // Assert
    expect((await api(t.app, planner).get(`/api/v1/plans/${planId}`)).body.publishedVersion).toBe(3);
    const after = await roster();
    expect(after.some((r) => key(r) === key(shift))).toBe(false);
    expect(after.filter((r) => place(r) === place(shift)).length, 'the place is filled again').toBe(before.filter((r) => place(r) === place(shift)).length);
    expect(changedPeople(before, after)).toContain(reporter);
    expectToldInTheirGroups(changedPeople(before, after));
    expect(robots.rejected).toEqual([]);
    const mine = await request(t.app).get(`/me?token=${secret}`);
    expect(mine.text).toMatch(/data-status="accepted"/);
  });
});

describe('absence policy in the plan', () => {
  it('when a policy field is of the wrong kind or out of range, then 422 names the field and the plan is unchanged', async () => {
    const before = (await api(t.app, planner).get(`/api/v1/plans/${planId}`)).body.spec.absencePolicy;
    for (const [body, field] of [
      [{ absencePolicy: { minLeadHours: -1 } }, 'absencePolicy.minLeadHours'],
      [{ absencePolicy: { selfReportNeedsAcceptance: 'yes' } }, 'absencePolicy.selfReportNeedsAcceptance'],
      [{ absencePolicy: 'strict' }, 'absencePolicy'],
    ] as const) {
      const res = await api(t.app, planner).patch(`/api/v1/plans/${planId}`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(res.body.error.details.problems.map((p: { field: string }) => p.field)).toContain(field);
    }
    expect((await api(t.app, planner).get(`/api/v1/plans/${planId}`)).body.spec.absencePolicy).toEqual(before);
  });

  it('when a village head lists absences, then re-plan results carry no solve ids', async () => {
    const head = await t.token({ role: 'village_head', villages: [EAST] });
    const items = (await api(t.app, head).get('/api/v1/absences')).body.items as { replan: { results: object[] } | null }[];
    const results = items.flatMap((a) => a.replan?.results ?? []);
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) expect(Object.keys(r).sort()).toEqual(['planId', 'publishedVersion']);
  });
});

describe('delivery log in the console', () => {
  it('when a planner opens it, then every message is listed with its status and the robot’s answer, and no url or secret appears', async () => {
    const page = await consolePage('/planner/deliveries');
    expect(page).toContain('data-deliveries');
    expect(page).toContain('data-status="sent"');
    expect(page).toContain('errcode');
    for (const secret of [...Object.values(KEYS), ...Object.values(SECRETS), robots.base]) expect(page).not.toContain(secret);
    const failed = await consolePage('/planner/deliveries?status=failed');
    expect(failed).not.toContain('data-status="sent"');
  });
});

/** A console page as a signed-in planner. */
async function consolePage(path: string): Promise<string> {
  const agent = request.agent(t.app);
  const signIn = await agent.post('/planner/sign-in').set('Sec-Fetch-Site', 'same-origin').type('form').send({ token: planner });
  expect(signIn.status, signIn.text).toBe(303);
  const res = await agent.get(path);
  expect(res.status).toBe(200);
  return res.text;
}
