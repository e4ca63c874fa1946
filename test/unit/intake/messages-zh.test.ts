/**
 * Every problem intake reports is said in Chinese too (`messageZh`), for the district offices:
 * a Chinese sentence, naming the offending value where the English does.
 */
import { describe, expect, it } from 'vitest';
import type { RowProblem } from '../../../src/errors.js';
import { JSON_TYPE, parseAvailabilityUpload, parseCadresUpload, parseGatesUpload, type IntakeResult } from '../../../src/intake/index.js';
import { context, csv, csvText, json, xlsx } from './helpers.js';

const GATES = 'id,name,village,town,staff_per_shift,cover_from,cover_to,active_from,active_to,lead_required';
const CADRES = 'id,name,phone,role,village,serves,max_hours_week,night_ok';
const WINDOWS = 'cadre_id,start,end,kind';

const HAN = /\p{Script=Han}/u;
/** Words of the English messages; none belongs in the Chinese one. */
const ENGLISH = /\b(expected|unknown|duplicate|required|column|row|missing|must|use|upload|encoding|file)\b/i;

function problemsOf(result: IntakeResult<unknown>): RowProblem[] {
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

/**
 * Each problem's Chinese is a Chinese sentence, not the English one again. `quotesEnglish` for
 * file problems that pass on a parser's own (English) detail, e.g. where the JSON breaks.
 */
function expectChinese(problems: RowProblem[], { quotesEnglish = false } = {}): void {
  expect(problems.length).toBeGreaterThan(0);
  for (const p of problems) {
    expect(p.messageZh, p.message).toMatch(HAN);
    if (!quotesEnglish) expect(p.messageZh, p.message).not.toMatch(ENGLISH);
    expect(p.messageZh).not.toBe(p.message);
  }
}

describe('Chinese problem messages', () => {
  it('when a cell of each kind is malformed, then each problem says so in Chinese', async () => {
    const gates = problemsOf(await parseGatesUpload(csv(csvText(GATES, ',东门,东村,庄市街道,21,6am,25:00,2021-02-30,13/12/2021,maybe')), context()));
    const cadres = problemsOf(await parseCadresUpload(csv(csvText(CADRES, 'P1,张伟,phone?,村长,东村,,200,')), context()));
    const windows = problemsOf(await parseAvailabilityUpload(csv(csvText(WINDOWS, 'P1,tomorrow 8am,2021-12-13 16:00,随便')), context()));

    expectChinese([...gates, ...cadres, ...windows]);
    const zh = (list: RowProblem[], column: string) => list.find((p) => p.column === column)?.messageZh;
    expect(zh(gates, 'id')).toBe('必填，不能为空');
    expect(zh(gates, 'staff_per_shift')).toBe('请填写 1 到 20 之间的整数');
    expect(zh(gates, 'cover_from')).toContain('06:00');
    expect(zh(gates, 'active_from')).toContain('年-月-日');
    expect(zh(gates, 'lead_required')).toContain('是 或 否');
    expect(zh(cadres, 'phone')).toContain('手机号');
    expect(zh(cadres, 'role')).toBe('身份"村长"无法识别，请填写 村干部、下沉干部 或 志愿者');
    expect(zh(cadres, 'max_hours_week')).toBe('请填写 1 到 168 之间的整数');
    expect(zh(windows, 'start')).toContain('年-月-日 时:分');
    expect(zh(windows, 'kind')).toBe('类型"随便"无法识别，请填写 可值班、不可值班 或 优先');
  });

  it('when rows clash with each other or with what is stored, then the Chinese names the value and the rows', async () => {
    const gates = problemsOf(
      await parseGatesUpload(
        csv(csvText(GATES, 'G1,东门,新村,庄市街道,,08:00,08:00,,,', 'G1,西门,新村,骆驼街道,,24:00,,,,', 'G2,南门,东村,骆驼街道,,,,2021-12-15,2021-12-14,')),
        context(),
      ),
    );
    const cadres = problemsOf(await parseCadresUpload(csv(csvText(CADRES, 'A01,张伟,,村干部,南村,西村；火星村,,', 'A01,李娜,,志愿者,东村,,,')), context()));
    const windows = problemsOf(
      await parseAvailabilityUpload(
        csv(
          csvText(
            WINDOWS,
            'P9,2021-12-13 08:00,2021-12-13 16:00,可值班',
            'P1,2021-12-13 16:00,2021-12-13 08:00,可值班',
            'P1,2021-12-14 08:00,2021-12-14 16:00,可值班',
            'P1,2021-12-14 12:00,2021-12-14 20:00,不可值班',
          ),
        ),
        context(),
      ),
    );

    expectChinese([...gates, ...cadres, ...windows]);
    expect(gates.map((p) => [p.row, p.column, p.messageZh])).toEqual([
      [2, 'cover_to', '值守结束与开始时间相同；全天值守请填 00:00 到 24:00'],
      [3, 'id', '门岗编号"G1"重复（第 2 行与第 3 行）'],
      [3, 'town', '村社"新村"在第 2 行属于镇街"庄市街道"，这里却填了"骆驼街道"；一个村社只能属于一个镇街'],
      [3, 'cover_from', '值守开始不能是 24:00，请填 00:00'],
      [4, 'town', '村社"东村"已登记在镇街"庄市街道"下，这里却填了"骆驼街道"；一个村社只能属于一个镇街'],
      [4, 'active_to', '停用日期 2021-12-14 早于启用日期 2021-12-15'],
    ]);
    expect(cadres.map((p) => p.messageZh)).toEqual([
      '村社"南村"不存在，请先上传该村社的门岗',
      '村社或镇街"火星村"不存在；请填写已有的村社或镇街，不限地点请填 * 或 全区',
      '人员编号"A01"重复（第 2 行与第 3 行）',
    ]);
    expect(windows.map((p) => p.messageZh)).toEqual([
      '人员编号"P9"不存在，请先上传人员名单',
      '结束时间必须晚于开始时间 2021-12-13 16:00',
      '与第 4 行矛盾：同一人在 2021-12-14 08:00 至 2021-12-14 16:00 已是"可值班"，这里的"不可值班"与之重叠',
    ]);
  });

  it('when the header row is wrong, then unknown, doubled, missing and headerless columns are said in Chinese', async () => {
    const doubled = problemsOf(await parseGatesUpload(csv(csvText('id,门岗编号,name,village,town,备注', 'G1,G1,东门,东村,庄市街道,,stray')), context()));
    const missing = problemsOf(await parseGatesUpload(csv(csvText('id,name', 'G1,东门')), context()));

    expectChinese([...doubled, ...missing]);
    expect(doubled.map((p) => [p.row, p.column, p.messageZh])).toEqual([
      [1, '门岗编号', '"门岗编号"列出现了两次（另一列为"id"）'],
      [1, '备注', expect.stringMatching(/^列名"备注"无法识别，可用的列：门岗编号、门岗名称、村社、镇街、/)],
      [2, 'column G', 'G 列没有列名，却填了内容"stray"'],
    ]);
    expect(missing.map((p) => p.messageZh)).toEqual(['缺少必填的"村社"列', '缺少必填的"镇街"列']);
  });

  it('when the file itself cannot be read, then the file-level problem is said in Chinese', async () => {
    const utf16 = { body: Buffer.from([0xff, 0xfe, 0x69, 0x00]), contentType: 'text/csv' };
    const notUtf8 = { body: Buffer.from([0xef, 0xbb, 0xbf, 0xff, 0xfe, 0xfd]), contentType: 'text/csv' };
    const workbookAsCsv = { ...(await xlsx([['id']])), contentType: 'text/csv' };
    const files = [
      utf16,
      notUtf8,
      workbookAsCsv,
      csv(''),
      csv(csvText(GATES)),
      { body: Buffer.from('[{'), contentType: JSON_TYPE },
      json({ id: 'G1' }),
      json([{ id: 'G1' }, 'G2']),
    ];

    const problems = await Promise.all(files.map(async (file) => problemsOf(await parseGatesUpload(file, context()))));

    expectChinese(problems.flat(), { quotesEnglish: true });
    expect(problems.map((list) => list[0]?.messageZh)).toEqual([
      expect.stringContaining('UTF-16'),
      expect.stringContaining('文件编码错误'),
      expect.stringContaining('Excel 工作簿'),
      '文件为空：应有一行表头和至少一行数据',
      '文件只有表头，没有数据行',
      expect.stringContaining('不是有效的 JSON'),
      '应为 JSON 数组，每行一个对象',
      '此行应为一个以列名为键的对象',
    ]);
  });
});
