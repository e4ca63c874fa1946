/**
 * Secrets stay out of the logs however the URL is spelled: any case of the route prefix
 * (routes are case-insensitive), percent-encoded or double-encoded prefixes and parameter
 * names, encoded slashes, malformed `%` sequences. Each request's real log output is captured
 * from the service's own pino settings and searched for the secret.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { redactUrl } from '../../src/http/redact.js';
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
  // Limits off: every spelling must reach its handler (and its log line) as an attacker's would.
  t = await createTestApp(
    { RATE_LIMIT_FAILED_SECRETS_PER_MIN: '0', RATE_LIMIT_FAILED_AUTH_PER_MIN: '0' },
    pino({ level: 'trace', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink),
  );
});
afterAll(async () => {
  await t.close();
});
beforeEach(() => {
  lines.length = 0;
});

/** `%XX` of the secret's first character: the rest of the secret is then still readable as sent. */
const encodeFirst = (s: string): string => `%${s.charCodeAt(0).toString(16).toUpperCase()}${s.slice(1)}`;

const CASES: [string, (secret: string) => string][] = [
  ['feed path', (s) => `/feeds/${s}.ics`],
  ['feed path in capitals', (s) => `/FEEDS/${s}.ics`],
  ['feed path in mixed case', (s) => `/FeEdS/${s}.ics`],
  ['feed prefix percent-encoded', (s) => `/%66eeds/${s}.ics`],
  ['feed prefix double-encoded', (s) => `/%2566eeds/${s}.ics`],
  ['feed prefix with an encoded slash', (s) => `/feeds%2F${s}.ics`],
  ['feed secret partly encoded', (s) => `/feeds/${encodeFirst(s)}.ics`],
  ['feed secret after a malformed escape', (s) => `/feeds/%E0%A4%A${s}.ics`],
  ['feed secret after a stray %', (s) => `/feeds/%%${s}.ics`],
  ['person path, capital M', (s) => `/Me/${s}`],
  ['person path in capitals, with a query', (s) => `/ME/${s}?lang=en`],
  ['village path', (s) => `/Village/${s}`],
  ['person page token', (s) => `/me?token=${s}`],
  ['person page token, name percent-encoded', (s) => `/me?tok%65n=${s}`],
  ['person page token, name double-encoded', (s) => `/me?tok%2565n=${s}`],
  ['person page token, name in capitals, path capitalised', (s) => `/Me?TOKEN=${s}`],
  ['person page token among other parameters', (s) => `/me?lang=en&token=${s}&at=2021-12-13`],
  ['person page token, value partly encoded', (s) => `/me?token=${encodeFirst(s)}`],
  ['person page token, value with a malformed escape', (s) => `/me?token=%E0%A4%A${s}`],
  ['village page token', (s) => `/village?token=gd_${s}`],
  ['village page token, name encoded', (s) => `/village?%74oken=gd_${s}`],
  ['village page token, name with a + and brackets', (s) => `/village?token[]=gd_${s}&x+token=${s}`],
  ['other secret-like names', (s) => `/api/v1/gates?access_token=${s}&Secret=${s}&api%5Fkey=${s}`],
];

describe('request logs', () => {
  it.each(CASES)('when a request carries a secret as %s, then the secret is not logged and the app answers', async (_name, urlOf) => {
    // Arrange
    const secret = randomBytes(32).toString('base64url');

    // Act
    const res = await request(t.app).get(urlOf(secret));

    // Assert
    expect(res.status).toBeLessThan(500);
    const log = lines.join('');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(log).toContain('[redacted]');
    expect(log).not.toContain(secret);
    // Nor a readable part of it (an encoded first character leaves the rest as sent).
    expect(log).not.toContain(secret.slice(8, 32));
  });

  it('when URLs without secrets are logged, then they are logged as sent', async () => {
    // Act
    await request(t.app).get('/api/v1/villages/%E4%B8%9C%E6%9D%91/feed-token?lang=en');
    await request(t.app).get('/readyz?village=%E4%B8%9C&page=2');

    // Assert
    const log = lines.join('');
    expect(log).toContain('/api/v1/villages/%E4%B8%9C%E6%9D%91/feed-token?lang=en');
    expect(log).toContain('/readyz?village=%E4%B8%9C&page=2');
    expect(log).not.toContain('[redacted]');
  });
});

describe('redactUrl', () => {
  it.each([
    ['/feeds/abc.ics', '/feeds/[redacted]'],
    ['/FEEDS/abc.ics?x=1', '/FEEDS/[redacted]?x=1'],
    ['/%66eeds/abc.ics', '/feeds/[redacted]'],
    ['/%2566eeds/abc.ics', '/feeds/[redacted]'],
    ['/feeds%2Fabc.ics', '/feeds/[redacted]'],
    ['/Me/abc', '/Me/[redacted]'],
    ['/me', '/me'],
    ['/media/abc', '/media/abc'],
    ['/me?tok%65n=abc&lang=en', '/me?tok%65n=[redacted]&lang=en'],
    ['/village?TOKEN=abc&plan=p_1', '/village?TOKEN=[redacted]&plan=p_1'],
    ['/me?token', '/me?token=[redacted]'],
    ['/api/v1/villages/%E4%B8%9C%E6%9D%91/feed-token', '/api/v1/villages/%E4%B8%9C%E6%9D%91/feed-token'],
    ['/feeds/%E0%A4%A', '/feeds/[redacted]'],
    ['/%', '/%'],
    ['/x?%=1&%zz=2', '/x?%=1&%zz=2'],
  ])('when %s is redacted, then it reads %s', (url, expected) => {
    // Act
    const redacted = redactUrl(url);

    // Assert
    expect(redacted).toBe(expected);
  });
});
