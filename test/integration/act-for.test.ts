/**
 * Acting for someone else, as a matrix: every route that takes a person id x every role x the
 * caller's own person (for a head: a person of their village) and someone else. A refused
 * cell is a 403 `forbidden`; an allowed cell gets past the rule (whatever the route then says:
 * 200, 201, 204, or a 422 when no roster needs anyone at the gate), never a 403.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { seedDirectory } from '../helpers/fixtures.js';

type Role = 'planner' | 'village_head' | 'cadre' | 'inspector';
type Whom = 'self' | 'other';

/** P1 lives in 东村, P3 in 西村: the cadre token is P1's, the head's token is for 东村. */
const PERSON: Record<Whom, string> = { self: 'P1', other: 'P3' };

const ROUTES: { name: string; call: (app: TestApp['app'], token: string, cadreId: string) => request.Test; allowed: Record<Role, Whom[]> }[] = [
  {
    name: 'GET /cadres/{id}',
    call: (app, tk, id) => request(app).get(`/api/v1/cadres/${id}`).set('Authorization', `Bearer ${tk}`),
    allowed: { planner: ['self', 'other'], village_head: ['self'], cadre: ['self'], inspector: [] },
  },
  {
    name: 'POST /absences',
    call: (app, tk, id) =>
      request(app)
        .post('/api/v1/absences')
        .set('Authorization', `Bearer ${tk}`)
        .send({ cadreId: id, from: '2021-12-20T08:00:00+08:00', to: '2021-12-20T12:00:00+08:00' }),
    allowed: { planner: ['self', 'other'], village_head: ['self'], cadre: [], inspector: [] },
  },
  {
    name: 'POST /cadres/{id}/feed-token',
    call: (app, tk, id) => request(app).post(`/api/v1/cadres/${id}/feed-token`).set('Authorization', `Bearer ${tk}`),
    allowed: { planner: ['self', 'other'], village_head: [], cadre: ['self'], inspector: [] },
  },
  {
    name: 'DELETE /cadres/{id}/feed-token',
    call: (app, tk, id) => request(app).delete(`/api/v1/cadres/${id}/feed-token`).set('Authorization', `Bearer ${tk}`),
    allowed: { planner: ['self', 'other'], village_head: [], cadre: ['self'], inspector: [] },
  },
  {
    name: 'POST /checkins (cadreId)',
    call: (app, tk, id) => request(app).post('/api/v1/checkins').set('Authorization', `Bearer ${tk}`).send({ gateId: 'G1', cadreId: id }),
    allowed: { planner: [], village_head: [], cadre: ['self'], inspector: [] },
  },
  {
    name: 'POST /checkins/check-out (cadreId)',
    call: (app, tk, id) => request(app).post('/api/v1/checkins/check-out').set('Authorization', `Bearer ${tk}`).send({ gateId: 'G1', cadreId: id }),
    allowed: { planner: [], village_head: [], cadre: ['self'], inspector: [] },
  },
];

let t: TestApp;
let tokens: Record<Role, string>;

beforeAll(async () => {
  t = await createTestApp();
  const planner = await t.token({ role: 'planner' });
  await seedDirectory(t.app, planner);
  tokens = {
    planner,
    village_head: await t.token({ role: 'village_head', villages: ['东村'] }),
    cadre: await t.token({ role: 'cadre', cadreId: PERSON.self }),
    inspector: await t.token({ role: 'inspector' }),
  };
});
afterAll(async () => {
  await t.close();
});

describe('acting for someone else: role x route x self/other', () => {
  it('when each role calls each route that takes a person id, for its own person and for someone else, then exactly the cells the rule allows get past it and the rest are 403', async () => {
    // Act
    const seen: string[] = [];
    const expected: string[] = [];
    for (const route of ROUTES) {
      for (const role of Object.keys(tokens) as Role[]) {
        for (const whom of ['self', 'other'] as Whom[]) {
          const res = await route.call(t.app, tokens[role], PERSON[whom]);
          const refused = res.status === 403 && res.body.error?.code === 'forbidden';
          seen.push(`${route.name} ${role} ${whom}: ${refused ? 'refused' : res.status >= 500 || res.status === 401 ? `broken ${res.status}` : 'allowed'}`);
          expected.push(`${route.name} ${role} ${whom}: ${route.allowed[role].includes(whom) ? 'allowed' : 'refused'}`);
        }
      }
    }

    // Assert
    expect(seen).toEqual(expected);
  });

  it('when a cadre token checks in naming someone else (cadreId), then 403 and no check-in is recorded', async () => {
    // Act
    const res = await request(t.app).post('/api/v1/checkins').set('Authorization', `Bearer ${tokens.cadre}`).send({ gateId: 'G3', cadreId: PERSON.other });

    // Assert
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({ code: 'forbidden', message: expect.stringContaining('own person'), details: {} });
    expect(await t.models.CheckIn.countDocuments()).toBe(0);
  });
});
