/** People (值守人员): who may stand duty, where, and within what limits. */
import { SERVES_ANYWHERE, type Cadre, type Role } from '../domain/types.js';
import type { ColumnSpec } from './columns.js';
import { LENGTH, type IntakeLimits } from './limits.js';
import { parseUpload, reportDuplicates, type EntityParser } from './parse-upload.js';
import { zhQuoted } from './problem.js';
import type { IntakeContext, IntakeResult, UploadFile } from './types.js';
import { boolean, integer, optionalPhone, optionalText, requiredText, role } from './values.js';

type CadreColumn = 'id' | 'name' | 'phone' | 'role' | 'village' | 'serves' | 'max_hours_week' | 'night_ok';

export const CADRE_COLUMNS: readonly ColumnSpec<CadreColumn>[] = [
  { key: 'id', english: 'id', chinese: '人员编号', required: true, max: LENGTH.id, json: 'string', id: true },
  { key: 'name', english: 'name', chinese: '姓名', required: true, max: LENGTH.name, json: 'string' },
  { key: 'phone', english: 'phone', chinese: '手机号', required: false, max: LENGTH.value, json: 'string' },
  { key: 'role', english: 'role', chinese: '身份', required: true, max: LENGTH.value, json: 'string' },
  { key: 'village', english: 'village', chinese: '所属村社', required: true, max: LENGTH.name, json: 'string' },
  { key: 'serves', english: 'serves', chinese: '可派驻范围', required: false, max: LENGTH.text, json: 'string' },
  { key: 'max_hours_week', english: 'max_hours_week', chinese: '每周最多小时', required: false, max: LENGTH.value, json: 'number' },
  { key: 'night_ok', english: 'night_ok', chinese: '可值夜班', required: false, max: LENGTH.value, json: 'boolean' },
];

/** Separators people type between place names: ASCII and full-width semicolon, 顿号. */
const SERVES_SEPARATOR = /[;；、]/;
const ANYWHERE = new Set([SERVES_ANYWHERE, '全区']);

const fields = () => ({
  id: requiredText,
  name: requiredText,
  phone: optionalPhone,
  role,
  village: requiredText,
  serves: optionalText,
  max_hours_week: integer(1, 168, null),
  night_ok: boolean(true),
});

const cadreParser: EntityParser<CadreColumn, ReturnType<typeof fields>, Cadre> = {
  columns: CADRE_COLUMNS,
  fields,
  finish(rows, ctx, report) {
    reportDuplicates(rows, 'id', { en: 'person id (人员编号)', zh: '人员编号' }, report);
    const towns = new Set(ctx.villages.values());
    const serves = new Map<number, string[]>();
    for (const { row, values: v, text } of rows) {
      if (v.village !== undefined && !ctx.villages.has(v.village)) {
        report(row, 'village', v.village, {
          en: `unknown village (村社) "${v.village}"; upload the gates of this village first`,
          zh: `村社"${v.village}"不存在，请先上传该村社的门岗`,
        });
      }
      const places = splitPlaces(v.serves ?? null);
      const unknown = places.filter((p) => p !== SERVES_ANYWHERE && !ctx.villages.has(p) && !towns.has(p));
      if (unknown.length > 0) {
        report(row, 'serves', text('serves'), {
          en: `unknown village or town ${unknown.map((p) => `"${p}"`).join(', ')}; list known villages (村社) or towns (镇街), or * / 全区 for anywhere`,
          zh: `村社或镇街${zhQuoted(unknown)}不存在；请填写已有的村社或镇街，不限地点请填 * 或 全区`,
        });
      }
      serves.set(row, places);
    }
    return rows.map(({ row, values: v }) => ({
      id: v.id as string,
      name: v.name as string,
      phone: v.phone ?? null,
      role: v.role as Role,
      village: v.village as string,
      serves: serves.get(row) ?? [],
      maxHoursWeek: v.max_hours_week ?? null,
      nightOk: v.night_ok as boolean,
    }));
  },
};

/** `东村；西村、庄市街道` -> distinct names; `*` or `全区` anywhere in the list means anywhere. */
function splitPlaces(text: string | null): string[] {
  if (text === null) return [];
  const places = [
    ...new Set(
      text
        .split(SERVES_SEPARATOR)
        .map((p) => p.trim())
        .filter((p) => p !== ''),
    ),
  ];
  return places.some((p) => ANYWHERE.has(p)) ? [SERVES_ANYWHERE] : places;
}

export function parseCadresUpload(file: UploadFile, ctx: IntakeContext, limits?: IntakeLimits): Promise<IntakeResult<Cadre>> {
  return parseUpload(file, ctx, cadreParser, limits);
}
