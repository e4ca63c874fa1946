/**
 * What people who span areas (district-wide people across towns) can add to the areas' own
 * proven maxima, with every per-person rule. The max-flow version of this bound drops the
 * rest and night rules, and on well-staffed districts that was the whole gap between the
 * roster and its bound: the last places open were ones only a district-wide person's rest
 * kept them from.
 *
 * The model: y[p,s] (p works slot s) under the rest, 24 h, weekly and night rows of
 * rules.ts; x[p,a,s] (p works slot s in area a, for areas p may serve that need someone then);
 * sum_a x = y; per area and slot at most the area's need then; per area at most its
 * shortfall (need - own maximum). Every roster's spanners' shifts are such a solution (their
 * places in area a are at most what a's own people leave open), so its optimum, or its LP
 * relaxation rounded down, bounds what they add. Few people span areas, so it is small.
 */
import type { Instance } from '../instance.js';
import { Avail } from '../instance.js';
import type { LpEngine } from '../model.js';
import { ModelBuilder } from '../model.js';
import { dayHoursRows, nightRows, restRows, weeklyHoursRows, type BlockModel } from '../rules.js';

export interface SpannerArea {
  /** Area of each gate (e.g. its town). */
  of: (g: number) => string;
  /** Places each area can still take: need - its own proven maximum. */
  shortfall: ReadonlyMap<string, number>;
}

/** Upper bound on places `people` can add to the areas, or null if the engine gave no answer in time. */
export async function spannerBound(
  inst: Instance,
  people: readonly number[],
  areas: SpannerArea,
  engine: LpEngine,
  deadlineAt: number,
): Promise<number | null> {
  const S = inst.slotCount;
  const areaNeed = new Map<string, Int32Array>();
  inst.gates.forEach((_, g) => {
    const a = areas.of(g);
    const row = areaNeed.get(a) ?? new Int32Array(S);
    for (let s = 0; s < S; s++) row[s] = (row[s] as number) + (inst.need[g * S + s] ?? 0);
    areaNeed.set(a, row);
  });
  const b = new ModelBuilder('max');
  const m: BlockModel = { builder: b, groups: [], y: new Map(), z: new Map(), leadShort: new Map(), slotsOf: new Map() };
  const inArea = new Map<string, number[]>();
  const inAreaSlot = new Map<string, number[]>();
  for (const p of people) {
    const reach = [...new Set((inst.eligibleGates[p] ?? []).map(areas.of))].filter((a) => (areas.shortfall.get(a) ?? 0) > 0);
    const slots: number[] = [];
    for (let s = 0; s < S; s++) {
      if ((inst.avail[p * S + s] ?? Avail.No) === Avail.No) continue;
      const open = reach.filter((a) => (areaNeed.get(a)?.[s] ?? 0) > 0);
      if (open.length === 0) continue;
      const y = b.addVar(0, 1, true);
      m.y.set(p * S + s, y);
      slots.push(s);
      const xs = open.map((a) => {
        const x = b.addVar(0, 1, true, 1);
        inArea.set(a, [...(inArea.get(a) ?? []), x]);
        inAreaSlot.set(`${a}|${s}`, [...(inAreaSlot.get(`${a}|${s}`) ?? []), x]);
        return x;
      });
      b.addRow(`link:p${p}:s${s}`, [...xs, y], [...xs.map(() => 1), -1], 0, 0);
    }
    m.slotsOf.set(p, slots);
  }
  if (m.y.size === 0) return 0;
  for (const [key, xs] of inAreaSlot) {
    const [a, s] = key.split('|') as [string, string];
    b.atMost(`areaSlot:${key}`, xs, areaNeed.get(a)?.[Number(s)] ?? 0);
  }
  for (const [a, xs] of inArea) b.atMost(`areaShortfall:${a}`, xs, areas.shortfall.get(a) ?? 0);
  restRows(inst, m);
  dayHoursRows(inst, m);
  weeklyHoursRows(inst, m);
  nightRows(inst, m);
  const remaining = (deadlineAt - Date.now()) / 1000;
  if (remaining <= 0.05) return null;
  const r = await engine.solve(b.model, { timeLimitSec: remaining });
  // Optimal: exact. Otherwise nothing is proven (a time-limited MILP's incumbent is no bound).
  return r.status === 'optimal' ? Math.round(r.objective) : null;
}
