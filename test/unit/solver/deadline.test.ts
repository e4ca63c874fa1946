/**
 * The deadline holds with either engine: javascript-lp-solver runs in a thread that is
 * terminated when its time is up, blocks too large for it are refused with a note, and a
 * solve answers within a second of its deadline.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { highsEngine } from '../../../src/solver/engines/highs.js';
import { jslpEngine } from '../../../src/solver/engines/jslp.js';
import { ModelBuilder } from '../../../src/solver/model.js';
import { solveRoster } from '../../../src/solver/index.js';
import { planSpecSchema } from '../../../src/domain/plan.js';
import { FAMILIES, generateFamily, scaled } from '../../../scripts/lib/generate-family.js';
import { mulberry32 } from '../../../scripts/lib/mulberry32.js';
import { violations } from './fixtures.js';

/** A multi-knapsack of 120 binaries: hours of branch and bound for javascript-lp-solver. */
function hardModel(): ModelBuilder {
  const r = mulberry32(7);
  const b = new ModelBuilder('max');
  const xs = Array.from({ length: 120 }, () => b.addVar(0, 1, true, 10 + Math.floor(r() * 90)));
  for (let k = 0; k < 6; k++) {
    const coefs = xs.map(() => 5 + Math.floor(r() * 95));
    b.addRow(`cap${k}`, xs, coefs, -Infinity, coefs.reduce((a, c) => a + c, 0) / 3 + 0.5);
  }
  return b;
}

describe('deadlines', () => {
  // The engines load once per worker (HiGHS compiles its WebAssembly; jslp starts its
  // thread); the deadline is about solving, so both are warm before the clock starts.
  beforeAll(async () => {
    await highsEngine.solve(new ModelBuilder('max').model, { timeLimitSec: 5 });
    const b = new ModelBuilder('max');
    b.addVar(0, 1, true, 1);
    await highsEngine.solve(b.model, { timeLimitSec: 5 });
    await jslpEngine.solve(b.model, { timeLimitSec: 5 });
  });

  it('when javascript-lp-solver runs past its time limit, then the call returns within the limit plus a second and the next call still works', async () => {
    const t = Date.now();
    const r = await jslpEngine.solve(hardModel().model, { timeLimitSec: 0.5 });
    expect(Date.now() - t).toBeLessThan(1500);
    expect(['timeout', 'optimal']).toContain(r.status);
    const b = new ModelBuilder('max');
    const x = b.addVar(0, 3, true, 1);
    b.addRow('cap', [x], [2], -Infinity, 5);
    const small = await jslpEngine.solve(b.model, { timeLimitSec: 5 });
    expect(small.status).toBe('optimal');
    expect([...small.values]).toEqual([2]);
  });

  it.each(['highs', 'jslp'] as const)(
    'when a district with a %s engine has a 1.5 s deadline, then a valid roster comes back within a second of it',
    async (engine) => {
      const d = generateFamily(scaled(FAMILIES.short, 60, 3), 4);
      const plan = planSpecSchema.parse({ start: d.planStart, days: 7, timezone: d.timeZone });
      const inp = { plan, gates: d.gates, cadres: d.cadres, availability: d.availability, pins: [] };
      const t = Date.now();
      const r = await solveRoster(inp, { engine, deadlineMs: 1500 });
      expect(Date.now() - t, JSON.stringify(r.metrics.stages)).toBeLessThan(2500);
      expect(violations(inp, r.assignments)).toEqual([]);
      expect(r.metrics.upperBound.value).toBeGreaterThanOrEqual(r.metrics.placesFilled);
      if (r.status !== 'deadline') expect(r.metrics.solveMs).toBeLessThan(1500);
    },
  );

  it('when a block is larger than javascript-lp-solver is given, then it is refused with a note naming it and the roster is still valid', async () => {
    const d = generateFamily(scaled(FAMILIES.short, 30, 1), 2);
    const plan = planSpecSchema.parse({ start: d.planStart, days: 7, timezone: d.timeZone });
    const inp = { plan, gates: d.gates, cadres: d.cadres, availability: d.availability, pins: [] };
    const r = await solveRoster(inp, { engine: 'jslp', monolithic: true, deadlineMs: 20_000 });
    expect(r.metrics.notes?.join(' ')).toMatch(/district: \d+ integer variables, more than jslp is given/);
    expect(violations(inp, r.assignments)).toEqual([]);
  });
});
