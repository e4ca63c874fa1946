/**
 * The automatic re-plan survives a kill -9 anywhere between accepting an absence and
 * publishing its fill-ins: the real service, as a process, kills itself (SIGKILL) at each
 * re-plan fault point (src/replan/faults.ts) after an absence is posted; a restarted service
 * on the same database must publish the fill-ins exactly once (one new version), finish the
 * absence's re-plan, and deliver each message once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localDate, localInstant } from '../../src/domain/time.js';
import { createLogger } from '../../src/logger.js';
import type { OutboxDoc } from '../../src/messaging/outbox.js';
import { REPLAN_FAULT_POINTS } from '../../src/replan/faults.js';
import { api, EAST, publish, ROSTER_CADRES, seedRosterDistrict, solve, testWorker } from '../helpers/roster-fixtures.js';
import { eventually, startServiceProcess } from '../helpers/service-process.js';
import { crashEnv } from './crash-env.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { drain, testDelivery } from '../integration/messaging/helpers.js';
import { startRobotServer, type RobotServer } from '../integration/messaging/robot-server.js';

const ZONE = 'Asia/Shanghai';
let robots: RobotServer;
const apps: TestApp[] = [];
beforeAll(async () => {
  robots = await startRobotServer();
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await robots.close();
});

/** A published two-day plan starting tomorrow, with an east-village group and a webhook that get every shift change. */
async function setUp(name: string) {
  const t = await createTestApp();
  apps.push(t);
  const planner = await t.token({ role: 'planner' });
  await seedRosterDistrict(t.app, planner);
  const hook = `${name}-hook`;
  robots.secrets.set(hook, `secret-${name}`);
  for (const body of [
    { kind: 'wecom', url: robots.urlOf('wecom', `${name}-east`), villages: [EAST], events: ['shift_changed'] },
    { kind: 'webhook', url: robots.urlOf('webhook', hook), secret: `secret-${name}`, events: ['shift_changed', 'publish_summary'] },
  ]) {
    expect((await api(t.app, planner).post('/api/v1/channels', body)).status).toBe(201);
  }
  const day1 = addDays(localDate(new Date(), ZONE), 1);
  const planId = (await api(t.app, planner).post('/api/v1/plans', { name: '两日值守', start: day1, days: 2 })).body.id as string;
  await publish(t.app, planner, planId, await solve(t.app, planner, testWorker(t.models), planId));
  const delivery = testDelivery(t.models, createLogger('silent'));
  await drain(delivery);
  await delivery.stop();
  // A day-only person of the east village on duty tomorrow.
  const rows = (await api(t.app, planner).get(`/api/v1/plans/${planId}/roster`)).body.assignments as { cadreId: string; village: string; start: string }[];
  const dayOnly = new Set(ROSTER_CADRES.filter((c) => c.night_ok === 'no' && c.village === EAST).map((c) => String(c.id)));
  const absent = rows.find((r) => dayOnly.has(r.cadreId) && r.start.startsWith(day1))?.cadreId as string;
  expect(absent).toBeDefined();
  const absence = {
    cadreId: absent,
    from: localInstant(day1, 0, ZONE).toISOString(),
    to: localInstant(addDays(day1, 2), 0, ZONE).toISOString(),
    reason: '发热',
  };
  return { t, planner, planId, absence, hook, keys: [`${name}-east`, hook] };
}

describe('killed between accepting an absence and publishing its fill-ins', () => {
  for (const fault of REPLAN_FAULT_POINTS) {
    it(`when killed at ${fault}, then after a restart the fill-ins are published once, the absence's re-plan is done and each message arrives once`, async () => {
      // Arrange
      const s = await setUp(fault.replace(/[^a-z]/g, ''));
      const doomed = await startServiceProcess(crashEnv(s.t.dbName, fault, { worker: true }));

      // Act: the absence is posted; the service dies at the fault point.
      void doomed.api('POST', '/api/v1/absences', s.planner, s.absence);
      const how = await Promise.race([doomed.exited, new Promise((r) => setTimeout(() => r('alive'), 90_000))]);
      expect(how, `the service should have killed itself at ${fault}:\n${doomed.output()}`).toBe('SIGKILL');
      const svc = await startServiceProcess(crashEnv(s.t.dbName, undefined, { worker: true }));
      try {
        // Assert
        const done = await eventually(
          async () => {
            const items = (await svc.api('GET', `/api/v1/absences?cadreId=${s.absence.cadreId}`, s.planner)).body?.items ?? [];
            const absence = items.find((a: { from: string }) => Date.parse(a.from) === Date.parse(s.absence.from));
            return absence?.replan?.status === 'done' ? absence : undefined;
          },
          90_000,
          'the re-plan to finish',
        );
        expect(done.replan.results.map((r: { publishedVersion: number | null }) => r.publishedVersion)).toEqual([2]);
        const plan = await svc.api('GET', `/api/v1/plans/${s.planId}`, s.planner);
        expect(plan.body.publishedVersion, 'one new version, not two').toBe(2);
        const roster = (await svc.api('GET', `/api/v1/plans/${s.planId}/roster`, s.planner)).body.assignments as { cadreId: string; start: string }[];
        expect(roster.filter((r) => r.cadreId === s.absence.cadreId && Date.parse(r.start) < Date.parse(s.absence.from) + 86_400_000)).toEqual([]);

        const docs = await eventually(
          async () => {
            const all = await s.t.models.Outbox.find({ gen: { $gt: 1 } }).lean<OutboxDoc[]>();
            return all.length && all.every((d) => d.status === 'sent') ? all : undefined;
          },
          60_000,
          'every message to be sent',
        );
        // The webhook is the one channel that gets the publish summary; its posts carry their key.
        const hookChannel = docs.find((d) => d.event === 'publish_summary')?.channelId;
        const hooks = robots.received.filter((r) => r.robot === s.hook && r.title !== '发布：两日值守 第1版');
        const keys = hooks.map((r) => decodeURIComponent(r.idempotencyKey ?? '').replace(/#\d+$/, '')).sort();
        expect(keys, 'each webhook message once').toEqual(
          docs
            .filter((d) => d.channelId === hookChannel)
            .map((d) => d.key)
            .sort(),
        );
        expect(keys.some((k) => k.startsWith('shift:'))).toBe(true);
        const east = docs.filter((d) => d.channelId !== hookChannel).reduce((n, d) => n + d.parts.length, 0);
        expect(east).toBeGreaterThan(0);
        expect(robots.received.filter((r) => r.robot === s.keys[0]).length, 'the east group is told once').toBe(east);
        expect(robots.rejected).toEqual([]);
      } finally {
        await svc.stop();
      }
    });
  }
});
