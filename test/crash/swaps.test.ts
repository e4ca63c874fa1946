/**
 * A swap survives a kill -9 at each step that writes: the real service, as a process, kills
 * itself (SIGKILL) at each swap fault point (src/claims/faults.ts) after a colleague accepts
 * an offered shift; a restarted service on the same database must publish the swap exactly
 * once (one new version), with the shift moved in the roster and in both feeds, and the
 * village group told once, naming both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SWAP_FAULT_POINTS } from '../../src/claims/faults.js';
import type { OutboxDoc } from '../../src/messaging/outbox.js';
import { api, NAME_OF, parseFeed } from '../helpers/roster-fixtures.js';
import { eventually, startServiceProcess } from '../helpers/service-process.js';
import type { TestApp } from '../helpers/test-app.js';
import { startRobotServer, type RobotServer } from '../integration/messaging/robot-server.js';
import { NEWCOMER, publishedEastPlan } from './claims-fixture.js';
import { crashEnv } from './crash-env.js';

let robots: RobotServer;
const apps: TestApp[] = [];
beforeAll(async () => {
  robots = await startRobotServer();
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await robots.close();
});

/** The published plan, and an east shift offered for a swap that the newcomer could take. */
async function setUp(name: string) {
  const plan = await publishedEastPlan(robots, name);
  apps.push(plan.t);
  const { t, planner, planId, newcomer: taker } = plan;
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
    return { ...plan, taker, swapId: offer.body.id as string, shift, feeds: { giver: await feed(shift.cadreId), taker: await feed(NEWCOMER.id) } };
  }
  throw new Error('the fixture has an east shift the newcomer could take');
}

describe('killed between a swap and its publish', () => {
  for (const fault of SWAP_FAULT_POINTS) {
    it(`when killed at ${fault}, then after a restart the swap is published once, in the roster and both feeds, and the group is told once`, async () => {
      // Arrange
      const s = await setUp(`swap${fault.replace(/[^a-z]/g, '')}`);
      const doomed = await startServiceProcess(crashEnv(s.t.dbName, fault));

      // Act: the colleague accepts; the service dies at the fault point.
      void doomed.api('POST', `/api/v1/swaps/${s.swapId}/accept`, s.taker, {});
      const how = await Promise.race([doomed.exited, new Promise((r) => setTimeout(() => r('alive'), 90_000))]);
      expect(how, `the service should have killed itself at ${fault}:\n${doomed.output()}`).toBe('SIGKILL');
      const svc = await startServiceProcess(crashEnv(s.t.dbName));
      try {
        // Assert
        const swap = await eventually(
          async () => {
            const body = (await svc.api('GET', `/api/v1/swaps/${s.swapId}`, s.planner)).body;
            return body?.status === 'published' ? body : undefined;
          },
          90_000,
          'the swap to be published',
        );
        expect(swap.publishedVersion).toBe(2);
        expect((await svc.api('GET', `/api/v1/plans/${s.planId}`, s.planner)).body.publishedVersion, 'one new version, not two').toBe(2);
        const roster = (await svc.api('GET', `/api/v1/plans/${s.planId}/roster`, s.planner)).body.assignments as {
          cadreId: string;
          gateId: string;
          start: string;
        }[];
        const holders = roster.filter((r) => r.gateId === s.shift.gateId && Date.parse(r.start) === Date.parse(s.shift.start)).map((r) => r.cadreId);
        expect(holders).toContain(NEWCOMER.id);
        expect(holders).not.toContain(s.shift.cadreId);
        const events = async (path: string) => parseFeed(await (await fetch(`${svc.baseUrl}${path}`)).text()).events.map((e) => e.start.getTime());
        expect(await events(s.feeds.taker)).toEqual([Date.parse(s.shift.start)]);
        expect(await events(s.feeds.giver)).not.toContain(Date.parse(s.shift.start));

        const docs = await eventually(
          async () => {
            const all = await s.t.models.Outbox.find({ gen: { $gt: 1 } }).lean<OutboxDoc[]>();
            return all.length && all.every((d) => d.status === 'sent') ? all : undefined;
          },
          60_000,
          'every message to be sent',
        );
        const parts = docs.reduce((n, d) => n + d.parts.length, 0);
        const told = robots.received.filter((r) => r.robot === s.group);
        expect(told.length, 'the east group is told once').toBe(parts);
        const text = told.map((r) => r.text).join('\n');
        expect(text).toContain(NEWCOMER.name);
        expect(text).toContain(NAME_OF.get(s.shift.cadreId));
      } finally {
        await svc.stop();
      }
    });
  }
});
