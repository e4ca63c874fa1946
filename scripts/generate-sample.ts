/**
 * Writes the sample files in data/ from the deterministic generator: a small village set as a
 * planner would make it (Chinese headers, a BOM CSV, a GBK CSV, an Excel sheet), the full
 * seed-scale district, and blank templates. Same code = same bytes, so the committed files
 * can be checked against it (test/unit/sample).
 *
 *   npx tsx scripts/generate-sample.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { formatLocalDateTime } from '../src/domain/time.js';
import { SERVES_ANYWHERE, type AvailabilityWindow, type Cadre, type Gate } from '../src/domain/types.js';
import { AVAILABILITY_COLUMNS, CADRE_COLUMNS, GATE_COLUMNS, KIND_NAMES, ROLE_NAMES, type ColumnSpec } from '../src/intake/index.js';
import { generateDistrict, type GeneratedDistrict } from './lib/generate-district.js';

type Language = 'zh' | 'en';
type Value = string | number | Date;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** Fixed workbook and zip dates, so the .xlsx bytes do not depend on when they were made. */
const FIXED_DATE = new Date(Date.UTC(2021, 11, 13));

const headers = (columns: readonly ColumnSpec[], lang: Language): string[] => columns.map((c) => (lang === 'zh' ? c.chinese : c.english));
const yesNo = (value: boolean, lang: Language): string => (lang === 'zh' ? (value ? '是' : '否') : value ? 'yes' : 'no');

function gateRows(gates: Gate[], lang: Language): Value[][] {
  return gates.map((g) => [
    g.id,
    g.name,
    g.village,
    g.town,
    g.staffPerShift,
    g.coverFrom,
    g.coverTo,
    g.activeFrom ?? '',
    g.activeTo ?? '',
    yesNo(g.leadRequired, lang),
  ]);
}

function cadreRows(cadres: Cadre[], lang: Language): Value[][] {
  return cadres.map((c) => [
    c.id,
    c.name,
    c.phone ?? '',
    lang === 'zh' ? ROLE_NAMES[c.role] : c.role,
    c.village,
    c.serves.map((s) => (s === SERVES_ANYWHERE && lang === 'zh' ? '全区' : s)).join(lang === 'zh' ? '；' : ';'),
    c.maxHoursWeek ?? '',
    yesNo(c.nightOk, lang),
  ]);
}

/** `asExcelDates`: real Excel date cells (a UTC Date holding the local wall-clock time). */
function availabilityRows(windows: AvailabilityWindow[], timeZone: string, lang: Language, asExcelDates = false): Value[][] {
  const time = (instant: Date): Value => {
    const local = formatLocalDateTime(instant, timeZone);
    return asExcelDates ? new Date(`${local.replace(' ', 'T')}:00Z`) : local;
  };
  return windows.map((w) => [w.cadreId, time(w.start), time(w.end), lang === 'zh' ? KIND_NAMES[w.kind] : w.kind]);
}

/** Quote a CSV field only when it needs it (RFC 4180); enough for generated data. */
function csvField(value: Value): string {
  const text = value instanceof Date ? value.toISOString() : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** CRLF line ends, as Excel writes them. */
function csvText(head: string[], rows: Value[][]): string {
  return [head, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

async function xlsx(sheetName: string, head: string[], rows: Value[][], dateColumns: number[] = []): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'gate-duty sample generator';
  workbook.created = FIXED_DATE;
  workbook.modified = FIXED_DATE;
  const sheet = workbook.addWorksheet(sheetName);
  sheet.addRow(head).font = { bold: true };
  sheet.addRows(rows);
  head.forEach((h, i) => {
    const column = sheet.getColumn(i + 1);
    column.width = Math.max(10, h.length * 2 + 4);
    if (dateColumns.includes(i)) {
      column.numFmt = 'yyyy-mm-dd hh:mm';
      column.width = 18;
    }
  });
  return fixZipTimes(Buffer.from(await workbook.xlsx.writeBuffer()));
}

/**
 * exceljs stamps every zip entry with the current time; pin them (and nothing else) so that
 * the same workbook is the same bytes.
 */
function fixZipTimes(zip: Buffer): Buffer {
  const dosTime = 0;
  const dosDate = ((FIXED_DATE.getUTCFullYear() - 1980) << 9) | ((FIXED_DATE.getUTCMonth() + 1) << 5) | FIXED_DATE.getUTCDate();
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('exceljs did not write a zip');
  let p = zip.readUInt32LE(end + 16);
  for (let i = zip.readUInt16LE(end + 10); i > 0; i--) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error('unexpected zip central directory');
    const local = zip.readUInt32LE(p + 42);
    zip.writeUInt16LE(dosTime, p + 12);
    zip.writeUInt16LE(dosDate, p + 14);
    zip.writeUInt16LE(dosTime, local + 10);
    zip.writeUInt16LE(dosDate, local + 12);
    p += 46 + zip.readUInt16LE(p + 28) + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  return zip;
}

const utf8Bom = (text: string): Buffer => Buffer.concat([UTF8_BOM, Buffer.from(text, 'utf8')]);

const VILLAGE_README = (d: GeneratedDistrict): string => `# Sample: one village

A small village set as a planner would keep it: one gate, ${d.cadres.length} people, a week of
availability from Monday ${d.planStart} (${d.timeZone}). Headers and values are in Chinese.
Generated by \`npx tsx scripts/generate-sample.ts\`; do not edit by hand.

| file | what | format |
| --- | --- | --- |
| \`gates.csv\` | gates (门岗) | CSV, UTF-8 with BOM (Excel "CSV UTF-8 (逗号分隔)") |
| \`cadres.csv\` | people (人员) | CSV, **GBK** (Excel "CSV (逗号分隔)" on Chinese Windows) |
| \`availability.xlsx\` | availability (可值班时间) | Excel workbook; start/end are real date cells |

Upload in this order: gates, then people, then availability.
`;

const DATA_README = `# Sample data and templates

Generated by \`npx tsx scripts/generate-sample.ts\` (deterministic; do not edit by hand).

- \`village/\`: one village as a planner would make it (Chinese headers; BOM CSV, GBK CSV, Excel).
- \`district/\`: a seed-scale district like Zhenhai in December 2021: 6 towns, 120 villages,
  375 gates, about 3,000 people and a week of availability from Monday 2021-12-13
  (Asia/Shanghai). English headers, UTF-8 CSV; \`cadres.xlsx\` is the same people as Excel.
- \`templates/\`: blank files to fill in: \`*.csv\` with Chinese headers (UTF-8 with BOM, opens
  cleanly in Excel), \`*.en.csv\` with English headers.

Upload gates first (they define villages and towns), then people, then availability.
`;

/** Every sample file, keyed by its path under data/. */
export async function buildSampleFiles(): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const village = generateDistrict('village');
  files.set('README.md', Buffer.from(DATA_README, 'utf8'));
  files.set('village/README.md', Buffer.from(VILLAGE_README(village), 'utf8'));
  files.set('village/gates.csv', utf8Bom(csvText(headers(GATE_COLUMNS, 'zh'), gateRows(village.gates, 'zh'))));
  files.set('village/cadres.csv', iconv.encode(csvText(headers(CADRE_COLUMNS, 'zh'), cadreRows(village.cadres, 'zh')), 'gbk'));
  files.set(
    'village/availability.xlsx',
    await xlsx('可值班时间', headers(AVAILABILITY_COLUMNS, 'zh'), availabilityRows(village.availability, village.timeZone, 'zh', true), [1, 2]),
  );

  const district = generateDistrict('district');
  files.set('district/gates.csv', Buffer.from(csvText(headers(GATE_COLUMNS, 'en'), gateRows(district.gates, 'en')), 'utf8'));
  files.set('district/cadres.csv', Buffer.from(csvText(headers(CADRE_COLUMNS, 'en'), cadreRows(district.cadres, 'en')), 'utf8'));
  files.set(
    'district/availability.csv',
    Buffer.from(csvText(headers(AVAILABILITY_COLUMNS, 'en'), availabilityRows(district.availability, district.timeZone, 'en')), 'utf8'),
  );
  files.set('district/cadres.xlsx', await xlsx('cadres', headers(CADRE_COLUMNS, 'en'), cadreRows(district.cadres, 'en')));

  for (const [name, columns] of [
    ['gates', GATE_COLUMNS],
    ['cadres', CADRE_COLUMNS],
    ['availability', AVAILABILITY_COLUMNS],
  ] as const) {
    files.set(`templates/${name}.csv`, utf8Bom(csvText(headers(columns, 'zh'), [])));
    files.set(`templates/${name}.en.csv`, Buffer.from(csvText(headers(columns, 'en'), []), 'utf8'));
  }
  return files;
}

async function main(): Promise<void> {
  const files = await buildSampleFiles();
  for (const [path, bytes] of files) {
    const target = join(ROOT, 'data', path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
    console.log(`data/${path}  ${bytes.length} bytes`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
