/**
 * Who may read and do what with plans, rosters and feed links: a village head sees only
 * their villages, a person only themself; planning actions are for planners.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EAST,
  WEST,
  api,
  createRosterPlan,
  getBytes,
  publish,
  seedRosterDistrict,
  solve,
  testWorker,
  type AssignmentView,
  type GapView,
} from '../../helpers/roster-fixtures.js';
import { createTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let planner: string;
let headOfEast: string;
let cadre: string;
let cadreId: string;
let otherCadreId: string;
let planId: string;
let solveId: string;
let full: { assignments: AssignmentView[]; gaps: GapView[] };

beforeAll(async () => {
  t = await createTestApp();
  planner = await t.token({ role: 'planner' });
  await seedRosterDistrict(t.app, planner);
  planId = await createRosterPlan(t.app, planner);
  solveId = await solve(t.app, planner, testWorker(t.models), planId);
  await publish(t.app, planner, planId, solveId);
  full = (await api(t.app, planner).get(`/api/v1/plans/${planId}/roster`)).body;
  const people = [...new Set(full.assignments.map((a) => a.cadreId))].sort();
  cadreId = people[0]!;
  otherCadreId = people[1]!;
  headOfEast = await t.token({ role: 'village_head', villages: [EAST] });
  cadre = await t.token({ role: 'cadre', cadreId });
});
afterAll(async () => {
  await t.close();
});

describe('village head', () => {
  it("when a village head reads the roster and gaps, then only their village's gates appear", async () => {
    // Act
    const roster = await api(t.app, headOfEast).get(`/api/v1/plans/${planId}/roster`);
    const gaps = await api(t.app, headOfEast).get(`/api/v1/plans/${planId}/gaps`);
    const csv = await getBytes(t.app, headOfEast, `/api/v1/plans/${planId}/roster`, 'text/csv');
    const widened = await api(t.app, headOfEast).get(`/api/v1/plans/${planId}/roster?village=${encodeURIComponent(WEST)}`);

    // Assert
    expect(roster.status).toBe(200);
    const east = full.assignments.filter((a) => a.village === EAST);
    expect(east.length).toBeGreaterThan(0);
    expect(full.assignments.some((a) => a.village === WEST)).toBe(true);
    expect(roster.body.assignments).toEqual(east);
    expect(roster.body.gaps).toEqual(full.gaps.filter((g) => g.village === EAST));
    expect(roster.body.metrics).toBeUndefined();
    expect(roster.body.pinConflicts).toBeUndefined();
    expect(roster.body).not.toHaveProperty('solveId');
    expect(gaps.body.gaps).toEqual(full.gaps.filter((g) => g.village === EAST));
    const csvRows = (csv.body as Buffer)
      .toString('utf8')
      .split('\r\n')
      .filter((l) => l !== '')
      .slice(1);
    expect(csvRows).toHaveLength(east.length);
    expect(csvRows.every((l) => l.includes(`,${EAST},`))).toBe(true);
    expect(widened.body.assignments).toEqual([]);
    expect(widened.body.gaps).toEqual([]);
  });

  it('when a village head reads the daily report and the diff, then only their village appears', async () => {
    // Act
    const report = await api(t.app, headOfEast).get(`/api/v1/plans/${planId}/report?date=2021-12-13`);
    const diff = await api(t.app, headOfEast).get(`/api/v1/plans/${planId}/diff?from=1&to=1`);

    // Assert
    expect(report.status).toBe(200);
    expect(report.body.towns).toHaveLength(1);
    expect(report.body.towns[0].villages.map((v: { village: string }) => v.village)).toEqual([EAST]);
    const day = full.assignments.filter((a) => a.village === EAST && a.start.startsWith('2021-12-13'));
    expect(report.body.district.placesFilled).toBe(day.length);
    expect(diff.status).toBe(200);
    expect(diff.body.totals.unchanged).toBe(full.assignments.filter((a) => a.village === EAST).length);
  });

  it('when a village head asks for a feed link of another village, then 403; for their own, 201', async () => {
    // Act
    const other = await api(t.app, headOfEast).post(`/api/v1/villages/${encodeURIComponent(WEST)}/feed-token`);
    const revokeOther = await api(t.app, headOfEast).delete(`/api/v1/villages/${encodeURIComponent(WEST)}/feed-token`);
    const own = await api(t.app, headOfEast).post(`/api/v1/villages/${encodeURIComponent(EAST)}/feed-token`);
    const person = await api(t.app, headOfEast).post(`/api/v1/cadres/${cadreId}/feed-token`);

    // Assert
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('forbidden');
    expect(revokeOther.status).toBe(403);
    expect(own.status).toBe(201);
    expect(person.status).toBe(403);
  });
});

describe('cadre', () => {
  it('when a person reads the roster, then only their own shifts appear, gaps are empty, and a filter naming someone else matches nothing', async () => {
    // Act
    const roster = await api(t.app, cadre).get(`/api/v1/plans/${planId}/roster`);
    const gaps = await api(t.app, cadre).get(`/api/v1/plans/${planId}/gaps`);
    const someoneElse = await api(t.app, cadre).get(`/api/v1/plans/${planId}/roster?cadreId=${otherCadreId}`);

    // Assert
    expect(roster.status).toBe(200);
    const mine = full.assignments.filter((a) => a.cadreId === cadreId);
    expect(mine.length).toBeGreaterThan(0);
    expect(roster.body.assignments).toEqual(mine);
    expect(roster.body.gaps).toEqual([]);
    expect(roster.body.metrics).toBeUndefined();
    expect(roster.body).not.toHaveProperty('solveId');
    expect(gaps.status).toBe(200);
    expect(gaps.body.gaps).toEqual([]);
    expect(someoneElse.status).toBe(200);
    expect(someoneElse.body.assignments).toEqual([]);
  });

  it('when a person asks for the daily report, then 403', async () => {
    // Act
    const report = await api(t.app, cadre).get(`/api/v1/plans/${planId}/report?date=2021-12-13`);

    // Assert
    expect(report.status).toBe(403);
    expect(report.body.error.code).toBe('forbidden');
  });

  it("when a person rotates their own feed link, then 201; someone else's, 403", async () => {
    // Act
    const own = await api(t.app, cadre).post(`/api/v1/cadres/${cadreId}/feed-token`);
    const other = await api(t.app, cadre).post(`/api/v1/cadres/${otherCadreId}/feed-token`);
    const revokeOther = await api(t.app, cadre).delete(`/api/v1/cadres/${otherCadreId}/feed-token`);
    const village = await api(t.app, cadre).post(`/api/v1/villages/${encodeURIComponent(EAST)}/feed-token`);
    const revokeOwn = await api(t.app, cadre).delete(`/api/v1/cadres/${cadreId}/feed-token`);

    // Assert
    expect(own.status).toBe(201);
    expect(own.body.url).toMatch(/\/feeds\/[A-Za-z0-9_-]+\.ics$/);
    expect(other.status).toBe(403);
    expect(revokeOther.status).toBe(403);
    expect(village.status).toBe(403);
    expect(revokeOwn.status).toBe(204);
  });
});

describe('planning actions', () => {
  const pin = () => ({ cadreId, gateId: 'G1', start: '2021-12-13T16:00:00+08:00' });
  const actions: [string, (token: string) => ReturnType<ReturnType<typeof api>['get']>][] = [
    ['POST /plans', (tk) => api(t.app, tk).post('/api/v1/plans', { name: 'x', start: '2021-12-13', days: 1 })],
    ['PATCH /plans/:id', (tk) => api(t.app, tk).patch(`/api/v1/plans/${planId}`, { name: 'y' })],
    ['POST /plans/:id/solve', (tk) => api(t.app, tk).post(`/api/v1/plans/${planId}/solve`)],
    ['POST /plans/:id/publish', (tk) => api(t.app, tk).post(`/api/v1/plans/${planId}/publish`, { solveId })],
    ['POST /plans/:id/pins', (tk) => api(t.app, tk).post(`/api/v1/plans/${planId}/pins`, pin())],
    ['DELETE /plans/:id/pins', (tk) => api(t.app, tk).delete(`/api/v1/plans/${planId}/pins`, pin())],
    ['GET /plans/:id/solves', (tk) => api(t.app, tk).get(`/api/v1/plans/${planId}/solves`)],
    ['GET /solves/:id', (tk) => api(t.app, tk).get(`/api/v1/solves/${solveId}`)],
    ['GET /solves/:id/roster', (tk) => api(t.app, tk).get(`/api/v1/solves/${solveId}/roster`)],
  ];

  for (const role of ['village_head', 'cadre'] as const) {
    it.each(actions.map(([name, call]) => ({ name, call })))(`when a ${role} token tries $name, then 403 and nothing changes`, async ({ call }) => {
      // Arrange
      const token = role === 'cadre' ? cadre : headOfEast;
      const before = (await api(t.app, planner).get(`/api/v1/plans/${planId}`)).body;

      // Act
      const res = await call(token);

      // Assert
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      const after = (await api(t.app, planner).get(`/api/v1/plans/${planId}`)).body;
      expect(after).toEqual(before);
      expect((await api(t.app, planner).get('/api/v1/plans')).body.items).toHaveLength(1);
    });
  }
});
