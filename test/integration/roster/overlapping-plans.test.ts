/**
 * Two plans for the same days: both publish, nobody stands two gates at once, and a person's
 * feed carries the shifts of both with distinct UIDs.
 */
import { describe, expect, it } from 'vitest';
import { eventUid } from '../../../src/feeds/uid.js';
import {
  api,
  createRosterPlan,
  feedPath,
  getFeed,
  parseFeed,
  publish,
  seedRosterDistrict,
  solve,
  testWorker,
  type AssignmentView,
} from '../../helpers/roster-fixtures.js';
import { usePlannerApp } from '../../helpers/test-app.js';

const f = usePlannerApp(seedRosterDistrict);

async function rosterOf(planId: string): Promise<AssignmentView[]> {
  const res = await api(f.t.app, f.planner).get(`/api/v1/plans/${planId}/roster`);
  expect(res.status).toBe(200);
  return res.body.assignments;
}

function overlaps(a: AssignmentView[], b: AssignmentView[]): string[] {
  return a
    .filter((x) => b.some((y) => y.cadreId === x.cadreId && Date.parse(y.start) < Date.parse(x.end) && Date.parse(y.end) > Date.parse(x.start)))
    .map((x) => `${x.cadreId}@${x.start}`);
}

describe('two plans for the same days', () => {
  it('when a second plan for the same days is solved after the first was published, then it avoids everyone’s published hours, both publish, and a feed shows both plans', async () => {
    const worker = testWorker(f.t.models);
    const first = await createRosterPlan(f.t.app, f.planner, '第一套');
    const staleSecond = await createRosterPlan(f.t.app, f.planner, '第二套');
    // Solved before the first plan is published: it cannot know those hours are taken.
    const staleSolve = await solve(f.t.app, f.planner, worker, staleSecond);
    await publish(f.t.app, f.planner, first, await solve(f.t.app, f.planner, worker, first));

    const refused = await api(f.t.app, f.planner).post(`/api/v1/plans/${staleSecond}/publish`, { solveId: staleSolve });
    expect(refused.status, 'a roster that double-books people is refused').toBe(409);
    expect(refused.body.error.details.total).toBeGreaterThan(0);

    const freshSolve = await solve(f.t.app, f.planner, worker, staleSecond);
    expect(await publish(f.t.app, f.planner, staleSecond, freshSolve)).toBe(1);
    const [a, b] = [await rosterOf(first), await rosterOf(staleSecond)];
    expect(a.length).toBeGreaterThan(0);
    expect(b.length, 'the second plan still rosters the hours people have left').toBeGreaterThan(0);
    expect(overlaps(b, a), 'nobody is on duty in both plans at once').toEqual([]);

    const person = b[0]?.cadreId ?? a[0]!.cadreId;
    const link = await api(f.t.app, f.planner).post(`/api/v1/cadres/${person}/feed-token`);
    const feed = await getFeed(f.t.app, feedPath(link.body.url));
    expect(feed.status).toBe(200);
    const uids = parseFeed(feed.body)
      .events.map((e) => e.uid)
      .sort();
    const expected = [
      ...a.filter((x) => x.cadreId === person).map((x) => eventUid(person, x.gateId, new Date(x.start), first)),
      ...b.filter((x) => x.cadreId === person).map((x) => eventUid(person, x.gateId, new Date(x.start), staleSecond)),
    ].sort();
    expect(uids).toEqual(expected);
    expect(new Set(uids).size).toBe(uids.length);
  });
});
