/**
 * Intake over HTTP: every format and both header languages, for gates, people and
 * availability; counts on first upload, re-upload, edit and replace; what GET gives back.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import {
  AVAILABILITY,
  AVAILABILITY_ZH,
  CADRES,
  CADRES_ZH,
  FORMATS,
  GATES,
  STORED_AVAILABILITY,
  STORED_CADRES,
  STORED_GATES,
  XLSX_TYPE,
  clearDirectory,
  csvUpload,
  get,
  put,
  seedDirectory,
  sheetOf,
  uploadOf,
  xlsxUpload,
  type Lang,
} from '../helpers/fixtures.js';

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
});

const byId = <T extends { id: string }>(items: T[]): T[] => [...items].sort((a, b) => a.id.localeCompare(b.id));
const byCadre = <T extends { cadreId: string }>(items: T[]): T[] => [...items].sort((a, b) => a.cadreId.localeCompare(b.cadreId));

describe('uploads in every format and header language', () => {
  const cases = FORMATS.flatMap((format) => (['en', 'zh'] as Lang[]).map((lang) => ({ format, lang })));

  it.each(cases)(
    'when gates, people and availability are uploaded as $format with $lang headers, then all are created and read back as written',
    async ({ format, lang }) => {
      // Arrange
      const cadres = lang === 'zh' ? CADRES_ZH : CADRES;
      const availability = lang === 'zh' ? AVAILABILITY_ZH : AVAILABILITY;
      const gatesFile = await uploadOf(sheetOf('gates', GATES, lang), format);
      const cadresFile = await uploadOf(sheetOf('cadres', cadres, lang), format);
      const availabilityFile = await uploadOf(sheetOf('availability', availability, lang), format);

      // Act
      const gatesRes = await put(t.app, planner, 'gates', gatesFile);
      const cadresRes = await put(t.app, planner, 'cadres', cadresFile);
      const availabilityRes = await put(t.app, planner, 'availability', availabilityFile);
      const again = await put(t.app, planner, 'cadres', cadresFile);

      // Assert
      expect(gatesRes.status, JSON.stringify(gatesRes.body)).toBe(200);
      expect(gatesRes.body).toEqual({ created: 4, updated: 0, unchanged: 0, removed: 0 });
      expect(cadresRes.status, JSON.stringify(cadresRes.body)).toBe(200);
      expect(cadresRes.body).toEqual({ created: 4, updated: 0, unchanged: 0, removed: 0 });
      expect(availabilityRes.status, JSON.stringify(availabilityRes.body)).toBe(200);
      expect(availabilityRes.body).toEqual({ created: 2, updated: 0, unchanged: 0, removed: 0 });
      expect(again.body).toEqual({ created: 0, updated: 0, unchanged: 4, removed: 0 });
      expect(byId((await get(t.app, planner, '/api/v1/gates').expect(200)).body.items)).toEqual(STORED_GATES);
      expect(byId((await get(t.app, planner, '/api/v1/cadres').expect(200)).body.items)).toEqual(STORED_CADRES);
      expect(byCadre((await get(t.app, planner, '/api/v1/availability').expect(200)).body.items)).toEqual(STORED_AVAILABILITY);
    },
  );

  it('when the same data is re-uploaded in every other format and language, then every row is unchanged', async () => {
    // Arrange
    await seedDirectory(t.app, planner);

    for (const format of FORMATS) {
      for (const lang of ['en', 'zh'] as Lang[]) {
        // Act
        const gates = await put(t.app, planner, 'gates', await uploadOf(sheetOf('gates', GATES, lang), format));
        const cadres = await put(t.app, planner, 'cadres', await uploadOf(sheetOf('cadres', lang === 'zh' ? CADRES_ZH : CADRES, lang), format));
        const windows = await put(
          t.app,
          planner,
          'availability',
          await uploadOf(sheetOf('availability', lang === 'zh' ? AVAILABILITY_ZH : AVAILABILITY, lang), format),
        );

        // Assert
        const where = `${format}/${lang}`;
        expect(gates.body, where).toEqual({ created: 0, updated: 0, unchanged: 4, removed: 0 });
        expect(cadres.body, where).toEqual({ created: 0, updated: 0, unchanged: 4, removed: 0 });
        expect(windows.body, where).toEqual({ created: 0, updated: 0, unchanged: 2, removed: 0 });
      }
    }
  });

  it('when availability is sent as Excel date cells, then the local wall-clock times are stored as instants', async () => {
    // Arrange
    await seedDirectory(t.app, planner);
    const file = await xlsxUpload([
      ['人员编号', '开始时间', '结束时间', '类型'],
      ['P2', new Date(Date.UTC(2021, 11, 14, 8, 0)), new Date(Date.UTC(2021, 11, 14, 17, 0)), '不可值班'],
    ]);

    // Act
    const res = await put(t.app, planner, 'availability', file);

    // Assert
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ created: 1, updated: 0, unchanged: 0, removed: 0 });
    const stored = await get(t.app, planner, '/api/v1/availability?cadreId=P2').expect(200);
    expect(stored.body.items).toEqual([
      { cadreId: 'P2', windows: [{ start: '2021-12-14T08:00:00+08:00', end: '2021-12-14T17:00:00+08:00', kind: 'unavailable' }] },
    ]);
  });

  it('when a GBK CSV says charset=gbk in its Content-Type, then it is decoded as GBK', async () => {
    // Arrange
    const file = csvUpload(sheetOf('gates', GATES, 'zh'), 'gbk');

    // Act
    const res = await put(t.app, planner, 'gates', { ...file, contentType: 'text/csv; charset=gbk' });

    // Assert
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await get(t.app, planner, '/api/v1/gates/G4').expect(200)).body).toMatchObject({ name: '北门', village: '山盛村', town: '招宝山街道' });
  });

  it('when the village sample files are uploaded (BOM CSV, GBK CSV, xlsx), then each succeeds', async () => {
    // Arrange
    const gates = { body: readFileSync(new URL('../../data/village/gates.csv', import.meta.url)), contentType: 'text/csv' };
    const cadres = { body: readFileSync(new URL('../../data/village/cadres.csv', import.meta.url)), contentType: 'text/csv' };
    const availability = { body: readFileSync(new URL('../../data/village/availability.xlsx', import.meta.url)), contentType: XLSX_TYPE };

    // Act
    const results = [
      await put(t.app, planner, 'gates', gates),
      await put(t.app, planner, 'cadres', cadres),
      await put(t.app, planner, 'availability', availability),
    ];

    // Assert
    for (const res of results) expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(results[0]?.body.created).toBe(1);
    expect(results[1]?.body.created).toBe(8);
    expect(results[2]?.body.created).toBeGreaterThan(0);
    const cadre = await get(t.app, planner, '/api/v1/cadres/ZBS99-001').expect(200);
    expect(cadre.body).toMatchObject({ name: '孙磊浩', role: 'village_cadre', village: '山盛村', phone: '18119101922' });
  });
});

describe('counts across re-uploads', () => {
  it('when a gate row is edited and re-uploaded, then it counts as updated and GET shows the edit', async () => {
    // Arrange
    await seedDirectory(t.app, planner);
    const edited = GATES.map((g) => (g.id === 'G2' ? { ...g, staff_per_shift: 4, name: '西门(新)' } : g));

    // Act
    const res = await put(t.app, planner, 'gates', csvUpload(sheetOf('gates', edited)));

    // Assert
    expect(res.body).toEqual({ created: 0, updated: 1, unchanged: 3, removed: 0 });
    const gate = await get(t.app, planner, '/api/v1/gates/G2').expect(200);
    expect(gate.body).toMatchObject({ name: '西门(新)', staffPerShift: 4 });
  });

  it('when a person row is edited and a new one added, then counts say updated 1 and created 1', async () => {
    // Arrange
    await seedDirectory(t.app, planner);
    const rows = [
      ...CADRES.map((c) => (c.id === 'P3' ? { ...c, max_hours_week: 30 } : c)),
      { id: 'P5', name: '赵敏', phone: '', role: 'volunteer', village: '西村', serves: '', max_hours_week: '', night_ok: '' },
    ];

    // Act
    const res = await put(t.app, planner, 'cadres', csvUpload(sheetOf('cadres', rows)));

    // Assert
    expect(res.body).toEqual({ created: 1, updated: 1, unchanged: 3, removed: 0 });
    expect((await get(t.app, planner, '/api/v1/cadres/P3').expect(200)).body.maxHoursWeek).toBe(30);
  });

  it('when a window of a person is changed, then that person counts as updated', async () => {
    // Arrange
    await seedDirectory(t.app, planner);
    const rows = AVAILABILITY.map((w, i) => (i === 0 ? { ...w, end: '2021-12-14 18:00' } : w));

    // Act
    const res = await put(t.app, planner, 'availability', csvUpload(sheetOf('availability', rows)));

    // Assert
    expect(res.body).toEqual({ created: 0, updated: 1, unchanged: 1, removed: 0 });
  });

  it('when gates are uploaded with ?replace=true, then gates missing from the file are removed', async () => {
    // Arrange
    await seedDirectory(t.app, planner);
    const kept = GATES.filter((g) => g.id !== 'G3');

    // Act
    const res = await put(t.app, planner, 'gates', csvUpload(sheetOf('gates', kept)), '?replace=true');

    // Assert
    expect(res.body).toEqual({ created: 0, updated: 0, unchanged: 3, removed: 1 });
    await get(t.app, planner, '/api/v1/gates/G3').expect(404);
    expect((await get(t.app, planner, '/api/v1/gates').expect(200)).body.total).toBe(3);
  });

  it('when people are uploaded with ?replace=true, then the missing person and their availability are removed', async () => {
    // Arrange
    await seedDirectory(t.app, planner);
    const kept = CADRES.filter((c) => c.id !== 'P1');

    // Act
    const res = await put(t.app, planner, 'cadres', csvUpload(sheetOf('cadres', kept)), '?replace=true');

    // Assert
    expect(res.body).toEqual({ created: 0, updated: 0, unchanged: 3, removed: 1 });
    await get(t.app, planner, '/api/v1/cadres/P1').expect(404);
    const windows = await get(t.app, planner, '/api/v1/availability').expect(200);
    expect(windows.body.items.map((a: { cadreId: string }) => a.cadreId)).toEqual(['P3']);
  });

  it('when availability is uploaded with ?replace=true, then people missing from the file lose their windows', async () => {
    // Arrange
    await seedDirectory(t.app, planner);
    const onlyP3 = AVAILABILITY.filter((w) => w.cadre_id === 'P3');

    // Act
    const res = await put(t.app, planner, 'availability', csvUpload(sheetOf('availability', onlyP3)), '?replace=true');

    // Assert
    expect(res.body).toEqual({ created: 0, updated: 0, unchanged: 1, removed: 1 });
    const windows = await get(t.app, planner, '/api/v1/availability').expect(200);
    expect(windows.body.items.map((a: { cadreId: string }) => a.cadreId)).toEqual(['P3']);
  });
});
