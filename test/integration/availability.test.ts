/** Availability rows replace all windows of the people they name, and only theirs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { CADRES, GATES, csvUpload, get, put, sheetOf } from '../helpers/fixtures.js';

let t: TestApp;
let planner: string;

beforeAll(async () => {
  t = await createTestApp();
  planner = await t.token({ role: 'planner' });
  await put(t.app, planner, 'gates', csvUpload(sheetOf('gates', GATES))).expect(200);
  await put(t.app, planner, 'cadres', csvUpload(sheetOf('cadres', CADRES))).expect(200);
});
afterAll(async () => {
  await t.close();
});

describe('availability replacement', () => {
  it("when a second upload names only person A, then A's windows are replaced and B's are left alone", async () => {
    // Arrange
    const first = [
      { cadre_id: 'P1', start: '2021-12-14 08:00', end: '2021-12-14 12:00', kind: 'unavailable' },
      { cadre_id: 'P1', start: '2021-12-15 08:00', end: '2021-12-15 12:00', kind: 'unavailable' },
      { cadre_id: 'P2', start: '2021-12-14 18:00', end: '2021-12-14 22:00', kind: 'preferred' },
    ];
    await put(t.app, planner, 'availability', csvUpload(sheetOf('availability', first))).expect(200);
    const second = [{ cadre_id: 'P1', start: '2021-12-20 09:00', end: '2021-12-20 10:00', kind: 'available' }];

    // Act
    const res = await put(t.app, planner, 'availability', csvUpload(sheetOf('availability', second)));

    // Assert
    expect(res.body).toEqual({ created: 0, updated: 1, unchanged: 0, removed: 0 });
    const a = await get(t.app, planner, '/api/v1/availability?cadreId=P1').expect(200);
    const b = await get(t.app, planner, '/api/v1/availability?cadreId=P2').expect(200);
    expect(a.body.items).toEqual([{ cadreId: 'P1', windows: [{ start: '2021-12-20T09:00:00+08:00', end: '2021-12-20T10:00:00+08:00', kind: 'available' }] }]);
    expect(b.body.items).toEqual([{ cadreId: 'P2', windows: [{ start: '2021-12-14T18:00:00+08:00', end: '2021-12-14T22:00:00+08:00', kind: 'preferred' }] }]);
  });

  it('when windows of one kind overlap, then they are accepted and kept as written', async () => {
    // Arrange
    const rows = [
      { cadre_id: 'P3', start: '2021-12-14 08:00', end: '2021-12-14 12:00', kind: 'available' },
      { cadre_id: 'P3', start: '2021-12-14 10:00', end: '2021-12-14 14:00', kind: 'preferred' },
    ];

    // Act
    const res = await put(t.app, planner, 'availability', csvUpload(sheetOf('availability', rows)));

    // Assert
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const stored = await get(t.app, planner, '/api/v1/availability?cadreId=P3').expect(200);
    expect(stored.body.items[0].windows).toHaveLength(2);
  });

  it('when a window names an unknown person, then 422 on that row and column', async () => {
    // Arrange
    const rows = [{ cadre_id: 'P404', start: '2021-12-14 08:00', end: '2021-12-14 12:00', kind: 'available' }];

    // Act
    const res = await put(t.app, planner, 'availability', csvUpload(sheetOf('availability', rows)));

    // Assert
    expect(res.status).toBe(422);
    expect(res.body.error.details.problems).toEqual([
      {
        row: 2,
        column: 'cadre_id',
        value: 'P404',
        message: expect.stringContaining('unknown person'),
        messageZh: expect.stringContaining('人员编号"P404"不存在'),
      },
    ]);
  });
});
