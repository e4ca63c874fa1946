/**
 * What each token may read: a village head only their villages (filters can narrow, never
 * widen), a cadre only themself; phone numbers reach planners only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { get, seedDirectory } from '../helpers/fixtures.js';

let t: TestApp;
let planner: string;
let headOfEast: string;
let cadreP1: string;

// Seeded: 东村 has gates G1, G2 and people P1, P2 (P1 has windows); 西村 has G3 and P3 (with windows).
beforeAll(async () => {
  t = await createTestApp();
  planner = await t.token({ role: 'planner' });
  await seedDirectory(t.app, planner);
  headOfEast = await t.token({ role: 'village_head', villages: ['东村'] });
  cadreP1 = await t.token({ role: 'cadre', cadreId: 'P1' });
});
afterAll(async () => {
  await t.close();
});

const ids = (items: { id: string }[]): string[] => items.map((i) => i.id).sort();
const cadreIds = (items: { cadreId: string }[]): string[] => items.map((i) => i.cadreId).sort();

describe('village head', () => {
  it("when a village head lists gates, people, availability and villages, then only their village's appear", async () => {
    // Act
    const gates = await get(t.app, headOfEast, '/api/v1/gates').expect(200);
    const cadres = await get(t.app, headOfEast, '/api/v1/cadres').expect(200);
    const windows = await get(t.app, headOfEast, '/api/v1/availability').expect(200);
    const villages = await get(t.app, headOfEast, '/api/v1/villages').expect(200);

    // Assert
    expect(ids(gates.body.items)).toEqual(['G1', 'G2']);
    expect(gates.body.total).toBe(2);
    expect(ids(cadres.body.items)).toEqual(['P1', 'P2']);
    expect(cadres.body.total).toBe(2);
    expect(cadreIds(windows.body.items)).toEqual(['P1']);
    expect(villages.body.items).toEqual([{ village: '东村', town: '庄市街道', gates: 2 }]);
  });

  it.each([
    '/api/v1/gates?village=西村',
    '/api/v1/cadres?village=西村',
    '/api/v1/availability?village=西村',
    '/api/v1/availability?cadreId=P3',
    '/api/v1/gates?town=招宝山街道',
    '/api/v1/cadres?town=招宝山街道',
  ])('when a village head filters for another village with %s, then the list is empty', async (path) => {
    // Act
    const res = await get(t.app, headOfEast, path);

    // Assert
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
    expect(res.body.total).toBe(0);
  });

  it.each(['/api/v1/gates/G3', '/api/v1/cadres/P3'])("when a village head reads another village's record %s, then 403", async (path) => {
    // Act
    const res = await get(t.app, headOfEast, path);

    // Assert
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect(JSON.stringify(res.body)).not.toContain('王芳');
  });

  it('when a village head reads people of their village, then phone numbers are null', async () => {
    // Act
    const list = await get(t.app, headOfEast, '/api/v1/cadres').expect(200);
    const one = await get(t.app, headOfEast, '/api/v1/cadres/P1').expect(200);

    // Assert
    expect(list.body.items.map((c: { phone: unknown }) => c.phone)).toEqual([null, null]);
    expect(one.body).toMatchObject({ id: 'P1', name: '张伟', phone: null });
    expect(JSON.stringify(list.body) + JSON.stringify(one.body)).not.toContain('13812345678');
  });

  it('when a planner reads the same people, then phone numbers are shown', async () => {
    // Act
    const one = await get(t.app, planner, '/api/v1/cadres/P1').expect(200);

    // Assert
    expect(one.body.phone).toBe('13812345678');
  });
});

describe('cadre', () => {
  it('when a cadre reads their own record and availability, then they get them without the phone number', async () => {
    // Act
    const self = await get(t.app, cadreP1, '/api/v1/cadres/P1');
    const list = await get(t.app, cadreP1, '/api/v1/cadres');
    const windows = await get(t.app, cadreP1, '/api/v1/availability');

    // Assert
    expect(self.status).toBe(200);
    expect(self.body).toMatchObject({ id: 'P1', phone: null });
    expect(ids(list.body.items)).toEqual(['P1']);
    expect(list.body.total).toBe(1);
    expect(cadreIds(windows.body.items)).toEqual(['P1']);
    expect(windows.body.items[0].windows).toHaveLength(2);
  });

  it.each(['/api/v1/cadres/P2', '/api/v1/cadres/P3', '/api/v1/gates', '/api/v1/gates/G1', '/api/v1/villages'])(
    'when a cadre reads %s, then 403',
    async (path) => {
      // Act
      const res = await get(t.app, cadreP1, path);

      // Assert
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    },
  );

  it.each(['/api/v1/availability?cadreId=P3', '/api/v1/availability?village=西村', '/api/v1/cadres?village=西村'])(
    "when a cadre asks for someone else's data with %s, then the list is empty",
    async (path) => {
      // Act
      const res = await get(t.app, cadreP1, path);

      // Assert
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([]);
    },
  );
});
