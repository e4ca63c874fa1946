/**
 * Abuse limits: unknown secrets and rejected tokens per client address, all requests to
 * secret links per address, uploads per token. Every test speaks as its own client address
 * (X-Forwarded-For, trusted from loopback as in production behind a local proxy), so the
 * counts of one test do not spill into the next.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { GATES, csvUpload, put, seedDirectory, sheetOf } from '../helpers/fixtures.js';

const LIMITS = {
  RATE_LIMIT_FAILED_SECRETS_PER_MIN: '5',
  RATE_LIMIT_FAILED_AUTH_PER_MIN: '5',
  RATE_LIMIT_SECRET_REQUESTS_PER_MIN: '40',
  RATE_LIMIT_UPLOADS_PER_HOUR: '3',
};

let t: TestApp;
let planner: string;
/** A valid person feed (P1), as a path. */
let feed: string;

beforeAll(async () => {
  t = await createTestApp(LIMITS);
  planner = await t.token({ role: 'planner' });
  await seedDirectory(t.app, planner);
  const links = await request(t.app).post('/api/v1/cadres/P1/feed-token').set('Authorization', `Bearer ${planner}`).expect(201);
  feed = new URL(links.body.url as string).pathname;
});
afterAll(async () => {
  await t.close();
});

let nextAddress = 1;
/** A client address of its own for one test. */
const newClient = (): string => `203.0.113.${nextAddress++}`;
const from = (address: string) => ({
  get: (path: string) => request(t.app).get(path).set('X-Forwarded-For', address),
});
const unknownFeed = (i: number) => `/feeds/f_${String(i).padStart(43, 'x')}.ics`;

function expectRateLimited(res: request.Response, limit: string, maxRetryAfter: number): void {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(maxRetryAfter);
  if (res.type === 'application/json') {
    expect(res.body.error).toMatchObject({ code: 'rate_limited', details: { limit, retryAfterSeconds: retryAfter } });
    expect(res.body.error.message).toEqual(expect.any(String));
  }
}

describe('unknown feed and page secrets', () => {
  it('when one address sends more unknown feed secrets than the limit, then the next answers 429 with Retry-After, before any lookup', async () => {
    // Arrange
    const client = from(newClient());

    // Act
    const misses = [];
    for (let i = 0; i < 5; i++) misses.push(await client.get(unknownFeed(i)));
    const refused = await client.get(unknownFeed(99));
    const validToo = await client.get(feed);

    // Assert
    expect(misses.map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);
    expectRateLimited(refused, 'failed_secret_lookups', 60);
    expect(refused.body.error.details.max).toBe(5);
    // Checked before the lookup: a guess that would hit looks like any other refusal.
    expectRateLimited(validToo, 'failed_secret_lookups', 60);
  });

  it('when the misses are spread over /feeds, /FEEDS, /me and /village, then they share one count', async () => {
    // Arrange
    const client = from(newClient());

    // Act
    const statuses = [
      (await client.get(unknownFeed(1))).status,
      (await client.get(unknownFeed(2).replace('/feeds/', '/FEEDS/'))).status,
      (await client.get(`/me?token=${'m'.repeat(43)}`)).status,
      (await client.get(`/village?token=gd_${'v'.repeat(43)}`)).status,
      (await client.get(`/Me?tok%65n=${'n'.repeat(43)}`)).status,
    ];
    const page = await client.get(`/me?token=${'o'.repeat(43)}`);

    // Assert
    expect(statuses).toEqual([404, 404, 404, 401, 404]);
    expectRateLimited(page, 'failed_secret_lookups', 60);
    expect(page.type).toBe('text/html');
  });

  it('when a thousand phones behind one address fetch valid feeds, then none is refused and the misses still count', async () => {
    // Arrange: the address's all-request cap (40) is the only bound on valid fetches.
    const client = from(newClient());

    // Act
    const valid = [];
    for (let i = 0; i < 30; i++) valid.push((await client.get(feed)).status);
    const misses = [];
    for (let i = 0; i < 5; i++) misses.push((await client.get(unknownFeed(i))).status);
    const refused = await client.get(unknownFeed(6));

    // Assert
    expect(valid.every((s) => s === 200)).toBe(true);
    expect(misses).toEqual([404, 404, 404, 404, 404]);
    expectRateLimited(refused, 'failed_secret_lookups', 60);
  });

  it('when one address is over the limit, then another address is not', async () => {
    // Arrange
    const noisy = from(newClient());
    const quiet = from(newClient());
    for (let i = 0; i < 6; i++) await noisy.get(unknownFeed(i));

    // Act
    const noisyAgain = await noisy.get(feed);
    const quietMiss = await quiet.get(unknownFeed(1));
    const quietHit = await quiet.get(feed);

    // Assert
    expect(noisyAgain.status).toBe(429);
    expect(quietMiss.status).toBe(404);
    expect(quietHit.status).toBe(200);
  });

  it('when IPv6 clients of one /56 send the misses, then they share one count', async () => {
    // Arrange
    const addresses = ['2001:db8:0:1::1', '2001:db8:0:2::7', '2001:db8:0:3::1', '2001:db8:0:4::2', '2001:db8:0:5::9'];

    // Act
    for (const [i, address] of addresses.entries()) expect((await from(address).get(unknownFeed(i))).status).toBe(404);
    const sameBlock = await from('2001:db8:0:ff::1').get(feed);
    const otherBlock = await from('2001:db8:1:1::1').get(feed);

    // Assert
    expect(sameBlock.status).toBe(429);
    expect(otherBlock.status).toBe(200);
  });
});

describe('all requests to secret links', () => {
  it('when one address fetches a valid feed past the generous cap, then 429', async () => {
    // Arrange
    const client = from(newClient());

    // Act
    const statuses = [];
    for (let i = 0; i < 40; i++) statuses.push((await client.get(feed)).status);
    const refused = await client.get(feed);

    // Assert
    expect(statuses.every((s) => s === 200)).toBe(true);
    expectRateLimited(refused, 'secret_url_requests', 60);
  });
});

describe('rejected tokens', () => {
  it('when one address sends more unknown bearer tokens than the limit, then 429, and its valid token waits too', async () => {
    // Arrange
    const address = newClient();
    const call = (token: string) => request(t.app).get('/api/v1/gates').set('X-Forwarded-For', address).set('Authorization', `Bearer ${token}`);

    // Act
    const rejected = [];
    for (let i = 0; i < 5; i++) rejected.push((await call(`gd_${String(i).repeat(43)}`)).status);
    const refused = await call('gd_guess');
    const valid = await call(planner);
    const elsewhere = await request(t.app).get('/api/v1/gates').set('X-Forwarded-For', newClient()).set('Authorization', `Bearer ${planner}`);

    // Assert
    expect(rejected).toEqual([401, 401, 401, 401, 401]);
    expectRateLimited(refused, 'failed_auth', 60);
    expectRateLimited(valid, 'failed_auth', 60);
    expect(elsewhere.status).toBe(200);
  });

  it('when valid tokens are used many times, then nothing counts against the address', async () => {
    // Arrange
    const address = newClient();

    // Act
    const statuses = [];
    for (let i = 0; i < 20; i++)
      statuses.push((await request(t.app).get('/api/v1/villages').set('X-Forwarded-For', address).set('Authorization', `Bearer ${planner}`)).status);

    // Assert
    expect(statuses.every((s) => s === 200)).toBe(true);
  });

  it('when console sign-ins and stale session cookies fail, then they count with the API’s rejected tokens', async () => {
    // Arrange
    const address = newClient();
    const signIn = (token: string) =>
      request(t.app).post('/planner/sign-in').set('X-Forwarded-For', address).set('Sec-Fetch-Site', 'same-origin').type('form').send({ token });
    const withCookie = (token: string) => request(t.app).get('/planner/').set('X-Forwarded-For', address).set('Cookie', `gd_planner=${token}`);

    // Act
    const statuses = [
      (await signIn('gd_wrong1')).status,
      (await signIn('gd_wrong2')).status,
      (await withCookie('gd_stale1')).status,
      (await withCookie('gd_stale2')).status,
      (await request(t.app).get('/api/v1/gates').set('X-Forwarded-For', address).set('Authorization', 'Bearer gd_wrong3')).status,
    ];
    const refused = await signIn(planner);

    // Assert: a stale cookie shows the sign-in page (200), but it was a rejected token all the same.
    expect(statuses).toEqual([401, 401, 200, 200, 401]);
    expectRateLimited(refused, 'failed_auth', 60);
  });
});

describe('uploads', () => {
  it('when one token uploads more than the hourly limit, then 429 for it (API and console alike) and not for another token', async () => {
    // Arrange
    const busy = await t.token({ role: 'planner' });
    const other = await t.token({ role: 'planner' });
    const file = csvUpload(sheetOf('gates', GATES));
    const session = await consoleSession(busy);

    // Act
    const accepted = [];
    for (let i = 0; i < 3; i++) accepted.push((await put(t.app, busy, 'gates', file)).status);
    const refused = await put(t.app, busy, 'gates', file);
    const fromConsole = await request(t.app)
      .put('/planner/upload/gates')
      .set('Cookie', session.cookie)
      .set('X-CSRF-Token', session.csrf)
      .set('Content-Type', file.contentType)
      .send(file.body);
    const otherToken = await put(t.app, other, 'gates', file);

    // Assert
    expect(accepted).toEqual([200, 200, 200]);
    expectRateLimited(refused, 'uploads', 3600);
    expect(refused.body.error.details).toMatchObject({ max: 3, windowSeconds: 3600 });
    // The console's upload script shows the answer's fragment, so a refusal is one too.
    expectRateLimited(fromConsole, 'uploads', 3600);
    expect(fromConsole.type).toBe('text/html');
    expect(fromConsole.text).toContain('data-upload-error');
    expect(fromConsole.text).not.toContain('<html');
    expect(otherToken.status).toBe(200);
  });
});

describe('configuration', () => {
  it('when the limits are 0, then nothing is refused', async () => {
    // Arrange
    const off = await createTestApp({
      RATE_LIMIT_FAILED_SECRETS_PER_MIN: '0',
      RATE_LIMIT_FAILED_AUTH_PER_MIN: '0',
      RATE_LIMIT_SECRET_REQUESTS_PER_MIN: '0',
      RATE_LIMIT_UPLOADS_PER_HOUR: '0',
    });
    try {
      // Act
      const statuses = new Set<number>();
      for (let i = 0; i < 40; i++) statuses.add((await request(off.app).get(unknownFeed(i))).status);
      for (let i = 0; i < 40; i++) statuses.add((await request(off.app).get('/api/v1/gates').set('Authorization', 'Bearer gd_wrong')).status);

      // Assert
      expect([...statuses].sort()).toEqual([401, 404]);
    } finally {
      await off.close();
    }
  });

  it('when TRUST_PROXY is false, then X-Forwarded-For is ignored and the socket address counts', async () => {
    // Arrange
    const direct = await createTestApp({ ...LIMITS, TRUST_PROXY: 'false' });
    try {
      // Act: every request claims another address; they all come from the same socket address.
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await request(direct.app).get(unknownFeed(i)).set('X-Forwarded-For', `198.51.100.${i}`)).status);

      // Assert
      expect(statuses).toEqual([404, 404, 404, 404, 404, 429]);
    } finally {
      await direct.close();
    }
  });
});

/** Signs `token` in to the planner console: its cookie and the page's CSRF token. */
async function consoleSession(token: string): Promise<{ cookie: string; csrf: string }> {
  const signedIn = await request(t.app).post('/planner/sign-in').set('Sec-Fetch-Site', 'same-origin').type('form').send({ token }).expect(303);
  const cookie = String(signedIn.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  const page = await request(t.app).get('/planner/').set('Cookie', cookie).expect(200);
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page.text)?.[1];
  if (!csrf) throw new Error('no CSRF token on the console page');
  return { cookie, csrf };
}
