/**
 * A roll survives a kill -9 at each of its steps that writes: the real service, as a process,
 * kills itself (SIGKILL) at each roll fault point (src/roster/roll-faults.ts) after a planner
 * asks for a roll; a restarted service on the same database must finish it: the plan's days
 * moved once, exactly one new version, the shifts inside the freeze window as published,
 * ended shifts kept, and every person's feed equal to their shifts in the live version.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { addDays, localDate } from '../../src/domain/time.js';
import { ROLL_FAULT_POINTS } from '../../src/roster/roll-faults.js';
import { api, parseFeed, publish, seedRosterDistrict, solve, testWorker, type AssignmentView } from '../helpers/roster-fixtures.js';
import { eventually, startServiceProcess } from '../helpers/service-process.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const ZONE = 'Asia/Shanghai';
const apps: TestApp[] = [];
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
});

/** A published three-day plan that began yesterday (real time: the roll drops yesterday). */
async function setUp() {
  const t = await createTestApp();
  apps.push(t);
  const planner = await t.token({ role: 'planner' });
  await seedRosterDistrict(t.app, planner);
  const yesterday = addDays(localDate(new Date(), ZONE), -1);
  const planId = (await api(t.app, planner).post('/api/v1/plans', { name: '滚动值守', start: yesterday, days: 3 })).body.id as string;
  await publish(t.app, planner, planId, await solve(t.app, planner, testWorker(t.models), planId));
  const before = (await api(t.app, planner).get(`/api/v1/plans/${planId}/roster`)).body.assignments as AssignmentView[];
  return { t, planner, planId, yesterday, before };
}

function env(dbName: string, fault?: string): Record<string, string> {
  return {
    MONGODB_URI: `${inject('mongoUri')}${dbName}`,
    RUN_WORKER: 'true',
    RUN_DELIVERY: 'false',
    ...(process.env.SHOW_OUTPUT ? { LOG_LEVEL: 'info' } : {}),
    ...(fault ? { FAULT_AT: fault } : {}),
  };
}

const key = (r: { cadreId: string; gateId: string; start: string }) => `${r.cadreId}|${r.gateId}|${new Date(r.start).toISOString()}`;

describe('killed while rolling a plan', () => {
  for (const fault of ROLL_FAULT_POINTS) {
    it(`when killed at ${fault}, then after a restart the roll finishes once: days moved, one new version, the freeze window as published, feeds equal to the live version`, async () => {
      // Arrange
      const s = await setUp();
      const doomed = await startServiceProcess(env(s.t.dbName, fault));
      const asked = Date.now();

      // Act: the planner asks for a roll; the service dies at the fault point.
      void doomed.api('POST', `/api/v1/plans/${s.planId}/roll`, s.planner, { days: 1 });
      const how = await Promise.race([doomed.exited, new Promise((r) => setTimeout(() => r('alive'), 90_000))]);
      expect(how, `the service should have killed itself at ${fault}:\n${doomed.output()}`).toBe('SIGKILL');
      const svc = await startServiceProcess(env(s.t.dbName));
      try {
        // Assert
        const roll = await eventually(
          async () => {
            const r = await svc.api('GET', `/api/v1/plans/${s.planId}/roll`, s.planner);
            return r.status === 200 && r.body.phase === 'idle' ? r.body : undefined;
          },
          120_000,
          'the roll to finish',
        );
        expect(roll.result).toEqual({ publishedVersion: 2, draftSolveId: null, error: null });
        const plan = await svc.api('GET', `/api/v1/plans/${s.planId}`, s.planner);
        expect(plan.body.publishedVersion, 'one new version, not two').toBe(2);
        expect(plan.body.spec.start).toBe(addDays(s.yesterday, 1));
        expect(plan.body.spec.days).toBe(3);

        const after = (await svc.api('GET', `/api/v1/plans/${s.planId}/roster`, s.planner)).body.assignments as AssignmentView[];
        const freeze = Date.parse(roll.freezeUntil);
        expect(freeze).toBeGreaterThanOrEqual(asked + 24 * 3_600_000 - 1000);
        const kept = new Set(after.map(key));
        for (const r of s.before.filter((x) => Date.parse(x.start) < freeze)) expect(kept.has(key(r)), `published ${key(r)} kept`).toBe(true);
        const frozenNow = after
          .filter((x) => Date.parse(x.start) < freeze && Date.parse(x.start) >= asked)
          .map(key)
          .sort();
        const frozenBefore = s.before
          .filter((x) => Date.parse(x.start) < freeze && Date.parse(x.start) >= asked)
          .map(key)
          .sort();
        for (const k of frozenBefore) expect(frozenNow).toContain(k);
        expect(
          after.some((r) => r.start.startsWith(addDays(s.yesterday, 3))),
          'the new day is planned',
        ).toBe(true);

        // Every person of the live roster: their feed holds exactly their shifts.
        for (const cadreId of [...new Set(after.map((r) => r.cadreId))].slice(0, 4)) {
          const link = await svc.api('POST', `/api/v1/cadres/${cadreId}/feed-token`, s.planner);
          const feed = await fetch(`${svc.baseUrl}${new URL(link.body.url).pathname}`);
          const starts = parseFeed(await feed.text())
            .events.map((e) => e.start.toISOString())
            .sort();
          expect(starts, cadreId).toEqual(
            after
              .filter((r) => r.cadreId === cadreId)
              .map((r) => new Date(r.start).toISOString())
              .sort(),
          );
        }
        const versions = await svc.api('GET', `/api/v1/plans/${s.planId}/versions`, s.planner);
        expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([1, 2]);
      } finally {
        if (process.env.SHOW_OUTPUT) console.log(svc.output());
        await svc.stop();
      }
    });
  }
});
