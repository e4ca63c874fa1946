/**
 * Properties on seeded random instances: hard rules hold, coverage equals the optimum of a
 * separate coverage-only MILP of the whole instance and never exceeds its LP relaxation, no
 * fixable imbalance remains, and a re-plan after one absence fills the most places the new
 * input allows and, among rosters that fill that many, changes the fewest of other people's
 * assignments (both against an exact two-stage MILP, replan-exact.ts).
 */
import { describe, expect, it } from 'vitest';
import { wholeBlock, groupsOf } from '../../../src/solver/block.js';
import { solveBlock } from '../../../src/solver/block-solve.js';
import { highsEngine } from '../../../src/solver/engines/highs.js';
import { buildInstance } from '../../../src/solver/instance.js';
import { buildBlockModel } from '../../../src/solver/rules.js';
import { solveRoster, type SolveInput } from '../../../src/solver/index.js';
import { fixableMoves, violations, win } from './fixtures.js';
import { exactReplan } from './replan-exact.js';

// PROPERTY_SEEDS=200 runs a deeper sweep; 30 keeps the suite quick.
const SEEDS = Array.from({ length: Number(process.env.PROPERTY_SEEDS ?? 30) }, (_, i) => i + 1);

async function coverageMilp(inp: SolveInput): Promise<number | null> {
  const inst = buildInstance(inp.plan, inp.gates, inp.cadres, inp.availability);
  const r = await solveBlock(inst, wholeBlock(inst), highsEngine, { deadlineAt: Date.now() + 20_000, fairness: 'equal', coverageOnly: true });
  return r.provenCoverage;
}

async function coverageLp(inp: SolveInput): Promise<number> {
  const inst = buildInstance(inp.plan, inp.gates, inp.cadres, inp.availability);
  const block = wholeBlock(inst);
  const m = buildBlockModel(inst, block, groupsOf(inst, block));
  const zs = new Set(m.z.values());
  const relaxed = { ...m.builder.model, variables: m.builder.model.variables.map((v, i) => ({ ...v, integer: false, cost: zs.has(i) ? 1 : 0 })) };
  const r = await highsEngine.solve(relaxed, { timeLimitSec: 20 });
  expect(r.status).toBe('optimal');
  return r.objective;
}

describe('solveRoster on random instances', () => {
  it.each(SEEDS)(
    'when instance %i is solved, then every hard rule holds, coverage is the MILP optimum under the LP bound, and no imbalance is fixable',
    async (seed) => {
      const inp = (await import('./fixtures.js')).randomInstance(seed);
      const r = await solveRoster(inp);
      expect(violations(inp, r.assignments)).toEqual([]);
      const optimum = await coverageMilp(inp);
      expect(r.metrics.placesFilled).toBe(optimum);
      expect(r.metrics.placesFilled).toBeLessThanOrEqual((await coverageLp(inp)) + 1e-6);
      expect(r.metrics.upperBound.value).toBeGreaterThanOrEqual(r.metrics.placesFilled);
      expect(fixableMoves(inp, r.assignments)).toEqual([]);
      expect(r.metrics.fixableImbalances).toBe(0);
      for (const g of r.gaps) {
        expect(g.detail.length).toBeGreaterThan(10);
        expect(g.detailZh).toMatch(/[\u4e00-\u9fff]/);
      }
    },
  );

  it.each(SEEDS)(
    "when the busiest person of instance %i drops out for two days, then the re-plan keeps the rules, fills the most places the new input allows and, among rosters filling that many, changes the fewest of other people's assignments",
    async (seed) => {
      const inp = (await import('./fixtures.js')).randomInstance(seed);
      const before = await solveRoster(inp);
      const busiest = [...before.metrics.perPerson].sort((a, b) => b.hours - a.hours || a.cadreId.localeCompare(b.cadreId))[0];
      if (!busiest || busiest.hours === 0) return;
      const absent = busiest.cadreId;
      const next: SolveInput = { ...inp, availability: [...inp.availability, win(absent, 'unavailable', 0, 0, 48)], previous: before.assignments };
      const after = await solveRoster(next);
      expect(violations(next, after.assignments)).toEqual([]);
      const key = (a: { cadreId: string; gateId: string; start: Date }): string => `${a.cadreId}|${a.gateId}|${a.start.getTime()}`;
      const kept = new Set(after.assignments.map(key));
      const others = before.assignments.filter((a) => a.cadreId !== absent);
      const othersKept = others.filter((a) => kept.has(key(a))).length;
      // Exact answer (two-stage MILP of the whole plan): most places, then most of others' assignments kept.
      const exact = await exactReplan(next, others);
      expect(after.metrics.placesFilled, 'coverage vs the exact optimum of the new input').toBe(exact.coverage);
      expect(othersKept, "others' previous assignments kept vs the most any roster of that coverage keeps").toBe(exact.kept);
      // Never below what a from-scratch solve of the new input fills.
      expect(after.metrics.placesFilled).toBeGreaterThanOrEqual((await solveRoster({ ...next, previous: undefined })).metrics.placesFilled);
      expect(after.metrics.upperBound.value).toBeGreaterThanOrEqual(after.metrics.placesFilled);
    },
  );
});
