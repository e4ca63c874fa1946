/**
 * A claim survives a kill -9 at each step that writes: the real service, as a process, kills
 * itself (SIGKILL) at each claims fault point (src/claims/faults.ts) after a volunteer claims
 * an open shift; a restarted service on the same database must publish the claim exactly
 * once (one new version), with the person on the shift in the roster and in their feed, and
 * the village group told once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { CLAIM_FAULT_POINTS } from '../../src/claims/faults.js';
import { addDays, localDate } from '../../src/domain/time.js';
import { createLogger } from '../../src/logger.js';
import type { OutboxDoc } from '../../src/messaging/outbox.js';
import { csvUpload, put, sheetOf } from '../helpers/fixtures.js';
import { api, EAST, parseFeed, publish, ROSTER_CADRES, seedRosterDistrict, solve, testWorker } from '../helpers/roster-fixtures.js';
import { eventually, startServiceProcess } from '../helpers/service-process.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { drain, testDelivery } from '../integration/messaging/helpers.js';
import { startRobotServer, type RobotServer } from '../integration/messaging/robot-server.js';

const ZONE = 'Asia/Shanghai';
const NEWCOMER = { id: 'N01', name: '钱多', phone: '', role: 'volunteer', village: EAST, serves: '', night_ok: 'yes' };
let robots: RobotServer;
const apps: TestApp[] = [];
beforeAll(async () => {
  robots = await startRobotServer();
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await robots.close();
});

/** A published one-day plan for tomorrow with an east-village group, and a volunteer who joined after it. */
async function setUp(name: string) {
  const t = await createTestApp();
  apps.push(t);
  const planner = await t.token({ role: 'planner' });
  await seedRosterDistrict(t.app, planner);
  expect((await api(t.app, planner).post('/api/v1/channels', { kind: 'wecom', url: robots.urlOf('wecom', `${name}-east`), villages: [EAST], events: ['shift_changed'] })).status).toBe(201);
  const day = addDays(localDate(new Date(), ZONE), 1);
  const planId = (await api(t.app, planner).post('/api/v1/plans', { name: '明日值守', start: day, days: 1 })).body.id as string;
  await publish(t.app, planner, planId, await solve(t.app, planner, testWorker(t.models), planId));
  expect((await put(t.app, planner, 'cadres', csvUpload(sheetOf('cadres', [...ROSTER_CADRES, NEWCOMER])))).status).toBe(200);
  const delivery = testDelivery(t.models, createLogger('silent'));
  await drain(delivery);
  await delivery.stop();
  const volunteer = await t.token({ role: 'cadre', cadreId: NEWCOMER.id });
  const [shift] = (await api(t.app, volunteer).get('/api/v1/open-shifts')).body.items as { planId: string; gateId: string; start: string }[];
  if (!shift) throw new Error('the fixture leaves an east night place open');
  const feed = (await api(t.app, planner).post(`/api/v1/cadres/${NEWCOMER.id}/feed-token`)).body.url as string;
  return { t, planner, planId, volunteer, shift: { planId: shift.planId, gateId: shift.gateId, start: shift.start }, feedPath: new URL(feed).pathname, group: `${name}-east` };
}

function env(dbName: string, fault?: string): Record<string, string> {
  return {
    MONGODB_URI: `${inject('mongoUri')}${dbName}`,
    RUN_WORKER: 'false',
    RUN_DELIVERY: 'true',
    DELIVERY_POLL_MS: '100',
    DELIVERY_RETRY_BASE_MS: '100',
    ...(fault ? { FAULT_AT: fault } : {}),
  };
}

describe('killed between a claim and its publish', () => {
  for (const fault of CLAIM_FAULT_POINTS) {
    it(`when killed at ${fault}, then after a restart the claim is published once, in the roster and the feed, and the group is told once`, async () => {
      // Arrange
      const s = await setUp(fault.replace(/[^a-z]/g, ''));
      const doomed = await startServiceProcess(env(s.t.dbName, fault));

      // Act: the volunteer claims; the service dies at the fault point.
      void doomed.api('POST', '/api/v1/open-shifts/claims', s.volunteer, s.shift);
      const how = await Promise.race([doomed.exited, new Promise((r) => setTimeout(() => r('alive'), 90_000))]);
      expect(how, `the service should have killed itself at ${fault}:\n${doomed.output()}`).toBe('SIGKILL');
      const svc = await startServiceProcess(env(s.t.dbName));
      try {
        // Assert
        const claims = await eventually(async () => {
          const items = (await svc.api('GET', '/api/v1/claims', s.planner)).body?.items ?? [];
          return items.length && items.every((c: { status: string }) => c.status !== 'pending') ? items : undefined;
        }, 90_000, 'the claim to be decided');
        expect(claims.map((c: { status: string; publishedVersion: number | null }) => [c.status, c.publishedVersion])).toEqual([['published', 2]]);
        const plan = await svc.api('GET', `/api/v1/plans/${s.planId}`, s.planner);
        expect(plan.body.publishedVersion, 'one new version, not two').toBe(2);
        const roster = (await svc.api('GET', `/api/v1/plans/${s.planId}/roster`, s.planner)).body.assignments as { cadreId: string; gateId: string; start: string }[];
        expect(roster.filter((r) => r.cadreId === NEWCOMER.id).map((r) => [r.gateId, Date.parse(r.start)])).toEqual([[s.shift.gateId, Date.parse(s.shift.start)]]);
        const feed = await fetch(`${svc.baseUrl}${s.feedPath}`);
        expect(parseFeed(await feed.text()).events.map((e) => e.start.getTime())).toEqual([Date.parse(s.shift.start)]);

        const docs = await eventually(async () => {
          const all = await s.t.models.Outbox.find({ gen: { $gt: 1 } }).lean<OutboxDoc[]>();
          return all.length && all.every((d) => d.status === 'sent') ? all : undefined;
        }, 60_000, 'every message to be sent');
        const parts = docs.reduce((n, d) => n + d.parts.length, 0);
        const told = robots.received.filter((r) => r.robot === s.group);
        expect(told.length, 'the east group is told once').toBe(parts);
        expect(told.map((r) => r.text).join('\n')).toContain(NEWCOMER.name);
      } finally {
        await svc.stop();
      }
    });
  }
});
