/**
 * A claim survives a kill -9 at each step that writes: the real service, as a process, kills
 * itself (SIGKILL) at each claims fault point (src/claims/faults.ts) after a volunteer claims
 * an open shift; a restarted service on the same database must publish the claim exactly
 * once (one new version), with the person on the shift in the roster and in their feed, and
 * the village group told once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIM_FAULT_POINTS } from '../../src/claims/faults.js';
import type { OutboxDoc } from '../../src/messaging/outbox.js';
import { api, parseFeed } from '../helpers/roster-fixtures.js';
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

/** The published plan, and the open place the newcomer is offered. */
async function setUp(name: string) {
  const plan = await publishedEastPlan(robots, name);
  apps.push(plan.t);
  const { t, planner, newcomer: volunteer } = plan;
  const [shift] = (await api(t.app, volunteer).get('/api/v1/open-shifts')).body.items as { planId: string; gateId: string; start: string }[];
  if (!shift) throw new Error('the fixture leaves an east night place open');
  const feed = (await api(t.app, planner).post(`/api/v1/cadres/${NEWCOMER.id}/feed-token`)).body.url as string;
  return { ...plan, volunteer, shift: { planId: shift.planId, gateId: shift.gateId, start: shift.start }, feedPath: new URL(feed).pathname };
}

describe('killed between a claim and its publish', () => {
  for (const fault of CLAIM_FAULT_POINTS) {
    it(`when killed at ${fault}, then after a restart the claim is published once, in the roster and the feed, and the group is told once`, async () => {
      // Arrange
      const s = await setUp(fault.replace(/[^a-z]/g, ''));
      const doomed = await startServiceProcess(crashEnv(s.t.dbName, fault));

      // Act: the volunteer claims; the service dies at the fault point.
      void doomed.api('POST', '/api/v1/open-shifts/claims', s.volunteer, s.shift);
      const how = await Promise.race([doomed.exited, new Promise((r) => setTimeout(() => r('alive'), 90_000))]);
      expect(how, `the service should have killed itself at ${fault}:\n${doomed.output()}`).toBe('SIGKILL');
      const svc = await startServiceProcess(crashEnv(s.t.dbName));
      try {
        // Assert
        const claims = await eventually(
          async () => {
            const items = (await svc.api('GET', '/api/v1/claims', s.planner)).body?.items ?? [];
            return items.length && items.every((c: { status: string }) => c.status !== 'pending') ? items : undefined;
          },
          90_000,
          'the claim to be decided',
        );
        expect(claims.map((c: { status: string; publishedVersion: number | null }) => [c.status, c.publishedVersion])).toEqual([['published', 2]]);
        const plan = await svc.api('GET', `/api/v1/plans/${s.planId}`, s.planner);
        expect(plan.body.publishedVersion, 'one new version, not two').toBe(2);
        const roster = (await svc.api('GET', `/api/v1/plans/${s.planId}/roster`, s.planner)).body.assignments as {
          cadreId: string;
          gateId: string;
          start: string;
        }[];
        expect(roster.filter((r) => r.cadreId === NEWCOMER.id).map((r) => [r.gateId, Date.parse(r.start)])).toEqual([
          [s.shift.gateId, Date.parse(s.shift.start)],
        ]);
        const feed = await fetch(`${svc.baseUrl}${s.feedPath}`);
        expect(parseFeed(await feed.text()).events.map((e) => e.start.getTime())).toEqual([Date.parse(s.shift.start)]);

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
        expect(told.map((r) => r.text).join('\n')).toContain(NEWCOMER.name);
      } finally {
        await svc.stop();
      }
    });
  }
});
