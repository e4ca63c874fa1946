import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import { parseAvailabilityUpload, parseCadresUpload, parseGatesUpload } from '../../../src/intake/index.js';
import { context, csv, csvText, csvWithBom, excelDate, gbkCsv, json, shanghai, xlsx } from './helpers.js';

const CADRES_ZH = csvText(
  '人员编号,姓名,手机号,身份,所属村社,可派驻范围,每周最多小时,可值夜班',
  'P1,张伟,13812345678,村干部,东村,,40,否',
  'P2,李娜,,志愿者,西村,庄市街道,,是',
);

describe('intake formats', () => {
  it('when a CSV has English headers in any order and case, then every row is read with defaults filled in', async () => {
    const file = csv(csvText(' Village ,ID,name,TOWN', '东村,G1,东门,庄市街道', '西村,G2,"西侧小门, 北",庄市街道'));
    const result = await parseGatesUpload(file, context());
    expect(result).toEqual({
      ok: true,
      records: [
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
          leadRequired: false,
        },
        {
          id: 'G2',
          name: '西侧小门, 北',
          village: '西村',
          town: '庄市街道',
          staffPerShift: 2,
          coverFrom: '00:00',
          coverTo: '24:00',
          activeFrom: null,
          activeTo: null,
          leadRequired: false,
        },
      ],
      warnings: [],
    });
  });

  it('when a CSV has Chinese headers and a UTF-8 BOM, then the BOM is not part of the first header', async () => {
    const result = await parseCadresUpload(csvWithBom(CADRES_ZH), context());
    expect(result.ok && result.records).toEqual([
      { id: 'P1', name: '张伟', phone: '13812345678', role: 'village_cadre', village: '东村', serves: [], maxHoursWeek: 40, nightOk: false },
      { id: 'P2', name: '李娜', phone: null, role: 'volunteer', village: '西村', serves: ['庄市街道'], maxHoursWeek: null, nightOk: true },
    ]);
  });

  it('when a CSV is GBK-encoded as Excel saves it on Chinese Windows, then it is detected and decoded', async () => {
    const utf8 = await parseCadresUpload(csv(CADRES_ZH), context());
    const gbk = await parseCadresUpload(gbkCsv(CADRES_ZH), context());
    expect(gbk).toEqual(utf8);
    expect(gbk.ok).toBe(true);
  });

  it('when the content type says charset=gbk, then the file is decoded as GBK', async () => {
    const result = await parseCadresUpload(gbkCsv(CADRES_ZH, 'text/csv; charset=GBK'), context());
    expect(result.ok).toBe(true);
  });

  it('when the bytes are neither UTF-8 nor GBK, then one wrong-encoding problem is reported on row 1', async () => {
    const file = { body: Buffer.from([0x69, 0x64, 0x0a, 0xff, 0xff, 0x80, 0x0a]), contentType: 'text/csv' };
    const result = await parseGatesUpload(file, context());
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([expect.objectContaining({ row: 1, message: expect.stringContaining('wrong encoding') })]);
  });

  it('when a file claims UTF-8 but is GBK, then it is a wrong-encoding problem, not a silent guess', async () => {
    const result = await parseCadresUpload(gbkCsv(CADRES_ZH, 'text/csv; charset=utf-8'), context());
    expect(!result.ok && result.problems[0]?.message).toContain('wrong encoding');
  });

  it('when the content type is not CSV, Excel or JSON, then an unsupported_media_type AppError names the accepted types', async () => {
    const attempt = parseGatesUpload({ body: Buffer.from('x'), contentType: 'text/plain' }, context());
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({ code: 'unsupported_media_type', message: expect.stringContaining('text/csv') });
  });

  it('when JSON holds numbers and booleans under Chinese keys, then they are read as typed values', async () => {
    const rows = [{ 门岗编号: 'G1', 门岗名称: '东门', 村社: '东村', 镇街: '庄市街道', 每班人数: 3, 需村干部带班: true }];
    const result = await parseGatesUpload(json(rows), context());
    expect(result.ok && result.records[0]).toMatchObject({ id: 'G1', staffPerShift: 3, leadRequired: true });
  });

  it('when a JSON row is bad, then its row number is its array index + 2, as if row 1 were a header', async () => {
    const rows = [
      { id: 'G1', name: '东门', village: '东村', town: '庄市街道' },
      { id: 'G2', name: '西门', village: '东村', town: '庄市街道', staff_per_shift: 0 },
    ];
    const result = await parseGatesUpload(json(rows), context());
    expect(!result.ok && result.problems).toEqual([
      { row: 3, column: 'staff_per_shift', value: '0', message: expect.stringContaining('1 to 20'), messageZh: '请填写 1 到 20 之间的整数' },
    ]);
  });

  it('when JSON is not an array, then the problem says what shape is expected', async () => {
    const result = await parseGatesUpload(json({ id: 'G1' }), context());
    expect(!result.ok && result.problems[0]).toMatchObject({ row: 1, message: expect.stringContaining('array') });
  });

  it('when an Excel sheet has typed cells (dates, times, numbers, booleans), then they are read as the sheet shows them', async () => {
    const file = await xlsx(
      [
        ['门岗编号', '门岗名称', '村社', '镇街', '每班人数', '值守开始', '值守结束', '启用日期', '需村干部带班'],
        ['G1', '东门', '东村', '庄市街道', 1, excelDate(1899, 12, 30, 6), excelDate(1899, 12, 30, 22), excelDate(2021, 12, 15), true],
      ],
      (sheet) => (sheet.getColumn(8).numFmt = 'yyyy-mm-dd'),
    );
    const result = await parseGatesUpload(file, context());
    expect(result.ok && result.records[0]).toMatchObject({
      staffPerShift: 1,
      coverFrom: '06:00',
      coverTo: '22:00',
      activeFrom: '2021-12-15',
      leadRequired: true,
    });
  });

  it('when an Excel phone is a number, then it becomes the same digits', async () => {
    const file = await xlsx([
      ['id', 'name', 'phone', 'role', 'village'],
      ['P1', '张伟', 13812345678, 'village_cadre', '东村'],
    ]);
    const result = await parseCadresUpload(file, context());
    expect(result.ok && result.records[0]?.phone).toBe('13812345678');
  });

  it('when Excel date-time cells hold start and end, then they are wall-clock times in the context time zone', async () => {
    const file = await xlsx([
      ['人员编号', '开始时间', '结束时间', '类型'],
      ['P1', excelDate(2021, 12, 13, 8), excelDate(2021, 12, 13, 16), '可值班'],
    ]);
    const result = await parseAvailabilityUpload(file, context());
    expect(result.ok && result.records).toEqual([{ cadreId: 'P1', start: shanghai('2021-12-13 08:00'), end: shanghai('2021-12-13 16:00'), kind: 'available' }]);
  });

  it('when an Excel sheet has blank rows, then they are skipped and later rows keep their sheet row numbers', async () => {
    const file = await xlsx([['id', 'name', 'village', 'town'], ['G1', '东门', '东村', '庄市街道'], [], ['G2', '西门', '东村', '外镇']]);
    const result = await parseGatesUpload(file, context());
    expect(!result.ok && result.problems.map((p) => p.row)).toEqual([4]);
  });

  it('when a CSV has blank lines, then they are skipped and row numbers still match the sheet', async () => {
    const file = csv(csvText('id,name,village,town', 'G1,东门,东村,庄市街道', ',,,', '', 'G1,西门,东村,庄市街道'));
    const result = await parseGatesUpload(file, context());
    expect(!result.ok && result.problems).toEqual([expect.objectContaining({ row: 5, column: 'id', value: 'G1' })]);
  });

  it('when the bytes are not a workbook, then the problem says so', async () => {
    const result = await parseGatesUpload(
      { body: Buffer.from('id,name'), contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      context(),
    );
    expect(!result.ok && result.problems[0]?.message).toContain('.xlsx');
  });
});
