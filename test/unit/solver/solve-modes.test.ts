import { describe, expect, it } from 'vitest';
import { solveRoster } from '../../../src/solver/index.js';
import { cadre, gate, input, plan, randomInstance, violations, win } from './fixtures.js';

describe('solveRoster modes', () => {
  it('when the engine is javascript-lp-solver, then small plans come out valid with the same coverage as HiGHS', async () => {
    for (const seed of [3, 7, 12, 21]) {
      const inp = randomInstance(seed);
      const [h, j] = [await solveRoster(inp, { engine: 'highs' }), await solveRoster(inp, { engine: 'jslp' })];
      expect(violations(inp, j.assignments)).toEqual([]);
      expect(j.metrics.engine).toBe('jslp');
      expect(j.metrics.placesFilled).toBe(h.metrics.placesFilled);
    }
  });

  it('when the whole plan is solved as one model, then it keeps every rule and fills as many places', async () => {
    for (const seed of [2, 5, 12]) {
      const inp = randomInstance(seed);
      const [d, m] = [await solveRoster(inp), await solveRoster(inp, { monolithic: true })];
      expect(violations(inp, m.assignments)).toEqual([]);
      expect(m.metrics.placesFilled).toBe(d.metrics.placesFilled);
    }
  });

  it('when fairness is proportional, then someone offering a third of the time gets fewer hours than those offering all of it', async () => {
    const p = plan({ days: 6, fairness: 'proportional' });
    const part = [0, 1].map((d) => win('c', 'available', d, 0, 24));
    const inp = input(p, [gate('G', { coverFrom: '08:00', coverTo: '16:00' })], [cadre('a'), cadre('b'), cadre('c')], part);
    const r = await solveRoster(inp);
    const hours = new Map(r.metrics.perPerson.map((x) => [x.cadreId, x.hours]));
    expect(r.metrics.placesFilled).toBe(6);
    expect(hours.get('c') ?? 0).toBeLessThan(hours.get('a') ?? 0);
    expect(violations(inp, r.assignments)).toEqual([]);
  });

  it('when progress is observed, then phases arrive in order and end at 1', async () => {
    const seen: number[] = [];
    await solveRoster(randomInstance(4), { onProgress: (x) => seen.push(x.fraction) });
    expect(seen.at(-1)).toBe(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('when the deadline has passed before fairness repair, then a valid roster still comes back marked deadline', async () => {
    const inp = input(
      plan({ days: 3 }),
      [gate('G', { staffPerShift: 2 })],
      ['a', 'b', 'c', 'd', 'e'].map((id) => cadre(id)),
    );
    const r = await solveRoster(inp, { deadlineMs: 0 });
    expect(r.status).toBe('deadline');
    expect(violations(inp, r.assignments)).toEqual([]);
    expect(r.metrics.placesFilled).toBeGreaterThan(0);
    expect(r.metrics.upperBound.value).toBeGreaterThanOrEqual(r.metrics.placesFilled);
  });
});
