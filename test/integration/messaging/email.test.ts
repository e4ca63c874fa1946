/**
 * Email to planners over SMTP (nodemailer) against a local SMTP server.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { loadChannel } from '../../../src/messaging/channels.js';
import { stageMessages } from '../../../src/messaging/outbox.js';
import { api } from '../../helpers/roster-fixtures.js';
import { createTestApp, type TestApp } from '../../helpers/test-app.js';
import { drain, testDelivery } from './helpers.js';

let t: TestApp;
let smtp: SMTPServer;
let port: number;
const mails: { to: string[]; data: string }[] = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, done) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString('utf8')));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  port = (smtp.server.address() as AddressInfo).port;
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

describe('email channel', () => {
  it('when a message is due for a planners’ mailbox, then it is mailed once to every address, with its title as subject', async () => {
    const planner = await t.token({ role: 'planner' });
    const res = await api(t.app, planner).post('/api/v1/channels', {
      kind: 'email',
      url: 'mailto:planner@town.gov.cn,office@town.gov.cn',
      events: ['publish_summary'],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.target).toBe('2 recipient(s)');
    const channel = (await loadChannel(t.models, res.body.id))!;
    await stageMessages(t.models, 0, [
      {
        channel,
        message: { event: 'publish_summary', key: 'test:mail', title: '发布：两日值守 第2版', blocks: [{ text: '岗位：已排 10 / 需 12', mentions: [] }] },
      },
    ]);

    const delivery = testDelivery(t.models, createLogger('silent'), { mail: { smtpUrl: `smtp://127.0.0.1:${port}`, from: 'duty@town.gov.cn' } });
    await drain(delivery);
    await delivery.runOnce();
    await delivery.stop();

    expect(mails.length).toBe(1);
    expect(mails[0]!.to.sort()).toEqual(['office@town.gov.cn', 'planner@town.gov.cn']);
    expect(mails[0]!.data).toMatch(/Subject: =\?UTF-8\?/);
    const log = await api(t.app, planner).get('/api/v1/deliveries');
    expect(log.body.items[0].status).toBe('sent');
    expect(log.body.items[0].lastAnswer).toMatch(/^250/);
  });

  it('when SMTP_URL is not set, then the message fails with that answer in the delivery log', async () => {
    const planner = await t.token({ role: 'planner' });
    const res = await api(t.app, planner).post('/api/v1/channels', { kind: 'email', url: 'mailto:x@town.gov.cn', events: ['publish_summary'] });
    const channel = (await loadChannel(t.models, res.body.id))!;
    await stageMessages(t.models, 0, [
      { channel, message: { event: 'publish_summary', key: 'test:nomail', title: 't', blocks: [{ text: 'x', mentions: [] }] } },
    ]);
    const delivery = testDelivery(t.models, createLogger('silent'), { maxAttempts: 2, retryBaseMs: 10 });
    await drain(delivery);
    await delivery.stop();
    const failed = (await api(t.app, planner).get('/api/v1/deliveries?status=failed')).body.items;
    expect(failed.map((d: { id: string }) => d.id)).toEqual([`0:test:nomail@${channel.id}`]);
    expect(failed[0].lastAnswer).toContain('SMTP_URL');
  });
});
