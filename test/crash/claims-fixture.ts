/**
 * What the claim and swap crash tests share: a published one-day plan for tomorrow with an
 * east-village group, and a newcomer who joined after the publish (their token).
 */
import { expect } from 'vitest';
import { addDays, localDate } from '../../src/domain/time.js';
import { createLogger } from '../../src/logger.js';
import { csvUpload, put, sheetOf } from '../helpers/fixtures.js';
import { api, EAST, publish, ROSTER_CADRES, seedRosterDistrict, solve, testWorker } from '../helpers/roster-fixtures.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { drain, testDelivery } from '../integration/messaging/helpers.js';
import type { RobotServer } from '../integration/messaging/robot-server.js';

const ZONE = 'Asia/Shanghai';
/** Joins after the publish, free all day, in the east village. */
export const NEWCOMER = { id: 'N01', name: '钱多', phone: '', role: 'volunteer', village: EAST, serves: '', night_ok: 'yes' };

export interface PublishedEastPlan {
  t: TestApp;
  planner: string;
  planId: string;
  /** The newcomer's cadre token. */
  newcomer: string;
  /** The east group's robot name on the robot server. */
  group: string;
}

export async function publishedEastPlan(robots: RobotServer, name: string): Promise<PublishedEastPlan> {
  const t = await createTestApp();
  const planner = await t.token({ role: 'planner' });
  await seedRosterDistrict(t.app, planner);
  const group = `${name}-east`;
  expect(
    (await api(t.app, planner).post('/api/v1/channels', { kind: 'wecom', url: robots.urlOf('wecom', group), villages: [EAST], events: ['shift_changed'] }))
      .status,
  ).toBe(201);
  const day = addDays(localDate(new Date(), ZONE), 1);
  const planId = (await api(t.app, planner).post('/api/v1/plans', { name: '明日值守', start: day, days: 1 })).body.id as string;
  await publish(t.app, planner, planId, await solve(t.app, planner, testWorker(t.models), planId));
  expect((await put(t.app, planner, 'cadres', csvUpload(sheetOf('cadres', [...ROSTER_CADRES, NEWCOMER])))).status).toBe(200);
  // The first version's messages are out before the crash, so what follows is the change's.
  const delivery = testDelivery(t.models, createLogger('silent'));
  await drain(delivery);
  await delivery.stop();
  return { t, planner, planId, newcomer: await t.token({ role: 'cadre', cadreId: NEWCOMER.id }), group };
}
