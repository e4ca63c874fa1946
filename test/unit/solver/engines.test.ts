import { describe, expect, it } from 'vitest';
import { highsEngine, toLpText } from '../../../src/solver/engines/highs.js';
import { jslpEngine } from '../../../src/solver/engines/jslp.js';
import { ModelBuilder } from '../../../src/solver/model.js';
import { flowBound } from '../../../src/solver/flow-bound.js';
import { buildInstance } from '../../../src/solver/instance.js';
import { cadre, gate, plan } from './fixtures.js';

function knapsack(): ModelBuilder {
  // max 3x + 2y, x + y <= 4.5, x - y >= 1, integers in [0, 5]: x = 4, y = 0, objective 12.
  const b = new ModelBuilder('max');
  const x = b.addVar(0, 5, true, 3);
  const y = b.addVar(0, 5, true, 2);
  b.addRow('cap', [x, y], [1, 1], -Infinity, 4.5);
  b.addRow('lead', [x, y], [1, -1], 1, Infinity);
  return b;
}

describe('engines', () => {
  it('when both engines solve the same small MILP, then they agree on the optimum', async () => {
    for (const engine of [highsEngine, jslpEngine]) {
      const r = await engine.solve(knapsack().model, { timeLimitSec: 5 });
      expect(r.status).toBe('optimal');
      expect(r.objective).toBeCloseTo(12);
      expect([...r.values]).toEqual([4, 0]);
    }
  });

  it('when a model is written as LP text, then ranged rows become two rows and integers are listed', () => {
    const b = knapsack();
    b.addRow('range', [0, 1], [1, 1], 1, 3);
    const text = toLpText(b.model);
    expect(text).toMatch(/r2: \+ 1 x0 \+ 1 x1 <= 3/);
    expect(text).toMatch(/q2: \+ 1 x0 \+ 1 x1 >= 1/);
    expect(text).toMatch(/General\n x0 x1/);
  });

  it('when a model is infeasible, then the engine says so instead of throwing', async () => {
    const b = new ModelBuilder('max');
    const x = b.addVar(0, 1, true, 1);
    b.addRow('impossible', [x], [1], 2, Infinity);
    expect((await highsEngine.solve(b.model, { timeLimitSec: 5 })).status).toBe('infeasible');
  });
});

describe('flowBound', () => {
  it('when one person may work one shift a day for two days, then at most 2 places can be filled', () => {
    const inst = buildInstance(plan({ days: 2 }), [gate('G', { staffPerShift: 2 })], [cadre('a')], []);
    expect(flowBound(inst, [0], [0])).toBe(2);
  });

  it('when a weekly cap of 8 h binds, then the bound is one place', () => {
    const inst = buildInstance(plan({ days: 3 }), [gate('G')], [cadre('a', { maxHoursWeek: 8 })], []);
    expect(flowBound(inst, [0], [0])).toBe(1);
  });
});
