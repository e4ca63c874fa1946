/**
 * An upload (CSV, Excel or JSON) -> one Table of header + rows with the row numbers the user
 * sees. Everything after this point is format-free.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { AppError, type RowProblem } from '../errors.js';
import { charsetOf, decodeCsvBytes } from './decode.js';
import { scanJson } from './json-scan.js';
import { JSON_MAX_DEPTH, type IntakeLimits } from './limits.js';
import { clip, fileProblem, problem, refusal } from './problem.js';
import { readXlsx } from './read-xlsx.js';
import { isBlank, TableBuilder, tooManyRows } from './table.js';
import type { Cell, Refusal, Table, UploadFile } from './types.js';

export const CSV_TYPE = 'text/csv';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const JSON_TYPE = 'application/json';
export const ACCEPTED_CONTENT_TYPES = [CSV_TYPE, XLSX_TYPE, JSON_TYPE] as const;

export type Format = 'csv' | 'xlsx' | 'json';
export type TableResult = { ok: true; table: Table } | Refusal;

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

export async function readTable(file: UploadFile, limits: IntakeLimits): Promise<TableResult> {
  const format = formatOf(file.contentType);
  const result = format === 'csv' ? readCsv(file, limits) : format === 'xlsx' ? await readXlsx(file.body, limits) : readJson(file.body, limits);
  if (!result.ok) return result;
  if (result.table.headers.every((h) => h === ''))
    return fileProblem({ en: 'the file is empty (文件为空): expected a header row and at least one data row', zh: '文件为空：应有一行表头和至少一行数据' });
  if (result.table.rows.length === 0) return fileProblem({ en: 'the file has a header row but no data rows (没有数据行)', zh: '文件只有表头，没有数据行' });
  return result;
}

function readCsv(file: UploadFile, limits: IntakeLimits): TableResult {
  const decoded = decodeCsvBytes(file.body, charsetOf(file.contentType));
  if (!decoded.ok) return fileProblem(decoded.message);
  const table = new TableBuilder(limits.maxRows);
  try {
    // Each record goes straight into the table (which stops at the row limit), not into an
    // array of every line first. Empty lines are skipped by the parser (kept, each one costs it
    // an error object for the wrong column count: a file of blank lines took minutes) but still
    // counted, so that a record's row is the row Excel shows (a quoted line break stays in its row).
    parseCsv(decoded.text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: (cells: string[], info: { records: number; empty_lines: number }) => {
        table.add(info.records + info.empty_lines, cells);
        return null;
      },
    });
  } catch (err) {
    if (err instanceof AppError) throw err;
    return fileProblem({ en: `not a readable CSV file: ${(err as Error).message}`, zh: `无法读取此 CSV 文件：${(err as Error).message}` });
  }
  return { ok: true, table: table.table() };
}

/**
 * JSON has no header row, so the first object is called row 2 (array index + 2), as if row 1
 * were the header; then a planner who exported JSON from their sheet sees the same numbers.
 */
function readJson(body: Buffer, limits: IntakeLimits): TableResult {
  const shape = scanJson(body, JSON_MAX_DEPTH);
  if (shape.tooDeep) {
    return fileProblem({
      en: `JSON nested more than ${JSON_MAX_DEPTH} levels deep (at byte ${shape.offset}); expected an array of flat objects, one per row (嵌套过深)`,
      zh: `JSON 嵌套超过 ${JSON_MAX_DEPTH} 层（第 ${shape.offset} 字节处）；应为对象数组，每行一个对象`,
    });
  }
  if (shape.topLevelItems > limits.maxRows) throw tooManyRows(limits.maxRows);
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
  const items: unknown[] = data;
  items.forEach((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      problems.push(problem(i + 2, '', JSON.stringify(item) ?? '', { en: 'expected an object with column names as keys', zh: '此行应为一个以列名为键的对象' }));
    } else {
      for (const key of Object.keys(item)) keys.add(key);
    }
  });
  if (problems.length > 0) return refusal(problems);
  const columns = [...keys];
  // A cell is one value: an object or array (`{"$gt": ""}`) is refused by row and column, never
  // turned into text that could pass for an id or a name.
  (data as Record<string, unknown>[]).forEach((item, i) => {
    for (const [key, value] of Object.entries(item)) {
      if (value !== null && typeof value === 'object') {
        const what = Array.isArray(value) ? { en: 'an array', zh: '数组' } : { en: 'an object', zh: '对象' };
        problems.push(
          problem(i + 2, key.trim(), clip(JSON.stringify(value)), {
            en: `expected one value (text, a number or true/false), not ${what.en}`,
            zh: `此处应为单个值（文字、数字或 true/false），不能是${what.zh}`,
          }),
        );
      }
    }
  });
  if (problems.length > 0) return refusal(problems);
  const rows = (data as Record<string, unknown>[]).map((item, i) => ({ row: i + 2, cells: columns.map((k) => (item[k] ?? null) as Cell) }));
  return { ok: true, table: { headerRow: 1, headers: columns.map((k) => k.trim()), rows: rows.filter((r) => !isBlank(r.cells)), jsonTypes: true } };
}
