import { describe, expect, it } from 'vitest';
import { parseGatesUpload } from '../../../src/intake/index.js';
import { context, csv, csvText } from './helpers.js';

const HEADER = 'id,name,village,town,staff_per_shift,cover_from,cover_to,active_from,active_to,lead_required';

async function problemsFor(...lines: string[]) {
  const result = await parseGatesUpload(csv(csvText(...lines)), context());
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

describe('gate intake', () => {
  it('when every column is given, then the gate carries each value', async () => {
    const result = await parseGatesUpload(csv(csvText(HEADER, 'G1,东门,东村,庄市街道,3,06:00,22:00,2021/12/15,2021-12-31,是')), context());
    expect(result.ok && result.records[0]).toEqual({
      id: 'G1',
      name: '东门',
      village: '东村',
      town: '庄市街道',
      staffPerShift: 3,
      coverFrom: '06:00',
      coverTo: '22:00',
      activeFrom: '2021-12-15',
      activeTo: '2021-12-31',
      leadRequired: true,
    });
  });

  it('when an id appears twice, then the later row is a problem naming both rows', async () => {
    const problems = await problemsFor(HEADER, 'G1,东门,东村,庄市街道', 'G2,西门,东村,庄市街道', 'G1,南门,东村,庄市街道');
    expect(problems).toEqual([
      { row: 4, column: 'id', value: 'G1', message: expect.stringMatching(/duplicate.*rows 2 and 4/), messageZh: '门岗编号"G1"重复（第 2 行与第 4 行）' },
    ]);
  });

  it('when a village is given two towns in one file, then the later row is a problem', async () => {
    const problems = await problemsFor(HEADER, 'G1,东门,新村,庄市街道', 'G2,西门,新村,骆驼街道');
    expect(problems).toEqual([
      {
        row: 3,
        column: 'town',
        value: '骆驼街道',
        message: expect.stringContaining('row 2'),
        messageZh: expect.stringContaining('在第 2 行属于镇街"庄市街道"'),
      },
    ]);
  });

  it('when a village is already stored under another town, then the row is a problem', async () => {
    const problems = await problemsFor(HEADER, 'G1,东门,东村,骆驼街道');
    expect(problems).toEqual([
      {
        row: 2,
        column: 'town',
        value: '骆驼街道',
        message: expect.stringContaining('already stored under town "庄市街道"'),
        messageZh: expect.stringContaining('已登记在镇街"庄市街道"下'),
      },
    ]);
  });

  it('when staff, times, dates and booleans are malformed, then each cell is its own problem', async () => {
    const problems = await problemsFor(HEADER, 'G1,东门,东村,庄市街道,21,6am,25:00,2021-02-30,13/12/2021,maybe');
    expect(problems.map((p) => [p.row, p.column, p.value])).toEqual([
      [2, 'staff_per_shift', '21'],
      [2, 'cover_from', '6am'],
      [2, 'cover_to', '25:00'],
      [2, 'active_from', '2021-02-30'],
      [2, 'active_to', '13/12/2021'],
      [2, 'lead_required', 'maybe'],
    ]);
  });

  it('when active_to is before active_from, then active_to is the problem', async () => {
    const problems = await problemsFor(HEADER, 'G1,东门,东村,庄市街道,,,,2021-12-15,2021-12-14,');
    expect(problems).toEqual([
      {
        row: 2,
        column: 'active_to',
        value: '2021-12-14',
        message: expect.stringContaining('before'),
        messageZh: '停用日期 2021-12-14 早于启用日期 2021-12-15',
      },
    ]);
  });

  it('when cover ends when it starts, then the problem suggests 00:00 to 24:00', async () => {
    const problems = await problemsFor(HEADER, 'G1,东门,东村,庄市街道,,08:00,08:00,,,');
    expect(problems[0]?.message).toContain('00:00 to 24:00');
  });

  it('when cover wraps past midnight, then it is accepted as written', async () => {
    const result = await parseGatesUpload(csv(csvText(HEADER, 'G1,东门,东村,庄市街道,,20:00,06:00,,,')), context());
    expect(result.ok && result.records[0]).toMatchObject({ coverFrom: '20:00', coverTo: '06:00' });
  });

  it('when a required cell is empty, then the problem says it is required', async () => {
    const problems = await problemsFor(HEADER, ',东门,东村,庄市街道');
    expect(problems).toEqual([{ row: 2, column: 'id', value: '', message: expect.stringContaining('required'), messageZh: expect.stringContaining('必填') }]);
  });

  it('when a column is unknown, then it is a row 1 problem naming the column, and rows are still checked', async () => {
    const problems = await problemsFor('id,name,village,town,备注', 'G1,东门,东村,庄市街道,x', 'G1,西门,东村,庄市街道,y');
    expect(problems).toEqual([
      {
        row: 1,
        column: '备注',
        value: '备注',
        message: expect.stringContaining('unknown column "备注"'),
        messageZh: expect.stringContaining('列名"备注"无法识别'),
      },
      expect.objectContaining({ row: 3, column: 'id' }),
    ]);
  });

  it('when required columns are missing, then each is named once on row 1', async () => {
    const problems = await problemsFor('id,name', 'G1,东门');
    expect(problems.map((p) => [p.row, p.column])).toEqual([
      [1, 'village/村社'],
      [1, 'town/镇街'],
    ]);
  });

  it('when a column is given in both languages, then the second is a problem', async () => {
    const problems = await problemsFor('id,门岗编号,name,village,town', 'G1,G1,东门,东村,庄市街道');
    expect(problems).toEqual([expect.objectContaining({ row: 1, column: '门岗编号', message: expect.stringContaining('twice') })]);
  });

  it('when the file is empty, then row 1 says so', async () => {
    const result = await parseGatesUpload(csv(''), context());
    expect(!result.ok && result.problems).toEqual([
      { row: 1, column: '', value: '', message: expect.stringContaining('empty'), messageZh: expect.stringContaining('文件为空') },
    ]);
  });

  it('when the file has only a header, then row 1 says there are no data rows', async () => {
    const result = await parseGatesUpload(csv(csvText(HEADER, ',,,,,,,,,')), context());
    expect(!result.ok && result.problems).toEqual([
      { row: 1, column: '', value: '', message: expect.stringContaining('no data rows'), messageZh: expect.stringContaining('没有数据行') },
    ]);
  });

  it('when a value sits in a column with no header, then it is a problem naming the sheet column', async () => {
    const problems = await problemsFor('id,name,village,town', 'G1,东门,东村,庄市街道,stray');
    expect(problems).toEqual([
      { row: 2, column: 'column E', value: 'stray', message: expect.stringContaining('no header'), messageZh: expect.stringContaining('E 列没有列名') },
    ]);
  });
});
