/**
 * An .xlsx upload -> its first worksheet as rows. Loading a workbook whole builds a model of
 * every cell (100k rows took 881 MB) after inflating every entry (a 3 MB zip bomb took 51 s
 * and 3.4 GB). Instead: size the parts that are read from the zip directory, refuse before
 * inflating if they pass the limit, inflate only those parts (capped at their declared size),
 * and stream the sheet row by row, stopping at the row limit.
 */
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { AppError } from '../errors.js';
import type { IntakeLimits } from './limits.js';
import { fileProblem, tooLarge } from './problem.js';
import type { TableResult } from './read-table.js';
import { TableBuilder } from './table.js';
import type { Cell } from './types.js';
import { readZipDirectory, storedZip, unpackEntry, ZipError, type ZipEntry } from './zip.js';

/** The parts exceljs's streaming reader uses, in the order it needs them: everything a sheet refers to comes first. */
const PARTS = ['xl/_rels/workbook.xml.rels', 'xl/workbook.xml', 'xl/sharedStrings.xml', 'xl/styles.xml'];
const SHEET = /^xl\/worksheets\/sheet(\d+)\.xml$/;
/**
 * exceljs streams a sheet only once it has seen the relationships and the shared strings, and
 * otherwise copies it to a temp file first; a workbook without text cells has no shared strings.
 */
const EMPTY_PARTS: Record<string, string> = {
  'xl/_rels/workbook.xml.rels': '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>',
  'xl/sharedStrings.xml': '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>',
};

const MB = 1024 * 1024;

export async function readXlsx(body: Buffer, limits: IntakeLimits): Promise<TableResult> {
  let files: { name: string; data: Buffer }[];
  try {
    const parts = partsToRead(readZipDirectory(body));
    const unpacked = parts.reduce((sum, e) => sum + e.size, 0);
    if (unpacked > limits.maxUnpackedBytes) throw unpacksTooLarge(unpacked, limits.maxUnpackedBytes);
    files = parts.map((e) => ({ name: e.name, data: unpackEntry(body, e) }));
    for (const [name, xml] of Object.entries(EMPTY_PARTS)) {
      if (!files.some((f) => f.name === name)) files.unshift({ name, data: Buffer.from(xml) });
    }
  } catch (err) {
    if (err instanceof ZipError) return notAWorkbook(err);
    throw err;
  }

  // exceljs wants a stream; a stream of stored entries in this order never spills a sheet to a temp file.
  const source = Readable.from(storedZip(files));
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(source, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  const table = new TableBuilder(limits.maxRows);
  try {
    for await (const sheet of reader) {
      if (!isFirstSheet(reader, sheet)) continue;
      for await (const row of sheet) table.add(row.number, cellsOf(row));
      return { ok: true, table: table.table() };
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    return notAWorkbook(err as Error);
  } finally {
    source.destroy();
  }
  return fileProblem({ en: 'the workbook has no worksheet', zh: '工作簿里没有工作表' });
}

/** Workbook parts, then the worksheets by number; the rest (themes, images, properties) is never inflated. */
function partsToRead(entries: ZipEntry[]): ZipEntry[] {
  const sheetNumber = (e: ZipEntry): number => Number(SHEET.exec(e.name)?.[1]);
  const parts = PARTS.flatMap((name) => entries.filter((e) => e.name === name));
  const sheets = entries.filter((e) => SHEET.test(e.name)).sort((a, b) => sheetNumber(a) - sheetNumber(b));
  return [...parts, ...sheets];
}

/** The first sheet in the workbook's tab order (not necessarily sheet1.xml), as exceljs's loader picks it. */
function isFirstSheet(reader: ExcelJS.stream.xlsx.WorkbookReader, sheet: ExcelJS.stream.xlsx.WorksheetReader): boolean {
  const first = (reader as unknown as { model?: { sheets?: { name: string }[] } }).model?.sheets?.[0]?.name;
  return first === undefined || (sheet as unknown as { name?: string }).name === first;
}

function cellsOf(row: ExcelJS.Row): Cell[] {
  const cells: Cell[] = [];
  row.eachCell({ includeEmpty: true }, (cell, col) => {
    cells[col - 1] = excelCell(cell.value);
  });
  return Array.from(cells, (c) => c ?? null);
}

/** Formulas, rich text and hyperlinks -> the value the user sees in the cell. */
function excelCell(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return value;
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('result' in value) return value.result === undefined ? null : excelCell(value.result);
  if ('text' in value) return typeof value.text === 'string' ? value.text : excelCell(value.text);
  if ('error' in value) return String(value.error);
  return null;
}

function unpacksTooLarge(bytes: number, max: number): AppError {
  const [mb, maxMb] = [(bytes / MB).toFixed(1), (max / MB).toFixed(0)];
  return tooLarge(
    {
      en: `the workbook unpacks to ${mb} MB, more than the ${maxMb} MB allowed (UPLOAD_MAX_XLSX_MB); save a smaller file or split it (文件过大)`,
      zh: `工作簿解压后有 ${mb} MB，超过上限 ${maxMb} MB，请减小文件或拆分后上传`,
    },
    { unpackedBytes: bytes, maxUnpackedBytes: max },
  );
}

function notAWorkbook(err: Error): TableResult {
  return fileProblem({ en: `not a readable .xlsx workbook: ${err.message}`, zh: `无法读取此 .xlsx 工作簿：${err.message}` });
}
