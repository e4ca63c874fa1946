import { describe, expect, it } from 'vitest';
import { rosterDiff } from '../../../src/roster/views/index.js';
import { duty } from './fixtures.js';

describe('rosterDiff', () => {
  const before = [
    duty('C1', 'G1', '2021-12-13 08:00', '2021-12-13 16:00'),
    duty('C2', 'G1', '2021-12-13 08:00', '2021-12-13 16:00'),
    duty('C2', 'G1', '2021-12-14 08:00', '2021-12-14 16:00'),
    duty('C3', 'G2', '2021-12-13 00:00', '2021-12-13 08:00'),
  ];

  it('when a person falls ill and another takes over, then one lost and one gained, others unchanged', () => {
    const after = [
      duty('C1', 'G1', '2021-12-13 08:00', '2021-12-13 16:00'),
      duty('C3', 'G1', '2021-12-13 08:00', '2021-12-13 16:00'),
      duty('C3', 'G1', '2021-12-14 08:00', '2021-12-14 16:00'),
      duty('C3', 'G2', '2021-12-13 00:00', '2021-12-13 08:00'),
    ];

    const diff = rosterDiff(before, after);

    expect(diff.people.map((p) => [p.cadreId, p.gained.length, p.lost.length, p.unchanged])).toEqual([
      ['C2', 0, 2, 0],
      ['C3', 2, 0, 1],
    ]);
    expect(diff.people[0]?.lost.map((a) => a.start)).toEqual([before[1]?.start, before[2]?.start]);
    expect(diff.totals).toEqual({ changedPeople: 2, gained: 2, lost: 2, unchanged: 2 });
  });

  it('when a shift moves to another gate, then it is one lost and one gained for that person', () => {
    const after = [...before.slice(0, 3), duty('C3', 'G1', '2021-12-13 00:00', '2021-12-13 08:00')];
    const diff = rosterDiff(before, after);
    expect(diff.people).toHaveLength(1);
    expect(diff.people[0]).toMatchObject({ cadreId: 'C3', unchanged: 0 });
    expect(diff.people[0]?.gained[0]?.gateId).toBe('G1');
    expect(diff.people[0]?.lost[0]?.gateId).toBe('G2');
  });

  it('when both versions are the same, then nobody changed', () => {
    expect(rosterDiff(before, [...before].reverse())).toEqual({
      people: [],
      totals: { changedPeople: 0, gained: 0, lost: 0, unchanged: 4 },
    });
  });
});
