/**
 * The channel and delivery-log answers keep the OpenAPI contract (test/helpers/contract.ts
 * checks every answer below against the served document).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withContractCheck } from '../../helpers/contract.js';
import { api } from '../../helpers/roster-fixtures.js';
import { seedDirectory } from '../../helpers/fixtures.js';
import { createTestApp, type TestApp } from '../../helpers/test-app.js';
import type { Express } from 'express';

let t: TestApp;
let app: Express;
beforeAll(async () => {
  t = await createTestApp();
  app = withContractCheck(t.app);
});
afterAll(async () => {
  await t?.close();
});

describe('channels API contract', () => {
  it('when channels are created, listed, refused and removed, then every answer matches the document', async () => {
    const planner = await t.token({ role: 'planner' });
    await seedDirectory(t.app, planner);
    const created = await api(app, planner).post('/api/v1/channels', {
      kind: 'wecom',
      url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc',
      villages: ['东村'],
    });
    expect(created.status).toBe(201);
    expect(created.body).not.toHaveProperty('url');
    expect((await api(app, planner).get('/api/v1/channels')).status).toBe(200);
    expect((await api(app, planner).post('/api/v1/channels', { kind: 'fax', url: 'x' })).status).toBe(422);
    expect((await api(app, planner).post('/api/v1/channels', { kind: 'wecom', url: 'not a url' })).status).toBe(422);
    expect((await api(app, planner).get('/api/v1/deliveries?status=sent')).status).toBe(200);
    const head = await t.token({ role: 'village_head', villages: ['东村'] });
    expect((await api(app, head).post('/api/v1/channels', { kind: 'wecom', url: 'https://x' })).status).toBe(403);
    expect((await api(app, planner).delete(`/api/v1/channels/${created.body.id}`)).status).toBe(204);
    expect((await api(app, planner).delete(`/api/v1/channels/${created.body.id}`)).status).toBe(404);
  });
});
