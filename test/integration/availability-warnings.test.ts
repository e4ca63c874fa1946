/**
 * An upload that has a safe reading is written, and the answer lists what the planner should
 * check: a day-job `unavailable` block inside a `preferred` day is kept, unavailable wins.
 */
import { describe, expect, it } from 'vitest';
import { csvUpload, get, put, sheetOf } from '../helpers/fixtures.js';
import { seedRosterDistrict } from '../helpers/roster-fixtures.js';
import { usePlannerApp } from '../helpers/test-app.js';

const f = usePlannerApp(seedRosterDistrict);

describe('uploads with a safe reading', () => {
  it('when a preferred day overlaps an unavailable block of the same person, then 200 lists a warning and both windows are stored', async () => {
    const rows = [
      { cadre_id: 'A02', start: '2021-12-13 08:00', end: '2021-12-13 17:00', kind: 'unavailable' },
      { cadre_id: 'A02', start: '2021-12-13 00:00', end: '2021-12-14 00:00', kind: 'preferred' },
    ];
    const res = await put(f.t.app, f.planner, 'availability', csvUpload(sheetOf('availability', rows)));
    expect(res.status).toBe(200);
    expect(res.body.warnings).toEqual([
      expect.objectContaining({ row: 3, column: 'kind', value: 'preferred', message: expect.stringContaining('unavailable wins') }),
    ]);
    const stored = await get(f.t.app, f.planner, '/api/v1/availability?cadreId=A02');
    expect(stored.body.items[0].windows.map((w: { kind: string }) => w.kind).sort()).toEqual(['preferred', 'unavailable']);
  });

  it('when an available window overlaps an unavailable one, then it is still refused (no safe reading)', async () => {
    const rows = [
      { cadre_id: 'A03', start: '2021-12-13 08:00', end: '2021-12-13 17:00', kind: 'unavailable' },
      { cadre_id: 'A03', start: '2021-12-13 12:00', end: '2021-12-13 20:00', kind: 'available' },
    ];
    const res = await put(f.t.app, f.planner, 'availability', csvUpload(sheetOf('availability', rows)));
    expect(res.status).toBe(422);
    expect(res.body.error.details.problems[0].message).toMatch(/contradicts row 2/);
  });
});
