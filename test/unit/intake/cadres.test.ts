import { describe, expect, it } from 'vitest';
import { parseCadresUpload } from '../../../src/intake/index.js';
import { context, csv, csvText } from './helpers.js';

const HEADER = 'id,name,phone,role,village,serves,max_hours_week,night_ok';

async function parse(...rows: string[]) {
  return parseCadresUpload(csv(csvText(HEADER, ...rows)), context());
}

describe('cadre intake', () => {
  it('when roles and booleans are written in English or Chinese, then both are understood', async () => {
    const result = await parse('P1,张伟,,village_cadre,东村,,,Y', 'P2,李娜,,下沉干部,东村,,,否', 'P3,王芳,,Volunteer,西村,,,FALSE');
    expect(result.ok && result.records.map((c) => [c.role, c.nightOk])).toEqual([
      ['village_cadre', true],
      ['dispatched', false],
      ['volunteer', false],
    ]);
  });

  it('when a role is unknown, then the message lists the roles in both languages', async () => {
    const result = await parse('P1,张伟,,村长,东村,,,');
    expect(!result.ok && result.problems).toEqual([
      {
        row: 2,
        column: 'role',
        value: '村长',
        message: 'unknown role "村长"; use village_cadre/村干部, dispatched/下沉干部 or volunteer/志愿者',
        messageZh: '身份"村长"无法识别，请填写 村干部、下沉干部 或 志愿者',
      },
    ]);
  });

  it('when the home village is unknown, then the row is a problem', async () => {
    const result = await parse('P1,张伟,,村干部,南村,,,');
    expect(!result.ok && result.problems).toEqual([
      { row: 2, column: 'village', value: '南村', message: expect.stringContaining('unknown village'), messageZh: '村社"南村"不存在，请先上传该村社的门岗' },
    ]);
  });

  it('when serves lists places with ;, ； or 、, then each is kept once', async () => {
    const result = await parse('P1,张伟,,下沉干部,东村,"西村；庄市街道、西村;东村",,');
    expect(result.ok && result.records[0]?.serves).toEqual(['西村', '庄市街道', '东村']);
  });

  it('when serves says 全区 or *, then the person may serve anywhere', async () => {
    const result = await parse('P1,张伟,,下沉干部,东村,全区,,', 'P2,李娜,,dispatched,东村,*,,');
    expect(result.ok && result.records.map((c) => c.serves)).toEqual([['*'], ['*']]);
  });

  it('when serves names an unknown place, then the problem names it', async () => {
    const result = await parse('P1,张伟,,志愿者,东村,西村；火星村,,');
    expect(!result.ok && result.problems).toEqual([
      { row: 2, column: 'serves', value: '西村；火星村', message: expect.stringContaining('"火星村"'), messageZh: expect.stringContaining('"火星村"不存在') },
    ]);
  });

  it('when phone and weekly hours are malformed, then each is a problem', async () => {
    const result = await parse('P1,张伟,call me,村干部,东村,,169,');
    expect(!result.ok && result.problems.map((p) => p.column)).toEqual(['phone', 'max_hours_week']);
  });

  it('when a phone has +, - and spaces, then it is kept as written', async () => {
    const result = await parse('P1,张伟,+86 138-1234-5678,村干部,东村,,48,');
    expect(result.ok && result.records[0]).toMatchObject({ phone: '+86 138-1234-5678', maxHoursWeek: 48 });
  });

  it('when a person id appears twice, then the later row names both rows', async () => {
    const result = await parse('P1,张伟,,村干部,东村,,,', 'P1,李娜,,村干部,东村,,,');
    expect(!result.ok && result.problems).toEqual([
      { row: 3, column: 'id', value: 'P1', message: expect.stringContaining('rows 2 and 3'), messageZh: '人员编号"P1"重复（第 2 行与第 3 行）' },
    ]);
  });
});
