/**
 * Stage `re-plan`, used instead of villages/towns/district when a published roster exists.
 */
import type { Block } from '../block.js';
import { villageBlocks } from '../block.js';
import { flowBound } from '../flow-bound.js';
import { greedyFill } from '../greedy.js';
import type { Instance } from '../instance.js';
import { resolveWithMilp } from '../milp-stage.js';
import type { LpEngine } from '../model.js';
import type { RosterState } from '../roster-state.js';
import type { UpperBound } from '../types.js';

/** Largest re-plan model (people x slots) worth handing to the engine. */
const COUPLED_LIMIT = 6000;

/**
 * A re-plan: the published roster is already in place (applyPrevious). Coverage first, then
 * as few changes to it as possible:
 * 1. direct fills only: free people take open places, nobody's kept assignment moves;
 * 2. if that falls short of the flow bound, a lexicographic MILP (with a `moveBudgetMs`, only
 *    on plans small enough to be one model, and then within the deadline, not the budget) (places, then previous
 *    assignments kept exactly, then leads) over the people who can matter:
 *    everybody when the plan is small (then its optimum is the exact maximum), else the
 *    villages that lost a place and the people spanning into them, everyone else fixed.
 * Ejection chains are not used here: they hand kept assignments around to fill a place
 * whether or not a roster keeping them would fill as many. A move is only made by the MILP,
 * and only when it buys coverage.
 */
export async function replanStage(
  inst: Instance,
  state: RosterState,
  previous: ReadonlyMap<number, number>,
  engine: LpEngine,
  deadlineAt: number,
  moveBudgetMs = Infinity,
): Promise<{ bound: UpperBound; subproblems: number; timedOut: boolean }> {
  const S = inst.slotCount;
  const allGates = inst.gates.map((_, g) => g);
  const everyone = inst.people.map((_, p) => p);
  greedyFill(state, allGates, (g) => inst.eligiblePeople[g] ?? []);
  let bound: UpperBound = { value: flowBound(inst, everyone, allGates), method: 'max-flow relaxation (weekly and aligned-24 h caps, one gate per shift)' };
  if (state.placesHeld() >= bound.value || Date.now() >= deadlineAt || moveBudgetMs <= 0) return { bound, subproblems: 1, timedOut: false };

  const everybody = inst.people.flatMap((_, p) => ((inst.eligibleGates[p]?.length ?? 0) > 0 ? [p] : []));
  let people = everybody;
  if (everybody.length * S > COUPLED_LIMIT) {
    // A budgeted re-plan (an absence's, published at once) skips the restricted model of a
    // large plan: at district scale building it alone took ~0.4 s and solving it ran past any
    // useful budget (1.2 s for the re-plan with 500 ms given to it, against 0.3 s without).
    if (moveBudgetMs !== Infinity) return { bound, subproblems: 1, timedOut: false };
    const { blocks, spanners } = villageBlocks(inst);
    // Villages where a previous assignment no longer stands and its place is open.
    const touched = new Set<string>();
    for (const [key, g] of previous) {
      if ((state.gateAt[key] ?? 0) - 1 !== g && state.open(g, key % S) > 0) touched.add(inst.gates[g]?.village as string);
    }
    const openOf = (b: Block): number =>
      b.gates.reduce((n, g) => {
        for (let s = 0; s < S; s++) n += Math.max(0, state.open(g, s));
        return n;
      }, 0);
    // Otherwise (a gate opened, a need grew): the villages with the most open places.
    const ranked = blocks
      .map((b) => [touched.has(b.name) ? Infinity : openOf(b), b] as const)
      .filter(([n]) => n > 0 && (touched.size === 0 || n === Infinity))
      .sort((a, b) => b[0] - a[0]);
    const chosen: Block[] = [];
    let size = 0;
    for (const [, b] of ranked) {
      if (size + b.people.length * S > COUPLED_LIMIT) break;
      chosen.push(b);
      size += b.people.length * S;
    }
    const gates = new Set(chosen.flatMap((b) => b.gates));
    const reaching = spanners.filter((p) => (inst.eligibleGates[p] ?? []).some((g) => gates.has(g)));
    people = [...chosen.flatMap((b) => b.people), ...reaching.slice(0, Math.max(0, Math.floor((COUPLED_LIMIT - size) / S)))];
    if (people.length === 0) return { bound, subproblems: 1, timedOut: false };
  }
  // No fairness stage: with places and kept assignments fixed little is left to balance, and
  // on a town it cost 1.4 s of the re-plan's 2.4 s.
  // A small plan (everybody in one model) gets the whole deadline even with a budget: cut at a
  // wall-clock budget, its answer depended on how busy the machine was (under load the MILP ran
  // past 500 ms and an absence's place that one move refills stayed open).
  const until = people === everybody ? deadlineAt : Math.min(deadlineAt, Date.now() + moveBudgetMs);
  const r = await resolveWithMilp(inst, state, people, allGates, engine, { until, name: 're-plan', previous });
  if (people === everybody && r.proven !== null && r.proven < bound.value) bound = { value: r.proven, method: 'coverage MILP of the whole plan (re-plan)' };
  // Whatever the MILP left, nobody free stays idle next to an open place.
  greedyFill(state, allGates, (g) => inst.eligiblePeople[g] ?? []);
  return { bound, subproblems: 2, timedOut: r.timedOut };
}
