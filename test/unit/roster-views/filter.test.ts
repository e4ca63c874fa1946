import { describe, expect, it } from 'vitest';
import { filterRoster } from '../../../src/roster/views/index.js';
import { at, gatesById, sampleRoster } from './fixtures.js';

const ids = (rows: { gateId: string; start: Date; cadreId?: string }[]): string[] =>
  rows.map((r) => `${r.cadreId ?? '-'}@${r.gateId}@${r.start.toISOString()}`);

describe('filterRoster', () => {
  it('when no filter is given, then everything is kept', () => {
    const roster = sampleRoster();
    const result = filterRoster(roster, gatesById, {});
    expect(result.assignments).toHaveLength(roster.assignments.length);
    expect(result.gaps).toHaveLength(roster.gaps.length);
  });

  it("when filtering by town, then only rows at that town's gates remain", () => {
    const result = filterRoster(sampleRoster(), gatesById, { town: '骆驼街道' });
    expect(new Set(result.assignments.map((a) => a.gateId))).toEqual(new Set(['G3']));
    expect(result.gaps.map((g) => g.gateId)).toEqual(['G3']);
  });

  it('when filtering by village and gate, then both must match', () => {
    const result = filterRoster(sampleRoster(), gatesById, { village: '俞范村', gateId: 'G2' });
    expect(result.assignments.map((a) => a.cadreId).sort()).toEqual(['C2', 'C3']);
    expect(result.gaps.map((g) => g.gateId)).toEqual(['G2']);
  });

  it('when filtering by person, then only their shifts remain and no gaps (gaps name nobody)', () => {
    const result = filterRoster(sampleRoster(), gatesById, { cadreId: 'C4' });
    expect(result.assignments.map((a) => a.cadreId)).toEqual(['C4', 'C4']);
    expect(result.gaps).toEqual([]);
  });

  it('when filtering by a time range, then rows overlapping it are kept, touching ones are not', () => {
    const result = filterRoster(sampleRoster(), gatesById, { from: at('2021-12-13 00:00'), to: at('2021-12-13 08:00') });
    // The 12-12 16:00-24:00 shift ends exactly at `from` and the 08:00 shifts start at `to`.
    expect(ids(result.assignments)).toEqual(ids([{ cadreId: 'C4', gateId: 'G3', start: at('2021-12-12 20:00') }]));
    expect(result.gaps.map((g) => g.gateId)).toEqual(['G2']);
  });

  it("when a village head's scope is given, then only their villages are visible", () => {
    const result = filterRoster(sampleRoster(), gatesById, { villages: ['盛家村'] });
    expect(new Set(result.assignments.map((a) => a.gateId))).toEqual(new Set(['G3']));
  });

  it('when the scope is an empty list, then nothing is visible', () => {
    const result = filterRoster(sampleRoster(), gatesById, { villages: [] });
    expect(result.assignments).toEqual([]);
    expect(result.gaps).toEqual([]);
  });

  it("when a row's gate is unknown and a place filter is given, then the row is dropped", () => {
    const roster = sampleRoster();
    roster.assignments.push({ cadreId: 'C1', gateId: 'GX', start: at('2021-12-13 08:00'), end: at('2021-12-13 16:00'), pinned: false });
    expect(filterRoster(roster, gatesById, { town: '蛟川街道' }).assignments.some((a) => a.gateId === 'GX')).toBe(false);
    expect(filterRoster(roster, gatesById, {}).assignments.some((a) => a.gateId === 'GX')).toBe(true);
  });
});
