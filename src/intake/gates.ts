/** Gates (门岗): where people must stand, and the villages and towns they belong to. */
import { formatClock } from '../domain/time.js';
import type { Gate } from '../domain/types.js';
import type { ColumnSpec } from './columns.js';
import { LENGTH, type IntakeLimits } from './limits.js';
import { parseUpload, reportDuplicates, type EntityParser } from './parse-upload.js';
import type { IntakeContext, IntakeResult, UploadFile } from './types.js';
import { boolean, clock, integer, optionalDate, requiredText } from './values.js';

type GateColumn = 'id' | 'name' | 'village' | 'town' | 'staff_per_shift' | 'cover_from' | 'cover_to' | 'active_from' | 'active_to' | 'lead_required';

export const GATE_COLUMNS: readonly ColumnSpec<GateColumn>[] = [
  { key: 'id', english: 'id', chinese: '门岗编号', required: true, max: LENGTH.id, json: 'string', id: true },
  { key: 'name', english: 'name', chinese: '门岗名称', required: true, max: LENGTH.name, json: 'string' },
  { key: 'village', english: 'village', chinese: '村社', required: true, max: LENGTH.name, json: 'string' },
  { key: 'town', english: 'town', chinese: '镇街', required: true, max: LENGTH.name, json: 'string' },
  { key: 'staff_per_shift', english: 'staff_per_shift', chinese: '每班人数', required: false, max: LENGTH.value, json: 'number' },
  { key: 'cover_from', english: 'cover_from', chinese: '值守开始', required: false, max: LENGTH.value, json: 'string' },
  { key: 'cover_to', english: 'cover_to', chinese: '值守结束', required: false, max: LENGTH.value, json: 'string' },
  { key: 'active_from', english: 'active_from', chinese: '启用日期', required: false, max: LENGTH.value, json: 'string' },
  { key: 'active_to', english: 'active_to', chinese: '停用日期', required: false, max: LENGTH.value, json: 'string' },
  { key: 'lead_required', english: 'lead_required', chinese: '需村干部带班', required: false, max: LENGTH.value, json: 'boolean' },
];

const fields = () => ({
  id: requiredText,
  name: requiredText,
  village: requiredText,
  town: requiredText,
  staff_per_shift: integer(1, 20, 2),
  cover_from: clock('00:00'),
  cover_to: clock('24:00'),
  active_from: optionalDate,
  active_to: optionalDate,
  lead_required: boolean(false),
});

const gateParser: EntityParser<GateColumn, ReturnType<typeof fields>, Gate> = {
  columns: GATE_COLUMNS,
  fields,
  finish(rows, ctx, report) {
    reportDuplicates(rows, 'id', { en: 'gate id', zh: '门岗编号' }, report);
    const townOfVillage = new Map<string, { town: string; row: number }>();
    for (const { row, values: v, text } of rows) {
      if (v.cover_from !== undefined && v.cover_to !== undefined) {
        if (v.cover_from === 24 * 60) {
          report(row, 'cover_from', text('cover_from'), { en: 'cover cannot start at 24:00; use 00:00', zh: '值守开始不能是 24:00，请填 00:00' });
        } else if (v.cover_from === v.cover_to) {
          report(row, 'cover_to', text('cover_to'), {
            en: 'cover ends when it starts; for all day use 00:00 to 24:00',
            zh: '值守结束与开始时间相同；全天值守请填 00:00 到 24:00',
          });
        }
      }
      if (v.active_from && v.active_to && v.active_to < v.active_from) {
        report(row, 'active_to', text('active_to'), {
          en: `停用日期 active_to ${v.active_to} is before 启用日期 active_from ${v.active_from}`,
          zh: `停用日期 ${v.active_to} 早于启用日期 ${v.active_from}`,
        });
      }
      if (v.village === undefined || v.town === undefined) continue;
      // A village belongs to one town: within the file and with what is already stored.
      const inFile = townOfVillage.get(v.village);
      const stored = ctx.villages.get(v.village);
      if (inFile && inFile.town !== v.town) {
        report(row, 'town', v.town, {
          en: `village "${v.village}" is in town "${inFile.town}" on row ${inFile.row} but "${v.town}" here; a village (村社) belongs to one town (镇街)`,
          zh: `村社"${v.village}"在第 ${inFile.row} 行属于镇街"${inFile.town}"，这里却填了"${v.town}"；一个村社只能属于一个镇街`,
        });
      } else if (stored !== undefined && stored !== v.town) {
        report(row, 'town', v.town, {
          en: `village "${v.village}" is already stored under town "${stored}"; a village (村社) belongs to one town (镇街)`,
          zh: `村社"${v.village}"已登记在镇街"${stored}"下，这里却填了"${v.town}"；一个村社只能属于一个镇街`,
        });
      }
      if (!inFile) townOfVillage.set(v.village, { town: v.town, row });
    }
    return rows.map(({ values: v }) => ({
      id: v.id as string,
      name: v.name as string,
      village: v.village as string,
      town: v.town as string,
      staffPerShift: v.staff_per_shift as number,
      coverFrom: formatClock(v.cover_from as number),
      coverTo: formatClock(v.cover_to as number),
      activeFrom: v.active_from ?? null,
      activeTo: v.active_to ?? null,
      leadRequired: v.lead_required as boolean,
    }));
  },
};

export function parseGatesUpload(file: UploadFile, ctx: IntakeContext, limits?: IntakeLimits): Promise<IntakeResult<Gate>> {
  return parseUpload(file, ctx, gateParser, limits);
}
