/**
 * A lead bound for the bench where the whole-district LP is not tight: town by town, with
 * exact MILPs no solve could afford (a minute or two for a 375-gate district).
 *
 * Every person's gates lie in one town ("own" people of that town: village and town scope) or
 * in several (district-wide people). Let townMax(t) be the most t's own people can fill at
 * t's gates (exact MILP) and added the most district-wide people can add to the towns'
 * shortfalls need(t) - townMax(t) (exact MILP with every rule, the solver's spannerBound). In
 * every roster, places(t) <= townMax(t) + min(district(t), need(t) - townMax(t)), so
 *   places <= sum townMax(t) + added.
 * When the roster's places reach that sum, every such inequality is tight in every roster of
 * maximum cover. For a town whose district-wide people cannot fill more than its shortfall
 * (their max-flow into it is at most need(t) - townMax(t)), that leaves one case: its own
 * people fill exactly townMax(t). If no district-wide lead may lead there either, the fewest
 * lead shortfalls t's own people can have while filling townMax(t) (exact MILP) bounds t's lead
 * shortfalls in every roster of maximum cover. Other towns get the max-flow lead bound of
 * everyone into their lead gate-shifts (valid for any roster). The sum bounds the district's
 * lead shortfalls among rosters of maximum cover.
 *
 * Returns null when the argument does not apply (the roster's places are below that sum) or a
 * MILP did not finish.
 */
import { solveBlock } from '../../src/solver/block-solve.js';
import { freshBlock, placesNeeded } from '../../src/solver/block.js';
import { highsEngine } from '../../src/solver/engines/highs.js';
import { flowBound, leadFlowBound } from '../../src/solver/flow-bound.js';
import { buildInstance } from '../../src/solver/instance.js';
import { spannerBound } from '../../src/solver/stages/spanner-bound.js';
import type { SolveInput } from '../../src/solver/index.js';

const MILP_LIMIT_MS = 300_000;

export interface TownLeadBound {
  leads: number;
  /** Towns whose bound came from the exact MILP (the rest: max-flow). */
  exactTowns: number;
}

export async function townLeadBound(input: SolveInput, placesKept: number): Promise<TownLeadBound | null> {
  const inst = buildInstance(input.plan, input.gates, input.cadres, input.availability);
  const townOf = (g: number): string => inst.gates[g]?.town ?? '';
  const towns = [...new Set(inst.gates.map((_, g) => townOf(g)))];
  const gatesOf = new Map(towns.map((t) => [t, inst.gates.flatMap((_, g) => (townOf(g) === t ? [g] : []))] as const));
  const ownOf = new Map<string, number[]>(towns.map((t) => [t, []]));
  const district: number[] = [];
  inst.people.forEach((_, p) => {
    const reach = new Set((inst.eligibleGates[p] ?? []).map(townOf));
    if (reach.size === 1) ownOf.get([...reach][0] as string)?.push(p);
    else if (reach.size > 1) district.push(p);
  });
  const townMax = new Map<string, number>();
  for (const t of towns) {
    const r = await solveBlock(inst, freshBlock(inst, t, ownOf.get(t) ?? [], gatesOf.get(t) ?? []), highsEngine, {
      deadlineAt: Date.now() + MILP_LIMIT_MS,
      fairness: 'equal',
      coverageOnly: true,
      leadsByCaller: true,
    });
    if (r.provenCoverage === null) return null;
    townMax.set(t, r.provenCoverage);
  }
  const need = (t: string): number => placesNeeded(inst, gatesOf.get(t) ?? []);
  const shortfall = new Map(towns.map((t) => [t, Math.max(0, need(t) - (townMax.get(t) ?? 0))] as const));
  const added = await spannerBound(inst, district, { of: townOf, shortfall }, highsEngine, Date.now() + MILP_LIMIT_MS);
  if (added === null) return null;
  const sum = [...townMax.values()].reduce((a, b) => a + b, 0) + added;
  if (placesKept < sum) return null;
  let leads = 0;
  let exactTowns = 0;
  for (const t of towns) {
    const gates = gatesOf.get(t) ?? [];
    const helpers = district.filter((p) => (inst.eligibleGates[p] ?? []).some((g) => townOf(g) === t));
    const helperLeads = helpers.some((p) => inst.isLead[p] && (inst.eligibleGates[p] ?? []).some((g) => townOf(g) === t && inst.gates[g]?.leadRequired));
    const flow = leadFlowBound(
      inst,
      inst.people.map((_, p) => p),
      gates,
    );
    if (helperLeads || flowBound(inst, helpers, gates) > (shortfall.get(t) ?? 0)) {
      leads += flow;
      continue;
    }
    const r = await solveBlock(inst, freshBlock(inst, t, ownOf.get(t) ?? [], gates), highsEngine, {
      deadlineAt: Date.now() + MILP_LIMIT_MS,
      fairness: 'equal',
      coverageOnly: true,
      placesKept: townMax.get(t) ?? 0,
    });
    if (r.status === 'optimal' && r.provenLeadShort !== null) {
      leads += Math.max(flow, r.provenLeadShort);
      exactTowns++;
    } else leads += flow;
  }
  return { leads, exactTowns };
}
