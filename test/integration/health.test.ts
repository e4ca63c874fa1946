/** Liveness and readiness probes: no token needed; readiness follows the database connection. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('health', () => {
  it('when /healthz is called without a token, then 200 says ok', async () => {
    // Act
    const res = await request(t.app).get('/healthz');

    // Assert
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('when the database is up, then /readyz answers 200', async () => {
    // Act
    const res = await request(t.app).get('/readyz');

    // Assert
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready' });
  });

  it("when the app's database connection is closed, then /readyz answers 503 and /healthz still 200", async () => {
    // Arrange
    const other = await createTestApp();
    await other.close();

    // Act
    const ready = await request(other.app).get('/readyz');
    const healthy = await request(other.app).get('/healthz');

    // Assert
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'database unreachable' });
    expect(healthy.status).toBe(200);
  });
});
