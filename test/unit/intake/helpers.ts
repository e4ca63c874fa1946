/** Small builders for intake tests: uploads in each format and a context. */
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { CSV_TYPE, JSON_TYPE, XLSX_TYPE, type IntakeContext, type UploadFile } from '../../../src/intake/index.js';

export const TZ = 'Asia/Shanghai';

export function context(villages: Record<string, string> = { 东村: '庄市街道', 西村: '庄市街道' }, cadreIds: string[] = ['P1', 'P2']): IntakeContext {
  return { timeZone: TZ, villages: new Map(Object.entries(villages)), cadreIds: new Set(cadreIds) };
}

/** Lines joined with CRLF, as Excel writes them. */
export const csvText = (...lines: string[]): string => lines.join('\r\n') + '\r\n';

export const csv = (text: string, contentType = CSV_TYPE): UploadFile => ({ body: Buffer.from(text, 'utf8'), contentType });
export const csvWithBom = (text: string): UploadFile => ({
  body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]),
  contentType: CSV_TYPE,
});
export const gbkCsv = (text: string, contentType = CSV_TYPE): UploadFile => ({ body: iconv.encode(text, 'gbk'), contentType });
export const json = (rows: unknown): UploadFile => ({ body: Buffer.from(JSON.stringify(rows), 'utf8'), contentType: JSON_TYPE });

/** A workbook whose first sheet holds `rows` (row 1 = header); cells keep their JS types. */
export async function xlsx(rows: unknown[][], setup?: (sheet: ExcelJS.Worksheet) => void): Promise<UploadFile> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Sheet1');
  for (const row of rows) sheet.addRow(row);
  setup?.(sheet);
  workbook.addWorksheet('ignored').addRow(['not', 'read']);
  return { body: Buffer.from(await workbook.xlsx.writeBuffer()), contentType: XLSX_TYPE };
}

/** An Excel date cell's value: a UTC Date holding the wall-clock time the sheet shows. */
export const excelDate = (y: number, m: number, d: number, h = 0, min = 0): Date => new Date(Date.UTC(y, m - 1, d, h, min));

/** The instant of a local Shanghai wall-clock time. */
export const shanghai = (text: string): Date => new Date(`${text.replace(' ', 'T')}:00+08:00`);
