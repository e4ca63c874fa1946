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

  it('when a solve is done, then GET /api/v1/solves/{id} splits its time: queued, snapshot, context, solver (holding the solver stages), store, within its wall time', async () => {
    const planId = await createRosterPlan(t.app, planner);
    const id = await solve(t.app, planner, testWorker(t.models), planId);
    const res = await api(t.app, planner).get(`/api/v1/solves/${id}`);
    expect(res.status).toBe(200);
    const timings = res.body.timings as Record<string, number>;
    expect(Object.keys(timings).sort()).toEqual(['contextMs', 'queuedMs', 'snapshotMs', 'solverMs', 'storeMs']);
    for (const ms of Object.values(timings)) expect(Number.isInteger(ms) && ms >= 0).toBe(true);
    const stages = (res.body.metrics.stages as { ms: number }[]).reduce((sum, s) => sum + s.ms, 0);
    expect(timings.solverMs! + 1, 'the solver part holds its stages').toBeGreaterThanOrEqual(stages);
    // The stored instants (the answer's are whole seconds in the plan's offset).
    const doc = await t.models.Solve.findOne({ _id: id }).lean<{ createdAt: Date; finishedAt: Date }>();
    const wall = doc!.finishedAt.getTime() - doc!.createdAt.getTime();
    const parts = Object.values(timings).reduce((sum, ms) => sum + ms, 0);
    expect(parts, 'the parts fit in the wall time from request to finish').toBeLessThanOrEqual(wall + 5);
  });

  it('when the plan does not exist, then it answers 404', async () => {
    const res = await api(t.app, planner).get('/api/v1/plans/p_missing/solves');
    expect(res.status).toBe(404);
  });
});
