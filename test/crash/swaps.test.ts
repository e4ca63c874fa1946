/**
 * A swap survives a kill -9 at each step that writes: the real service, as a process, kills
 * itself (SIGKILL) at each swap fault point (src/claims/faults.ts) after a colleague accepts
 * an offered shift; a restarted service on the same database must publish the swap exactly
 * once (one new version), with the shift moved in the roster and in both feeds, and the
 * village group told once, naming both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { SWAP_FAULT_POINTS } from '../../src/claims/faults.js';
import { addDays, localDate } from '../../src/domain/time.js';
import { createLogger } from '../../src/logger.js';
import type { OutboxDoc } from '../../src/messaging/outbox.js';
import { csvUpload, put, sheetOf } from '../helpers/fixtures.js';
import { api, EAST, NAME_OF, parseFeed, publish, ROSTER_CADRES, seedRosterDistrict, solve, testWorker } from '../helpers/roster-fixtures.js';
import { eventually, startServiceProcess } from '../helpers/service-process.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { drain, testDelivery } from '../integration/messaging/helpers.js';
import { startRobotServer, type RobotServer } from '../integration/messaging/robot-server.js';

const ZONE = 'Asia/Shanghai';
/** Joined after the publish and free all day: takes the swap. */
const TAKER = { id: 'N01', name: '钱多', phone: '', role: 'volunteer', village: EAST, serves: '', night_ok: 'yes' };
let robots: RobotServer;
const apps: TestApp[] = [];
beforeAll(async () => {
  robots = await startRobotServer();
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await robots.close();
});

/** A published one-day plan for tomorrow with an east-village group, and an east shift offered for a swap. */
async function setUp(name: string) {
  const t = await createTestApp();
  apps.push(t);
  const planner = await t.token({ role: 'planner' });
  await seedRosterDistrict(t.app, planner);
  expect((await api(t.app, planner).post('/api/v1/channels', { kind: 'wecom', url: robots.urlOf('wecom', `${name}-east`), villages: [EAST], events: ['shift_changed'] })).status).toBe(201);
  const day = addDays(localDate(new Date(), ZONE), 1);
  const planId = (await api(t.app, planner).post('/api/v1/plans', { name: '明日值守', start: day, days: 1 })).body.id as string;
  await publish(t.app, planner, planId, await solve(t.app, planner, testWorker(t.models), planId));
  expect((await put(t.app, planner, 'cadres', csvUpload(sheetOf('cadres', [...ROSTER_CADRES, TAKER])))).status).toBe(200);
  const delivery = testDelivery(t.models, createLogger('silent'));
  await drain(delivery);
  await delivery.stop();
  const taker = await t.token({ role: 'cadre', cadreId: TAKER.id });
  const roster = (await api(t.app, planner).get(`/api/v1/plans/${planId}/roster`)).body.assignments as { cadreId: string; gateId: string; start: string }[];
  for (const shift of roster.filter((a) => a.cadreId.startsWith('A'))) {
    const giver = await t.token({ role: 'cadre', cadreId: shift.cadreId });
    const offer = await api(t.app, giver).post('/api/v1/swaps', { planId, gateId: shift.gateId, start: shift.start });
    expect(offer.status).toBe(201);
    const open = (await api(t.app, taker).get('/api/v1/swaps/open')).body.items as { id: string }[];
    if (!open.some((o) => o.id === offer.body.id)) {
      await api(t.app, giver).post(`/api/v1/swaps/${offer.body.id}/withdraw`, {});
      continue;
    }
    const feed = async (id: string) => new URL((await api(t.app, planner).post(`/api/v1/cadres/${id}/feed-token`)).body.url as string).pathname;
    return { t, planner, planId, taker, swapId: offer.body.id as string, shift, feeds: { giver: await feed(shift.cadreId), taker: await feed(TAKER.id) }, group: `${name}-east` };
  }
  throw new Error('the fixture has an east shift the newcomer could take');
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

describe('killed between a swap and its publish', () => {
  for (const fault of SWAP_FAULT_POINTS) {
    it(`when killed at ${fault}, then after a restart the swap is published once, in the roster and both feeds, and the group is told once`, async () => {
      // Arrange
      const s = await setUp(`swap${fault.replace(/[^a-z]/g, '')}`);
      const doomed = await startServiceProcess(env(s.t.dbName, fault));

      // Act: the colleague accepts; the service dies at the fault point.
      void doomed.api('POST', `/api/v1/swaps/${s.swapId}/accept`, s.taker, {});
      const how = await Promise.race([doomed.exited, new Promise((r) => setTimeout(() => r('alive'), 90_000))]);
      expect(how, `the service should have killed itself at ${fault}:\n${doomed.output()}`).toBe('SIGKILL');
      const svc = await startServiceProcess(env(s.t.dbName));
      try {
        // Assert
        const swap = await eventually(async () => {
          const body = (await svc.api('GET', `/api/v1/swaps/${s.swapId}`, s.planner)).body;
          return body?.status === 'published' ? body : undefined;
        }, 90_000, 'the swap to be published');
        expect(swap.publishedVersion).toBe(2);
        expect((await svc.api('GET', `/api/v1/plans/${s.planId}`, s.planner)).body.publishedVersion, 'one new version, not two').toBe(2);
        const roster = (await svc.api('GET', `/api/v1/plans/${s.planId}/roster`, s.planner)).body.assignments as { cadreId: string; gateId: string; start: string }[];
        const holders = roster.filter((r) => r.gateId === s.shift.gateId && Date.parse(r.start) === Date.parse(s.shift.start)).map((r) => r.cadreId);
        expect(holders).toContain(TAKER.id);
        expect(holders).not.toContain(s.shift.cadreId);
        const events = async (path: string) => parseFeed(await (await fetch(`${svc.baseUrl}${path}`)).text()).events.map((e) => e.start.getTime());
        expect(await events(s.feeds.taker)).toEqual([Date.parse(s.shift.start)]);
        expect(await events(s.feeds.giver)).not.toContain(Date.parse(s.shift.start));

        const docs = await eventually(async () => {
          const all = await s.t.models.Outbox.find({ gen: { $gt: 1 } }).lean<OutboxDoc[]>();
          return all.length && all.every((d) => d.status === 'sent') ? all : undefined;
        }, 60_000, 'every message to be sent');
        const parts = docs.reduce((n, d) => n + d.parts.length, 0);
        const told = robots.received.filter((r) => r.robot === s.group);
        expect(told.length, 'the east group is told once').toBe(parts);
        const text = told.map((r) => r.text).join('\n');
        expect(text).toContain(TAKER.name);
        expect(text).toContain(NAME_OF.get(s.shift.cadreId));
      } finally {
        await svc.stop();
      }
    });
  }
});
