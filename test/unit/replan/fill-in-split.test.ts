/**
 * Which part of a re-plan is published at once (src/replan/fill-in-split.ts), on hand-made
 * rosters whose right answer can be seen by eye. Hours count from `now`; the policy publishes
 * what starts within 48 h.
 */
import { describe, expect, it } from 'vitest';
import type { Assignment, Gap } from '../../../src/domain/roster.js';
import { splitReplan } from '../../../src/replan/fill-in-split.js';

const NOW = new Date('2021-12-13T00:00:00Z');
const at = (h: number) => new Date(NOW.getTime() + h * 3_600_000);
const duty = (cadreId: string, gateId: string, h: number): Assignment => ({ cadreId, gateId, start: at(h), end: at(h + 8), pinned: false });
const gap = (gateId: string, h: number): Gap => ({
  gateId,
  start: at(h),
  end: at(h + 8),
  needed: 1,
  filled: 0,
  reason: 'no_one_available',
  detail: '',
  detailZh: '',
});
const split = (previous: Assignment[], replanned: Assignment[], gaps: { previous?: Gap[]; replanned?: Gap[] } = {}) =>
  splitReplan({
    previous: { assignments: previous, gaps: gaps.previous ?? [] },
    replanned: { assignments: replanned, gaps: gaps.replanned ?? [] },
    now: NOW,
    publishBefore: at(48),
  });
const people = (r: { assignments: Assignment[] }) =>
  r.assignments.map((a) => `${a.cadreId}@${a.gateId}+${(a.start.getTime() - NOW.getTime()) / 3_600_000}`).sort();

describe('splitReplan', () => {
  it('when A is out and B fills in tomorrow and C in four days, then only B’s fill-in is published and A keeps the later shift until the planner publishes the draft', () => {
    const r = split([duty('A', 'G1', 10), duty('A', 'G1', 96)], [duty('B', 'G1', 10), duty('C', 'G1', 96)]);
    expect(people(r)).toEqual(['A@G1+96', 'B@G1+10']);
    expect(r).toMatchObject({ applied: 1, heldBack: 1, note: null });
  });

  it('when B moves from a later shift to fill tomorrow and C takes B’s later shift, then the move is published whole: B is never on both', () => {
    const r = split([duty('A', 'G1', 10), duty('B', 'G2', 96)], [duty('B', 'G1', 10), duty('C', 'G2', 96)]);
    expect(people(r)).toEqual(['B@G1+10', 'C@G2+96']);
    expect(r).toMatchObject({ applied: 2, heldBack: 0 });
  });

  it('when the re-plan moves someone off a shift that has started, then nothing is published at once and all of it waits', () => {
    const r = split([duty('B', 'G2', -2), duty('A', 'G1', 10)], [duty('B', 'G1', 10), duty('C', 'G2', -2)]);
    expect(people(r)).toEqual(['A@G1+10', 'B@G2+-2']);
    expect(r.applied).toBe(0);
    expect(r.note).toMatch(/already started/);
  });

  it('when an absent person is off a started shift and gains a later one, then that later shift waits and the other fill-ins are published', () => {
    // X (out today) stood the night that started; the re-plan drops it and gives X a night in
    // three days that the dropped night had ruled out. B fills A's place tomorrow.
    const r = split([duty('X', 'N', -1), duty('A', 'G1', 10)], [duty('X', 'N', 71), duty('B', 'G1', 10)]);
    expect(people(r)).toEqual(['B@G1+10', 'X@N+-1']);
    expect(r).toMatchObject({ applied: 1, heldBack: 1 });
    expect(r.note).toMatch(/already started.*waits for the planner/);
  });

  it('when the one who would leave a started shift had to give up a place for the later one, then that place waits as well', () => {
    // X gains G2+20 only because the re-plan drops X's started night; C gives up G2+20 for
    // G3+30 (a move): C keeps G2+20, so C's gain waits too; B's fill-in of A is published.
    const r = split([duty('X', 'N', -1), duty('C', 'G2', 20), duty('A', 'G1', 10)], [duty('X', 'G2', 20), duty('C', 'G3', 30), duty('B', 'G1', 10)]);
    expect(people(r)).toEqual(['B@G1+10', 'C@G2+20', 'X@N+-1']);
    expect(r).toMatchObject({ applied: 1, heldBack: 2 });
  });

  it('when only a shift that has started differs, then history is kept and nothing waits', () => {
    const r = split([duty('A', 'G1', -4)], []);
    expect(people(r)).toEqual(['A@G1+-4']);
    expect(r).toMatchObject({ applied: 0, heldBack: 0 });
  });

  it('when a freed place cannot be filled, then its gap comes from the re-plan and the other gaps stay as they were', () => {
    const r = split([duty('A', 'G1', 10)], [], { previous: [gap('G2', 90)], replanned: [gap('G1', 10), gap('G2', 90)] });
    expect(r.assignments).toEqual([]);
    expect(r.gaps.map((g) => `${g.gateId}+${(g.start.getTime() - NOW.getTime()) / 3_600_000}`).sort()).toEqual(['G1+10', 'G2+90']);
  });
});
