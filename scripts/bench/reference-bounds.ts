/**
 * Bounds for the bench where the solver's own are not tight: the LP relaxation of the whole
 * district's model (every person, gate and rule at once: 90,000 columns for a 375-gate
 * district, 4 s in HiGHS), which no solve can afford but a benchmark can.
 *
 * - places: the relaxation's optimum rounded down bounds every roster's places;
 * - leads: with places kept at least at the roster's count, the lead relaxation's minimum
 *   rounded up bounds every roster's lead shortfalls among those with as many places. When the
 *   places bound proves that count the maximum, this is "fewest lead gaps given maximum cover".
 *
 * Independent of the solver's decomposition: only the model builder (rules.ts) is shared, and
 * the rules in it are checked against an independent checker by the solver's tests.
 */
import { groupsOf, wholeBlock } from '../../src/solver/block.js';
import { highsEngine } from '../../src/solver/engines/highs.js';
import { buildInstance } from '../../src/solver/instance.js';
import type { LpModel } from '../../src/solver/model.js';
import { leadObjective, placesObjective, type Costs } from '../../src/solver/objectives.js';
import { buildBlockModel } from '../../src/solver/rules.js';
import type { SolveInput } from '../../src/solver/index.js';

export interface ReferenceBounds {
  places: number | null;
  /** Fewest lead shortfalls with at least `placesKept` places; null when not computed. */
  leads: number | null;
  ms: number;
}

const LP_LIMIT_SEC = 300;

export async function referenceBounds(input: SolveInput, placesKept: number, wantLeads: boolean): Promise<ReferenceBounds> {
  const started = performance.now();
  const inst = buildInstance(input.plan, input.gates, input.cadres, input.availability);
  const block = wholeBlock(inst);
  const m = buildBlockModel(inst, block, groupsOf(inst, block));
  const relaxed = (costs: Costs, extra: LpModel['rows'] = []): LpModel => ({
    ...m.builder.model,
    rows: [...m.builder.model.rows, ...extra],
    variables: m.builder.model.variables.map((v, i) => ({ ...v, integer: false, cost: costs.get(i) ?? 0 })),
  });
  const places = await highsEngine.solve(relaxed(placesObjective(m)), { timeLimitSec: LP_LIMIT_SEC });
  let leads: number | null = null;
  if (wantLeads && m.leadShort.size > 0) {
    const z = [...m.z.values()];
    const keep = { label: 'keep:places', vars: z, coefs: z.map(() => 1), lb: placesKept, ub: Infinity };
    const lp = await highsEngine.solve(relaxed(leadObjective(m), [keep]), { timeLimitSec: LP_LIMIT_SEC });
    if (lp.status === 'optimal') leads = Math.ceil(-lp.objective - 1e-6);
  } else if (wantLeads) leads = 0;
  return { places: places.status === 'optimal' ? Math.floor(places.objective + 1e-6) : null, leads, ms: Math.round(performance.now() - started) };
}
