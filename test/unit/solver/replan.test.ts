/**
 * Re-plans: coverage first, then as few changes as possible to other people's published
 * assignments. Checked against an exact two-stage MILP (replan-exact.ts): the re-plan must
 * fill the most places the new input allows and, among rosters filling that many, keep the
 * most previous assignments (same person, gate and shift) of everyone but the absent person.
 * The same check on random instances is in properties.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Assignment } from '../../../src/domain/roster.js';
import { solveRoster, type SolveInput } from '../../../src/solver/index.js';
import { localInstant } from '../../../src/domain/time.js';
import { cadre, gate, input, plan, randomInstance, START, TZ, violations, win } from './fixtures.js';
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

/** The two-village district solved and re-solved unchanged, then A02 out for its days: the re-plan's input. */
async function a02OutAfterPublishing(): Promise<{ next: SolveInput; previous: Assignment[] }> {
  const inp = twoVillageDistrict();
  const v1 = await solveRoster(inp);
  const previous = (await solveRoster({ ...inp, previous: v1.assignments })).assignments;
  return { next: { ...inp, availability: [...inp.availability, win('A02', 'unavailable', -1, 0, 24 * 4)], previous }, previous };
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

  it('when A02 drops out and the re-plan has no time for moves (direct fills only), then nobody else moves and the place that needed a move stays open', async () => {
    // Arrange: as above, where the second freed place can only be filled by moving B04.
    const { next, previous } = await a02OutAfterPublishing();

    // Act
    const direct = await solveRoster(next, { moveBudgetMs: 0 });
    const full = await solveRoster(next);

    // Assert: every other published assignment is kept, rules hold, and the move the full
    // re-plan makes is exactly the one place direct fills cannot buy.
    const now = new Set(direct.assignments.map(key));
    expect(previous.filter((a) => a.cadreId !== 'A02' && !now.has(key(a)))).toEqual([]);
    expect(violations(next, direct.assignments)).toEqual([]);
    expect(direct.metrics.placesFilled).toBe(full.metrics.placesFilled - 1);
  });

  it('when a small plan is re-planned with a tiny move budget (1 ms), then it still makes the one move: a budget never cuts a plan small enough to be one model, so a busy machine gets the same roster', async () => {
    const { next } = await a02OutAfterPublishing();

    const budgeted = await solveRoster(next, { moveBudgetMs: 1 });
    const full = await solveRoster(next);

    expect(violations(next, budgeted.assignments)).toEqual([]);
    expect(budgeted.metrics.placesFilled).toBe(full.metrics.placesFilled);
    expect(budgeted.assignments.map(key).sort()).toEqual(full.assignments.map(key).sort());
  });

  it('when a freed place can be filled directly by someone free, then no kept assignment is handed around to fill it', async () => {
    // Arrange: V1 needs G1 08-16 and G2 16-24, V2 needs G3 00-08 (one each). Published: d at
    // G1, a at G2, e at G3. d drops out. a could take G1 and hand G2 to b (free 16-24 only),
    // but s (a volunteer serving the town, free 08-16) can take G1 directly: same coverage,
    // nothing of a's moves.
    const gates = [
      gate('G1', { village: 'V1', coverFrom: '08:00', coverTo: '16:00' }),
      gate('G2', { village: 'V1', coverFrom: '16:00', coverTo: '24:00' }),
      gate('G3', { village: 'V2', coverFrom: '00:00', coverTo: '08:00' }),
    ];
    const cadres = [cadre('a'), cadre('b'), cadre('d'), cadre('e', { village: 'V2' }), cadre('s', { role: 'volunteer', village: 'V2', serves: ['T1'] })];
    const at = (cadreId: string, gateId: string, from: number): Assignment => ({
      cadreId,
      gateId,
      start: localInstant(START, from * 60, TZ),
      end: localInstant(START, (from + 8) * 60, TZ),
      pinned: false,
    });
    const published = [at('d', 'G1', 8), at('a', 'G2', 16), at('e', 'G3', 0)];
    const inp = input(plan(), gates, cadres, [win('b', 'available', 0, 16, 24), win('s', 'available', 0, 8, 16)]);
    expect(violations(inp, published)).toEqual([]);

    // Act
    const { next, after, lost } = await replan(inp, published, 'd', 0, 1);

    // Assert
    expect(violations(next, after.assignments)).toEqual([]);
    expect(after.metrics.placesFilled).toBe(3);
    expect(lost).toEqual([]);
    expect(after.assignments.map(key).sort()).toEqual([at('a', 'G2', 16), at('e', 'G3', 0), at('s', 'G1', 8)].map(key).sort());
    expect(after.metrics.changesVsPrevious).toMatchObject({ removed: 1, added: 1, otherPeopleChanged: 0 });
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
