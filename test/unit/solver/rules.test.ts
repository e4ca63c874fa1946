import { describe, expect, it } from 'vitest';
import { solveRoster } from '../../../src/solver/index.js';
import { cadre, gate, hourOf, input, plan, START, TZ, violations, win } from './fixtures.js';
import { localInstant } from '../../../src/domain/time.js';
import { solveBlock } from '../../../src/solver/block-solve.js';
import { wholeBlock } from '../../../src/solver/block.js';
import { highsEngine } from '../../../src/solver/engines/highs.js';
import { buildInstance } from '../../../src/solver/instance.js';

describe('solveRoster on tiny hand-made cases', () => {
  it('when 6 people can hold one 2-person gate for a day, then all 6 places are filled and every rule holds', async () => {
    const inp = input(
      plan(),
      [gate('G', { staffPerShift: 2 })],
      ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => cadre(id)),
    );
    const r = await solveRoster(inp);
    expect(r.metrics.placesNeeded).toBe(6);
    expect(r.metrics.placesFilled).toBe(6);
    expect(r.status).toBe('optimal');
    expect(violations(inp, r.assignments)).toEqual([]);
    expect(r.gaps).toEqual([]);
  });

  it('when the only person is unavailable 08-16, then they never stand that shift and the gap says no one available', async () => {
    const inp = input(plan(), [gate('G')], [cadre('a')], [win('a', 'unavailable', 0, 8, 16)]);
    const r = await solveRoster(inp);
    expect(r.assignments.map((a) => hourOf(a.start))).not.toContain(8);
    const gap = r.gaps.find((g) => hourOf(g.start) === 8);
    expect(gap?.reason).toBe('no_one_available');
    expect(gap?.detail).toMatch(/1 eligible: 1 unavailable/);
    expect(gap?.detailZh).toBe('可派驻人员共1人：1人不可值班或不值夜班。');
  });

  it('when someone has an available window 16-24 only, then they stand nothing but the 16:00 shift', async () => {
    const inp = input(plan(), [gate('G')], [cadre('a')], [win('a', 'available', 0, 16, 24)]);
    const r = await solveRoster(inp);
    expect(r.assignments.map((a) => hourOf(a.start))).toEqual([16]);
  });

  it('when a gate belongs to another village, then its people cannot stand it and the gap says no one eligible', async () => {
    const inp = input(plan(), [gate('G', { village: 'V2', town: 'T2' })], [cadre('a')]);
    const r = await solveRoster(inp);
    expect(r.assignments).toEqual([]);
    expect(r.gaps.map((g) => g.reason)).toEqual(['no_one_eligible', 'no_one_eligible', 'no_one_eligible']);
  });

  it('when a dispatched cadre may serve the town, then they cover a gate of another village', async () => {
    const inp = input(plan(), [gate('G', { village: 'V2' })], [cadre('x', { role: 'dispatched', serves: ['T1'] })]);
    const r = await solveRoster(inp);
    expect(r.metrics.placesFilled).toBeGreaterThan(0);
    expect(violations(inp, r.assignments)).toEqual([]);
  });

  it('when one person holds one post with 8 h rest and 12 h per 24 h, then they stand 1 of 3 shifts a day, and the gaps name the cap or rest', async () => {
    const inp = input(plan(), [gate('G')], [cadre('a')]);
    const r = await solveRoster(inp);
    expect(r.metrics.placesFilled).toBe(1);
    expect(r.metrics.upperBound.value).toBe(1);
    expect(r.gaps).toHaveLength(2);
    for (const g of r.gaps) expect(['eligible_at_hour_cap', 'rest_rule']).toContain(g.reason);
    expect(violations(inp, r.assignments)).toEqual([]);
  });

  it('when rest is 0 h but 24 h hours are capped at 16, then one person stands two back-to-back shifts a day', async () => {
    const inp = input(plan({ rules: { minRestHours: 0, maxHoursPer24h: 16, maxHoursPerWeek: 48, maxConsecutiveNights: 3 } }), [gate('G')], [cadre('a')]);
    const r = await solveRoster(inp);
    expect(r.metrics.placesFilled).toBe(2);
    expect(violations(inp, r.assignments)).toEqual([]);
  });

  it('when a person caps their week at 16 h over 3 days alone at a post, then they stand exactly 2 shifts and the rest are hour-cap gaps', async () => {
    const inp = input(plan({ days: 3 }), [gate('G')], [cadre('a', { maxHoursWeek: 16 })]);
    const r = await solveRoster(inp);
    expect(r.metrics.placesFilled).toBe(2);
    expect(r.gaps.filter((g) => g.reason === 'eligible_at_hour_cap').length).toBeGreaterThan(0);
    expect(violations(inp, r.assignments)).toEqual([]);
  });

  it('when one night-only person may work at most 2 nights in a row over 4 nights, then they stand 3 of the 4 nights', async () => {
    const p = plan({ days: 4, rules: { minRestHours: 8, maxHoursPer24h: 12, maxHoursPerWeek: 48, maxConsecutiveNights: 2 } });
    const windows = [0, 1, 2, 3].map((d) => win('a', 'available', d, 0, 8));
    const inp = input(p, [gate('G', { coverFrom: '00:00', coverTo: '06:00' })], [cadre('a')], windows);
    const r = await solveRoster(inp);
    expect(r.metrics.placesNeeded).toBe(4);
    expect(r.metrics.placesFilled).toBe(3);
    expect(violations(inp, r.assignments)).toEqual([]);
  });

  it('when a person does not take nights, then they never stand a shift touching 00:00-06:00', async () => {
    const inp = input(plan({ days: 2 }), [gate('G')], [cadre('a', { nightOk: false }), cadre('b', { nightOk: false })]);
    const r = await solveRoster(inp);
    expect(r.assignments.every((a) => hourOf(a.start) !== 0)).toBe(true);
    expect(r.gaps.filter((g) => hourOf(g.start) === 0).every((g) => g.reason === 'no_one_available')).toBe(true);
  });

  it('when a gate is watched 08:00-16:00 only, then only the day shift is needed', async () => {
    const inp = input(plan(), [gate('G', { coverFrom: '08:00', coverTo: '16:00' })], [cadre('a'), cadre('b')]);
    const r = await solveRoster(inp);
    expect(r.metrics.placesNeeded).toBe(1);
    expect(r.assignments.map((a) => hourOf(a.start))).toEqual([8]);
  });

  it('when a cover window wraps midnight 22:00-02:00, then the 16:00 shift and the next 00:00 shift are needed', async () => {
    const inp = input(plan({ days: 2 }), [gate('G', { coverFrom: '22:00', coverTo: '02:00' })], [cadre('a'), cadre('b')]);
    const r = await solveRoster(inp);
    // Day 1: 00-08 (from the window opened the evening before the plan), 16-24; day 2: 00-08, 16-24.
    expect(r.metrics.placesNeeded).toBe(4);
  });

  it('when a gate opens on the second day, then nothing is needed on the first', async () => {
    const inp = input(plan({ days: 2 }), [gate('G', { activeFrom: '2021-12-14' })], [cadre('a'), cadre('b'), cadre('c')]);
    const r = await solveRoster(inp);
    expect(r.metrics.placesNeeded).toBe(3);
    expect(r.assignments.every((a) => a.start.getTime() >= localInstant('2021-12-14', 0, TZ).getTime())).toBe(true);
  });

  it('when shifts are 12 h or 4 h, then the day splits into 2 or 6 shifts and the rules hold', async () => {
    for (const shiftHours of [12, 4]) {
      const inp = input(
        plan({ shiftHours }),
        [gate('G')],
        ['a', 'b', 'c', 'd'].map((id) => cadre(id)),
      );
      const r = await solveRoster(inp);
      expect(r.metrics.placesNeeded).toBe(24 / shiftHours);
      expect(r.metrics.placesFilled).toBe(24 / shiftHours);
      expect(violations(inp, r.assignments)).toEqual([]);
    }
  });

  it('when a gate needs a lead and only a volunteer and a village cadre can serve, then the cadre is on every shift they can stand', async () => {
    const inp = input(plan(), [gate('G', { staffPerShift: 2, leadRequired: true })], [cadre('a'), cadre('v', { role: 'volunteer' })]);
    const r = await solveRoster(inp);
    expect(r.assignments.filter((a) => a.cadreId === 'a')).toHaveLength(1);
    const noLead = r.gaps.filter((g) => g.detail.includes('lead') || g.reason === 'no_lead_available');
    expect(noLead.length).toBeGreaterThan(0);
    expect(r.metrics.leadShortfalls).toBe(2);
  });

  it('when 3 people share 6 single-person shifts over 2 days, then everyone stands exactly 2', async () => {
    const inp = input(
      plan({ days: 2 }),
      [gate('G')],
      ['a', 'b', 'c'].map((id) => cadre(id)),
    );
    const r = await solveRoster(inp);
    expect(r.metrics.placesFilled).toBe(6);
    expect(r.metrics.perPerson.map((p) => p.hours)).toEqual([16, 16, 16]);
    expect(r.metrics.hours.gini).toBe(0);
    expect(r.metrics.fixableImbalances).toBe(0);
  });

  it('when a planner pins a person to a shift, then the roster keeps it and marks it pinned', async () => {
    const start = localInstant(START, 16 * 60, TZ);
    const inp = input(plan(), [gate('G')], [cadre('a'), cadre('b'), cadre('c')], [], { pins: [{ cadreId: 'c', gateId: 'G', start }] });
    const r = await solveRoster(inp);
    expect(r.assignments).toContainEqual(expect.objectContaining({ cadreId: 'c', gateId: 'G', start, pinned: true }));
    expect(r.pinConflicts).toEqual([]);
  });

  it('when a pin puts a person where they are unavailable, then the pin is refused with the availability rule', async () => {
    const start = localInstant(START, 8 * 60, TZ);
    const inp = input(plan(), [gate('G')], [cadre('a'), cadre('b'), cadre('c')], [win('a', 'unavailable', 0, 8, 16)], {
      pins: [{ cadreId: 'a', gateId: 'G', start }],
    });
    const r = await solveRoster(inp);
    expect(r.pinConflicts.map((c) => c.rule)).toEqual(['availability']);
    expect(violations(inp, r.assignments)).toEqual([]);
  });

  it('when two pins leave no rest between them, then the second is refused with the rest or 24 h rule', async () => {
    const pins = [0, 8].map((h) => ({ cadreId: 'a', gateId: 'G', start: localInstant(START, h * 60, TZ) }));
    const inp = input(plan(), [gate('G')], [cadre('a'), cadre('b')], [], { pins });
    const r = await solveRoster(inp);
    expect(r.pinConflicts).toHaveLength(1);
    expect(['minRest', 'maxHoursPer24h']).toContain(r.pinConflicts[0]?.rule);
  });

  it('when preferred windows are offered, then a preferred shift is used where fairness allows', async () => {
    const inp = input(plan(), [gate('G', { coverFrom: '08:00', coverTo: '16:00' })], [cadre('a'), cadre('b')], [win('b', 'preferred', 0, 8, 16)]);
    const r = await solveRoster(inp);
    expect(r.assignments.map((a) => a.cadreId)).toEqual(['b']);
    expect(r.metrics.preferencesMet.preferredShiftsWorked).toBe(1);
  });

  it('when the only person is already at another gate in that shift, then the gap says busy elsewhere', async () => {
    const day = { coverFrom: '08:00', coverTo: '16:00' };
    const inp = input(plan(), [gate('G1', day), gate('G2', day)], [cadre('a')]);
    const r = await solveRoster(inp);
    expect(r.assignments).toHaveLength(1);
    expect(r.gaps.map((g) => g.reason)).toEqual(['busy_elsewhere']);
  });

  it('when a cadre and a volunteer cover two gates and one needs a lead, then the cadre stands the gate that needs the lead', async () => {
    const day = { coverFrom: '08:00', coverTo: '16:00' };
    for (const order of [
      ['v', 'a'],
      ['a', 'v'],
    ]) {
      const people = order.map((id) => (id === 'v' ? cadre('v', { role: 'volunteer' }) : cadre('a')));
      const inp = input(plan(), [gate('G1', day), gate('G2', { ...day, leadRequired: true })], people);
      const r = await solveRoster(inp);
      expect(r.assignments.find((a) => a.cadreId === 'a')?.gateId).toBe('G2');
      expect(r.metrics.leadShortfalls).toBe(0);
    }
  });

  it('when someone drops out of one day of a published roster, then only their shift that day changes hands', async () => {
    const inp = input(plan({ days: 3 }), [gate('G', { coverFrom: '08:00', coverTo: '16:00' })], [cadre('a'), cadre('b'), cadre('c'), cadre('d')]);
    const published = await solveRoster(inp);
    const dropped = published.assignments[0] as (typeof published.assignments)[number];
    const day = Math.round((dropped.start.getTime() - localInstant(START, 0, TZ).getTime()) / 86_400_000);
    const next = { ...inp, availability: [win(dropped.cadreId, 'unavailable', day, 0, 24)], previous: published.assignments };
    const r = await solveRoster(next);
    const key = (a: { cadreId: string; start: Date }): string => `${a.cadreId}@${a.start.getTime()}`;
    const before = new Set(published.assignments.map(key));
    const after = new Set(r.assignments.map(key));
    expect([...before].filter((k) => !after.has(k))).toEqual([key(dropped)]);
    expect(r.metrics.placesFilled).toBe(3);
    expect(r.metrics.changesVsPrevious).toEqual({ kept: 2, removed: 1, added: 1, otherPeopleChanged: 0 });
  });
});

describe('a block with a cap on what some of its people fill', () => {
  it('when three of six people may fill at most one place (their village maximum), then the block model fills four of six', async () => {
    const inp = input(
      plan(),
      [gate('G', { staffPerShift: 2 })],
      ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => cadre(id)),
    );
    const inst = buildInstance(inp.plan, inp.gates, inp.cadres, inp.availability);
    const capped = ['a', 'b', 'c'].map((id) => inst.personIndex.get(id) as number);
    const block = { ...wholeBlock(inst), peopleCaps: [{ label: 'villageMax:test', people: capped, cap: 1 }] };
    const r = await solveBlock(inst, block, highsEngine, { deadlineAt: Date.now() + 30_000, fairness: 'equal', coverageOnly: true });
    expect(r.provenCoverage).toBe(4);
    expect(r.placements.filter((x) => capped.includes(x.p))).toHaveLength(1);
  });
});
