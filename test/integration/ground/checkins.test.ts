/**
 * Check-in at the gate and no-shows as live gaps, on the real app and database, with the
 * app's clock set by the test: the roster fixture's 2021-12-13 day shift at 东门 (G1).
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateKeyOf } from '../../../src/ground/gate-keys.js';
import { NoShowSweep } from '../../../src/ground/no-show-alerts.js';
import { groundSettings } from '../../../src/ground/grounded-roster.js';
import { api, createRosterPlan, publish, seedRosterDistrict, solve, testWorker, type AssignmentView, type GapView } from '../../helpers/roster-fixtures.js';
import { createTestApp, type TestApp } from '../../helpers/test-app.js';
import { createLogger } from '../../../src/logger.js';

let t: TestApp;
let planner: string;
let planId: string;
let now = new Date('2021-12-13T07:00:00+08:00');
const at = (local: string) => new Date(`2021-12-13T${local}:00+08:00`);
const SHIFT = at('08:00').getTime();
/** The two people on 东门's 08:00 shift, and one 东村 person who is not. */
let rostered: AssignmentView[] = [];
let outsider = '';
let gateSecret = '';
const tokens = new Map<string, string>();

async function cadreToken(cadreId: string): Promise<string> {
  if (!tokens.has(cadreId)) tokens.set(cadreId, await t.token({ role: 'cadre', cadreId }));
  return tokens.get(cadreId)!;
}

async function gapsAtG1(): Promise<GapView[]> {
  const res = await api(t.app, planner).get(`/api/v1/plans/${planId}/gaps?gateId=G1`);
  expect(res.status).toBe(200);
  return (res.body.gaps as GapView[]).filter((g) => new Date(g.start).getTime() === SHIFT);
}

beforeAll(async () => {
  t = await createTestApp({}, createLogger('silent'), undefined, { clock: () => now });
  planner = await t.token({ role: 'planner' });
  await seedRosterDistrict(t.app, planner);
  planId = await createRosterPlan(t.app, planner);
  await publish(t.app, planner, planId, await solve(t.app, planner, testWorker(t.models), planId));
  const roster = (await api(t.app, planner).get(`/api/v1/plans/${planId}/roster?village=东村`)).body.assignments as AssignmentView[];
  rostered = roster.filter((a) => a.gateId === 'G1' && new Date(a.start).getTime() === SHIFT);
  const busyThen = new Set(roster.filter((a) => new Date(a.start).getTime() === SHIFT).map((a) => a.cadreId));
  outsider = ['A01', 'A02', 'A03', 'A04', 'A05', 'A06', 'A07'].find((id) => !busyThen.has(id)) ?? '';
  // The gate's poster is printed before the shift: from then on its shifts count no-shows.
  gateSecret = (await gateKeyOf(t.models, 'G1', now)).secret;
});
afterAll(async () => {
  await t?.close();
});

describe('check-in at the gate', () => {
  it('when the fixture is solved, then 东门 has two people on its 08:00 shift and someone else is free', () => {
    expect(rostered.length).toBe(2);
    expect(outsider).not.toBe('');
  });

  it('when a rostered cadre checks in by the API before the shift, then it counts for their shift; a second tap changes nothing', async () => {
    now = at('07:45');
    const first = await api(t.app, await cadreToken(rostered[0]!.cadreId)).post('/api/v1/checkins', { gateId: 'G1' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({
      planId,
      gateId: 'G1',
      gateName: '东门',
      walkIn: false,
      via: 'api',
      start: '2021-12-13T08:00:00+08:00',
      checkedInAt: '2021-12-13T07:45:00+08:00',
      checkedOutAt: null,
    });
    const again = await api(t.app, await cadreToken(rostered[0]!.cadreId)).post('/api/v1/checkins', { gateId: 'G1' });
    expect(again.status).toBe(200);
    expect(again.body.checkedInAt).toBe('2021-12-13T07:45:00+08:00');
  });

  it('when the shift is 14 minutes old, then nobody is a no-show yet', async () => {
    now = at('08:14');
    expect((await gapsAtG1()).filter((g) => g.reason === 'no_show')).toEqual([]);
  });

  it('when the shift is 15 minutes old and one of two has not checked in, then the gaps API returns a no_show gap naming them, and the village page marks them 未到岗', async () => {
    now = at('08:15');
    const gaps = await gapsAtG1();
    const noShow = gaps.find((g) => g.reason === 'no_show');
    expect(noShow, JSON.stringify(gaps)).toMatchObject({ gateId: 'G1', needed: 2, filled: 1, start: '2021-12-13T08:00:00+08:00' });
    expect(noShow!.detailZh).toContain(rostered[1]!.cadreName);
    expect(noShow!.detailZh).not.toContain(rostered[0]!.cadreName);
    // The roster's own answer holds it too, and CSV carries the reason.
    const csv = await api(t.app, planner).get(`/api/v1/plans/${planId}/gaps?gateId=G1`).set('Accept', 'text/csv');
    expect(csv.text).toContain('no_show');

    const head = await t.token({ role: 'village_head', villages: ['东村'] });
    const page = await request(t.app).get(`/village?token=${encodeURIComponent(head)}&plan=${planId}`);
    expect(page.status).toBe(200);
    const gate = /data-now-gate="G1"[\s\S]*?<\/li>/.exec(page.text)?.[0] ?? '';
    expect(gate).toContain(`${rostered[1]!.cadreName}</span> <span class="tag no-show-tag" data-no-show>未到岗</span>`);
    expect(gate).toContain(`${rostered[0]!.cadreName}</span> <span class="tag in-tag" data-checked-in>`);
    expect(page.text).toContain('未到岗');
  });

  it('when a no-show appears, then the village group gets one message through the outbox, however many sweeps run', async () => {
    const channel = await api(t.app, planner).post('/api/v1/channels', {
      kind: 'webhook',
      url: 'http://127.0.0.1:9/hook',
      villages: ['东村'],
      events: ['gap'],
    });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    const sweep = new NoShowSweep(
      t.models,
      groundSettings(t.config, () => now),
    );
    expect(await sweep.run()).toBe(1);
    expect(
      await new NoShowSweep(
        t.models,
        groundSettings(t.config, () => now),
      ).run(),
    ).toBe(0);
    const staged = await t.models.Outbox.find({ channelId: channel.body.id }).lean<{ key: string; parts: { title: string; text: string }[] }[]>();
    expect(staged.length).toBe(1);
    expect(staged[0]!.key).toContain(`noshow:${planId}|东村|${SHIFT}`);
    expect(staged[0]!.parts[0]!.title).toContain('未到岗提醒：东村');
    expect(staged[0]!.parts.map((p) => p.text).join('\n')).toContain(`东门：${rostered[1]!.cadreName} 未到岗`);
  });

  it('when the missing cadre checks in late, then the no_show gap is gone', async () => {
    now = at('08:40');
    const late = await api(t.app, await cadreToken(rostered[1]!.cadreId)).post('/api/v1/checkins', { gateId: 'G1' });
    expect(late.status).toBe(201);
    expect(late.body.walkIn).toBe(false);
    expect((await gapsAtG1()).filter((g) => g.reason === 'no_show')).toEqual([]);
  });

  it('when someone not on the roster checks in, then it is recorded as a walk-in and the village page shows it', async () => {
    const walkIn = await api(t.app, await cadreToken(outsider)).post('/api/v1/checkins', { gateId: 'G1' });
    expect(walkIn.status, JSON.stringify(walkIn.body)).toBe(201);
    expect(walkIn.body).toMatchObject({ walkIn: true, start: '2021-12-13T08:00:00+08:00' });
    const head = await t.token({ role: 'village_head', villages: ['东村'] });
    const page = await request(t.app).get(`/village?token=${encodeURIComponent(head)}&plan=${planId}`);
    expect(/data-now-gate="G1"[\s\S]*?<\/li>/.exec(page.text)?.[0]).toContain('data-walk-ins');
  });

  it('when the daily report is read, then it counts the day’s rostered places, check-ins, no-shows and walk-ins', async () => {
    const report = await api(t.app, planner).get(`/api/v1/plans/${planId}/report?date=2021-12-13`);
    expect(report.status).toBe(200);
    const east = report.body.towns[0].villages.find((v: { village: string }) => v.village === '东村');
    expect(east.ground).toMatchObject({ placesPlanned: east.placesFilled, checkedIn: 2, noShows: 0, walkIns: 1 });
    const csv = await api(t.app, planner).get(`/api/v1/plans/${planId}/report?date=2021-12-13`).set('Accept', 'text/csv');
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text).toContain('未到岗');
  });

  it('when a cadre checks out, then the check-in closes; checking out again is refused naming the gate', async () => {
    now = at('16:05');
    const out = await api(t.app, await cadreToken(rostered[0]!.cadreId)).post('/api/v1/checkins/check-out', { gateId: 'G1' });
    expect(out.status, JSON.stringify(out.body)).toBe(200);
    expect(out.body).toMatchObject({ start: '2021-12-13T08:00:00+08:00', checkedOutAt: '2021-12-13T16:05:00+08:00' });
    const again = await api(t.app, await cadreToken(rostered[0]!.cadreId)).post('/api/v1/checkins/check-out', { gateId: 'G1' });
    expect(again.status).toBe(422);
    expect(again.body.error.details.problems[0].field).toBe('gateId');
  });

  it('when the input is bad, then the answer is a 4xx naming the field', async () => {
    const token = await cadreToken(rostered[0]!.cadreId);
    const cases: [object, number, string][] = [
      [{}, 422, 'gateId'],
      [{ gateId: 'G1', at: 'soon' }, 422, 'at'],
      [{ gateId: 'G1', at: '2021-02-30T08:00:00+08:00' }, 422, 'at'],
      [{ gateId: 'G1', at: '2021-12-14T08:00:00+08:00' }, 422, 'at'],
      [{ gateId: 'G1', at: '2021-12-12T08:00:00+08:00' }, 422, 'at'],
      [{ gateId: 'NOPE' }, 422, 'gateId'],
      [{ gateId: 'G2', at: '2021-12-13T16:30:00+08:00' }, 422, 'at'],
    ];
    for (const [body, status, field] of cases) {
      const res = await api(t.app, token).post('/api/v1/checkins', body);
      expect(res.status, JSON.stringify({ body, answer: res.body })).toBe(status);
      const named = res.body.error.details.problems.map((p: { field: string }) => p.field);
      expect(named).toContain(field);
    }
  });

  it('when a planner or village head posts a check-in, then it is refused: check-ins are a person’s own', async () => {
    const head = await t.token({ role: 'village_head', villages: ['东村'] });
    expect((await api(t.app, head).post('/api/v1/checkins', { gateId: 'G1' })).status).toBe(403);
    expect((await api(t.app, planner).post('/api/v1/checkins', { gateId: 'G1' })).status).toBe(403);
  });
});

describe('the gate page', () => {
  it('when the gate secret is opened without the person cookie, then only the gate’s name shows', async () => {
    now = at('09:00');
    const page = await request(t.app).get(`/gate/${gateSecret}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('东门');
    expect(page.text).toContain('data-need-person');
    for (const a of rostered) expect(page.text).not.toContain(a.cadreName);
    expect(page.headers['cache-control']).toBe('no-store');
  });

  it('when a wrong secret is opened, then 404 and nothing about any gate', async () => {
    const page = await request(t.app).get('/gate/g_thisIsNotAGateSecretAtAll12345');
    expect(page.status).toBe(404);
    expect(page.text).not.toContain('东门');
  });

  it('when the gate path or cookie is hostile, then a clear 4xx page, never a crash', async () => {
    for (const path of ['/gate/%E0%A4%A', `/gate/${'x'.repeat(5000)}`, '/gate/..%2F..%2Fetc', `/gate/${gateSecret}/check-in/more`]) {
      const res = await request(t.app).get(path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
    }
    const noCookie = await request(t.app).post(`/gate/${gateSecret}/check-in`).set('Sec-Fetch-Site', 'same-origin');
    expect(noCookie.status).toBe(401);
    const junk = await request(t.app).get(`/gate/${gateSecret}`).set('Cookie', 'gd_person=%%%; gd_person=""');
    expect(junk.status).toBe(200);
    expect(junk.text).toContain('data-need-person');
  });

  it('when a person opens their own page, then the gate page knows them and one tap checks them in', async () => {
    const person = rostered[0]!;
    const link = await api(t.app, planner).post(`/api/v1/cadres/${person.cadreId}/feed-token`);
    expect(link.status).toBe(201);
    const secret = new URL(link.body.url as string).pathname.replace(/^\/feeds\//, '').replace(/\.ics$/, '');
    const me = await request(t.app).get(`/me?token=${secret}`);
    const cookie = (me.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('gd_person='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Path=\/gate/);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const jar = cookie.split(';')[0]!;

    // Next day's morning shift: a fresh gate-shift for this person (or a walk-in).
    now = new Date('2021-12-14T08:05:00+08:00');
    const before = await request(t.app).get(`/gate/${gateSecret}`).set('Cookie', jar);
    expect(before.text).toContain(`data-person>${person.cadreName}<`);
    expect(before.text).toContain('data-action="check-in"');
    const tap = await request(t.app).post(`/gate/${gateSecret}/check-in`).set('Cookie', jar).set('Sec-Fetch-Site', 'same-origin');
    expect(tap.status).toBe(303);
    const after = await request(t.app).get(tap.headers.location!).set('Cookie', jar);
    expect(after.text).toContain('data-state="in"');
    expect(after.text).toContain('data-action="check-out"');
    const stored = await t.models.CheckIn.find({ cadreId: person.cadreId, via: 'gate' }).lean();
    expect(stored.length).toBe(1);

    // Another site's form cannot tap for them.
    expect((await request(t.app).post(`/gate/${gateSecret}/check-out`).set('Cookie', jar).set('Sec-Fetch-Site', 'cross-site')).status).toBe(403);
  });
});
