/**
 * Rules across the edge of a plan: duty stood outside the solve (an earlier plan of the
 * campaign, this plan's own ended days, an overlapping plan) binds it as if it were part of
 * the roster. Each case is checked by the independent checker on the two rosters taken
 * together as one, both through the construction (decomposed) and the full model
 * (monolithic), and cumulative fairness on small campaigns whose fair answer shows by eye.
 */
import { describe, expect, it } from 'vitest';
import type { Assignment } from '../../../src/domain/roster.js';
import { addDays, localInstant } from '../../../src/domain/time.js';
import { solveRoster, type FixedDuty, type SolveInput } from '../../../src/solver/index.js';
import { mulberry32 } from '../../../scripts/lib/mulberry32.js';
import { cadre, gate, hourOf, input, plan, randomInstance, START, TZ, violations } from './fixtures.js';

const HOUR = 3_600_000;

/** A shift of `hours` at local `day` (from START) and hour `from`. */
function duty(cadreId: string, day: number, from: number, hours = 8): FixedDuty {
  const start = localInstant(addDays(START, day), from * 60, TZ);
  return { cadreId, start, end: new Date(start.getTime() + hours * HOUR) };
}

/**
 * The independent checker on the duty elsewhere and the roster as one roster: a plan from the
 * first day of either to the last, same rules, the same gates (duty elsewhere is put at the
 * first gate; off-grid duty is reported as such by the checker and left out of the answer).
 */
function acrossEdge(inp: SolveInput, roster: Assignment[]): string[] {
  const fixed = inp.context?.fixedDuty ?? [];
  const days = [...fixed.map((d) => d.start), ...roster.map((a) => a.start), localInstant(inp.plan.start, 0, TZ)];
  const firstDay = Math.floor((Math.min(...days.map((d) => d.getTime())) - localInstant(START, 0, TZ).getTime()) / (24 * HOUR));
  const lastEnd = Math.max(...[...fixed, ...roster].map((a) => a.end.getTime()), localInstant(addDays(inp.plan.start, inp.plan.days), 0, TZ).getTime());
  const span = Math.ceil((lastEnd - localInstant(addDays(START, firstDay), 0, TZ).getTime()) / (24 * HOUR));
  const anchor = inp.context?.weekAnchor ?? addDays(START, firstDay);
  const combined = {
    ...inp,
    plan: { ...inp.plan, start: anchor, days: span + Math.max(0, Math.round((Date.parse(addDays(START, firstDay)) - Date.parse(anchor)) / 86_400_000)) },
    availability: [],
  };
  const gateId = inp.gates[0]?.id as string;
  const all: Assignment[] = [...fixed.map((d) => ({ cadreId: d.cadreId, gateId, start: d.start, end: d.end, pinned: false })), ...roster];
  return violations(combined, all).filter((v) => !v.startsWith('off the shift grid') && !v.startsWith('overstaffed'));
}

async function bothModes(inp: SolveInput): Promise<{ decomposed: Assignment[]; monolithic: Assignment[] }> {
  const decomposed = (await solveRoster(inp)).assignments;
  const monolithic = (await solveRoster(inp, { monolithic: true })).assignments;
  return { decomposed, monolithic };
}

const rules = (over: Partial<{ minRestHours: number; maxHoursPer24h: number; maxHoursPerWeek: number; maxConsecutiveNights: number }> = {}) => ({
  rules: { minRestHours: 8, maxHoursPer24h: 12, maxHoursPerWeek: 48, maxConsecutiveNights: 3, ...over },
});

describe('rules across the edge of a plan', () => {
  it('when someone stood 16-24 the day before, then the 24 h cap keeps them off 08-16 (rest alone would allow it) and they stand 16-24', async () => {
    const inp = input(plan({ start: addDays(START, 1) }), [gate('G')], [cadre('a')], [], { context: { fixedDuty: [duty('a', 0, 16)] } });
    for (const roster of Object.values(await bothModes(inp))) {
      expect(roster.map((a) => hourOf(a.start))).toEqual([16]);
      expect(acrossEdge(inp, roster)).toEqual([]);
    }
    // Without the duty elsewhere the same person stands a shift before 16:00.
    const alone = await solveRoster({ ...inp, context: {} });
    expect(alone.assignments.map((a) => hourOf(a.start))).toContain(0);
  });

  it('when the 24 h cap leaves room for one 4 h shift after 8 h the evening before, then the next morning holds one shift, not two', async () => {
    const p = plan({ start: addDays(START, 1), shiftHours: 4, ...rules({ minRestHours: 0 }) });
    const inp = input(p, [gate('G')], [cadre('a')], [], { context: { fixedDuty: [duty('a', 0, 16, 4), duty('a', 0, 20, 4)] } });
    for (const roster of Object.values(await bothModes(inp))) {
      const beforeFour = roster.filter((a) => hourOf(a.start) < 16);
      expect(beforeFour.length).toBeLessThanOrEqual(1);
      expect(acrossEdge(inp, roster)).toEqual([]);
    }
  });

  it('when the duty before ended at 20:00 off this plan grid, then rest keeps the person off 00-08 and 08-16 may follow', async () => {
    const p = plan({ start: addDays(START, 1), ...rules({ maxHoursPer24h: 24 }) });
    const inp = input(p, [gate('G')], [cadre('a')], [], { context: { fixedDuty: [duty('a', 0, 14, 6)] } });
    for (const roster of Object.values(await bothModes(inp))) {
      expect(roster.map((a) => hourOf(a.start))).not.toContain(0);
      expect(roster.map((a) => hourOf(a.start))).toContain(8);
      expect(acrossEdge(inp, roster)).toEqual([]);
    }
  });

  it('when someone stood the 3 nights before and 3 in a row is the most, then the first night of the plan is not theirs, and the second is', async () => {
    const p = plan({ start: addDays(START, 3), days: 2, ...rules() });
    const nights = [0, 1, 2].map((d) => duty('a', d, 0));
    const inp = input(p, [gate('G', { coverFrom: '00:00', coverTo: '06:00' })], [cadre('a')], [], { context: { fixedDuty: nights } });
    for (const roster of Object.values(await bothModes(inp))) {
      expect(roster.map((a) => a.start.getTime())).toEqual([localInstant(addDays(START, 4), 0, TZ).getTime()]);
      expect(acrossEdge(inp, roster)).toEqual([]);
    }
  });

  it('when someone stood 2 nights before and 3 in a row is the most, then they take the first night of the plan but not the second', async () => {
    const p = plan({ start: addDays(START, 2), days: 2, ...rules() });
    const inp = input(p, [gate('G', { coverFrom: '00:00', coverTo: '06:00' })], [cadre('a')], [], {
      context: { fixedDuty: [duty('a', 0, 0), duty('a', 1, 0)] },
    });
    for (const roster of Object.values(await bothModes(inp))) {
      expect(roster.map((a) => a.start.getTime())).toEqual([localInstant(addDays(START, 2), 0, TZ).getTime()]);
      expect(acrossEdge(inp, roster)).toEqual([]);
    }
  });

  it('when a campaign started 3 days before the plan and someone stood 40 h of its first week, then they stand one more 8 h shift in that week and a full week after', async () => {
    const p = plan({ start: addDays(START, 3), days: 7, ...rules({ maxHoursPer24h: 16 }) });
    const before = [duty('a', 0, 0), duty('a', 0, 16), duty('a', 1, 8), duty('a', 2, 0), duty('a', 2, 16)];
    const inp = input(p, [gate('G')], [cadre('a')], [], { context: { fixedDuty: before, weekAnchor: START } });
    for (const roster of Object.values(await bothModes(inp))) {
      const firstWeek = roster.filter((a) => a.start.getTime() < localInstant(addDays(START, 7), 0, TZ).getTime());
      expect(firstWeek).toHaveLength(1);
      expect(roster.length - firstWeek.length).toBeGreaterThanOrEqual(3); // days 7-9: a new block
      expect(acrossEdge(inp, roster)).toEqual([]);
    }
    // Blocks counted from the plan's own start would let them work a shift on each of days 3-6.
    const ownBlocks = await solveRoster({ ...inp, context: { fixedDuty: before } });
    expect(ownBlocks.assignments.length).toBeGreaterThan(4);
  });

  it('when someone stands duty in an overlapping plan, then this plan never puts them there at the same time nor within the rest', async () => {
    const p = plan({ ...rules() });
    const inp = input(p, [gate('G'), gate('H')], [cadre('a'), cadre('b')], [], { context: { fixedDuty: [duty('a', 0, 8)] } });
    const r = await solveRoster(inp);
    expect(r.assignments.filter((a) => a.cadreId === 'a')).toEqual([]);
    expect(acrossEdge(inp, r.assignments)).toEqual([]);
    // The gap a leaves names duty elsewhere, not "unavailable".
    expect(r.gaps.some((g) => /on duty at this or another gate/.test(g.detail))).toBe(true);
  });

  it('when a planner pins someone into the rest after duty in another plan, then the pin is refused with the rule named', async () => {
    const inp = input(plan(), [gate('G')], [cadre('a')], [], {
      pins: [{ cadreId: 'a', gateId: 'G', start: localInstant(START, 0, TZ) }],
      context: { fixedDuty: [duty('a', -1, 16)] },
    });
    const r = await solveRoster(inp);
    expect(r.pinConflicts.map((c) => c.rule)).toEqual(['minRest']);
  });
});

describe('fairness over a campaign', () => {
  it('when three people carried 16, 8 and 0 h before a plan of three shifts, then the shifts go 0, 1 and 2 so that all carry 16 h', async () => {
    const p = plan({ days: 3 });
    const people = ['a', 'b', 'c'].map((id) => cadre(id));
    const prior = [
      { cadreId: 'a', hours: 16, nights: 0, offeredByWeek: [{ week: -1, hours: 24 }] },
      { cadreId: 'b', hours: 8, nights: 0, offeredByWeek: [{ week: -1, hours: 24 }] },
      { cadreId: 'c', hours: 0, nights: 0, offeredByWeek: [{ week: -1, hours: 24 }] },
    ];
    const inp = input(p, [gate('G', { coverFrom: '08:00', coverTo: '16:00' })], people, [], { context: { prior } });
    for (const mode of [{}, { monolithic: true }]) {
      const r = await solveRoster(inp, mode);
      const count = (id: string): number => r.assignments.filter((a) => a.cadreId === id).length;
      expect([count('a'), count('b'), count('c')]).toEqual([0, 1, 2]);
      expect(r.metrics.fixableImbalances).toBe(0);
      expect(r.metrics.perPerson.find((l) => l.cadreId === 'a')?.toDate).toEqual({ hours: 16, nights: 0, offeredHours: 48 });
      expect(r.metrics.campaign?.hours).toEqual({ min: 16, median: 16, max: 16 });
    }
    // Blind to the campaign, the same plan gives each one shift.
    const blind = await solveRoster({ ...inp, context: {} });
    expect(new Set(blind.assignments.map((a) => a.cadreId)).size).toBe(3);
  });

  it('when a veteran carried 72 of the 80 h they offered and a newcomer offered nothing before, then in proportional mode the newcomer takes 3 of 4 shifts (1 and 3, not 2 and 2)', async () => {
    const p = plan({ days: 4, fairness: 'proportional' });
    const prior = [
      {
        cadreId: 'a',
        hours: 72,
        nights: 0,
        offeredByWeek: [
          { week: -2, hours: 40 },
          { week: -1, hours: 40 },
        ],
      },
    ];
    const inp = input(p, [gate('G', { coverFrom: '08:00', coverTo: '16:00' })], [cadre('a'), cadre('b')], [], { context: { prior } });
    const r = await solveRoster(inp);
    const count = (id: string): number => r.assignments.filter((a) => a.cadreId === id).length;
    expect([count('a'), count('b')]).toEqual([1, 3]);
    expect(r.metrics.fixableImbalances).toBe(0);
    const blind = await solveRoster({ ...inp, context: {} });
    expect(blind.assignments.filter((a) => a.cadreId === 'a')).toHaveLength(2);
  });

  it('when someone worked more nights before, then this plan gives the nights to the colleague with fewer nights to date', async () => {
    const p = plan({ days: 2 });
    const prior = [
      { cadreId: 'a', hours: 16, nights: 2, offeredByWeek: [{ week: -1, hours: 48 }] },
      { cadreId: 'b', hours: 16, nights: 0, offeredByWeek: [{ week: -1, hours: 48 }] },
    ];
    // One night shift and one day shift each day; both people may take either.
    const inp = input(
      p,
      [gate('N', { coverFrom: '00:00', coverTo: '06:00' }), gate('D', { coverFrom: '08:00', coverTo: '16:00' })],
      [cadre('a'), cadre('b')],
      [],
      { context: { prior } },
    );
    const r = await solveRoster(inp);
    const nightsOf = (id: string): number => r.assignments.filter((x) => x.cadreId === id && x.gateId === 'N').length;
    expect(nightsOf('b')).toBe(2);
    expect(nightsOf('a')).toBe(0);
  });
});

describe('rules across the edge on random instances', () => {
  it('when 40 random plans get random duty before, after and inside them (on and off the grid), then no rule breaks across the edge', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const base = randomInstance(seed);
      const r = mulberry32(seed * 7919);
      const fixedDuty: FixedDuty[] = [];
      for (const c of base.cadres) {
        const roll = r();
        // One shift the day before (ending 16-24 h), one after the plan, sometimes one inside it.
        if (roll < 0.5) fixedDuty.push(duty(c.id, -1, 12 + Math.floor(r() * 8), 4 + Math.floor(r() * 5)));
        if (roll > 0.3) fixedDuty.push(duty(c.id, base.plan.days, Math.floor(r() * 6), 4 + Math.floor(r() * 5)));
        if (r() < 0.2) fixedDuty.push(duty(c.id, Math.floor(r() * base.plan.days), 6 + Math.floor(r() * 4), 4));
      }
      // Nights before the start for some, to test runs across the edge.
      for (const c of base.cadres.filter(() => r() < 0.3))
        for (let d = 1; d <= base.plan.rules.maxConsecutiveNights; d++) fixedDuty.push(duty(c.id, -1 - d, 1, 2));
      const inp: SolveInput = { ...base, context: { fixedDuty, weekAnchor: addDays(base.plan.start, -3) } };
      const result = await solveRoster(inp);
      expect(violations(inp, result.assignments), `seed ${seed}`).toEqual([]);
      expect(acrossEdgeOwnRules(inp, result.assignments), `seed ${seed}`).toEqual([]);
    }
  });
});

/**
 * Only what a roster adds across the edge: the checker on duty elsewhere plus the roster,
 * minus what duty elsewhere breaks on its own (random duty may break rules among itself).
 */
function acrossEdgeOwnRules(inp: SolveInput, roster: Assignment[]): string[] {
  const alone = new Set(acrossEdge(inp, []));
  return acrossEdge(inp, roster).filter((v) => !alone.has(v));
}
