import { describe, expect, it } from 'vitest';
import { parseAvailabilityUpload } from '../../../src/intake/index.js';
import { context, csv, csvText, shanghai } from './helpers.js';

async function parse(...rows: string[]) {
  return parseAvailabilityUpload(csv(csvText('cadre_id,start,end,kind', ...rows)), context());
}

describe('availability intake', () => {
  it('when times are written as 2021-12-13 08:00 or 2021/12/13 8:00, then both are local times in the context zone', async () => {
    const result = await parse('P1,2021-12-13 08:00,2021-12-13 16:00,可值班', 'P2,2021/12/13 8:00,2021/12/14 0:00,PREFERRED');
    expect(result.ok && result.records).toEqual([
      { cadreId: 'P1', start: shanghai('2021-12-13 08:00'), end: shanghai('2021-12-13 16:00'), kind: 'available' },
      { cadreId: 'P2', start: shanghai('2021-12-13 08:00'), end: shanghai('2021-12-14 00:00'), kind: 'preferred' },
    ]);
  });

  it('when the zone is another one, then the same text means another instant', async () => {
    const result = await parseAvailabilityUpload(csv(csvText('cadre_id,start,end,kind', 'P1,2021-12-13 08:00,2021-12-13 16:00,available')), {
      ...context(),
      timeZone: 'Europe/Berlin',
    });
    expect(result.ok && result.records[0]?.start).toEqual(new Date('2021-12-13T07:00:00Z'));
  });

  it('when end is not after start, then end is the problem', async () => {
    const result = await parse('P1,2021-12-13 16:00,2021-12-13 08:00,available');
    expect(!result.ok && result.problems).toEqual([
      { row: 2, column: 'end', value: '2021-12-13 08:00', message: expect.stringContaining('after'), messageZh: '结束时间必须晚于开始时间 2021-12-13 16:00' },
    ]);
  });

  it('when a time is malformed or a kind unknown, then each cell is a problem', async () => {
    const result = await parse('P1,Monday 8am,2021-12-32 08:00,休息');
    expect(!result.ok && result.problems.map((p) => [p.column, p.value])).toEqual([
      ['start', 'Monday 8am'],
      ['end', '2021-12-32 08:00'],
      ['kind', '休息'],
    ]);
    expect(!result.ok && result.problems[2]?.message).toContain('available/可值班');
  });

  it('when the person id is unknown, then the row is a problem', async () => {
    const result = await parse('P9,2021-12-13 08:00,2021-12-13 16:00,available');
    expect(!result.ok && result.problems).toEqual([
      { row: 2, column: 'cadre_id', value: 'P9', message: expect.stringContaining('unknown person'), messageZh: '人员编号"P9"不存在，请先上传人员名单' },
    ]);
  });

  it('when an unavailable window overlaps an available one of the same person, then the later row is the problem', async () => {
    const result = await parse(
      'P1,2021-12-13 08:00,2021-12-13 16:00,available',
      'P2,2021-12-13 10:00,2021-12-13 12:00,unavailable',
      'P1,2021-12-13 15:00,2021-12-13 18:00,不可值班',
    );
    expect(!result.ok && result.problems).toEqual([
      { row: 4, column: 'kind', value: '不可值班', message: expect.stringContaining('row 2'), messageZh: expect.stringContaining('与第 2 行矛盾') },
    ]);
  });

  it('when windows of the same kind overlap or windows only touch, then they are accepted as written', async () => {
    const result = await parse(
      'P1,2021-12-13 08:00,2021-12-13 16:00,available',
      'P1,2021-12-13 12:00,2021-12-13 20:00,available',
      'P1,2021-12-13 20:00,2021-12-13 22:00,unavailable',
    );
    expect(result.ok && result.records.length).toBe(3);
  });
});
