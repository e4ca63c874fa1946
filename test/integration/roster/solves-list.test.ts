/**
 * A plan's solves can be listed, newest first, with their status and outcome.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createRosterPlan, seedRosterDistrict, solve, testWorker } from '../../helpers/roster-fixtures.js';
import { createTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let planner: string;

beforeAll(async () => {
  t = await createTestApp();
  planner = await t.token({ role: 'planner' });
  await seedRosterDistrict(t.app, planner);
});
afterAll(async () => {
  await t.close();
});

describe('GET /api/v1/plans/:id/solves', () => {
  it('when a plan was solved twice, then both solves are listed newest first and done', async () => {
    // Arrange
    const planId = await createRosterPlan(t.app, planner);
    const worker = testWorker(t.models);
    const first = await solve(t.app, planner, worker, planId);
    const second = await solve(t.app, planner, worker, planId);

    // Act
    const res = await api(t.app, planner).get(`/api/v1/plans/${planId}/solves`);

    // Assert
    expect(res.status).toBe(200);
    expect(res.body.items.map((s: { id: string }) => s.id)).toEqual([second, first]);
    expect(res.body.items.every((s: { status: string; planId: string }) => s.status === 'done' && s.planId === planId)).toBe(true);
  });

  it('when the plan does not exist, then it answers 404', async () => {
    const res = await api(t.app, planner).get('/api/v1/plans/p_missing/solves');
    expect(res.status).toBe(404);
  });
});
