/**
 * Bounds for the bench where the solver's own are not tight: the LP relaxation of the whole
 * district's model (every person, gate and rule at once: 90,000 columns for a 375-gate
 * district, 4 s in HiGHS), which no solve can afford but a benchmark can.
 *
 * - places: the relaxation's optimum rounded down bounds every roster's places; where that is
 *   above the roster's count, the exact MILP is solved (30 s on a 375-gate district; within
 *   MILP_LIMIT_SEC, else the LP's bound stands);
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
  /** `places` is the exact MILP optimum (the relaxation was not tight), not the LP's bound. */
  exactPlaces: boolean;
  /** Fewest lead shortfalls with at least `placesKept` places; null when not computed. */
  leads: number | null;
  ms: number;
}

const LP_LIMIT_SEC = 300;
const MILP_LIMIT_SEC = 300;

/**
 * `placesKept`: the roster's places; `placeBound`: the solver's own bound on them (the exact
 * MILP runs only where neither that nor the relaxation proves the roster's count).
 */
export async function referenceBounds(input: SolveInput, placesKept: number, placeBound: number, wantLeads: boolean): Promise<ReferenceBounds> {
  const started = performance.now();
  const inst = buildInstance(input.plan, input.gates, input.cadres, input.availability);
  const block = wholeBlock(inst);
  const m = buildBlockModel(inst, block, groupsOf(inst, block));
  const withCosts = (costs: Costs, extra: LpModel['rows'] = [], integer = true): LpModel => ({
    ...m.builder.model,
    rows: [...m.builder.model.rows, ...extra],
    variables: m.builder.model.variables.map((v, i) => ({ ...v, integer: integer && v.integer, cost: costs.get(i) ?? 0 })),
  });
  const relaxed = (costs: Costs, extra: LpModel['rows'] = []): LpModel => withCosts(costs, extra, false);
  const lp = await highsEngine.solve(relaxed(placesObjective(m)), { timeLimitSec: LP_LIMIT_SEC });
  let places = lp.status === 'optimal' ? Math.floor(lp.objective + 1e-6) : null;
  let exactPlaces = false;
  if (places !== null && Math.min(places, placeBound) > placesKept) {
    // The relaxation leaves room: the exact MILP (tens of seconds on a 375-gate district).
    const milp = await highsEngine.solve(withCosts(placesObjective(m)), { timeLimitSec: MILP_LIMIT_SEC });
    if (milp.status === 'optimal') {
      places = Math.round(milp.objective);
      exactPlaces = true;
    }
  }
  let leads: number | null = null;
  if (wantLeads && m.leadShort.size > 0) {
    const z = [...m.z.values()];
    const keep = { label: 'keep:places', vars: z, coefs: z.map(() => 1), lb: placesKept, ub: Infinity };
    const leadLp = await highsEngine.solve(relaxed(leadObjective(m), [keep]), { timeLimitSec: LP_LIMIT_SEC });
    if (leadLp.status === 'optimal') leads = Math.ceil(-leadLp.objective - 1e-6);
  } else if (wantLeads) leads = 0;
  return { places, exactPlaces, leads, ms: Math.round(performance.now() - started) };
}
