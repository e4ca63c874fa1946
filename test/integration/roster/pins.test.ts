/**
 * Pins: a planner fixes a person to a gate-shift; the next solve keeps it, marked pinned; a
 * pin that breaks a rule is not placed and is reported in the draft roster instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SolveWorker } from '../../../src/roster/solves.js';
import { api, assignmentKey, createRosterPlan, seedRosterDistrict, solve, testWorker, type AssignmentView } from '../../helpers/roster-fixtures.js';
import { createTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let planner: string;
let worker: SolveWorker;
let planId: string;

beforeAll(async () => {
  t = await createTestApp();
  planner = await t.token({ role: 'planner' });
  await seedRosterDistrict(t.app, planner);
  worker = testWorker(t.models);
  planId = await createRosterPlan(t.app, planner);
});
afterAll(async () => {
  await t.close();
});

// 刘洋 (A04) lives in 东村 and refuses nights: 东门 (G1, 东村) 16:00-24:00 on the first day is fine.
const GOOD = { cadreId: 'A04', gateId: 'G1', start: '2021-12-13T16:00:00+08:00' };
// 赵敏 (B02) may serve only 西村: a pin at 东门 breaks locality.
const OUT_OF_AREA = { cadreId: 'B02', gateId: 'G1', start: '2021-12-14T08:00:00+08:00' };
// 李娜 (A02) takes no nights: 00:00-08:00 breaks it.
const AT_NIGHT = { cadreId: 'A02', gateId: 'G1', start: '2021-12-14T00:00:00+08:00' };

const sameInstant = (a: string, b: string) => Date.parse(a) === Date.parse(b);

async function draft(
  solveId: string,
): Promise<{ assignments: AssignmentView[]; pinConflicts: { pin: { cadreId: string; gateId: string; start: string }; rule: string; message: string }[] }> {
  const res = await api(t.app, planner).get(`/api/v1/solves/${solveId}/roster`);
  expect(res.status).toBe(200);
  return res.body;
}

describe('pins', () => {
  it('when a planner pins a person to a gate-shift, then the plan lists the pin and the next solve keeps it as pinned', async () => {
    // Act
    const pinned = await api(t.app, planner).post(`/api/v1/plans/${planId}/pins`, GOOD);
    const solveId = await solve(t.app, planner, worker, planId);
    const roster = await draft(solveId);

    // Assert
    expect(pinned.status).toBe(201);
    expect(pinned.body.pins).toHaveLength(1);
    expect(pinned.body.pins[0]).toMatchObject({ cadreId: 'A04', gateId: 'G1' });
    expect(sameInstant(pinned.body.pins[0].start, GOOD.start)).toBe(true);
    const kept = roster.assignments.find((a) => assignmentKey(a) === assignmentKey(GOOD));
    expect(kept, 'the pinned assignment').toBeDefined();
    expect(kept!.pinned).toBe(true);
    expect(kept!.start).toBe(GOOD.start);
    expect(roster.assignments.filter((a) => a.pinned)).toHaveLength(1);
    expect(roster.pinConflicts).toEqual([]);
  });

  it('when a pin breaks a rule, then the solve does not place it and reports it in pinConflicts', async () => {
    // Arrange
    expect((await api(t.app, planner).post(`/api/v1/plans/${planId}/pins`, OUT_OF_AREA)).status).toBe(201);
    expect((await api(t.app, planner).post(`/api/v1/plans/${planId}/pins`, AT_NIGHT)).status).toBe(201);

    // Act
    const solveId = await solve(t.app, planner, worker, planId);
    const roster = await draft(solveId);

    // Assert
    const conflicts = roster.pinConflicts.map((c) => ({
      cadreId: c.pin.cadreId,
      gateId: c.pin.gateId,
      start: new Date(c.pin.start).toISOString(),
      rule: c.rule,
    }));
    expect(conflicts).toEqual(
      expect.arrayContaining([
        { cadreId: 'B02', gateId: 'G1', start: new Date(OUT_OF_AREA.start).toISOString(), rule: 'locality' },
        { cadreId: 'A02', gateId: 'G1', start: new Date(AT_NIGHT.start).toISOString(), rule: 'nightOk' },
      ]),
    );
    expect(conflicts).toHaveLength(2);
    for (const c of roster.pinConflicts) expect(c.message.length).toBeGreaterThan(0);
    expect(roster.assignments.some((a) => assignmentKey(a) === assignmentKey(OUT_OF_AREA))).toBe(false);
    expect(roster.assignments.some((a) => assignmentKey(a) === assignmentKey(AT_NIGHT))).toBe(false);
    expect(roster.assignments.find((a) => assignmentKey(a) === assignmentKey(GOOD))?.pinned).toBe(true);
  });

  it('when a pin is deleted, then the plan no longer lists it and the next solve marks nothing pinned for it', async () => {
    // Act
    const removed = await api(t.app, planner).delete(`/api/v1/plans/${planId}/pins`, GOOD);
    const again = await api(t.app, planner).delete(`/api/v1/plans/${planId}/pins`, GOOD);
    await api(t.app, planner).delete(`/api/v1/plans/${planId}/pins`, OUT_OF_AREA);
    await api(t.app, planner).delete(`/api/v1/plans/${planId}/pins`, AT_NIGHT);
    const solveId = await solve(t.app, planner, worker, planId);
    const roster = await draft(solveId);

    // Assert
    expect(removed.status).toBe(200);
    expect(removed.body.pins.map((p: { cadreId: string }) => p.cadreId).sort()).toEqual(['A02', 'B02']);
    expect(again.status).toBe(404);
    expect((await api(t.app, planner).get(`/api/v1/plans/${planId}`)).body.pins).toEqual([]);
    expect(roster.assignments.filter((a) => a.pinned)).toEqual([]);
    expect(roster.pinConflicts).toEqual([]);
  });

  it('when a pin names an unknown gate or person, then 422 and the plan is unchanged', async () => {
    // Act
    const gate = await api(t.app, planner).post(`/api/v1/plans/${planId}/pins`, { ...GOOD, gateId: 'G9' });
    const person = await api(t.app, planner).post(`/api/v1/plans/${planId}/pins`, { ...GOOD, cadreId: 'Z99' });

    // Assert
    expect(gate.status).toBe(422);
    expect(person.status).toBe(422);
    expect((await api(t.app, planner).get(`/api/v1/plans/${planId}`)).body.pins).toEqual([]);
  });
});
