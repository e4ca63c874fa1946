/**
 * Reading .xlsx safely: the unpacked size is judged from the zip directory before anything is
 * inflated, an entry that unpacks to more than it declares is caught while inflating, and the
 * first tab is streamed row by row (also from workbooks exceljs's stream reader would otherwise
 * spill to a temp file).
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import { DEFAULT_LIMITS, XLSX_TYPE, parseGatesUpload, type UploadFile } from '../../../src/intake/index.js';
import { ParsePool } from '../../../src/intake/parse-thread.js';
import { readZipDirectory } from '../../../src/intake/zip.js';
import { context, xlsx } from './helpers.js';

const GATES = [
  ['id', 'name', 'village', 'town'],
  ['G1', '东门', '东村', '庄市街道'],
];

/** Rewrites the size an entry declares in the zip directory (the data stays as it is). */
function declareSize(file: UploadFile, name: string, size: number): UploadFile {
  const zip = Buffer.from(file.body);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let p = zip.readUInt32LE(end + 16);
  for (let i = 0; i < zip.readUInt16LE(end + 10); i++) {
    const nameLength = zip.readUInt16LE(p + 28);
    if (zip.toString('utf8', p + 46, p + 46 + nameLength) === name) {
      zip.writeUInt32LE(size, p + 24);
      return { ...file, body: zip };
    }
    p += 46 + nameLength + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  throw new Error(`no entry ${name}`);
}

const sheetSize = (file: UploadFile): number => readZipDirectory(file.body).find((e) => e.name === 'xl/worksheets/sheet1.xml')?.size as number;

describe('xlsx unpacked size', () => {
  it('when the sheet declares 200 MB, then the upload is refused as too large from the directory alone, at once', async () => {
    const file = declareSize(await xlsx(GATES), 'xl/worksheets/sheet1.xml', 200 * 1024 * 1024);
    const started = performance.now();

    const attempt = parseGatesUpload(file, context());

    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({
      code: 'payload_too_large',
      message: expect.stringContaining('unpacks to 200.0 MB, more than the 64 MB allowed'),
      details: {
        maxUnpackedBytes: 64 * 1024 * 1024,
        total: 1,
        problems: [expect.objectContaining({ row: 1, messageZh: expect.stringContaining('解压后有 200.0 MB') })],
      },
    });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('when the parts read add up past the limit, then it is refused; what is never read (themes, images) does not count', async () => {
    const file = await xlsx(GATES);
    const theme = readZipDirectory(file.body).find((e) => e.name === 'xl/theme/theme1.xml');
    const limits = { ...DEFAULT_LIMITS, maxUnpackedBytes: sheetSize(file) + 100 };

    await expect(parseGatesUpload(file, context(), limits)).rejects.toMatchObject({ code: 'payload_too_large' });
    expect(theme).toBeDefined();
    const bigTheme = declareSize(file, 'xl/theme/theme1.xml', 500 * 1024 * 1024);
    await expect(parseGatesUpload(bigTheme, context())).resolves.toMatchObject({ ok: true });
  });

  it('when an entry unpacks to more than it declares, then inflating stops there and the file is unreadable', async () => {
    const file = await xlsx(GATES);
    const lying = declareSize(file, 'xl/worksheets/sheet1.xml', sheetSize(file) - 10);

    const result = await parseGatesUpload(lying, context());

    expect(!result.ok && result.problems).toEqual([
      expect.objectContaining({ row: 1, message: expect.stringMatching(/not a readable \.xlsx workbook: .*sheet1\.xml unpacks to more than/) }),
    ]);
  });

  it.each([
    ['plain bytes', Buffer.from('id,name\nG1,东门\n')],
    ['a truncated workbook', Buffer.alloc(0)],
  ])('when the body is %s, then one file problem says it is not a readable workbook', async (_what, body) => {
    const whole = await xlsx(GATES);
    const bytes = body.length > 0 ? body : whole.body.subarray(0, whole.body.length - 40);

    const result = await parseGatesUpload({ body: bytes, contentType: XLSX_TYPE }, context());

    expect(!result.ok && result.problems).toEqual([expect.objectContaining({ row: 1, message: expect.stringContaining('not a readable .xlsx workbook') })]);
  });
});

describe('xlsx streaming', () => {
  it('when the tabs were reordered, then the first tab is read, not sheet1.xml', async () => {
    const workbook = new ExcelJS.Workbook();
    const notes = workbook.addWorksheet('notes');
    notes.addRow(['not', 'read']);
    const gates = workbook.addWorksheet('gates');
    for (const row of GATES) gates.addRow(row);
    // exceljs writes tabs in orderNo order (typed it is not): the gates tab first, stored as sheet2.xml.
    Object.assign(notes, { orderNo: 2 });
    Object.assign(gates, { orderNo: 1 });
    const file = { body: Buffer.from(await workbook.xlsx.writeBuffer()), contentType: XLSX_TYPE };

    const result = await parseGatesUpload(file, context());

    expect(result.ok && result.records.map((g) => g.id)).toEqual(['G1']);
  });

  it('when the workbook has no shared strings (inline text, as streaming writers save it), then it is read all the same', async () => {
    const chunks: Buffer[] = [];
    const out = new PassThrough().on('data', (c: Buffer) => chunks.push(c));
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false });
    const sheet = workbook.addWorksheet('gates');
    for (const row of GATES) sheet.addRow(row).commit();
    sheet.commit();
    await workbook.commit();
    const file = { body: Buffer.concat(chunks), contentType: XLSX_TYPE };
    expect(readZipDirectory(file.body).some((e) => e.name === 'xl/sharedStrings.xml')).toBe(false);

    const result = await parseGatesUpload(file, context());

    expect(result.ok && result.records[0]).toMatchObject({ id: 'G1', name: '东门' });
  });

  // 64 MB of heap passed alone but not beside the bench (load average 18). Loading this
  // workbook whole (the old way) failed even at 96 MB, and 100,000 rows took 881 MB RSS, so
  // 128 MB still tells streaming from loading the workbook whole.
  it('when an xlsx holds 50,000 rows, then it is read in a thread with a 128 MB heap', async () => {
    const rows = Array.from({ length: 50_000 }, (_, i) => [`G${i}`, `门${i}`, '东村', '庄市街道']);
    const file = await xlsx([GATES[0] as string[], ...rows]);
    const pool = new ParsePool({ threads: 1, timeoutMs: 120_000, heapMb: 128, idleMs: 1000 });
    const [size, started] = [file.body.length, performance.now()];

    const result = await pool.parse('gates', file, context());

    console.log(`[limits] 50,000-row xlsx (${(size / 1024 / 1024).toFixed(1)} MB) parsed in a 128 MB thread in ${(performance.now() - started).toFixed(0)} ms`);
    expect(result.ok && result.records).toHaveLength(50_000);
  });
});
