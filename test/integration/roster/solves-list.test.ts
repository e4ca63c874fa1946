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

  it('when a solve is done, then GET /api/v1/solves/{id} splits its time into named parts that add up to no more than its total, and the total fits in its wall time', async () => {
    const planId = await createRosterPlan(t.app, planner);
    const id = await solve(t.app, planner, testWorker(t.models), planId);
    const res = await api(t.app, planner).get(`/api/v1/solves/${id}`);
    expect(res.status).toBe(200);
    const timings = res.body.timings as {
      queuedMs: number;
      snapshotMs: number;
      contextMs: number;
      solverMs: number;
      storeMs: number;
      totalMs: number;
      solver: { threadStartMs: number; modelMs: number; stages: Record<string, number>; boundsMs: number; reportMs: number; resultMs: number };
      store: { packMs: number; writeMs: number };
    };
    expect(Object.keys(timings).sort()).toEqual(['contextMs', 'queuedMs', 'snapshotMs', 'solver', 'solverMs', 'store', 'storeMs', 'totalMs']);
    expect(Object.keys(timings.solver).sort()).toEqual(['boundsMs', 'modelMs', 'reportMs', 'resultMs', 'stages', 'threadStartMs']);
    expect(Object.keys(timings.store).sort()).toEqual(['packMs', 'writeMs']);
    const numbers = [
      timings.queuedMs,
      timings.snapshotMs,
      timings.contextMs,
      timings.solverMs,
      timings.storeMs,
      timings.totalMs,
      timings.solver.threadStartMs,
      timings.solver.modelMs,
      timings.solver.boundsMs,
      timings.solver.reportMs,
      timings.solver.resultMs,
      ...Object.values(timings.solver.stages),
      timings.store.packMs,
      timings.store.writeMs,
    ];
    for (const ms of numbers) expect(Number.isInteger(ms) && ms >= 0).toBe(true);

    // The solver's stages are the ones metrics.stages names, beside the model build, the bounds and the report.
    const stages = res.body.metrics.stages as { name: string; ms: number }[];
    expect(Object.keys(timings.solver.stages).sort()).toEqual(
      stages
        .map((s) => s.name)
        .filter((n) => !['index', 'bounds', 'report'].includes(n))
        .sort(),
    );
    expect(stages.map((s) => s.name)).toEqual(expect.arrayContaining(['index', 'bounds', 'report']));

    // Parts within parts: each level adds up to no more than the figure it splits (whole ms, so 1 ms of rounding per part).
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    const solverParts = [
      timings.solver.threadStartMs,
      timings.solver.modelMs,
      ...Object.values(timings.solver.stages),
      timings.solver.boundsMs,
      timings.solver.reportMs,
      timings.solver.resultMs,
    ];
    expect(sum(solverParts), 'the solver parts fit in solverMs').toBeLessThanOrEqual(timings.solverMs + solverParts.length);
    expect(sum([timings.store.packMs, timings.store.writeMs]), 'the store parts fit in storeMs').toBeLessThanOrEqual(timings.storeMs + 2);
    expect(
      sum([timings.queuedMs, timings.snapshotMs, timings.contextMs, timings.solverMs, timings.storeMs]),
      'the top-level parts fit in the total',
    ).toBeLessThanOrEqual(timings.totalMs);
    // The stored instants (the answer's are whole seconds in the plan's offset).
    const doc = await t.models.Solve.findOne({ _id: id }).lean<{ createdAt: Date; finishedAt: Date }>();
    const wall = doc!.finishedAt.getTime() - doc!.createdAt.getTime();
    expect(timings.totalMs, 'the total fits in the wall time from request to finish').toBeLessThanOrEqual(wall + 5);
  });

  it('when the plan does not exist, then it answers 404', async () => {
    const res = await api(t.app, planner).get('/api/v1/plans/p_missing/solves');
    expect(res.status).toBe(404);
  });
});
