/**
 * Messages to work groups, end to end: channels registered through the API, a publish and a
 * re-publish through the API, the delivery worker posting to a local robot server that checks
 * each format and signature. Nothing of the service is mocked.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localDate } from '../../../src/domain/time.js';
import { REDACTED_PATHS } from '../../../src/logger.js';
import { stageMessages } from '../../../src/messaging/outbox.js';
import { loadChannel } from '../../../src/messaging/channels.js';
import { csvUpload, put, sheetOf } from '../../helpers/fixtures.js';
import { api, publish, seedRosterDistrict, solve, testWorker } from '../../helpers/roster-fixtures.js';
import { createTestApp, type TestApp } from '../../helpers/test-app.js';
import { drain, testDelivery } from './helpers.js';
import { startRobotServer, type RobotServer } from './robot-server.js';

let t: TestApp;
let robots: RobotServer;
let planner: string;
const lines: string[] = [];
const SECRETS = { ding: 'SECdingtalk-secret-不外传', feishu: 'feishu-secret-xyz', hook: 'hook-secret-abc' };
const KEYS = { wecom: 'wecom-key-east-0001', ding: 'ding-token-west-0002', feishu: 'feishu-hook-town-0003', hook: 'hook-district-0004' };
const logger = pino(
  { level: 'trace', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
  new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(chunk.toString());
      done();
    },
  }),
);

beforeAll(async () => {
  robots = await startRobotServer();
  robots.secrets.set(KEYS.ding, SECRETS.ding);
  robots.secrets.set(KEYS.feishu, SECRETS.feishu);
  robots.secrets.set(KEYS.hook, SECRETS.hook);
  t = await createTestApp({}, logger);
  planner = await t.token({ role: 'planner' });
  await seedRosterDistrict(t.app, planner);
});
afterAll(async () => {
  await t?.close();
  await robots?.close();
});

const ids: Record<string, string> = {};

describe('channels', () => {
  it('when a planner registers robots, then answers show neither url nor secret, and others cannot see them', async () => {
    const bodies = {
      wecom: { kind: 'wecom', url: robots.urlOf('wecom', KEYS.wecom), villages: ['东村'], label: '东村值守群' },
      ding: { kind: 'dingtalk', url: robots.urlOf('dingtalk', KEYS.ding), secret: SECRETS.ding, villages: ['西村'] },
      feishu: { kind: 'feishu', url: robots.urlOf('feishu', KEYS.feishu), secret: SECRETS.feishu, towns: ['庄市街道'], events: ['shift_changed', 'gap'] },
      hook: { kind: 'webhook', url: robots.urlOf('webhook', KEYS.hook), secret: SECRETS.hook, events: ['publish_summary'] },
    };
    for (const [name, body] of Object.entries(bodies)) {
      const res = await api(t.app, planner).post('/api/v1/channels', body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      ids[name] = res.body.id;
      expect(res.body.target).toBe(new URL(robots.base).host);
    }
    const list = await api(t.app, planner).get('/api/v1/channels');
    expect(list.body.items.map((c: { id: string }) => c.id).sort()).toEqual(Object.values(ids).sort());
    const everything = JSON.stringify(list.body);
    for (const secret of [...Object.values(SECRETS), ...Object.values(KEYS)]) expect(everything).not.toContain(secret);

    const head = await t.token({ role: 'village_head', villages: ['东村'] });
    expect((await api(t.app, head).get('/api/v1/channels')).status).toBe(403);
    expect((await api(t.app, planner).post('/api/v1/channels', { kind: 'wecom', url: robots.urlOf('wecom', 'x'), villages: ['无此村'] })).status).toBe(422);
    expect((await api(t.app, planner).post('/api/v1/channels', { kind: 'dingtalk', url: robots.urlOf('dingtalk', 'x') })).status).toBe(422);
  });
});

describe('publish and re-publish', () => {
  it('when a roster is re-published with two people away, then each village group is told, mentioning their mobiles, and planners get a summary, each once', async () => {
    // Arrange: a two-day plan starting tomorrow (changes to past shifts are not told).
    const start = addDays(localDate(new Date(), 'Asia/Shanghai'), 1);
    const created = await api(t.app, planner).post('/api/v1/plans', { name: '两日值守', start, days: 2 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const planId = created.body.id as string;
    const worker = testWorker(t.models);
    const delivery = testDelivery(t.models, logger);
    await publish(t.app, planner, planId, await solve(t.app, planner, worker, planId));
    await drain(delivery);
    expect(
      robots.received.filter((r) => r.kind !== 'webhook'),
      'a first version tells no group (the calendars do)',
    ).toEqual([]);
    expect(robots.received.filter((r) => r.kind === 'webhook').map((r) => r.title)).toEqual(['发布：两日值守 第1版']);

    // Act: 张伟 (东村) and 杨磊 (西村) are away for the whole plan; solve and publish again.
    const away = sheetOf('availability', [
      { cadre_id: 'A01', start: `${start} 00:00`, end: `${addDays(start, 2)} 00:00`, kind: 'unavailable' },
      { cadre_id: 'B01', start: `${start} 00:00`, end: `${addDays(start, 2)} 00:00`, kind: 'unavailable' },
    ]);
    expect((await put(t.app, planner, 'availability', csvUpload(away))).status).toBe(200);
    const publishedAt = Date.now();
    await publish(t.app, planner, planId, await solve(t.app, planner, worker, planId));
    await drain(delivery);

    // Assert
    const east = robots.received.filter((r) => r.kind === 'wecom');
    expect(east.length).toBeGreaterThanOrEqual(1);
    expect(east.flatMap((r) => r.mentions)).toContain('13812345678');
    expect(east.map((r) => r.text).join('\n')).toMatch(/张伟 @13812345678 班次有变：\n× 取消 \d+月\d+日 \d\d:\d\d–\d\d:\d\d 东门/);
    expect(east.map((r) => r.text).join('\n')).not.toContain('杨磊');
    const west = robots.received.filter((r) => r.kind === 'dingtalk');
    expect(west.flatMap((r) => r.mentions)).toContain('13600006666');
    expect(west[0]!.title).toContain('排班变动：西村');
    expect(west.map((r) => r.text).join('\n')).toContain('@13600006666');
    const town = robots.received
      .filter((r) => r.kind === 'feishu')
      .map((r) => r.text)
      .join('\n');
    expect(town).toContain('张伟');
    expect(town).toContain('杨磊');
    const summaries = robots.received.filter((r) => r.kind === 'webhook');
    expect(summaries.map((r) => r.title)).toEqual(['发布：两日值守 第1版', '发布：两日值守 第2版']);
    expect(summaries[1]!.text).toMatch(/班次有变的人员：\d+ 人/);
    expect(robots.rejected, 'every format and signature was accepted').toEqual([]);
    console.log(`re-publish → last message at the robot: ${Math.max(...robots.received.map((r) => r.at)) - publishedAt} ms (incl. solve)`);

    const received = robots.received.map((r) => `${r.kind}|${r.robot}|${r.title}|${r.text}`);
    expect(new Set(received).size, 'no message twice').toBe(received.length);
    const log = await api(t.app, planner).get('/api/v1/deliveries');
    expect(log.status).toBe(200);
    expect(log.body.items.length).toBeGreaterThan(0);
    expect(log.body.items.every((d: { status: string; lastAnswer: string }) => d.status === 'sent' && d.lastAnswer.startsWith('HTTP 200'))).toBe(true);

    // Another pass sends nothing again.
    const before = robots.received.length;
    await delivery.runOnce();
    expect(robots.received.length).toBe(before);
    await delivery.stop();
  });
});

describe('rate limits and long messages', () => {
  it('when a WeCom robot answers 45009, then it still gets every message, later, in order and once', async () => {
    const key = 'wecom-limited-0005';
    const res = await api(t.app, planner).post('/api/v1/channels', { kind: 'wecom', url: robots.urlOf('wecom', key), villages: ['西村'], events: ['gap'] });
    const channel = (await loadChannel(t.models, res.body.id))!;
    robots.limit(key, 3, 2000);
    const limitedBefore = robots.rateLimitedAnswers;
    const messages = Array.from({ length: 9 }, (_, i) => ({
      channel,
      message: { event: 'gap' as const, key: `test:limit:${i}`, title: `第${i + 1}条`, blocks: [{ text: `内容${i + 1}`, mentions: [] }] },
    }));
    await stageMessages(t.models, 0, messages);

    const delivery = testDelivery(t.models, logger, { robotRatePerMin: 1000 });
    await drain(delivery);
    await delivery.stop();

    const got = robots.received.filter((r) => r.robot === key).map((r) => r.text.split('\n')[0]);
    expect(got).toEqual(messages.map((m) => `### ${m.message.title}`));
    expect(robots.rateLimitedAnswers - limitedBefore, 'the robot did refuse some').toBeGreaterThan(0);
  });

  it('when a message is longer than a WeCom text message may be, then it arrives in parts that each fit, each mentioning its people', async () => {
    const key = 'wecom-long-0006';
    const res = await api(t.app, planner).post('/api/v1/channels', { kind: 'wecom', url: robots.urlOf('wecom', key), villages: ['东村'] });
    const channel = (await loadChannel(t.models, res.body.id))!;
    const blocks = Array.from({ length: 30 }, (_, i) => ({
      text: `人员${i} @1380000${String(i).padStart(4, '0')} 班次有变：\n× 取消 12月14日 08:00–16:00 东门\n✓ 新增 12月14日 16:00–24:00 西门，搭班：李娜`,
      mentions: [`1380000${String(i).padStart(4, '0')}`],
    }));
    await stageMessages(t.models, 0, [{ channel, message: { event: 'shift_changed', key: 'test:long', title: '排班变动：东村', blocks } }]);

    const delivery = testDelivery(t.models, logger);
    await drain(delivery);
    await delivery.stop();

    const parts = robots.received.filter((r) => r.robot === key);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(Buffer.byteLength(p.text)).toBeLessThanOrEqual(2048);
    expect(parts.flatMap((p) => p.mentions).sort()).toEqual(blocks.flatMap((b) => b.mentions).sort());
    expect(parts[0]!.text).toContain(`（1/${parts.length}）`);
  });
});

describe('two workers', () => {
  it('when two delivery workers run at once on one outbox, then each message reaches the robot once', async () => {
    const key = 'hook-two-workers';
    robots.secrets.set(key, 'two-workers-secret');
    const res = await api(t.app, planner).post('/api/v1/channels', {
      kind: 'webhook',
      url: robots.urlOf('webhook', key),
      secret: 'two-workers-secret',
      events: ['gap'],
    });
    const channel = (await loadChannel(t.models, res.body.id))!;
    const messages = Array.from({ length: 20 }, (_, i) => ({
      channel,
      message: { event: 'gap' as const, key: `test:two:${i}`, title: `第${i + 1}条`, blocks: [{ text: `内容${i + 1}`, mentions: [] }] },
    }));
    await stageMessages(t.models, 0, messages);

    const a = testDelivery(t.models, logger);
    const b = testDelivery(t.models, logger);
    await Promise.all([drain(a), drain(b)]);
    await Promise.all([a.stop(), b.stop()]);

    const got = robots.received.filter((r) => r.robot === key).map((r) => r.idempotencyKey);
    expect(got.length).toBe(20);
    expect(new Set(got).size).toBe(20);
  });
});

describe('delivery log', () => {
  it('when sent messages are an hour old, then they move from the outbox to the delivery log, stay listed, and staging one again sends nothing', async () => {
    const key = 'hook-two-workers';
    const channel = (await loadChannel(t.models, (await t.models.Channel.findOne({ url: robots.urlOf('webhook', key) }).lean<{ _id: string }>())!._id))!;
    const delivery = testDelivery(t.models, logger);
    await delivery.runOnce(Date.now() + 2 * 3_600_000);

    expect(await t.models.Outbox.countDocuments({ status: 'sent' }), 'the outbox keeps only recent and open messages').toBe(0);
    const logged = await t.models.DeliveryLog.countDocuments({});
    expect(logged).toBeGreaterThanOrEqual(20);
    const list = await api(t.app, planner).get('/api/v1/deliveries?limit=1000');
    expect(list.body.items.length).toBe(logged + (await t.models.Outbox.countDocuments({})));

    const before = robots.received.length;
    const staged = await stageMessages(t.models, 0, [
      { channel, message: { event: 'gap', key: 'test:two:0', title: '第1条', blocks: [{ text: '内容1', mentions: [] }] } },
    ]);
    await drain(delivery);
    await delivery.stop();
    expect(staged).toBe(0);
    expect(robots.received.length).toBe(before);
  });
});

describe('logs', () => {
  it('when channels were registered and messages sent, then no url key or secret is in any log line', () => {
    const all = lines.join('');
    expect(all.length).toBeGreaterThan(0);
    for (const secret of [...Object.values(SECRETS), ...Object.values(KEYS)]) expect(all).not.toContain(secret);
  });
});
