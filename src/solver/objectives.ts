/**
 * Objective terms, one function per goal. The solve is lexicographic (coverage, then
 * stability on a re-plan, then lead shortfalls, then fairness with preferences): each stage's optimum is fixed
 * as a row before the next. Weights would need a proof that they are large enough for every
 * instance and would push HiGHS's relative gap tolerance into the low digits of big
 * objectives; fixing optima costs one extra solve of an already-presolved size.
 */
import type { Block } from './block.js';
import type { Instance } from './instance.js';
import { Avail, weekCapOf } from './instance.js';
import { offeredToDate } from './metrics.js';
import type { BlockModel } from './rules.js';

export type Costs = Map<number, number>;

/** Filled places: every solve's first stage. */
export function placesObjective(m: BlockModel): Costs {
  const costs: Costs = new Map();
  for (const v of m.z.values()) costs.set(v, 1);
  return costs;
}

/** Lead shortfalls alone (maximised with cost -1: fewer is better). */
export function leadObjective(m: BlockModel): Costs {
  const costs: Costs = new Map();
  for (const v of m.leadShort.values()) costs.set(v, -1);
  return costs;
}

/**
 * Stability on a re-plan: the number of previous assignments kept exactly (same person,
 * gate and slot). People of a group are interchangeable at its gates, so per group, gate and
 * slot the kept count is min(z[k,g,s], previous holders of (g, s) in k who still work s);
 * `kept` variables bounded by both reach it, and disaggregation puts those holders back on
 * their previous gate first, so the count is exact after the solve too.
 */
export function stabilityTerms(inst: Instance, block: Block, m: BlockModel): { costs: Costs; kept: number[] } {
  const costs: Costs = new Map();
  const kept: number[] = [];
  if (!block.previous) return { costs, kept };
  const S = inst.slotCount;
  const G = block.gates.length;
  const pos = new Map(block.gates.map((g, i) => [g, i] as const));
  const groupOf = new Map<number, number>();
  m.groups.forEach((group, k) => group.people.forEach((p) => groupOf.set(p, k)));
  const holders = new Map<number, number[]>();
  for (const [key, g] of block.previous) {
    const y = m.y.get(key);
    const k = groupOf.get(Math.floor(key / S));
    const gi = pos.get(g);
    if (y === undefined || k === undefined || gi === undefined) continue;
    const zKey = (k * G + gi) * S + (key % S);
    if (!m.z.has(zKey)) continue;
    const list = holders.get(zKey);
    if (list) list.push(y);
    else holders.set(zKey, [y]);
  }
  for (const [zKey, ys] of holders) {
    const z = m.z.get(zKey) as number;
    const v = m.builder.addVar(0, ys.length, false);
    m.builder.addRow(`kept<=z:${zKey}`, [v, z], [1, -1], -Infinity, 0);
    m.builder.addRow(`kept<=y:${zKey}`, [v, ...ys], [1, ...ys.map(() => -1)], -Infinity, 0);
    costs.set(v, 1);
    kept.push(v);
  }
  return { costs, kept };
}

/**
 * Fairness as convex piecewise-linear load costs (the LP stays close to integral, unlike one
 * min-max variable): the k-th shift of a person costs k (equal) or k / weight (proportional,
 * weight = offered hours relative to the block's mean). Minimising the sum of these costs
 * leaves no move of one shift from a person 2+ shifts heavier to an eligible colleague that
 * keeps the rules: such a move lowers the cost by at least one hours-unit. Nights get the
 * same treatment; hour costs are scaled by H so that no night saving can pay for an hours
 * imbalance of one shift. Preferences get a reward smaller, in total, than one cost unit.
 */
export function fairnessTerms(inst: Instance, block: Block, m: BlockModel, mode: 'equal' | 'proportional'): Costs {
  const S = inst.slotCount;
  const b = m.builder;
  const costs: Costs = new Map();
  const offered = new Map<number, number>();
  const most = new Map<number, number>();
  for (const [p, slots] of m.slotsOf) {
    const weeks = new Set(slots.map((s) => inst.slotWeek[s] ?? 0));
    const cap = Math.min(
      slots.length,
      [...weeks].reduce((n, w) => n + weekCapOf(inst, p, w), 0),
    );
    most.set(p, cap);
    offered.set(p, inst.hasPrior ? (offeredToDate(inst)[p] ?? 0) : cap);
  }
  const mean = [...offered.values()].reduce((a, x) => a + x, 0) / Math.max(1, offered.size) || 1;
  const nightSlotsOf = new Map<number, number[]>();
  let maxNights = 0;
  for (const [p, slots] of m.slotsOf) {
    const nights = slots.filter((s) => inst.slotNight[s] !== null);
    nightSlotsOf.set(p, nights);
    maxNights = Math.max(maxNights, nights.length);
  }
  const H = maxNights + 1;
  for (const [p, slots] of m.slotsOf) {
    if (slots.length === 0) continue;
    const weight = mode === 'proportional' ? Math.max(0.05, (offered.get(p) ?? 0) / mean) : 1;
    const K = Math.min(slots.length, Math.max(1, most.get(p) ?? 0));
    // With a campaign the k-th shift of this plan is the (prior + k)-th of the person's load.
    const prior = inst.priorLoad[p] ?? 0;
    const steps: number[] = [];
    for (let k = 1; k <= K; k++) {
      const u = b.addVar(0, 1, false);
      costs.set(u, -H * (mode === 'proportional' ? Math.max(1, Math.round((10 * (prior + k)) / weight)) : prior + k));
      steps.push(u);
    }
    const ys = slots.map((s) => m.y.get(p * S + s) as number);
    b.addRow(`load:p${p}`, [...ys, ...steps], [...ys.map(() => 1), ...steps.map(() => -1)], -Infinity, 0);
    const nights = nightSlotsOf.get(p) ?? [];
    if (nights.length > 0) {
      const nsteps = nights.map((_, i) => {
        const v = b.addVar(0, 1, false);
        costs.set(v, -((inst.priorNights[p] ?? 0) + i + 1));
        return v;
      });
      const ny = nights.map((s) => m.y.get(p * S + s) as number);
      b.addRow(`nightLoad:p${p}`, [...ny, ...nsteps], [...ny.map(() => 1), ...nsteps.map(() => -1)], -Infinity, 0);
    }
  }
  const preferred = [...m.y.entries()].filter(([key]) => inst.avail[key] === Avail.Preferred);
  const epsilon = 1 / (preferred.length + 1);
  for (const [, v] of preferred) costs.set(v, (costs.get(v) ?? 0) + epsilon);
  return costs;
}
