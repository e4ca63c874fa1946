/**
 * The console's forms without a browser: every change is POST then 303 (a reload repeats
 * nothing); a refused pin or absence answers with the page again, the reason in Chinese and
 * the input kept; the village page offers only plans that touch the head's villages.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createRosterPlan, EAST, seedRosterDistrict, solve, testWorker, WEST } from '../helpers/roster-fixtures.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import type { SolveWorker } from '../../src/roster/solves.js';

let t: TestApp;
let planner: string;
let worker: SolveWorker;
let cookie = '';
let csrf = '';

beforeAll(async () => {
  t = await createTestApp();
  planner = await t.token({ role: 'planner' });
  await seedRosterDistrict(t.app, planner);
  worker = testWorker(t.models);
  const signIn = await request(t.app).post('/planner/sign-in').set('Sec-Fetch-Site', 'same-origin').type('form').send({ token: planner });
  expect(signIn.status).toBe(303);
  cookie = String(signIn.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
  const page = await request(t.app).get('/planner').set('Cookie', cookie);
  csrf = /name="csrf-token" content="([^"]+)"/.exec(page.text)?.[1] ?? '';
  expect(csrf).not.toBe('');
});
afterAll(async () => {
  await t.close();
});

const post = (path: string, form: Record<string, string>) =>
  request(t.app)
    .post(path)
    .set('Cookie', cookie)
    .type('form')
    .send({ _csrf: csrf, ...form });

describe('console forms', () => {
  it('when an availability file with a preferred day over an unavailable block is uploaded in the console, then it is written and the warning is listed in Chinese', async () => {
    const csv = 'cadre_id,start,end,kind\r\nA05,2021-12-13 08:00,2021-12-13 17:00,unavailable\r\nA05,2021-12-13 00:00,2021-12-14 00:00,preferred\r\n';
    const res = await request(t.app)
      .put('/planner/upload/availability?replace=0')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', csrf)
      .set('content-type', 'text/csv')
      .send(csv);
    expect(res.status).toBe(200);
    expect(res.text).toContain('data-upload-ok');
    expect(res.text).toContain('已写入，但有 1 处请核对');
    expect(res.text).toContain('与第 2 行（2021-12-13 08:00 至 2021-12-13 17:00');
  });

  it('when a planner adds an absence, then 303 back to the console, which confirms it; the window is stored beside the others', async () => {
    const res = await post('/planner/absences', { cadre: '王芳 (A03)', from: '2021-12-14T00:00', to: '2021-12-14T08:00', reason: '隔离' });
    expect(res.status).toBe(303);
    const page = await request(t.app)
      .get(res.headers.location ?? '')
      .set('Cookie', cookie);
    expect(page.text).toContain('已登记：王芳 2021-12-14 00:00 至 2021-12-14 08:00 不能值班');
    const windows = (await api(t.app, planner).get('/api/v1/availability?cadreId=A03')).body.items[0].windows;
    expect(windows).toHaveLength(2);
  });

  it('when the person is unknown, then 422 with the reason in Chinese and the typed text kept', async () => {
    const res = await post('/planner/absences', { cadre: '查无此人', from: '2021-12-14T00:00', to: '2021-12-14T08:00', reason: '' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('找不到人员“查无此人”');
    expect(res.text).toContain('value="查无此人"');
    expect(res.text).toContain('value="2021-12-14T00:00"');
  });

  it('when a pin is off a shift start, then 422 naming the shift starts in Chinese, the input kept, and no pin stored', async () => {
    const planId = await createRosterPlan(t.app, planner);
    const res = await post(`/planner/plans/${planId}/pins`, { cadre: '刘洋', gateId: 'G1', start: '2021-12-13T03:00' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('2021-12-13 03:00 不是本计划的班次开始时间：班次从 00:00、08:00、16:00 开始。');
    expect(res.text).toContain('value="刘洋"');
    expect((await api(t.app, planner).get(`/api/v1/plans/${planId}`)).body.pins).toEqual([]);

    const ok = await post(`/planner/plans/${planId}/pins`, { cadre: '刘洋', gateId: 'G1', start: '2021-12-13T08:00:00.000Z' });
    expect(ok.status).toBe(303);
    expect((await api(t.app, planner).get(`/api/v1/plans/${planId}`)).body.pins).toEqual([expect.objectContaining({ cadreId: 'A04', gateId: 'G1' })]);
  });

  it('when a draft is published from the console twice, then 303 both times and one version', async () => {
    const planId = await createRosterPlan(t.app, planner, '发布两次');
    const solveId = await solve(t.app, planner, worker, planId);
    const confirm = await request(t.app).get(`/planner/plans/${planId}/publish?solve=${solveId}`).set('Cookie', cookie);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('还没有已发布的版本');

    const first = await post(`/planner/plans/${planId}/publish`, { solveId });
    const again = await post(`/planner/plans/${planId}/publish`, { solveId });

    expect(first.status).toBe(303);
    expect(first.headers.location).toContain('published=1');
    expect(again.headers.location).toContain('again=1');
    expect((await api(t.app, planner).get(`/api/v1/plans/${planId}/versions`)).body.items).toHaveLength(1);
  });
});

describe('village page plan switcher', () => {
  it('when a plan covers only another village, then a head is not offered it', async () => {
    const eastOnly = await api(t.app, planner).post('/api/v1/plans', { name: '东村专用', start: '2021-12-13', days: 1, gateIds: ['G1', 'G2'] });
    const westOnly = await api(t.app, planner).post('/api/v1/plans', { name: '西村专用', start: '2021-12-13', days: 1, gateIds: ['G3', 'G4'] });
    for (const plan of [eastOnly.body.id, westOnly.body.id]) {
      const solveId = await solve(t.app, planner, worker, plan);
      expect((await api(t.app, planner).post(`/api/v1/plans/${plan}/publish`, { solveId })).status).toBe(201);
    }
    const head = await t.token({ role: 'village_head', villages: [WEST] });

    const page = await request(t.app).get(`/village?token=${encodeURIComponent(head)}&plan=${eastOnly.body.id}`);

    expect(page.status).toBe(200);
    expect(page.text).not.toContain('东村专用');
    expect(page.text).not.toContain(EAST);
  });
});
