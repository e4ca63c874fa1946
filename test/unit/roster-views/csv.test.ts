import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvCell, gapsToCsv, rosterToCsv, UTF8_BOM } from '../../../src/roster/views/index.js';
import { cadresById, duty, gatesById, PHONES, sampleRoster, ZONE } from './fixtures.js';

describe('csvCell', () => {
  it('when text has a comma, quote or line break, then it is quoted with quotes doubled', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('东门')).toBe('东门');
  });

  it('when text starts like a formula, then it gets a leading apostrophe', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
  });

  it('when the value is a number, boolean or null, then it is written plainly', () => {
    expect(csvCell(-2)).toBe('-2');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
  });
});

describe('rosterToCsv', () => {
  it('when rendered, then it starts with a BOM, uses CRLF and round-trips through a CSV parser', () => {
    const rows = sampleRoster().assignments.slice(2, 4);
    const csv = rosterToCsv(rows, gatesById, cadresById, ZONE);

    expect(csv.startsWith(UTF8_BOM)).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    const records = parse<Record<string, string>>(csv, { bom: true, columns: true });
    expect(records).toEqual([
      {
        cadre_id: 'C1',
        cadre_name: '张三',
        role: 'village_cadre',
        gate_id: 'G1',
        gate_name: '东门',
        village: '俞范村',
        town: '蛟川街道',
        start: '2021-12-13 08:00',
        end: '2021-12-13 16:00',
        pinned: 'true',
      },
      {
        cadre_id: 'C2',
        cadre_name: '李四',
        role: 'dispatched',
        gate_id: 'G1',
        gate_name: '东门',
        village: '俞范村',
        town: '蛟川街道',
        start: '2021-12-13 08:00',
        end: '2021-12-13 16:00',
        pinned: 'false',
      },
    ]);
  });

  it('when a shift ends at midnight, then its end reads as the next day 00:00 local', () => {
    const csv = rosterToCsv([duty('C1', 'G1', '2021-12-13 16:00', '2021-12-14 00:00')], gatesById, cadresById, ZONE);
    expect(csv).toContain('2021-12-13 16:00,2021-12-14 00:00');
  });

  it('when a name holds a comma or a formula, then it stays one cell and is defused', () => {
    const people = new Map(cadresById);
    people.set('C1', { ...cadresById.get('C1')!, name: '=cmd|calc, 张三' });
    const csv = rosterToCsv([duty('C1', 'G1', '2021-12-13 08:00', '2021-12-13 16:00')], gatesById, people, ZONE);
    const [record] = parse<Record<string, string>>(csv, { bom: true, columns: true });
    expect(record?.cadre_name).toBe("'=cmd|calc, 张三");
  });

  it('when rendered, then no phone number appears', () => {
    const csv = rosterToCsv(sampleRoster().assignments, gatesById, cadresById, ZONE);
    for (const phone of PHONES) expect(csv).not.toContain(phone);
  });
});

describe('gapsToCsv', () => {
  it('when rendered, then each gap is a row with gate, place, local times, counts, reason and detail in both languages', () => {
    const csv = gapsToCsv(sampleRoster().gaps, gatesById, ZONE);
    const records = parse<Record<string, string>>(csv, { bom: true, columns: true });
    expect(records[2]).toEqual({
      gate_id: 'G1',
      gate_name: '东门',
      village: '俞范村',
      town: '蛟川街道',
      start: '2021-12-13 16:00',
      end: '2021-12-14 00:00',
      needed: '2',
      filled: '1',
      reason: 'eligible_at_hour_cap',
      detail: '3 eligible, all at their 48 h weekly cap',
      detail_zh: '可派驻人员共3人：3人已达每周或24小时工时上限。',
    });
  });
});
