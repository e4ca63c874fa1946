/**
 * Plans as village heads and people read them: no pins (they name people and gates of every
 * village), no gate list, no running solve, and no planner token ids on published versions.
 * Planners read everything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EAST, WEST, api, createRosterPlan, publish, seedRosterDistrict, solve, testWorker } from '../helpers/roster-fixtures.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let planner: string;
let plannerTokenId: string;
let planId: string;
let solveId: string;
const readers: Record<'village_head' | 'cadre', string> = { village_head: '', cadre: '' };

// An East and a West pin; the plan rosters all four gates by name (G3, G4 are West's).
const EAST_PIN = { cadreId: 'A04', gateId: 'G1', start: '2021-12-13T16:00:00+08:00' };
const WEST_PIN = { cadreId: 'B02', gateId: 'G3', start: '2021-12-14T08:00:00+08:00' };

beforeAll(async () => {
  t = await createTestApp();
  planner = await t.token({ role: 'planner' });
  await seedRosterDistrict(t.app, planner);
  planId = await createRosterPlan(t.app, planner);
  const p = api(t.app, planner);
  expect((await p.patch(`/api/v1/plans/${planId}`, { gateIds: ['G1', 'G2', 'G3', 'G4'] })).status).toBe(200);
  for (const pin of [EAST_PIN, WEST_PIN]) expect((await p.post(`/api/v1/plans/${planId}/pins`, pin)).status).toBe(201);
  solveId = await solve(t.app, planner, testWorker(t.models), planId);
  await publish(t.app, planner, planId, solveId);
  plannerTokenId = (await p.get(`/api/v1/plans/${planId}/versions`)).body.items[0].publishedBy;
  // A second solve stays queued (no worker runs it): the plan has an active solve.
  expect((await p.post(`/api/v1/plans/${planId}/solve`)).status).toBe(202);
  readers.village_head = await t.token({ role: 'village_head', villages: [EAST] });
  readers.cadre = await t.token({ role: 'cadre', cadreId: 'A04' });
});
afterAll(async () => {
  await t.close();
});

/** Nothing in `body` names the West village, its gates or people, or the planner's token. */
function expectNothingOfOthers(body: unknown): void {
  const text = JSON.stringify(body);
  for (const other of [WEST, 'G3', 'G4', 'B02', plannerTokenId, solveId]) expect(text, other).not.toContain(other);
}

describe('planner', () => {
  it('when a planner reads the plan, the list and the versions, then pins, gates, the active solve and who published are there', async () => {
    // Act
    const one = await api(t.app, planner).get(`/api/v1/plans/${planId}`);
    const list = await api(t.app, planner).get('/api/v1/plans');
    const versions = await api(t.app, planner).get(`/api/v1/plans/${planId}/versions`);

    // Assert
    expect(one.status).toBe(200);
    expect(one.body.pins.map((p: { gateId: string }) => p.gateId).sort()).toEqual(['G1', 'G3']);
    expect(one.body.spec.gateIds).toEqual(['G1', 'G2', 'G3', 'G4']);
    expect(one.body.activeSolveId).toEqual(expect.any(String));
    expect(list.body.items).toEqual([one.body]);
    expect(versions.body.items).toEqual([expect.objectContaining({ version: 1, solveId, publishedBy: plannerTokenId })]);
    expect(plannerTokenId).toEqual(expect.any(String));
  });
});

describe.each(['village_head', 'cadre'] as const)('%s', (role) => {
  it(`when a ${role} reads the plan and the list, then they get the plan without pins, gate list or active solve`, async () => {
    // Act
    const one = await api(t.app, readers[role]).get(`/api/v1/plans/${planId}`);
    const list = await api(t.app, readers[role]).get('/api/v1/plans');

    // Assert
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      id: planId,
      name: expect.any(String),
      publishedVersion: 1,
      spec: { start: '2021-12-13', days: 2, timezone: 'Asia/Shanghai' },
    });
    expect(one.body).not.toHaveProperty('pins');
    expect(one.body).not.toHaveProperty('activeSolveId');
    expect(one.body.spec).not.toHaveProperty('gateIds');
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([one.body]);
    expectNothingOfOthers(one.body);
    expectNothingOfOthers(list.body);
  });

  it(`when a ${role} reads the published versions, then they get version and time, not who published or from which solve`, async () => {
    // Act
    const versions = await api(t.app, readers[role]).get(`/api/v1/plans/${planId}/versions`);

    // Assert
    expect(versions.status).toBe(200);
    expect(versions.body.items).toEqual([{ planId, version: 1, publishedAt: expect.any(String) }]);
    expectNothingOfOthers(versions.body);
  });
});
