/**
 * Tiny upload builders for integration tests: a few rows of gates, people or availability,
 * written as the planner's file would be (CSV in UTF-8 / UTF-8 with BOM / GBK, .xlsx, JSON),
 * with English or Chinese headers, plus a supertest shortcut to PUT them.
 */
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import request from 'supertest';
import type { Express } from 'express';
import type { Models } from '../../src/db/models.js';

export type Entity = 'gates' | 'cadres' | 'availability';
export type Lang = 'en' | 'zh';
export type Format = 'csv-utf8' | 'csv-bom' | 'csv-gbk' | 'xlsx' | 'json';
export const FORMATS: readonly Format[] = ['csv-utf8', 'csv-bom', 'csv-gbk', 'xlsx', 'json'];

export const CSV_TYPE = 'text/csv';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const JSON_TYPE = 'application/json';

/** English column -> Chinese header, per entity (the column table). */
export const HEADERS: Record<Entity, Record<string, string>> = {
  gates: {
    id: '门岗编号',
    name: '门岗名称',
    village: '村社',
    town: '镇街',
    staff_per_shift: '每班人数',
    cover_from: '值守开始',
    cover_to: '值守结束',
    active_from: '启用日期',
    active_to: '停用日期',
    lead_required: '需村干部带班',
  },
  cadres: {
    id: '人员编号',
    name: '姓名',
    phone: '手机号',
    role: '身份',
    village: '所属村社',
    serves: '可派驻范围',
    max_hours_week: '每周最多小时',
    night_ok: '可值夜班',
  },
  availability: { cadre_id: '人员编号', start: '开始时间', end: '结束时间', kind: '类型' },
};

export type Value = string | number | boolean | Date | null;
/** One row keyed by English column name. */
export type Row = Record<string, Value>;
/** A sheet as the user sees it: row 1 is the header. */
export type Sheet = Value[][];

export interface Upload {
  body: Buffer;
  contentType: string;
}

/** The header (in `lang`) and the rows, columns in first-seen key order. */
export function sheetOf(entity: Entity, rows: readonly Row[], lang: Lang = 'en'): Sheet {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const header = columns.map((c) => (lang === 'zh' ? (HEADERS[entity][c] ?? c) : c));
  return [header, ...rows.map((r) => columns.map((c) => r[c] ?? null))];
}

export function csvText(sheet: Sheet): string {
  const cell = (v: Value): string => {
    const text = v === null ? '' : v instanceof Date ? v.toISOString() : String(v);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  // CRLF, as Excel writes CSV.
  return sheet.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

export function csvUpload(sheet: Sheet, encoding: 'utf8' | 'utf8-bom' | 'gbk' = 'utf8'): Upload {
  const text = csvText(sheet);
  const body =
    encoding === 'gbk'
      ? iconv.encode(text, 'gbk')
      : encoding === 'utf8-bom'
        ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])
        : Buffer.from(text, 'utf8');
  return { body, contentType: CSV_TYPE };
}

/** JSON: an array of objects keyed by the header texts; empty cells are left out. */
export function jsonUpload(sheet: Sheet): Upload {
  const [header = [], ...rows] = sheet;
  const objects = rows.map((row) => Object.fromEntries(row.flatMap((v, i) => (v === null ? [] : [[String(header[i]), v]]))));
  return { body: Buffer.from(JSON.stringify(objects), 'utf8'), contentType: JSON_TYPE };
}

/** A workbook whose first sheet holds `sheet`; cells keep their JS types (Date -> date cell). */
export async function xlsxUpload(sheet: Sheet): Promise<Upload> {
  const workbook = new ExcelJS.Workbook();
  const ws = workbook.addWorksheet('Sheet1');
  for (const row of sheet) ws.addRow(row);
  return { body: Buffer.from(await workbook.xlsx.writeBuffer()), contentType: XLSX_TYPE };
}

export async function uploadOf(sheet: Sheet, format: Format): Promise<Upload> {
  switch (format) {
    case 'csv-utf8':
      return csvUpload(sheet, 'utf8');
    case 'csv-bom':
      return csvUpload(sheet, 'utf8-bom');
    case 'csv-gbk':
      return csvUpload(sheet, 'gbk');
    case 'xlsx':
      return xlsxUpload(sheet);
    case 'json':
      return jsonUpload(sheet);
  }
}

/** PUT an upload as a planner (or whoever `token` is). */
export function put(app: Express, token: string, entity: Entity, upload: Upload, query = ''): request.Test {
  return request(app)
    .put(`/api/v1/${entity}${query}`)
    .set('Authorization', `Bearer ${token}`)
    .set('Content-Type', upload.contentType)
    .send(bodyForSuperagent(upload));
}

/** superagent JSON-serialises a Buffer sent as application/json; a string goes as is. */
function bodyForSuperagent(upload: Upload): Buffer | string {
  return upload.contentType.startsWith(JSON_TYPE) ? upload.body.toString('utf8') : upload.body;
}

export function get(app: Express, token: string, path: string): request.Test {
  return request(app).get(path).set('Authorization', `Bearer ${token}`);
}

// A small district: two towns, three villages, four gates, four people.

export const GATES: Row[] = [
  {
    id: 'G1',
    name: '东门',
    village: '东村',
    town: '庄市街道',
    staff_per_shift: 2,
    cover_from: '00:00',
    cover_to: '24:00',
    active_from: '',
    active_to: '',
    lead_required: 'yes',
  },
  {
    id: 'G2',
    name: '西门',
    village: '东村',
    town: '庄市街道',
    staff_per_shift: 3,
    cover_from: '06:00',
    cover_to: '22:00',
    active_from: '2021-12-13',
    active_to: '2021-12-31',
    lead_required: 'no',
  },
  {
    id: 'G3',
    name: '南门',
    village: '西村',
    town: '庄市街道',
    staff_per_shift: 1,
    cover_from: '20:00',
    cover_to: '06:00',
    active_from: '2021-12-14',
    active_to: '',
    lead_required: 'no',
  },
  {
    id: 'G4',
    name: '北门',
    village: '山盛村',
    town: '招宝山街道',
    staff_per_shift: 2,
    cover_from: '',
    cover_to: '',
    active_from: '',
    active_to: '',
    lead_required: '',
  },
];

/** What GET returns for GATES. */
export const STORED_GATES = [
  {
    id: 'G1',
    name: '东门',
    village: '东村',
    town: '庄市街道',
    staffPerShift: 2,
    coverFrom: '00:00',
    coverTo: '24:00',
    activeFrom: null,
    activeTo: null,
    leadRequired: true,
  },
  {
    id: 'G2',
    name: '西门',
    village: '东村',
    town: '庄市街道',
    staffPerShift: 3,
    coverFrom: '06:00',
    coverTo: '22:00',
    activeFrom: '2021-12-13',
    activeTo: '2021-12-31',
    leadRequired: false,
  },
  {
    id: 'G3',
    name: '南门',
    village: '西村',
    town: '庄市街道',
    staffPerShift: 1,
    coverFrom: '20:00',
    coverTo: '06:00',
    activeFrom: '2021-12-14',
    activeTo: null,
    leadRequired: false,
  },
  {
    id: 'G4',
    name: '北门',
    village: '山盛村',
    town: '招宝山街道',
    staffPerShift: 2,
    coverFrom: '00:00',
    coverTo: '24:00',
    activeFrom: null,
    activeTo: null,
    leadRequired: false,
  },
];

export const CADRES: Row[] = [
  { id: 'P1', name: '张伟', phone: '13812345678', role: 'village_cadre', village: '东村', serves: '', max_hours_week: 40, night_ok: 'yes' },
  { id: 'P2', name: '李娜', phone: '', role: 'volunteer', village: '东村', serves: '西村；山盛村', max_hours_week: '', night_ok: 'no' },
  { id: 'P3', name: '王芳', phone: '13900001111', role: 'dispatched', village: '西村', serves: '庄市街道', max_hours_week: 24, night_ok: '' },
  { id: 'P4', name: '刘洋', phone: '+86 139-0000-2222', role: 'village_cadre', village: '山盛村', serves: '*', max_hours_week: '', night_ok: '0' },
];

/** A value through a translation table; values not in the table stay as they are. */
const translated = (table: Record<string, string>, value: Value | undefined): Value => (typeof value === 'string' ? (table[value] ?? value) : (value ?? null));

/** The same people with Chinese values (roles, booleans, separators). */
export const CADRES_ZH: Row[] = CADRES.map((c) => ({
  ...c,
  role: translated({ village_cadre: '村干部', volunteer: '志愿者', dispatched: '下沉干部' }, c.role),
  night_ok: translated({ yes: '是', no: '否', '0': '否' }, c.night_ok),
  serves: c.id === 'P2' ? '西村、山盛村' : c.id === 'P4' ? '全区' : (c.serves ?? null),
}));

export const STORED_CADRES = [
  { id: 'P1', name: '张伟', phone: '13812345678', role: 'village_cadre', village: '东村', serves: [], maxHoursWeek: 40, nightOk: true },
  { id: 'P2', name: '李娜', phone: null, role: 'volunteer', village: '东村', serves: ['西村', '山盛村'], maxHoursWeek: null, nightOk: false },
  { id: 'P3', name: '王芳', phone: '13900001111', role: 'dispatched', village: '西村', serves: ['庄市街道'], maxHoursWeek: 24, nightOk: true },
  { id: 'P4', name: '刘洋', phone: '+86 139-0000-2222', role: 'village_cadre', village: '山盛村', serves: ['*'], maxHoursWeek: null, nightOk: false },
];

export const AVAILABILITY: Row[] = [
  { cadre_id: 'P1', start: '2021-12-14 08:00', end: '2021-12-14 17:00', kind: 'unavailable' },
  { cadre_id: 'P1', start: '2021-12-15 18:00', end: '2021-12-16 06:00', kind: 'preferred' },
  { cadre_id: 'P3', start: '2021-12-13 00:00', end: '2021-12-20 00:00', kind: 'available' },
];

export const AVAILABILITY_ZH: Row[] = AVAILABILITY.map((w) => ({
  ...w,
  kind: translated({ available: '可值班', unavailable: '不可值班', preferred: '优先' }, w.kind),
}));

/** As the API answers them: the local times of the upload, with the offset of TIMEZONE (Asia/Shanghai, +08:00). */
export const STORED_AVAILABILITY = [
  {
    cadreId: 'P1',
    windows: [
      { start: '2021-12-14T08:00:00+08:00', end: '2021-12-14T17:00:00+08:00', kind: 'unavailable' },
      { start: '2021-12-15T18:00:00+08:00', end: '2021-12-16T06:00:00+08:00', kind: 'preferred' },
    ],
  },
  { cadreId: 'P3', windows: [{ start: '2021-12-13T00:00:00+08:00', end: '2021-12-20T00:00:00+08:00', kind: 'available' }] },
];

/**
 * Empties the directory collections (tokens stay) so a test starts from nothing, and moves the
 * directory revision as every write does (a process holds the directory it read per revision).
 */
export async function clearDirectory(models: Models): Promise<void> {
  await Promise.all([models.Gate.deleteMany({}), models.Cadre.deleteMany({}), models.Availability.deleteMany({})]);
  await models.Meta.updateOne({ _id: 'directory' }, { $set: { revId: `cleared_${Date.now()}_${Math.random().toString(36).slice(2)}` } }, { upsert: true });
}

/** Uploads the small district (gates, people, availability) as English UTF-8 CSV. */
export async function seedDirectory(app: Express, plannerToken: string): Promise<void> {
  for (const [entity, rows] of [
    ['gates', GATES],
    ['cadres', CADRES],
    ['availability', AVAILABILITY],
  ] as const) {
    const res = await put(app, plannerToken, entity, csvUpload(sheetOf(entity, rows)));
    if (res.status !== 200) throw new Error(`seeding ${entity} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
}
