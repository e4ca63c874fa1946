/** Bearer tokens: 401 without a valid one, 403 for planner-only endpoints, token management. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { GATES, csvUpload, get, put, seedDirectory, sheetOf } from '../helpers/fixtures.js';

let t: TestApp;
let planner: string;
let head: string;
let cadre: string;

beforeAll(async () => {
  t = await createTestApp();
  planner = await t.token({ role: 'planner' });
  await seedDirectory(t.app, planner);
  head = await t.token({ role: 'village_head', villages: ['东村'] });
  cadre = await t.token({ role: 'cadre', cadreId: 'P1' });
});
afterAll(async () => {
  await t.close();
});

const gatesFile = () => csvUpload(sheetOf('gates', GATES));

describe('authentication', () => {
  it.each([
    ['no Authorization header', undefined],
    ['a garbage token', 'Bearer not-a-real-token'],
    ['a well-formed but unknown token', `Bearer gd_${'A'.repeat(43)}`],
    ['a non-Bearer scheme', 'Basic dXNlcjpwYXNz'],
  ])('when a request has %s, then 401 unauthorized', async (_name, header) => {
    // Arrange
    const req = request(t.app).get('/api/v1/gates');
    if (header) req.set('Authorization', header);

    // Act
    const res = await req;

    // Assert
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('when an upload is sent without a token, then 401 and nothing is written', async () => {
    // Arrange
    const before = await t.models.Gate.countDocuments();

    // Act
    const res = await request(t.app)
      .put('/api/v1/gates?replace=true')
      .set('Content-Type', 'text/csv')
      .send(Buffer.from('id,name,village,town\r\nX,x,东村,庄市街道\r\n'));

    // Assert
    expect(res.status).toBe(401);
    expect(await t.models.Gate.countDocuments()).toBe(before);
  });

  it('when a token is revoked through DELETE /api/v1/tokens/:id, then it gets 401 from then on', async () => {
    // Arrange
    const issued = await request(t.app)
      .post('/api/v1/tokens')
      .set('Authorization', `Bearer ${planner}`)
      .send({ role: 'planner', label: 'to revoke' })
      .expect(201);
    await get(t.app, issued.body.token, '/api/v1/gates').expect(200);

    // Act
    const revoke = await request(t.app).delete(`/api/v1/tokens/${issued.body.tokenId}`).set('Authorization', `Bearer ${planner}`);
    const after = await get(t.app, issued.body.token, '/api/v1/gates');

    // Assert
    expect(revoke.status).toBe(204);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthorized');
  });

  it('when a token id that is unknown or already revoked is revoked, then 404', async () => {
    // Arrange
    const issued = await request(t.app).post('/api/v1/tokens').set('Authorization', `Bearer ${planner}`).send({ role: 'planner' }).expect(201);
    await request(t.app).delete(`/api/v1/tokens/${issued.body.tokenId}`).set('Authorization', `Bearer ${planner}`).expect(204);

    // Act
    const again = await request(t.app).delete(`/api/v1/tokens/${issued.body.tokenId}`).set('Authorization', `Bearer ${planner}`);
    const unknown = await request(t.app).delete('/api/v1/tokens/0000000000000000').set('Authorization', `Bearer ${planner}`);

    // Assert
    expect(again.status).toBe(404);
    expect(unknown.status).toBe(404);
  });
});

describe('planner-only endpoints', () => {
  const who = [
    ['village_head', () => head],
    ['cadre', () => cadre],
  ] as const;
  const calls: [string, (token: string) => request.Test][] = [
    ['PUT /gates', (tk) => put(t.app, tk, 'gates', gatesFile())],
    ['PUT /cadres', (tk) => put(t.app, tk, 'cadres', csvUpload([['id'], ['P1']]))],
    ['PUT /availability', (tk) => put(t.app, tk, 'availability', csvUpload([['cadre_id'], ['P1']]))],
    ['DELETE /gates/G1', (tk) => request(t.app).delete('/api/v1/gates/G1').set('Authorization', `Bearer ${tk}`)],
    ['DELETE /cadres/P1', (tk) => request(t.app).delete('/api/v1/cadres/P1').set('Authorization', `Bearer ${tk}`)],
    ['DELETE /availability/P1', (tk) => request(t.app).delete('/api/v1/availability/P1').set('Authorization', `Bearer ${tk}`)],
    ['POST /tokens', (tk) => request(t.app).post('/api/v1/tokens').set('Authorization', `Bearer ${tk}`).send({ role: 'planner' })],
    ['GET /tokens', (tk) => request(t.app).get('/api/v1/tokens').set('Authorization', `Bearer ${tk}`)],
    ['DELETE /tokens/:id', (tk) => request(t.app).delete('/api/v1/tokens/0000000000000000').set('Authorization', `Bearer ${tk}`)],
  ];
  const cases = who.flatMap(([role, token]) => calls.map(([call, send]) => ({ role, call, token, send })));

  it.each(cases)('when a $role token calls $call, then 403 forbidden and nothing changes', async ({ token, send }) => {
    // Arrange
    const before = [
      await t.models.Gate.countDocuments(),
      await t.models.Cadre.countDocuments(),
      await t.models.Availability.countDocuments(),
      await t.models.ApiToken.countDocuments(),
    ];

    // Act
    const res = await send(token());

    // Assert
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect([
      await t.models.Gate.countDocuments(),
      await t.models.Cadre.countDocuments(),
      await t.models.Availability.countDocuments(),
      await t.models.ApiToken.countDocuments(),
    ]).toEqual(before);
  });
});

describe('token management', () => {
  it('when a planner issues a token, then 201 returns a secret of at least 128 random bits once, and it works', async () => {
    // Act
    const res = await request(t.app)
      .post('/api/v1/tokens')
      .set('Authorization', `Bearer ${planner}`)
      .send({ role: 'village_head', villages: ['东村'], label: 'head of 东村' });

    // Assert
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ role: 'village_head', villages: ['东村'], cadreId: null, tokenId: expect.any(String) });
    const secret: string = res.body.token;
    // Prefix + base64url: at least 22 base64url characters carry 128 bits.
    const random = secret.replace(/^[a-z]+_/, '');
    expect(random).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(random.length * 6).toBeGreaterThanOrEqual(128);
    expect(new Set(random).size).toBeGreaterThan(16);
    const second = await request(t.app).post('/api/v1/tokens').set('Authorization', `Bearer ${planner}`).send({ role: 'planner' });
    expect(second.body.token).not.toBe(secret);
    await get(t.app, secret, '/api/v1/gates').expect(200);
  });

  it('when tokens are listed, then no secret or hash appears anywhere in the answer', async () => {
    // Arrange
    const issued = await request(t.app).post('/api/v1/tokens').set('Authorization', `Bearer ${planner}`).send({ role: 'cadre', cadreId: 'P2' }).expect(201);
    const stored = await t.models.ApiToken.findOne({ tokenId: issued.body.tokenId }).lean();

    // Act
    const res = await request(t.app).get('/api/v1/tokens').set('Authorization', `Bearer ${planner}`);

    // Assert
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(issued.body.token);
    expect(text).not.toContain(stored!.hash);
    expect(text).not.toContain(planner);
    for (const item of res.body.items) {
      expect(item).not.toHaveProperty('hash');
      expect(item).not.toHaveProperty('token');
      expect(item).not.toHaveProperty('_id');
    }
    expect(res.body.items).toContainEqual(expect.objectContaining({ tokenId: issued.body.tokenId, role: 'cadre', cadreId: 'P2' }));
  });

  it.each([
    ['an unknown role', { role: 'admin' }, 422],
    ['a village_head without villages', { role: 'village_head' }, 422],
    ['a village_head for an unknown village', { role: 'village_head', villages: ['北村'] }, 422],
    ['a cadre token for an unknown person', { role: 'cadre', cadreId: 'P404' }, 422],
  ])('when a token is requested for %s, then it is refused', async (_name, body, status) => {
    // Act
    const res = await request(t.app).post('/api/v1/tokens').set('Authorization', `Bearer ${planner}`).send(body);

    // Assert
    expect(res.status).toBe(status);
    expect(res.body.error.message).toEqual(expect.any(String));
  });
});
