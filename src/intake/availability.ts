/**
 * Availability windows (可值班 / 不可值班 / 优先). Same-kind overlaps are allowed and kept as
 * written (their union is what counts). An `unavailable` window overlapping a `preferred` one
 * of the same person has a safe reading, kept with a warning: unavailable wins (a real sheet
 * has many: day-job hours plus a preferred day). Overlapping an `available` one it
 * contradicts it, with no safe reading, and is a problem on the later row.
 */
import { formatLocalDateTime } from '../domain/time.js';
import type { AvailabilityKind, AvailabilityWindow } from '../domain/types.js';
import type { ColumnSpec } from './columns.js';
import { LENGTH, type IntakeLimits } from './limits.js';
import { OverlapIndex } from './overlap-index.js';
import { parseUpload, type EntityParser, type Report } from './parse-upload.js';
import type { IntakeContext, IntakeResult, UploadFile } from './types.js';
import { KIND_NAMES, kind, localDateTime, requiredText } from './values.js';

type AvailabilityColumn = 'cadre_id' | 'start' | 'end' | 'kind';

export const AVAILABILITY_COLUMNS: readonly ColumnSpec<AvailabilityColumn>[] = [
  { key: 'cadre_id', english: 'cadre_id', chinese: '人员编号', required: true, max: LENGTH.id, json: 'string', id: true },
  { key: 'start', english: 'start', chinese: '开始时间', required: true, max: LENGTH.value, json: 'string' },
  { key: 'end', english: 'end', chinese: '结束时间', required: true, max: LENGTH.value, json: 'string' },
  { key: 'kind', english: 'kind', chinese: '类型', required: true, max: LENGTH.value, json: 'string' },
];

const fields = (ctx: IntakeContext) => ({
  cadre_id: requiredText,
  start: localDateTime(ctx.timeZone),
  end: localDateTime(ctx.timeZone),
  kind,
});

interface Placed {
  row: number;
  cadreId: string;
  start: Date;
  end: Date;
  kind: AvailabilityKind;
  /** The kind as written, for the problem. */
  kindText: string;
}

const availabilityParser: EntityParser<AvailabilityColumn, ReturnType<typeof fields>, AvailabilityWindow> = {
  columns: AVAILABILITY_COLUMNS,
  fields,
  finish(rows, ctx, report, warn) {
    const placed: Placed[] = [];
    for (const { row, values: v, text } of rows) {
      if (v.cadre_id !== undefined && !ctx.cadreIds.has(v.cadre_id)) {
        report(row, 'cadre_id', v.cadre_id, {
          en: `unknown person id (人员编号) "${v.cadre_id}"; upload the people first`,
          zh: `人员编号"${v.cadre_id}"不存在，请先上传人员名单`,
        });
      }
      if (v.start === undefined || v.end === undefined) continue;
      if (v.end <= v.start) {
        report(row, 'end', text('end'), {
          en: `结束时间 end must be after 开始时间 start (${text('start')})`,
          zh: `结束时间必须晚于开始时间 ${text('start')}`,
        });
        continue;
      }
      if (v.cadre_id === undefined || v.kind === undefined) continue;
      placed.push({ row, cadreId: v.cadre_id, start: v.start, end: v.end, kind: v.kind, kindText: text('kind') });
    }
    reportContradictions(placed, ctx.timeZone, report, warn);
    return rows.map(({ values: v }) => ({ cadreId: v.cadre_id as string, start: v.start as Date, end: v.end as Date, kind: v.kind as AvailabilityKind }));
  },
};

/**
 * Which kinds clash when they overlap: `unavailable` says busy, `available` and `preferred`
 * say free. Against `available` there is no safe reading (a problem); against `preferred`
 * unavailable simply wins (a warning). Free kinds never clash with each other.
 */
const CLASHES: Record<AvailabilityKind, readonly { kind: AvailabilityKind; safe: boolean }[]> = {
  unavailable: [
    { kind: 'available', safe: false },
    { kind: 'preferred', safe: true },
  ],
  available: [{ kind: 'unavailable', safe: false }],
  preferred: [{ kind: 'unavailable', safe: true }],
};

/**
 * A window overlapping an earlier one of the same person that it clashes with is reported on
 * its row (a problem, or a warning where unavailable safely wins), naming the earliest-starting
 * such window. Windows are indexed per person and kind, so a file of thousands of one person's
 * windows costs no more than a spread one.
 */
function reportContradictions(placed: Placed[], timeZone: string, report: Report<AvailabilityColumn>, warn: Report<AvailabilityColumn>): void {
  const keyOf = (cadreId: string, kind: AvailabilityKind): string => `${kind} ${cadreId}`;
  const starts = new Map<string, number[]>();
  for (const w of placed) {
    const key = keyOf(w.cadreId, w.kind);
    const list = starts.get(key) ?? [];
    list.push(w.start.getTime());
    starts.set(key, list);
  }
  const earlier = new Map([...starts].map(([key, list]) => [key, new OverlapIndex<Placed>(list)]));
  for (const w of placed) {
    const found = CLASHES[w.kind]
      .map(({ kind, safe }) => ({ safe, clash: earlier.get(keyOf(w.cadreId, kind))?.firstOverlapping(w.start.getTime(), w.end.getTime()) }))
      .filter((c): c is { safe: boolean; clash: Placed } => c.clash !== undefined && c.clash !== null);
    // A clash with no safe reading decides; otherwise the earliest-starting one is named.
    const chosen = found.find((c) => !c.safe) ?? found.sort((a, b) => a.clash.start.getTime() - b.clash.start.getTime())[0];
    if (chosen) {
      const { clash } = chosen;
      const [from, to] = [formatLocalDateTime(clash.start, timeZone), formatLocalDateTime(clash.end, timeZone)];
      if (chosen.safe) {
        warn(w.row, 'kind', w.kindText, {
          en: `overlaps row ${clash.row} (${clash.kind}/${KIND_NAMES[clash.kind]} ${from} to ${to}) for the same person; kept: unavailable wins over preferred`,
          zh: `与第 ${clash.row} 行（${from} 至 ${to}"${KIND_NAMES[clash.kind]}"）重叠，已保留：按"不可值班"处理`,
        });
      } else {
        report(w.row, 'kind', w.kindText, {
          en: `contradicts row ${clash.row} (${clash.kind}/${KIND_NAMES[clash.kind]} ${from} to ${to}) for the same person: ${w.kind}/${KIND_NAMES[w.kind]} overlaps it`,
          zh: `与第 ${clash.row} 行矛盾：同一人在 ${from} 至 ${to} 已是"${KIND_NAMES[clash.kind]}"，这里的"${KIND_NAMES[w.kind]}"与之重叠`,
        });
      }
    }
    earlier.get(keyOf(w.cadreId, w.kind))?.add(w.start.getTime(), w.end.getTime(), w);
  }
}

export function parseAvailabilityUpload(file: UploadFile, ctx: IntakeContext, limits?: IntakeLimits): Promise<IntakeResult<AvailabilityWindow>> {
  return parseUpload(file, ctx, availabilityParser, limits);
}
