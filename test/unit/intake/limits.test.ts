/**
 * Intake limits on one thread: cell length and control characters (per row and column, in both
 * languages), the echoed value clipped, at most 1,000 problems plus the total, the row limit
 * in every format, JSON nesting, and dates that do not exist.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import { DEFAULT_LIMITS, parseAvailabilityUpload, parseCadresUpload, parseGatesUpload, type IntakeResult } from '../../../src/intake/index.js';
import { scanJson } from '../../../src/intake/json-scan.js';
import { context, csv, csvText, json, xlsx } from './helpers.js';

const GATES = 'id,name,village,town';
const HAN = /\p{Script=Han}/u;

function problemsOf(result: IntakeResult<unknown>) {
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

describe('cell length', () => {
  it('when an id, a name and a free-text cell are one character over their limit, then each is a problem; at the limit they pass', async () => {
    const [id64, name100, serves500] = ['i'.repeat(64), '名'.repeat(100), `东村${'；东村'.repeat(166)}`];
    const ok = await parseCadresUpload(csv(csvText('id,name,role,village,serves', `${id64},${name100},volunteer,东村,${serves500}`)), context());
    expect(serves500).toHaveLength(500);
    expect(ok.ok).toBe(true);

    const result = await parseCadresUpload(csv(csvText('id,name,role,village,serves', `${id64}x,${name100}x,volunteer,东村,${serves500}x`)), context());

    expect(problemsOf(result)).toEqual([
      { row: 2, column: 'id', value: `${id64}x`, message: 'too long: 65 characters, at most 64 (内容过长)', messageZh: '内容过长：共 65 个字符，最多 64 个' },
      {
        row: 2,
        column: 'name',
        value: expect.stringMatching(/…$/),
        message: expect.stringContaining('101 characters, at most 100'),
        messageZh: expect.stringContaining('最多 100 个'),
      },
      {
        row: 2,
        column: 'serves',
        value: expect.stringMatching(/…$/),
        message: expect.stringContaining('501 characters, at most 500'),
        messageZh: expect.stringContaining('最多 500 个'),
      },
    ]);
  });

  it('when a name is 100 emoji (200 UTF-16 units), then it counts as 100 characters and passes', async () => {
    const result = await parseGatesUpload(csv(csvText(GATES, `G1,${'🚪'.repeat(100)},东村,庄市街道`)), context());
    expect(result.ok).toBe(true);
  });

  it('when one cell holds 17 MB, then its problem echoes only the first 100 characters', async () => {
    const huge = 'A'.repeat(17 * 1024 * 1024);

    const problems = problemsOf(await parseGatesUpload(csv(csvText(GATES, `G1,${huge},东村,庄市街道`)), context()));

    expect(problems).toEqual([
      {
        row: 2,
        column: 'name',
        value: `${'A'.repeat(100)}…`,
        message: expect.stringContaining(`${huge.length} characters`),
        messageZh: expect.stringMatching(HAN),
      },
    ]);
    expect(JSON.stringify(problems).length).toBeLessThan(1000);
  });

  it('when a header or a stray cell is huge, then it is clipped in the column, the value and the message', async () => {
    const huge = 'B'.repeat(1024 * 1024);

    const problems = problemsOf(await parseGatesUpload(csv(csvText(`${GATES},${huge}`, 'G1,东门,东村,庄市街道,x,' + huge)), context()));

    expect(problems.map((p) => p.row)).toEqual([1, 2]);
    expect(JSON.stringify(problems).length).toBeLessThan(2000);
  });

  it('when a choice or a date is longer than any such value, then the length is the problem, not the quoted value', async () => {
    const problems = problemsOf(await parseCadresUpload(csv(csvText('id,name,role,village', `P1,张伟,${'村长'.repeat(60)},东村`)), context()));
    expect(problems).toEqual([expect.objectContaining({ row: 2, column: 'role', message: expect.stringContaining('120 characters, at most 100') })]);
  });
});

describe('control characters', () => {
  it.each([
    ['NUL', '\u0000', 'U+0000 NUL'],
    ['ESC', '\u001b', 'U+001B ESC'],
    ['BEL', '\u0007', 'U+0007 BEL'],
    ['a line break', '\n', 'U+000A LF'],
    ['a tab', '\t', 'U+0009 TAB'],
    ['DEL', '\u007f', 'U+007F DEL'],
    ['a C1 control', '\u009b', 'U+009B'],
  ])('when a name contains %s, then that cell is a problem naming the character and where it is', async (_what, char, name) => {
    const result = await parseGatesUpload(json([{ id: 'G1', name: `东${char}门`, village: '东村', town: '庄市街道' }]), context());

    expect(problemsOf(result)).toEqual([
      {
        row: 2,
        column: 'name',
        value: `东${char}门`,
        message: `contains a control character (${name}) at character 2; remove it, and keep the cell on one line (控制字符)`,
        messageZh: `第 2 个字符是不可见的控制字符（${name}），请删除；单元格内容不能换行`,
      },
    ]);
  });

  it('when several rows carry NUL, ESC and BEL in different columns, then each is reported at its own row and column', async () => {
    const file = csv(csvText('id,name,role,village', 'P1\u0000,张伟,volunteer,东村', 'P2,李\u001b[31m娜,volunteer,东村', 'P3,王芳,volunteer,东\u0007村'));

    const problems = problemsOf(await parseCadresUpload(file, context()));

    expect(problems.map((p) => [p.row, p.column])).toEqual([
      [2, 'id'],
      [3, 'name'],
      [4, 'village'],
    ]);
    for (const p of problems) expect(p.messageZh).toMatch(HAN);
  });

  it('when a cell only has whitespace around it (tab, CR, LF), then it is trimmed, not refused', async () => {
    const result = await parseGatesUpload(json([{ id: '\tG1\r\n', name: ' 东门\n', village: '东村', town: '庄市街道' }]), context());
    expect(result.ok && result.records[0]).toMatchObject({ id: 'G1', name: '东门' });
  });
});

describe('problem count', () => {
  it('when 1,500 rows are bad, then the first 1,000 problems in row order come back with the total', async () => {
    const rows = Array.from({ length: 1500 }, (_, i) => `G${i},门${i},东村,庄市街道,0`);

    const result = await parseGatesUpload(csv(csvText(`${GATES},staff_per_shift`, ...rows)), context());

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.total).toBe(1500);
    expect(result.problems).toHaveLength(1000);
    expect(result.problems[0]?.row).toBe(2);
    expect(result.problems[999]?.row).toBe(1001);
  });
});

describe('row limit', () => {
  const limits = { ...DEFAULT_LIMITS, maxRows: 5 };
  const rows = (n: number) => Array.from({ length: n }, (_, i) => [`G${i}`, `门${i}`, '东村', '庄市街道']);

  it.each([
    ['CSV', (n: number) => csv(csvText(GATES, ...rows(n).map((r) => r.join(','))))],
    ['JSON', (n: number) => json(rows(n).map(([id, name, village, town]) => ({ id, name, village, town })))],
    ['xlsx', (n: number) => xlsx([GATES.split(','), ...rows(n)])],
  ])('when a %s file has one data row more than the limit, then it is refused as too large; at the limit it passes', async (_format, fileOf) => {
    const atLimit = await parseGatesUpload(await fileOf(5), context(), limits);
    const attempt = parseGatesUpload(await fileOf(6), context(), limits);

    expect(atLimit.ok).toBe(true);
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({
      code: 'payload_too_large',
      message: expect.stringContaining('more than 5 data rows'),
      details: {
        maxRows: 5,
        total: 1,
        problems: [{ row: 1, column: '', value: '', message: expect.stringContaining('UPLOAD_MAX_ROWS'), messageZh: expect.stringMatching(HAN) }],
      },
    });
  });

  it('when a CSV has a million blank lines, then they neither count as rows nor stop the file', async () => {
    const file = csv(`${GATES}\r\n${'\r\n'.repeat(1_000_000)}G1,东门,东村,庄市街道\r\n`);

    const result = await parseGatesUpload(file, context(), limits);

    expect(result.ok && result.records.map((g) => g.id)).toEqual(['G1']);
  });

  it('when a CSV has millions of rows, then reading stops at the first row past the limit', async () => {
    const file = csv(`${GATES}\r\n${'G1,东门,东村,庄市街道\r\n'.repeat(2_000_000)}`);
    const started = performance.now();

    await expect(parseGatesUpload(file, context())).rejects.toMatchObject({ code: 'payload_too_large' });

    const ms = performance.now() - started;
    console.log(`[limits] ${(file.body.length / 1024 / 1024).toFixed(1)} MB CSV of 2,000,000 rows refused at row 50,001 in ${ms.toFixed(0)} ms`);
  });
});

describe('JSON nesting', () => {
  it('when JSON nests 100,000 arrays deep, then one file problem says so, before JSON.parse', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;

    const result = await parseGatesUpload({ body: Buffer.from(deep), contentType: 'application/json' }, context());

    expect(problemsOf(result)).toEqual([
      { row: 1, column: '', value: '', message: expect.stringContaining('nested more than 16 levels'), messageZh: expect.stringContaining('嵌套超过 16 层') },
    ]);
  });

  it('when a row value is a small nested object, then that cell is refused (an object is no cell, not even as text)', async () => {
    const result = await parseGatesUpload(json([{ id: 'G1', name: { a: [1, [2]] }, village: '东村', town: '庄市街道' }]), context());
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      expect.objectContaining({ row: 2, column: 'name', value: '{"a":[1,[2]]}', message: expect.stringContaining('not an object') }),
    ]);
  });

  it('scanJson ignores brackets and commas inside strings, escaped quotes included', () => {
    expect(scanJson(Buffer.from('[{"a":"[[[,\\"]]"},{"b":1}]'), 2)).toEqual({ tooDeep: false, topLevelItems: 2 });
    expect(scanJson(Buffer.from('[[[1]]]'), 2)).toEqual({ tooDeep: true, offset: 2 });
  });
});

describe('cost of the cross-row checks', () => {
  it('when one person has 40,000 alternating available and unavailable windows, then checking them grows like n log n, not n²', async () => {
    const at = (hours: number) => new Date(Date.UTC(2021, 0, 1, hours)).toISOString().slice(0, 16).replace('T', ' ');
    const check = async (n: number): Promise<number> => {
      const rows = Array.from({ length: n }, (_, i) => `P1,${at(3 * i)},${at(3 * i + 2)},${i % 2 ? 'available' : 'unavailable'}`);
      const started = performance.now();
      const result = await parseAvailabilityUpload(csv(csvText('cadre_id,start,end,kind', ...rows, `P1,${at(1)},${at(4)},available`)), context());
      expect(problemsOf(result)).toEqual([expect.objectContaining({ row: n + 2, column: 'kind', message: expect.stringContaining('contradicts row 2') })]);
      return performance.now() - started;
    };
    const small = await check(10_000);
    const large = await check(40_000);
    console.log(`[limits] one person's windows checked: 10,000 in ${small.toFixed(0)} ms, 40,000 in ${large.toFixed(0)} ms`);
    // Four times the windows: about 4-5x the time when each is checked against an index,
    // 16x when each is compared with all earlier ones. The slack absorbs a busy machine.
    expect(large).toBeLessThan(8 * small + 3000);
  });

  it('when an unavailable window overlaps both an available and a preferred one, then the available one decides: a problem naming it', async () => {
    const result = await parseAvailabilityUpload(
      csv(
        csvText(
          'cadre_id,start,end,kind',
          'P1,2021-12-13 12:00,2021-12-13 14:00,available',
          'P1,2021-12-13 08:00,2021-12-13 10:00,preferred',
          'P1,2021-12-13 09:00,2021-12-13 13:00,unavailable',
        ),
      ),
      context(),
    );
    expect(problemsOf(result)).toEqual([expect.objectContaining({ row: 4, message: expect.stringContaining('contradicts row 2 (available') })]);
  });

  it('when a preferred window overlaps an unavailable one, then the file is accepted with a warning that unavailable wins', async () => {
    const result = await parseAvailabilityUpload(
      csv(csvText('cadre_id,start,end,kind', 'P1,2021-12-13 08:00,2021-12-13 17:00,unavailable', 'P1,2021-12-13 00:00,2021-12-14 00:00,preferred')),
      context(),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.records).toHaveLength(2);
    expect(result.warnings).toEqual([
      expect.objectContaining({
        row: 3,
        column: 'kind',
        message: expect.stringContaining('unavailable wins'),
        messageZh: expect.stringContaining('按"不可值班"处理'),
      }),
    ]);
  });
});

describe('dates that do not exist', () => {
  it.each(['2021-02-30 08:00', '2021/2/30 08:00', '2021-04-31 08:00', '2021-02-29 08:00'])(
    'when an availability window starts at %s, then it is a problem, not rolled into the next month',
    async (start) => {
      const result = await parseAvailabilityUpload(csv(csvText('cadre_id,start,end,kind', `P1,${start},2021-03-05 08:00,available`)), context());
      expect(problemsOf(result)).toEqual([
        expect.objectContaining({ row: 2, column: 'start', value: start, message: expect.stringContaining('YYYY-MM-DD HH:mm') }),
      ]);
    },
  );

  it('when a leap day exists (2024-02-29), then it is accepted', async () => {
    const result = await parseAvailabilityUpload(csv(csvText('cadre_id,start,end,kind', 'P1,2024-02-29 08:00,2024-02-29 17:00,available')), context());
    expect(result.ok).toBe(true);
  });

  it('when a gate is active from 2021-02-30, then it is a problem', async () => {
    const problems = problemsOf(await parseGatesUpload(csv(csvText(`${GATES},active_from`, 'G1,东门,东村,庄市街道,2021-02-30')), context()));
    expect(problems).toEqual([expect.objectContaining({ row: 2, column: 'active_from', value: '2021-02-30' })]);
  });
});
