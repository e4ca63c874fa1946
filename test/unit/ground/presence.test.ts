/** Who is at a gate-shift, by hand-made cases whose answer shows by eye. */
import { describe, expect, it } from 'vitest';
import type { Assignment, Gap } from '../../../src/domain/roster.js';
import { liveGaps, presenceOf, seatsAtGateShift, type CheckIn } from '../../../src/ground/presence.js';
import { slotFor } from '../../../src/ground/checkin-slots.js';

const start = new Date('2021-12-13T00:00:00Z');
const end = new Date('2021-12-13T08:00:00Z');
const min = (m: number) => new Date(start.getTime() + m * 60_000);
const duty = (cadreId: string, gateId = 'G1'): Assignment => ({ cadreId, gateId, start, end, pinned: false });
const short = (needed: number, filled: number): Gap => ({ gateId: 'G1', start, end, needed, filled, reason: 'no_one_available', detail: '', detailZh: '' });
const tap = (cadreId: string, at = min(-5)): CheckIn => ({ planId: 'p', gateId: 'G1', cadreId, start, end, checkedInAt: at, checkedOutAt: null, via: 'gate' });
const tracked = new Map([['G1', min(-60)]]);
const AFTER = 15 * 60_000;
const names = (id: string) => id;

describe('presence and live gaps', () => {
  it('when one of two rostered people has not checked in 15 min after the start, then one no-show gap of 1 seat names them', () => {
    const roster = { assignments: [duty('a'), duty('b')], gaps: [] };
    const presence = presenceOf(roster, [tap('a')], { now: min(15), noShowAfterMs: AFTER, trackedSince: tracked });
    const gaps = liveGaps(roster, presence, names, AFTER);
    expect(gaps).toMatchObject([{ reason: 'no_show', needed: 2, filled: 1 }]);
    expect(gaps[0]!.detailZh).toBe('开班15分钟后仍未签到：b。');
    expect(seatsAtGateShift(2, gaps)).toEqual({ needed: 2, filled: 1 });
  });

  it('when it is 14 min after the start, or the gate has no check-in code, then nobody is a no-show', () => {
    const roster = { assignments: [duty('a')], gaps: [] };
    expect(liveGaps(roster, presenceOf(roster, [], { now: min(14), noShowAfterMs: AFTER, trackedSince: tracked }), names, AFTER)).toEqual([]);
    expect(liveGaps(roster, presenceOf(roster, [], { now: min(60), noShowAfterMs: AFTER, trackedSince: new Map() }), names, AFTER)).toEqual([]);
  });

  it('when a walk-in comes to a gate-shift with a planned gap and a no-show, then the walk-in fills the planned gap first', () => {
    const roster = { assignments: [duty('a')], gaps: [short(2, 1)] };
    const presence = presenceOf(roster, [tap('w')], { now: min(30), noShowAfterMs: AFTER, trackedSince: tracked });
    const gaps = liveGaps(roster, presence, names, AFTER);
    // The planned gap is filled; `a` is still missing: one seat of two short.
    expect(gaps).toMatchObject([{ reason: 'no_show', needed: 2, filled: 1 }]);
    expect(seatsAtGateShift(1, gaps)).toEqual({ needed: 2, filled: 1 });
  });

  it('without check-ins, then the planned gaps and the seat count are the roster’s own', () => {
    const roster = { assignments: [duty('a')], gaps: [short(2, 1)] };
    const gaps = liveGaps(roster, presenceOf(roster, [], { now: min(5), noShowAfterMs: AFTER, trackedSince: tracked }), names, AFTER);
    expect(gaps).toEqual(roster.gaps);
    expect(seatsAtGateShift(1, gaps)).toEqual({ needed: 2, filled: 1 });
  });

  it('when someone taps at a gate, then their own shift there wins (from 30 min before), else the shift on now as a walk-in', () => {
    const next = { ...duty('a'), start: end, end: new Date(end.getTime() + 8 * 3_600_000) };
    const rosters = [{ planId: 'p', assignments: [duty('b'), next], gaps: [] }];
    expect(slotFor(rosters, 'G1', 'a', new Date(end.getTime() - 20 * 60_000))).toMatchObject({ start: end, rostered: true });
    expect(slotFor(rosters, 'G1', 'a', min(60))).toMatchObject({ start, rostered: false });
    expect(slotFor(rosters, 'G2', 'a', min(60))).toBeNull();
  });
});
