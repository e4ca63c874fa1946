/** Lists with filters and pagination, reads by id, deletes. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { GATES, clearDirectory, csvUpload, get, put, seedDirectory, sheetOf } from '../helpers/fixtures.js';

let t: TestApp;
let planner: string;

beforeAll(async () => {
  t = await createTestApp();
  planner = await t.token({ role: 'planner' });
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await clearDirectory(t.models);
  await seedDirectory(t.app, planner);
});

const ids = (items: { id: string }[]): string[] => items.map((i) => i.id).sort();
const del = (path: string) => request(t.app).delete(path).set('Authorization', `Bearer ${planner}`);

describe('filters', () => {
  it.each([
    ['/api/v1/gates?village=东村', ['G1', 'G2']],
    ['/api/v1/gates?town=庄市街道', ['G1', 'G2', 'G3']],
    ['/api/v1/gates?town=招宝山街道', ['G4']],
    ['/api/v1/gates?village=东村&town=招宝山街道', []],
    ['/api/v1/cadres?village=东村', ['P1', 'P2']],
    ['/api/v1/cadres?town=庄市街道', ['P1', 'P2', 'P3']],
    ['/api/v1/cadres?role=village_cadre', ['P1', 'P4']],
    ['/api/v1/cadres?role=dispatched&town=庄市街道', ['P3']],
    ['/api/v1/cadres?village=北村', []],
  ])('when a planner lists %s, then exactly %j are returned', async (path, expected) => {
    // Act
    const res = await get(t.app, planner, path);

    // Assert
    expect(res.status).toBe(200);
    expect(ids(res.body.items)).toEqual(expected);
    expect(res.body.total).toBe(expected.length);
  });

  it('when availability is filtered by village or person, then only those people are returned', async () => {
    // Act
    const byVillage = await get(t.app, planner, '/api/v1/availability?village=西村').expect(200);
    const byPerson = await get(t.app, planner, '/api/v1/availability?cadreId=P1').expect(200);

    // Assert
    expect(byVillage.body.items.map((a: { cadreId: string }) => a.cadreId)).toEqual(['P3']);
    expect(byPerson.body.items.map((a: { cadreId: string }) => a.cadreId)).toEqual(['P1']);
  });

  it.each(['/api/v1/cadres?role=mayor', '/api/v1/gates?page=0', '/api/v1/gates?pageSize=5000', '/api/v1/gates?page=abc'])(
    'when a query is invalid (%s), then 422 naming the parameter',
    async (path) => {
      // Act
      const res = await get(t.app, planner, path);

      // Assert
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details.problems.map((p: { field: string }) => p.field)).toEqual([/[?&](\w+)=/.exec(path)?.[1]]);
    },
  );
});

describe('pagination', () => {
  it('when 25 gates are listed 10 per page, then pages hold 10, 10 and 5 distinct gates and total is 25', async () => {
    // Arrange
    const many = Array.from({ length: 21 }, (_, i) => ({ ...GATES[0]!, id: `H${String(i).padStart(2, '0')}` }));
    await put(t.app, planner, 'gates', csvUpload(sheetOf('gates', many))).expect(200);

    // Act
    const pages = [];
    for (const page of [1, 2, 3, 4]) pages.push((await get(t.app, planner, `/api/v1/gates?page=${page}&pageSize=10`).expect(200)).body);

    // Assert
    expect(pages.map((p) => p.items.length)).toEqual([10, 10, 5, 0]);
    expect(pages.map((p) => [p.page, p.pageSize, p.total])).toEqual([
      [1, 10, 25],
      [2, 10, 25],
      [3, 10, 25],
      [4, 10, 25],
    ]);
    const all = pages.flatMap((p) => p.items.map((g: { id: string }) => g.id));
    expect(new Set(all).size).toBe(25);
  });

  it('when no paging is asked for, then page 1 of 100 is the default', async () => {
    // Act
    const res = await get(t.app, planner, '/api/v1/cadres').expect(200);

    // Assert
    expect(res.body).toMatchObject({ page: 1, pageSize: 100, total: 4 });
  });
});

describe('by id and delete', () => {
  it.each(['/api/v1/gates/NOPE', '/api/v1/cadres/NOPE'])('when %s is unknown, then 404 not_found', async (path) => {
    // Act
    const res = await get(t.app, planner, path);

    // Assert
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('when a gate is deleted, then 204 and it is 404 afterwards; deleting again is 404', async () => {
    // Act
    const res = await del('/api/v1/gates/G2');

    // Assert
    expect(res.status).toBe(204);
    await get(t.app, planner, '/api/v1/gates/G2').expect(404);
    await del('/api/v1/gates/G2').expect(404);
    expect(ids((await get(t.app, planner, '/api/v1/gates?village=东村').expect(200)).body.items)).toEqual(['G1']);
  });

  it('when a person is deleted, then 204, the person is 404 and their availability is gone', async () => {
    // Act
    const res = await del('/api/v1/cadres/P1');

    // Assert
    expect(res.status).toBe(204);
    await get(t.app, planner, '/api/v1/cadres/P1').expect(404);
    expect((await get(t.app, planner, '/api/v1/availability?cadreId=P1').expect(200)).body.items).toEqual([]);
    await del('/api/v1/cadres/P1').expect(404);
  });

  it("when a person's availability is deleted, then 204, the windows are gone, the person stays, and again is 404", async () => {
    // Act
    const res = await del('/api/v1/availability/P3');

    // Assert
    expect(res.status).toBe(204);
    expect((await get(t.app, planner, '/api/v1/availability?cadreId=P3').expect(200)).body.items).toEqual([]);
    await get(t.app, planner, '/api/v1/cadres/P3').expect(200);
    await del('/api/v1/availability/P3').expect(404);
  });
});
