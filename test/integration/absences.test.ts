/**
 * Absences: a planner or the head of a person's village marks them out for a span; the
 * person's other windows stay. Also: pins off a shift start are refused, and the
 * HTTPS-only headers are sent only when the service is reached over https.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createRosterPlan, EAST, seedRosterDistrict } from '../helpers/roster-fixtures.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let planner: string;
let eastHead: string;

beforeAll(async () => {
  t = await createTestApp();
  planner = await t.token({ role: 'planner' });
  await seedRosterDistrict(t.app, planner);
  eastHead = await t.token({ role: 'village_head', villages: [EAST] });
});
afterAll(async () => {
  await t.close();
});

/** A03 (王芳, 东村) has one uploaded window: unavailable 2021-12-13 08:00-16:00. */
const OUT = { cadreId: 'A03', from: '2021-12-14T00:00:00+08:00', to: '2021-12-15T00:00:00+08:00', reason: '发热' };

async function windowsOf(cadreId: string): Promise<{ start: string; end: string; kind: string }[]> {
  const res = await api(t.app, planner).get(`/api/v1/availability?cadreId=${cadreId}`);
  expect(res.status).toBe(200);
  return res.body.items[0]?.windows ?? [];
}

describe('absences', () => {
  it('when a planner adds an absence, then it is an unavailable window beside the person’s other windows', async () => {
    const before = await windowsOf('A03');
    expect(before).toHaveLength(1);

    const res = await api(t.app, planner).post('/api/v1/absences', OUT);

    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ cadreId: 'A03', cadreName: '王芳', village: EAST, from: OUT.from, to: OUT.to, reason: '发热' });
    const after = await windowsOf('A03');
    expect(after).toHaveLength(2);
    expect(after).toEqual(expect.arrayContaining([...before, expect.objectContaining({ kind: 'unavailable', start: OUT.from, end: OUT.to })]));
  });

  it('when the same absence is sent again, then 200 and nothing is added', async () => {
    const res = await api(t.app, planner).post('/api/v1/absences', OUT);
    expect(res.status).toBe(200);
    expect(await windowsOf('A03')).toHaveLength(2);
  });

  it('when a village head lists absences, then they see their villages’ only, with the reason', async () => {
    await api(t.app, planner).post('/api/v1/absences', { cadreId: 'B02', from: '2021-12-13T08:00:00+08:00', to: '2021-12-13T16:00:00+08:00' });

    const east = await api(t.app, eastHead).get('/api/v1/absences');
    const all = await api(t.app, planner).get('/api/v1/absences');

    expect(east.status).toBe(200);
    expect(east.body.items.map((a: { cadreId: string }) => a.cadreId).sort()).toEqual(['A03', 'A03']);
    expect(east.body.items.find((a: { from: string }) => a.from === OUT.from).reason).toBe('发热');
    expect(all.body.items.map((a: { cadreId: string }) => a.cadreId).sort()).toEqual(['A03', 'A03', 'B02']);
  });

  it('when a village head marks a person of another village, then 403 and nothing is written', async () => {
    const res = await api(t.app, eastHead).post('/api/v1/absences', { cadreId: 'B03', from: OUT.from, to: OUT.to });
    expect(res.status).toBe(403);
    expect(await windowsOf('B03')).toEqual([]);
  });

  it('when a village head marks a person of their village, then 201', async () => {
    const res = await api(t.app, eastHead).post('/api/v1/absences', { cadreId: 'A05', from: OUT.from, to: OUT.to });
    expect(res.status).toBe(201);
    expect(await windowsOf('A05')).toEqual([expect.objectContaining({ kind: 'unavailable', start: OUT.from })]);
  });

  it('when a cadre token asks, or the span is backwards, or the person is unknown, then it is refused', async () => {
    const cadre = await t.token({ role: 'cadre', cadreId: 'A03' });
    expect((await api(t.app, cadre).get('/api/v1/absences')).status).toBe(403);
    expect((await api(t.app, planner).post('/api/v1/absences', { ...OUT, from: OUT.to, to: OUT.from })).status).toBe(422);
    expect((await api(t.app, planner).post('/api/v1/absences', { ...OUT, cadreId: 'NOPE' })).status).toBe(404);
    expect((await api(t.app, planner).post('/api/v1/absences', { ...OUT, from: '2021-02-30T00:00:00+08:00' })).status).toBe(422);
  });

  it('when an absence is deleted, then only that window goes', async () => {
    const list = await api(t.app, eastHead).get('/api/v1/absences?cadreId=A03');
    const id = list.body.items.find((a: { from: string }) => a.from === OUT.from).id;

    const res = await api(t.app, eastHead).delete(`/api/v1/absences/${id}`);
    const again = await api(t.app, eastHead).delete(`/api/v1/absences/${id}`);

    expect(res.status).toBe(204);
    expect(again.status).toBe(404);
    expect(await windowsOf('A03')).toEqual([
      expect.objectContaining({ kind: 'unavailable', start: '2021-12-13T08:00:00+08:00', end: '2021-12-13T16:00:00+08:00' }),
    ]);
  });
});

describe('pins off the shift grid', () => {
  it('when a pin starts at 03:00 (shifts start at 00:00, 08:00, 16:00), then 422 naming the shift starts, and no pin is kept', async () => {
    const planId = await createRosterPlan(t.app, planner);
    const res = await api(t.app, planner).post(`/api/v1/plans/${planId}/pins`, { cadreId: 'A04', gateId: 'G1', start: '2021-12-13T03:00:00+08:00' });
    const outside = await api(t.app, planner).post(`/api/v1/plans/${planId}/pins`, { cadreId: 'A04', gateId: 'G1', start: '2021-12-20T08:00:00+08:00' });
    const good = await api(t.app, planner).post(`/api/v1/plans/${planId}/pins`, { cadreId: 'A04', gateId: 'G1', start: '2021-12-13T16:00:00+08:00' });

    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain('00:00, 08:00, 16:00');
    expect(outside.status).toBe(422);
    expect(good.status).toBe(201);
    expect(good.body.pins).toHaveLength(1);
  });
});

describe('HTTPS-only headers', () => {
  it('when PUBLIC_BASE_URL is unset (plain http on a LAN), then no HSTS and no upgrade-insecure-requests', async () => {
    const res = await request(t.app).get('/planner');
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(res.headers['content-security-policy']).toContain("form-action 'self'");
  });

  it('when PUBLIC_BASE_URL is https, or TLS_AT_PROXY is set, then both are sent', async () => {
    const envs: Record<string, string>[] = [
      { PUBLIC_BASE_URL: 'https://duty.example.gov.cn' },
      { TLS_AT_PROXY: 'true', PUBLIC_BASE_URL: 'http://roster.lan:3000' },
    ];
    for (const env of envs) {
      const https = await createTestApp(env);
      try {
        const res = await request(https.app).get('/planner');
        expect(res.headers['strict-transport-security'], JSON.stringify(env)).toContain('max-age=');
        expect(res.headers['content-security-policy']).toContain('upgrade-insecure-requests');
      } finally {
        await https.close();
      }
    }
  });
});
