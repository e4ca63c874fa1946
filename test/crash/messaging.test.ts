/**
 * Delivery that loses nothing: the real service, as a process, is killed (SIGKILL) between
 * recording a change and sending its messages, and while sending; a restarted service on the
 * same database must deliver every message of every committed publish, exactly once, and
 * nothing of a publish that never committed. The one duplicate the design allows (killed after
 * the robot answered, before the answer was recorded) must come marked as a re-send.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localDate } from '../../src/domain/time.js';
import type { OutboxDoc } from '../../src/messaging/outbox.js';
import { RESEND_NOTE } from '../../src/messaging/formats.js';
import { csvUpload, put, sheetOf } from '../helpers/fixtures.js';
import { api, publish, seedRosterDistrict, solve, testWorker } from '../helpers/roster-fixtures.js';
import { eventually, startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { crashEnv } from './crash-env.js';
import { createLogger } from '../../src/logger.js';
import { drain, testDelivery } from '../integration/messaging/helpers.js';
import { startRobotServer, type RobotServer } from '../integration/messaging/robot-server.js';

let robots: RobotServer;
const apps: TestApp[] = [];
beforeAll(async () => {
  robots = await startRobotServer();
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await robots.close();
});

interface Setup {
  t: TestApp;
  planner: string;
  planId: string;
  secondSolve: string;
  /** Robot keys of this set-up (each test has its own robots). */
  keys: string[];
}

/**
 * A published first version whose messages are all sent, and a second roster ready. The groups
 * take shift changes only: gap alerts come from the restarted service's own sweep, which
 * test/integration/messaging/alerts.test.ts covers.
 */
async function setUp(name: string): Promise<Setup> {
  const t = await createTestApp();
  apps.push(t);
  const planner = await t.token({ role: 'planner' });
  await seedRosterDistrict(t.app, planner);
  const keys = [`${name}-east`, `${name}-west`, `${name}-hook`];
  robots.secrets.set(keys[1]!, `SEC-${name}`);
  robots.secrets.set(keys[2]!, `hook-${name}`);
  for (const body of [
    { kind: 'wecom', url: robots.urlOf('wecom', keys[0]!), villages: ['东村'], events: ['shift_changed'] },
    { kind: 'dingtalk', url: robots.urlOf('dingtalk', keys[1]!), secret: `SEC-${name}`, villages: ['西村'], events: ['shift_changed'] },
    { kind: 'webhook', url: robots.urlOf('webhook', keys[2]!), secret: `hook-${name}`, events: ['publish_summary'] },
  ]) {
    expect((await api(t.app, planner).post('/api/v1/channels', body)).status).toBe(201);
  }
  const start = addDays(localDate(new Date(), 'Asia/Shanghai'), 1);
  const planId = (await api(t.app, planner).post('/api/v1/plans', { name: '两日值守', start, days: 2 })).body.id as string;
  const worker = testWorker(t.models);
  await publish(t.app, planner, planId, await solve(t.app, planner, worker, planId));
  const delivery = testDelivery(t.models, createLogger('silent'));
  await drain(delivery);
  await delivery.stop();
  const away = sheetOf('availability', [
    { cadre_id: 'A01', start: `${start} 00:00`, end: `${addDays(start, 2)} 00:00`, kind: 'unavailable' },
    { cadre_id: 'B01', start: `${start} 00:00`, end: `${addDays(start, 2)} 00:00`, kind: 'unavailable' },
  ]);
  expect((await put(t.app, planner, 'availability', csvUpload(away))).status).toBe(200);
  const secondSolve = await solve(t.app, planner, worker, planId);
  return { t, planner, planId, secondSolve, keys };
}

async function expectKilled(svc: ServiceProcess, fault: string): Promise<void> {
  const how = await Promise.race([svc.exited, new Promise((r) => setTimeout(() => r('alive'), 60_000))]);
  expect(how, `the service should have killed itself at ${fault}:\n${svc.output()}`).toBe('SIGKILL');
}

const mine = (s: Setup) => robots.received.filter((r) => s.keys.includes(r.robot));
/** A copy the sender marked as a re-send: in the text for groups, as a field for webhooks. */
const isResend = (r: { text: string; resent?: boolean }) => r.text.includes(RESEND_NOTE) || r.resent === true;

/** Waits until the outbox has nothing open, then compares what the robots got with it. */
async function expectAllDelivered(s: Setup): Promise<{ expected: number; got: string[] }> {
  const docs = await eventually(
    async () => {
      const all = await s.t.models.Outbox.find({}).lean<OutboxDoc[]>();
      return all.every((d) => d.status === 'sent') ? all : undefined;
    },
    60_000,
    'every message to be sent',
  );
  const expected = docs.reduce((n, d) => n + d.parts.length, 0);
  const got = mine(s).map((r) => `${r.kind}|${r.robot}|${r.title}|${r.text.replace(`\n${RESEND_NOTE}`, '')}`);
  return { expected, got };
}

describe('killed between recording a change and sending its messages', () => {
  it('when killed after staging but before the commit, then after a restart nothing of that publish is sent, and publishing again sends each message once', async () => {
    const s = await setUp('uncommitted');
    const before = mine(s).length;
    const doomed = await startServiceProcess(crashEnv(s.t.dbName, 'publish:after-outbox'));
    await doomed.api('POST', `/api/v1/plans/${s.planId}/publish`, s.planner, { solveId: s.secondSolve });
    await expectKilled(doomed, 'publish:after-outbox');

    const svc = await startServiceProcess(crashEnv(s.t.dbName));
    try {
      expect(await s.t.models.Outbox.countDocuments({ gen: { $gt: 1 } }), 'the uncommitted publish’s messages are dropped').toBe(0);
      await new Promise((r) => setTimeout(r, 500));
      expect(mine(s).length, 'nothing of the uncommitted version reached a group').toBe(before);
      const again = await svc.api('POST', `/api/v1/plans/${s.planId}/publish`, s.planner, { solveId: s.secondSolve });
      expect(again.status, JSON.stringify(again.body)).toBe(201);
      const { expected, got } = await expectAllDelivered(s);
      expect(got.length).toBe(expected);
      expect(new Set(got).size).toBe(got.length);
      expect(got.some((g) => g.includes('第2版'))).toBe(true);
    } finally {
      await svc.stop();
    }
  });

  it('when killed right after the commit, then after a restart every message of the new version arrives exactly once', async () => {
    const s = await setUp('committed');
    const doomed = await startServiceProcess(crashEnv(s.t.dbName, 'publish:after-commit'));
    await doomed.api('POST', `/api/v1/plans/${s.planId}/publish`, s.planner, { solveId: s.secondSolve });
    await expectKilled(doomed, 'publish:after-commit');

    const svc = await startServiceProcess(crashEnv(s.t.dbName));
    try {
      const { expected, got } = await expectAllDelivered(s);
      expect(got.length, got.join('\n')).toBe(expected);
      expect(new Set(got).size, 'no message twice').toBe(got.length);
      expect(got.filter((g) => g.includes('排班变动')).length).toBeGreaterThanOrEqual(2);
      expect(mine(s).some(isResend), 'nothing was in flight').toBe(false);
    } finally {
      await svc.stop();
    }
  });
});

describe('killed while sending', () => {
  it('when killed after marking a message sending but before posting it, then after a restart it arrives once (marked as a re-send)', async () => {
    const s = await setUp('marked');
    await publish(s.t.app, s.planner, s.planId, s.secondSolve);
    // It may die before it listens: the worker starts sending at once.
    const doomed = await startServiceProcess(crashEnv(s.t.dbName, 'deliver:after-mark-sending'), { waitReady: false });
    await expectKilled(doomed, 'deliver:after-mark-sending');
    const before = mine(s).length;

    const svc = await startServiceProcess(crashEnv(s.t.dbName));
    try {
      const { expected, got } = await expectAllDelivered(s);
      expect(got.length).toBe(expected);
      expect(new Set(got).size, 'no message twice').toBe(got.length);
      // Channels send in parallel: each may have had a message marked `sending` (posted or not).
      const flagged = mine(s).slice(before).filter(isResend).length;
      expect(flagged).toBeGreaterThanOrEqual(1);
      expect(flagged).toBeLessThanOrEqual(s.keys.length);
    } finally {
      await svc.stop();
    }
  });

  it('when killed after a robot answered but before that was recorded, then only messages on the wire then come again (at most one per robot), each copy marked as a re-send', async () => {
    const s = await setUp('answered');
    await publish(s.t.app, s.planner, s.planId, s.secondSolve);
    // It may die before it listens: the worker starts sending at once.
    const doomed = await startServiceProcess(crashEnv(s.t.dbName, 'deliver:after-post'), { waitReady: false });
    await expectKilled(doomed, 'deliver:after-post');

    const svc = await startServiceProcess(crashEnv(s.t.dbName));
    try {
      const { expected, got } = await expectAllDelivered(s);
      expect(new Set(got).size, 'every message arrived').toBe(expected);
      const copies = mine(s);
      const id = (r: (typeof copies)[number]) => `${r.kind}|${r.robot}|${r.title}|${r.text.replace(`\n${RESEND_NOTE}`, '')}`;
      const repeated = [...new Set(copies.map(id))].filter((k) => copies.filter((c) => id(c) === k).length > 1);
      // Channels post in parallel: each robot may have had one message on the wire at the kill.
      expect(repeated.length, `the killed post came again:\n${got.join('\n')}`).toBeGreaterThanOrEqual(1);
      for (const k of repeated) {
        const pair = copies.filter((c) => id(c) === k);
        expect(pair.length, 'never more than twice').toBe(2);
        expect(pair.filter(isResend).length, 'the second copy says it is one').toBe(1);
      }
      expect(new Set(copies.filter((c) => repeated.includes(id(c))).map((c) => c.robot)).size, 'at most one repeat per robot').toBe(repeated.length);
      expect(copies.filter(isResend).length, 'only messages in flight at the kill are marked').toBeLessThanOrEqual(s.keys.length);
    } finally {
      await svc.stop();
    }
  });
});
