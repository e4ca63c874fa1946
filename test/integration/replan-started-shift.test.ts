/**
 * The automatic re-plan on a day that has begun: absences for the whole local day posted
 * through the API when its first shift is already under way. The absent person on that
 * started shift cannot be kept on it by the solve (the absence covers it), and the re-plan
 * may then give them a later shift that only its removal made legal (here: a fourth night in
 * a row). Started shifts are history, so that person stays as published; the other fill-ins
 * of the day must still be published at once, not wait with them.
 *
 * The re-plan worker is given the instant (`runOnce(now)`): the plan lies ahead of the real
 * clock, the worker believes its first day began an hour ago.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localDate, localInstant } from '../../src/domain/time.js';
import { createLogger } from '../../src/logger.js';
import { ReplanWorker } from '../../src/replan/replan-protocol.js';
import type { SolveWorker } from '../../src/roster/solves.js';
import { api, publish, seedRosterDistrict, solve, testWorker } from '../helpers/roster-fixtures.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const ZONE = 'Asia/Shanghai';
const DAYS = 4;
/** The day after tomorrow: still ahead of the real clock if the run crosses local midnight. */
const day1 = addDays(localDate(new Date(), ZONE), 2);
const dayFrom = localInstant(day1, 0, ZONE);
const dayTo = localInstant(addDays(day1, 1), 0, ZONE);
/** What the re-plan worker is told the time is: the day's 00:00 shift has run for an hour. */
const NOW = localInstant(day1, 60, ZONE);

interface Row {
  cadreId: string;
  gateId: string;
  start: string;
  end: string;
}

let t: TestApp;
let planner: string;
let worker: SolveWorker;
let replanner: ReplanWorker;
let planId: string;

beforeAll(async () => {
  t = await createTestApp();
  planner = await t.token({ role: 'planner' });
  await seedRosterDistrict(t.app, planner);
  worker = testWorker(t.models);
  replanner = new ReplanWorker(t.models, createLogger('silent'));
  const created = await api(t.app, planner).post('/api/v1/plans', { name: '四日值守', start: day1, days: DAYS });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  planId = created.body.id as string;
  // Every fill-in of the plan is within the policy's hours (as in the drop-out bench).
  const patched = await api(t.app, planner).patch(`/api/v1/plans/${planId}`, { absencePolicy: { publishFillInsWithinHours: 24 * DAYS + 24 } });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  await publish(t.app, planner, planId, await solve(t.app, planner, worker, planId));
});
afterAll(async () => {
  await t?.close();
});

async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const busy = await replanner.runOnce(NOW);
    const solved = await worker.runOnce();
    if (!busy && !solved) return;
  }
  throw new Error('the re-plan did not settle');
}

async function roster(): Promise<Row[]> {
  const res = await api(t.app, planner).get(`/api/v1/plans/${planId}/roster`);
  expect(res.status).toBe(200);
  return res.body.assignments as Row[];
}

const at = (minutes: number) => localInstant(day1, minutes, ZONE).getTime();
const key = (r: Row) => `${r.cadreId}|${r.gateId}|${Date.parse(r.start)}`;
const place = (r: Row) => `${r.gateId}|${Date.parse(r.start)}`;
const shiftsOf = (rows: Row[], id: string) =>
  rows
    .filter((r) => r.cadreId === id)
    .map(key)
    .sort();

describe('absences for a day already under way', () => {
  it('when someone on the day’s started night shift and someone on its 08:00 shift are out for the whole day, then the 08:00 fill-in is published at once and the started shift stays as published', async () => {
    // Arrange: one person on the night shift that has started, one on a shift ahead.
    const before = await roster();
    const night = before.find((r) => Date.parse(r.start) === at(0)) as Row;
    const day = before.find((r) => Date.parse(r.start) === at(8 * 60) && r.gateId === night.gateId) as Row;
    expect(night, 'someone stands the first night').toBeDefined();
    expect(day, 'someone stands the first morning at the same gate').toBeDefined();
    const placesAtDay = before.filter((r) => place(r) === place(day)).length;

    // Act
    for (const cadreId of [night.cadreId, day.cadreId]) {
      const res = await api(t.app, planner).post('/api/v1/absences', { cadreId, from: dayFrom.toISOString(), to: dayTo.toISOString(), reason: '发热' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    await settle();

    // The scenario: the re-plan takes the night person off their started shift and gives
    // them a shift they did not have (the draft waits for the planner).
    const listed = (await api(t.app, planner).get(`/api/v1/absences?cadreId=${day.cadreId}`)).body.items as {
      from: string;
      replan: { status: string; results: { publishedVersion: number | null; draftSolveId?: string | null }[] };
    }[];
    const mine = listed.find((a) => Date.parse(a.from) === dayFrom.getTime());
    expect(mine?.replan.status).toBe('done');
    const round = await t.models.Replan.findOne({ _id: planId }).lean<{ solveId: string; note: string | null }>();
    const replanned = (await api(t.app, planner).get(`/api/v1/solves/${round?.solveId}/roster`)).body.assignments as Row[];
    expect(
      replanned.some((r) => key(r) === key(night)),
      'the solve could not keep the absent person on the started shift',
    ).toBe(false);
    expect(
      replanned.some((r) => r.cadreId === night.cadreId && !before.some((b) => key(b) === key(r))),
      'the re-plan gives the night person a shift their started night had ruled out',
    ).toBe(true);

    // Assert: a version is published at once with the 08:00 fill-in.
    expect(mine?.replan.results, JSON.stringify(round)).toEqual([expect.objectContaining({ publishedVersion: 2 })]);
    expect((await api(t.app, planner).get(`/api/v1/plans/${planId}`)).body.publishedVersion).toBe(2);
    const after = await roster();
    expect(
      after.some((r) => key(r) === key(day)),
      'the absent person is off the 08:00 shift',
    ).toBe(false);
    expect(after.filter((r) => place(r) === place(day)).length, 'the 08:00 place is filled again').toBe(placesAtDay);
    // History is not rewritten: the night person stays as published, their new shift waits.
    expect(shiftsOf(after, night.cadreId)).toEqual(shiftsOf(before, night.cadreId));
    expect(
      after
        .filter((r) => Date.parse(r.start) < NOW.getTime() + 2 * 60_000)
        .map(key)
        .sort(),
    ).toEqual(
      before
        .filter((r) => Date.parse(r.start) < NOW.getTime() + 2 * 60_000)
        .map(key)
        .sort(),
    );
    expect(round?.note).toMatch(/already started/);
    expect(mine?.replan.results[0]?.draftSolveId, 'what goes with the started shift waits as the draft').toBe(round?.solveId);
    // Everyone is as published or as re-planned (so every rule holds).
    for (const id of new Set(after.map((r) => r.cadreId))) {
      const now = shiftsOf(after, id);
      const was = new Set(shiftsOf(before, id));
      const will = new Set(shiftsOf(replanned, id));
      expect(now.every((k) => was.has(k)) || now.every((k) => will.has(k)), id).toBe(true);
    }
  });
});
