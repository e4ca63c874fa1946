/**
 * Re-plans: coverage first, then as few changes as possible to other people's published
 * assignments. Checked against an exact two-stage MILP (replan-exact.ts): the re-plan must
 * fill the most places the new input allows and, among rosters filling that many, keep the
 * most previous assignments (same person, gate and shift) of everyone but the absent person.
 */
import { describe, expect, it } from 'vitest';
import type { Assignment } from '../../../src/domain/roster.js';
import { solveRoster, type SolveInput } from '../../../src/solver/index.js';
import { randomInstance, violations, win } from './fixtures.js';
import { exactReplan } from './replan-exact.js';
import { twoVillageDistrict } from './replan-fixture.js';

const key = (a: Pick<Assignment, 'cadreId' | 'gateId' | 'start'>): string => `${a.cadreId}|${a.gateId}|${a.start.getTime()}`;

/** Drop `absent` for the given days and re-solve against `previous`. */
async function replan(inp: SolveInput, previous: Assignment[], absent: string, fromDay: number, toDay: number) {
  const next: SolveInput = { ...inp, availability: [...inp.availability, win(absent, 'unavailable', fromDay, 0, 24 * (toDay - fromDay))], previous };
  const after = await solveRoster(next);
  const now = new Set(after.assignments.map(key));
  const others = previous.filter((a) => a.cadreId !== absent);
  const lost = others.filter((a) => !now.has(key(a)));
  return { next, after, others, lost, keptOthers: others.length - lost.length };
}

describe('re-plan after one person drops out', () => {
  it('when A02 drops out of the two-village district, then both freed places are refilled with the one move that needs, and no fewer', async () => {
    // Arrange: the integration workflow's district, solved and re-solved unchanged (v1, v2).
    const inp = twoVillageDistrict();
    const v1 = await solveRoster(inp);
    const v2 = await solveRoster({ ...inp, previous: v1.assignments });
    expect(v2.assignments.map(key).sort()).toEqual(v1.assignments.map(key).sort());
    const freed = v2.assignments.filter((a) => a.cadreId === 'A02');
    expect(freed.length).toBeGreaterThan(0);

    // Act
    const { next, after, others, lost, keptOthers } = await replan(inp, v2.assignments, 'A02', -1, 3);

    // Assert: rules hold, coverage is the optimum of the new input (from scratch gets no more).
    expect(violations(next, after.assignments)).toEqual([]);
    const scratch = await solveRoster({ ...next, previous: undefined });
    expect(after.metrics.placesFilled).toBeGreaterThanOrEqual(scratch.metrics.placesFilled);
    const exact = await exactReplan(next, others);
    expect(after.metrics.placesFilled).toBe(exact.coverage);
    // Fewest changes among rosters of that coverage.
    expect(keptOthers).toBe(exact.kept);
    // With everyone else held to their published shifts, only one freed place can be refilled:
    // the second needs one person moved (B04 G3 16:00-24:00 on the 14th to G1 08:00-16:00),
    // and the re-plan moves exactly that one.
    const held = others.map((a) => ({ cadreId: a.cadreId, gateId: a.gateId, start: a.start }));
    const frozen = await solveRoster({ ...next, previous: undefined, pins: held }, { monolithic: true });
    expect(frozen.pinConflicts).toEqual([]);
    expect(frozen.metrics.placesFilled).toBe(exact.coverage - 1);
    expect(lost.length).toBe(1);
    expect(after.metrics.placesFilled).toBe(v2.metrics.placesFilled);
  });

  it('when nothing changed, then the re-plan keeps every assignment', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const inp = randomInstance(seed);
      const before = await solveRoster(inp);
      const again = await solveRoster({ ...inp, previous: before.assignments });
      expect(again.assignments.map(key).sort()).toEqual(before.assignments.map(key).sort());
    }
  });
});

// PROPERTY_SEEDS=200 runs a deeper sweep; 30 keeps the suite quick.
const SEEDS = Array.from({ length: Number(process.env.PROPERTY_SEEDS ?? 30) }, (_, i) => i + 1);

describe('re-plans on random instances', () => {
  it.each(SEEDS)('when the busiest person of instance %i drops out for two days, then the re-plan fills the most places and, among those rosters, changes the fewest of other people\'s assignments', async (seed) => {
    const inp = randomInstance(seed);
    const before = await solveRoster(inp);
    const busiest = [...before.metrics.perPerson].sort((a, b) => b.hours - a.hours || a.cadreId.localeCompare(b.cadreId))[0];
    if (!busiest || busiest.hours === 0) return;
    const { next, after, others, keptOthers } = await replan(inp, before.assignments, busiest.cadreId, 0, 2);
    expect(violations(next, after.assignments)).toEqual([]);
    const exact = await exactReplan(next, others);
    expect(after.metrics.placesFilled, 'coverage of the re-plan vs the exact optimum').toBe(exact.coverage);
    expect(keptOthers, 'previous assignments of others kept vs the most that can be kept at that coverage').toBe(exact.kept);
    expect(after.metrics.upperBound.value).toBeGreaterThanOrEqual(after.metrics.placesFilled);
  });
});
