/**
 * An inspector records a problem, the village head sees and fixes it, the report counts it;
 * and nobody reads or writes inspections outside their scope.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvUpload, put, sheetOf } from '../../helpers/fixtures.js';
import { ROSTER_GATES, api, createRosterPlan, publish, seedRosterDistrict, solve, testWorker } from '../../helpers/roster-fixtures.js';
import { createTestApp, type TestApp } from '../../helpers/test-app.js';
import { createLogger } from '../../../src/logger.js';

let t: TestApp;
let planner: string;
let planId: string;
let inspector: string;
let otherTownInspector: string;
let eastHead: string;
let westHead: string;
let cadre: string;
let inspectionId = '';
const now = new Date('2021-12-13T10:00:00+08:00');

beforeAll(async () => {
  t = await createTestApp({}, createLogger('silent'), undefined, { clock: () => now });
  planner = await t.token({ role: 'planner' });
  await seedRosterDistrict(t.app, planner);
  // A second town with one gate, so a town-scoped squad has somewhere it may not go.
  const gates = [
    ...ROSTER_GATES,
    { id: 'H1', name: '北村口', village: '北村', town: '骆驼街道', staff_per_shift: 1, cover_from: '00:00', cover_to: '24:00', lead_required: 'no' },
  ];
  expect((await put(t.app, planner, 'gates', csvUpload(sheetOf('gates', gates)))).status).toBe(200);
  planId = await createRosterPlan(t.app, planner);
  await publish(t.app, planner, planId, await solve(t.app, planner, testWorker(t.models), planId));
  inspector = await t.token({ role: 'inspector', towns: ['庄市街道'], label: '第3督查组' });
  otherTownInspector = await t.token({ role: 'inspector', towns: ['骆驼街道'] });
  eastHead = await t.token({ role: 'village_head', villages: ['东村'] });
  westHead = await t.token({ role: 'village_head', villages: ['西村'] });
  cadre = await t.token({ role: 'cadre', cadreId: 'A01' });
});
afterAll(async () => {
  await t?.close();
});

const spotCheck = {
  gateId: 'G1',
  at: '2021-12-13T09:30:00+08:00',
  staffSeen: 1,
  namesChecked: ['张伟'],
  visitorRegistration: false,
  temperatureChecks: true,
  problems: [
    { category: 'no_registration', text: '来访人员未登记', fixedOnSpot: false },
    { category: 'supplies', text: '缺少测温枪电池', fixedOnSpot: true },
  ],
  clientRef: 'squad3-0001',
};

describe('inspections', () => {
  it('when an inspector records a spot check with problems, then it is stored with the roster’s count, and a retry with the same clientRef is the same record', async () => {
    const res = await api(t.app, inspector).post('/api/v1/inspections', spotCheck);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      gateId: 'G1',
      gateName: '东门',
      village: '东村',
      town: '庄市街道',
      planId,
      staffSeen: 1,
      staffRostered: 2,
      squad: '第3督查组',
      at: '2021-12-13T09:30:00+08:00',
    });
    expect(res.body.problems.map((p: { open: boolean }) => p.open)).toEqual([true, false]);
    inspectionId = res.body.id;
    const retry = await api(t.app, inspector).post('/api/v1/inspections', spotCheck);
    expect(retry.status).toBe(200);
    expect(retry.body.id).toBe(inspectionId);
  });

  it('when the village head opens their page, then the open problem is there; they mark it fixed with a note and it is gone', async () => {
    const page = await request(t.app).get(`/village?token=${encodeURIComponent(eastHead)}&plan=${planId}`);
    expect(page.text).toContain(`data-problem="${inspectionId}:0"`);
    expect(page.text).toContain('来访人员未登记');
    expect(page.text).not.toContain(`data-problem="${inspectionId}:1"`);
    const fixed = await request(t.app)
      .post('/village/problems/fix')
      .type('form')
      .send({ token: eastHead, plan: planId, inspection: inspectionId, index: '0', note: '已安排专人登记' });
    expect(fixed.status).toBe(303);
    const after = await request(t.app).get(fixed.headers.location!);
    expect(after.text).toContain('data-problem-flash');
    expect(after.text).not.toContain(`data-problem="${inspectionId}:0"`);
    const one = await api(t.app, eastHead).get(`/api/v1/inspections/${inspectionId}`);
    expect(one.body.problems[0]).toMatchObject({ open: false, fixedNote: '已安排专人登记', fixedAt: '2021-12-13T10:00:00+08:00' });
    expect((await api(t.app, eastHead).post(`/api/v1/inspections/${inspectionId}/problems/0/fix`, { note: '再次' })).status).toBe(409);
  });

  it('when the daily report is read, then it counts the inspection, its problems, the fixed ones and none open', async () => {
    const report = await api(t.app, planner).get(`/api/v1/plans/${planId}/report?date=2021-12-13`);
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    const town = report.body.towns.find((t: { town: string }) => t.town === '庄市街道');
    const east = town.villages.find((v: { village: string }) => v.village === '东村');
    expect(east.ground).toMatchObject({ inspections: 1, problemsFound: 2, problemsFixed: 2, problemsOpen: 0 });
    const xlsx = await api(t.app, planner)
      .get(`/api/v1/plans/${planId}/report?date=2021-12-13`)
      .set('Accept', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(xlsx.status).toBe(200);
    const ExcelJS = (await import('exceljs')).default;
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body as never);
    expect(book.worksheets.map((w) => w.name)).toEqual(['汇总', '骆驼街道', '庄市街道']);
    const sheet = book.getWorksheet('庄市街道')!;
    const rows = sheet
      .getSheetValues()
      .filter(Boolean)
      .map((r) => (r as unknown[]).slice(1).map(String));
    expect(rows.some((r) => r[0] === '东村' && r.includes('2'))).toBe(true);
  });

  it('when someone reads or writes outside their scope, then 403 (or nothing in a list)', async () => {
    // A squad of another town: cannot record at G1, cannot read it.
    expect((await api(t.app, otherTownInspector).post('/api/v1/inspections', { ...spotCheck, clientRef: 'x1' })).status).toBe(403);
    expect((await api(t.app, otherTownInspector).get(`/api/v1/inspections/${inspectionId}`)).status).toBe(403);
    expect((await api(t.app, otherTownInspector).get('/api/v1/inspections')).body.items).toEqual([]);
    // The head of another village: cannot read it or fix it; cannot record at all.
    expect((await api(t.app, westHead).get(`/api/v1/inspections/${inspectionId}`)).status).toBe(403);
    expect((await api(t.app, westHead).get('/api/v1/inspections?village=东村')).body.items).toEqual([]);
    expect((await api(t.app, westHead).post(`/api/v1/inspections/${inspectionId}/problems/0/fix`, { note: 'x' })).status).toBe(403);
    expect((await api(t.app, eastHead).post('/api/v1/inspections', { ...spotCheck, clientRef: 'x2' })).status).toBe(403);
    // A cadre: no inspections at all.
    expect((await api(t.app, cadre).get('/api/v1/inspections')).status).toBe(403);
    expect((await api(t.app, cadre).get(`/api/v1/inspections/${inspectionId}`)).status).toBe(403);
    expect((await api(t.app, cadre).post('/api/v1/inspections', { ...spotCheck, clientRef: 'x3' })).status).toBe(403);
    // An inspector reaches nothing but inspections, visit lists and plans.
    expect((await api(t.app, inspector).get(`/api/v1/plans/${planId}/roster`)).status).toBe(403);
    expect((await api(t.app, inspector).get('/api/v1/cadres')).status).toBe(403);
    expect((await api(t.app, inspector).get(`/api/v1/plans/${planId}/report?date=2021-12-13`)).status).toBe(403);
    expect((await api(t.app, inspector).get('/api/v1/inspections')).body.items.length).toBe(1);
  });

  it('when the input is bad, then a 4xx names the field', async () => {
    const cases: [object, number, string][] = [
      [{ ...spotCheck, staffSeen: -1 }, 422, 'staffSeen'],
      [{ ...spotCheck, problems: [{ category: 'dirty', text: 'x' }] }, 422, 'problems.0.category'],
      [{ ...spotCheck, problems: [{ category: 'other', text: 'a\u0000b' }] }, 422, 'problems.0.text'],
      [{ ...spotCheck, at: '2021-12-13T11:00:00+08:00', clientRef: 'y1' }, 422, 'at'],
      [{ ...spotCheck, gateId: 'NOPE', clientRef: 'y2' }, 422, 'gateId'],
    ];
    for (const [body, status, field] of cases) {
      const res = await api(t.app, inspector).post('/api/v1/inspections', body);
      expect(res.status, JSON.stringify({ body, answer: res.body })).toBe(status);
      const named = res.body.error.details.problems.map((p: { field: string }) => p.field);
      expect(named).toContain(field);
    }
  });
});

describe('visit lists', () => {
  it('when a squad asks for its list of the day, then it gets its own list only, the same on every ask, and only from the start of that day', async () => {
    const mine = await api(t.app, inspector).get('/api/v1/visits?date=2021-12-13');
    expect(mine.status, JSON.stringify(mine.body)).toBe(200);
    expect(mine.body.lists.length).toBe(1);
    expect(mine.body.unplanned).toEqual([]);
    const all = await api(t.app, planner).get('/api/v1/visits?date=2021-12-13');
    expect(all.body.lists.length).toBe(2);
    const own = all.body.lists.find((l: { squadId: string }) => l.squadId === mine.body.lists[0].squadId);
    expect(own).toEqual(mine.body.lists[0]);
    // A squad of 庄市街道 is sent only to its town's gates.
    for (const v of mine.body.lists[0].visits) expect(v.town).toBe('庄市街道');
    expect((await api(t.app, inspector).get('/api/v1/visits?date=2021-12-13')).body).toEqual(mine.body);
    expect((await api(t.app, inspector).get('/api/v1/visits')).body).toEqual(mine.body);
    expect((await api(t.app, inspector).get('/api/v1/visits?date=2021-12-14')).status).toBe(403);
    expect((await api(t.app, eastHead).get('/api/v1/visits?date=2021-12-13')).status).toBe(403);
    expect((await api(t.app, cadre).get('/api/v1/visits?date=2021-12-13')).status).toBe(403);
    expect((await api(t.app, inspector).get('/api/v1/visits?date=2021-13-01')).status).toBe(422);
  });
});
