/**
 * Publishing is idempotent (the current draft again makes no new version) and a plan can be
 * rolled back: an earlier version's roster becomes current as a new version, and calendars
 * update the same events in place.
 */
import { describe, expect, it } from 'vitest';
import { csvUpload, put, sheetOf } from '../../helpers/fixtures.js';
import { api, createRosterPlan, feedPath, getFeed, parseFeed, publish, seedRosterDistrict, solve, testWorker } from '../../helpers/roster-fixtures.js';
import { usePlannerApp } from '../../helpers/test-app.js';

const f = usePlannerApp(seedRosterDistrict);

async function feedOf(path: string): Promise<Map<string, number>> {
  const res = await getFeed(f.t.app, path);
  expect(res.status).toBe(200);
  return new Map(parseFeed(res.body).events.map((e) => [e.uid, e.sequence]));
}

describe('publish again and roll back', () => {
  it('when the current draft is published again, then it answers 200 with the same version; when rolled back, then the old roster is current as a new version with the same event UIDs', async () => {
    const worker = testWorker(f.t.models);
    const planId = await createRosterPlan(f.t.app, f.planner);
    const first = await solve(f.t.app, f.planner, worker, planId);
    expect(await publish(f.t.app, f.planner, planId, first)).toBe(1);

    const again = await api(f.t.app, f.planner).post(`/api/v1/plans/${planId}/publish`, { solveId: first });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ version: 1, created: false });

    const link = await api(f.t.app, f.planner).post('/api/v1/cadres/A01/feed-token');
    const path = feedPath(link.body.url);
    const atFirst = await feedOf(path);
    expect(atFirst.size, 'A01 stands duty in the first roster').toBeGreaterThan(0);

    // A01 away: the second roster takes their shifts away.
    const away = sheetOf('availability', [{ cadre_id: 'A01', start: '2021-12-13 00:00', end: '2021-12-15 00:00', kind: 'unavailable' }]);
    expect((await put(f.t.app, f.planner, 'availability', csvUpload(away))).status).toBe(200);
    expect(await publish(f.t.app, f.planner, planId, await solve(f.t.app, f.planner, worker, planId))).toBe(2);
    expect((await feedOf(path)).size).toBe(0);

    const rolledBack = await api(f.t.app, f.planner).post(`/api/v1/plans/${planId}/rollback`, { version: 1 });
    expect(rolledBack.status, JSON.stringify(rolledBack.body)).toBe(201);
    expect(rolledBack.body).toMatchObject({ version: 3, solveId: first, created: true });
    const versions = await api(f.t.app, f.planner).get(`/api/v1/plans/${planId}/versions`);
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([1, 2, 3]);

    const afterRollback = await feedOf(path);
    expect([...afterRollback.keys()].sort(), 'the same events come back').toEqual([...atFirst.keys()].sort());
    for (const [uid, sequence] of afterRollback) expect(sequence, uid).toBeGreaterThan(atFirst.get(uid)!);

    const missing = await api(f.t.app, f.planner).post(`/api/v1/plans/${planId}/rollback`, { version: 9 });
    expect(missing.status).toBe(404);
  });
});
