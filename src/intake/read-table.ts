/**
 * An upload (CSV, Excel or JSON) -> one Table of header + rows with the row numbers the user
 * sees. Everything after this point is format-free.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { AppError, type RowProblem } from '../errors.js';
import { charsetOf, decodeCsvBytes } from './decode.js';
import { fileProblem, problem } from './problem.js';
import type { Cell, Table, UploadFile } from './types.js';

export const CSV_TYPE = 'text/csv';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const JSON_TYPE = 'application/json';
export const ACCEPTED_CONTENT_TYPES = [CSV_TYPE, XLSX_TYPE, JSON_TYPE] as const;

export type Format = 'csv' | 'xlsx' | 'json';
export type TableResult = { ok: true; table: Table } | { ok: false; problems: RowProblem[] };

/** The upload format for a Content-Type header; throws `unsupported_media_type` otherwise. */
export function formatOf(contentType: string): Format {
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType === CSV_TYPE) return 'csv';
  if (mediaType === XLSX_TYPE) return 'xlsx';
  if (mediaType === JSON_TYPE) return 'json';
  throw new AppError('unsupported_media_type', `unsupported content type "${contentType}"; send one of ${ACCEPTED_CONTENT_TYPES.join(', ')}`, {
    accepted: ACCEPTED_CONTENT_TYPES,
  });
}

export async function readTable(file: UploadFile): Promise<TableResult> {
  const format = formatOf(file.contentType);
  const result = format === 'csv' ? readCsv(file) : format === 'xlsx' ? await readXlsx(file.body) : readJson(file.body);
  if (!result.ok) return result;
  if (result.table.headers.every((h) => h === '')) return fileProblem({ en: 'the file is empty (文件为空): expected a header row and at least one data row', zh: '文件为空：应有一行表头和至少一行数据' });
  if (result.table.rows.length === 0) return fileProblem({ en: 'the file has a header row but no data rows (没有数据行)', zh: '文件只有表头，没有数据行' });
  return result;
}

function readCsv(file: UploadFile): TableResult {
  const decoded = decodeCsvBytes(file.body, charsetOf(file.contentType));
  if (!decoded.ok) return fileProblem(decoded.message);
  let records: string[][];
  try {
    // Blank lines are kept as records so that record i is row i + 1, as Excel shows the file.
    records = parseCsv(decoded.text, { bom: true, relax_column_count: true, skip_empty_lines: false });
  } catch (err) {
    return fileProblem({ en: `not a readable CSV file: ${(err as Error).message}`, zh: `无法读取此 CSV 文件：${(err as Error).message}` });
  }
  return { ok: true, table: toTable(records.map((cells, i) => ({ row: i + 1, cells }))) };
}

async function readXlsx(body: Buffer): Promise<TableResult> {
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs's types predate Node's generic Buffer.
    await workbook.xlsx.load(body as unknown as ExcelJS.Buffer);
  } catch (err) {
    return fileProblem({ en: `not a readable .xlsx workbook: ${(err as Error).message}`, zh: `无法读取此 .xlsx 工作簿：${(err as Error).message}` });
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return fileProblem({ en: 'the workbook has no worksheet', zh: '工作簿里没有工作表' });
  const rows: { row: number; cells: Cell[] }[] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const cells: Cell[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = excelCell(cell.value);
    });
    rows.push({ row: row.number, cells: Array.from(cells, (c) => c ?? null) });
  });
  return { ok: true, table: toTable(rows) };
}

/** Formulas, rich text and hyperlinks -> the value the user sees in the cell. */
function excelCell(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return value;
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('result' in value) return value.result === undefined ? null : excelCell(value.result as ExcelJS.CellValue);
  if ('text' in value) return typeof value.text === 'string' ? value.text : excelCell(value.text as ExcelJS.CellValue);
  if ('error' in value) return String(value.error);
  return null;
}

/**
 * JSON has no header row, so the first object is called row 2 (array index + 2), as if row 1
 * were the header; then a planner who exported JSON from their sheet sees the same numbers.
 */
function readJson(body: Buffer): TableResult {
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder('utf-8').decode(body));
  } catch (err) {
    return fileProblem({ en: `not valid JSON: ${(err as Error).message}`, zh: `不是有效的 JSON：${(err as Error).message}` });
  }
  if (!Array.isArray(data)) return fileProblem({ en: 'expected a JSON array of objects, one per row', zh: '应为 JSON 数组，每行一个对象' });
  // Columns are the union of keys in first-seen order; a key missing from an object is an empty cell.
  const keys = new Set<string>();
  const problems: RowProblem[] = [];
  data.forEach((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      problems.push(problem(i + 2, '', JSON.stringify(item) ?? '', { en: 'expected an object with column names as keys', zh: '此行应为一个以列名为键的对象' }));
    } else {
      for (const key of Object.keys(item)) keys.add(key);
    }
  });
  if (problems.length > 0) return { ok: false, problems };
  const columns = [...keys];
  const rows = (data as Record<string, unknown>[]).map((item, i) => ({ row: i + 2, cells: columns.map((k) => jsonCell(item[k])) }));
  return { ok: true, table: { headerRow: 1, headers: columns.map((k) => k.trim()), rows: rows.filter((r) => !isBlank(r.cells)) } };
}

function jsonCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/** The first non-blank row is the header; fully blank rows (Excel leaves them) are skipped. */
function toTable(rows: { row: number; cells: Cell[] }[]): Table {
  const nonBlank = rows.filter((r) => !isBlank(r.cells));
  const [header, ...data] = nonBlank;
  if (!header) return { headerRow: 1, headers: [''], rows: [] };
  return { headerRow: header.row, headers: header.cells.map((c) => (c === null ? '' : String(c).trim())), rows: data };
}

function isBlank(cells: Cell[]): boolean {
  return cells.every((c) => c === null || (typeof c === 'string' && c.trim() === ''));
}
