/**
 * Secrets never reach the logs: bearer tokens, feed secrets in paths, page tokens in queries.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDACTED_PATHS } from '../../src/logger.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
const lines: string[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  // The service's own logger settings, at the most verbose level, into memory.
  t = await createTestApp({}, pino({ level: 'trace', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink));
});
afterAll(async () => {
  await t.close();
});

describe('request logs', () => {
  it('when requests carry a bearer token, a feed secret and a page token, then none of them is logged', async () => {
    // Arrange
    const planner = await t.token({ role: 'planner' });
    const feedSecret = 'f_' + 'S'.repeat(43);
    const pageToken = 'gd_' + 'P'.repeat(43);

    // Act
    await request(t.app).get('/api/v1/gates').set('Authorization', `Bearer ${planner}`).expect(200);
    await request(t.app).get(`/feeds/${feedSecret}.ics`).expect(404);
    await request(t.app).get(`/village?token=${pageToken}`);

    // Assert
    const log = lines.join('');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(log).toContain('/api/v1/gates');
    expect(log).not.toContain(planner);
    expect(log).not.toContain(feedSecret);
    expect(log).not.toContain(pageToken);
    expect(log).toContain('/feeds/[redacted]');
    expect(log).toContain('token=[redacted]');
  });
});
