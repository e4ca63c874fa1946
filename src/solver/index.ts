/**
 * solveRoster: fair round-the-clock cover. Pure: plain data in, plain data out.
 *
 * 1. Index the input (slots, needs, availability); place pins, then on a re-plan every
 *    previous assignment that still keeps the rules.
 * 2. Villages: each village's own people fill its gates (fast construction + augmenting
 *    chains). A village whose fill falls short of its max-flow bound gets the exact
 *    coverage MILP instead; its optimum is the village's proven maximum.
 * 3. People spanning villages fill what villages left open, again certified by flow or
 *    re-solved by MILP.
 * 4. Bound: the district max-flow bound, or the village maxima plus what spanning people
 *    can add to them (a second flow), whichever is lower. filled == bound proves optimality.
 *    Short of it, spanning people and the villages with open places are re-solved together
 *    by MILP (the whole plan, when small enough, which then gives the exact maximum).
 * 5. Lead repair, then fairness repair until no fixable imbalance remains (both skipped on
 *    a re-plan, whose priority is to leave other people's weeks alone).
 *
 * A re-plan (input.previous) skips 2-4: see replanStage (direct fills, then, only if they
 * fall short of the bound, a MILP that keeps coverage first and then the most previous
 * assignments).
 * 6. Gaps with reasons, metrics.
 *
 * Why construction + certificate rather than a MILP per village: HiGHS in WebAssembly took
 * 0.05-3 s per village model (coverage then fairness), 136 s for the district's 120
 * villages. The construction reaches the flow bound on most villages in milliseconds, and
 * the bound proves it optimal; the MILP is kept for the few where it does not. Fairness by
 * repair meets the issue's own test (no fixable imbalance) by construction; the lexicographic
 * fairness MILP (objectives.ts) still runs in the monolithic mode.
 */
import type { Assignment } from '../domain/roster.js';
import { balance, countFixableImbalances } from './balance.js';
import type { Block } from './block.js';
import { villageBlocks, wholeBlock } from './block.js';
import { engineFor } from './engines/index.js';
import { flowBound } from './flow-bound.js';
import { findGaps } from './gaps.js';
import { augment, greedyFill } from './greedy.js';
import { repairLeads } from './lead.js';
import type { Instance } from './instance.js';
import { buildInstance } from './instance.js';
import type { LpEngine } from './model.js';
import { changes, fairnessWeights, gini, offeredSlots, personLoads, preferencesMet, spread } from './metrics.js';
import { resolveWithMilp } from './milp-stage.js';
import { applyPins, applyPrevious, locate } from './pins.js';
import { RosterState } from './roster-state.js';
import type { SolveInput, SolveOptions, SolveResult, UpperBound } from './types.js';

export type { Pin, PinConflict, SolveInput, SolveOptions, SolveResult, SolveMetrics, PersonLoad, EngineName } from './types.js';

const DEFAULT_DEADLINE_MS = 60_000;

export async function solveRoster(input: SolveInput, options: SolveOptions = {}): Promise<SolveResult> {
  const started = Date.now();
  const engineName = options.engine ?? input.plan.engine ?? 'highs';
  const engine = engineFor(engineName);
  const deadlineAt = started + (options.deadlineMs ?? (input.plan.deadlineSeconds ?? DEFAULT_DEADLINE_MS / 1000) * 1000);
  const progress = (phase: string, fraction: number): void => options.onProgress?.({ phase, fraction });
  let deadlineHit = false;
  const expired = (): boolean => (deadlineHit ||= Date.now() >= deadlineAt);

  progress('index', 0);
  const inst = buildInstance(input.plan, input.gates, input.cadres, input.availability);
  const state = new RosterState(inst);
  const pinConflicts = applyPins(inst, state, input.pins);
  const replan = input.previous !== undefined && input.previous.length > 0;
  const previous = replan ? applyPrevious(inst, state, input.previous ?? []) : new Map<number, number>();

  let bound: UpperBound;
  let subproblems = 0;
  if (options.monolithic) {
    progress('monolithic', 0.1);
    const block = wholeBlock(inst);
    const result = await resolveWithMilp(inst, state, block.people, block.gates, engine, deadlineAt, 'district', false);
    subproblems = 1;
    if (result.timedOut) expired();
    bound = { value: result.proven ?? flowBound(inst, block.people, block.gates), method: result.proven !== null ? 'monolithic coverage MILP optimum' : 'max-flow relaxation' };
  } else if (replan) {
    progress('re-plan', 0.1);
    const r = await replanStage(inst, state, previous, engine, deadlineAt);
    subproblems = r.subproblems;
    bound = r.bound;
    if (r.timedOut) expired();
  } else {
    const { blocks, spanners } = villageBlocks(inst);
    subproblems = blocks.length + 1;
    const villageMax = new Map<string, number>();
    let exactVillages = 0;
    for (const [i, block] of blocks.entries()) {
      progress('villages', 0.1 + (0.5 * i) / blocks.length);
      const locals = new Set(block.people);
      const candidates = (g: number): readonly number[] => (inst.eligiblePeople[g] ?? []).filter((p) => locals.has(p));
      const cache = new Map(block.gates.map((g) => [g, candidates(g)] as const));
      const of = (g: number): readonly number[] => cache.get(g) ?? [];
      greedyFill(state, block.gates, of);
      augment(state, block.gates, of);
      const localFill = block.people.reduce((n, p) => n + (state.load[p] ?? 0), 0);
      const localBound = flowBound(inst, block.people, block.gates);
      // Deeper chains cost more, so only villages short of their bound get them.
      const deeper = localFill < localBound ? augment(state, block.gates, of, 2, 2) : 0;
      if (localFill + deeper >= localBound || expired()) {
        villageMax.set(block.name, localFill + deeper >= localBound ? localFill + deeper : localBound);
        continue;
      }
      exactVillages++;
      const r = await resolveWithMilp(inst, state, block.people, block.gates, engine, deadlineAt, block.name, true, localBound);
      villageMax.set(block.name, r.proven ?? localBound);
      if (r.timedOut) expired();
    }

    progress('spanning people', 0.6);
    const spanning = new Set(spanners);
    const allGates = inst.gates.map((_, g) => g);
    const spanCache = allGates.map((g) => (inst.eligiblePeople[g] ?? []).filter((p) => spanning.has(p)));
    greedyFill(state, allGates, (g) => spanCache[g] ?? []);
    augment(state, allGates, (g) => inst.eligiblePeople[g] ?? []);

    progress('bound', 0.7);
    const everyone = inst.people.map((_, p) => p);
    const flow = flowBound(inst, everyone, allGates);
    bound = { value: flow, method: 'max-flow relaxation (weekly and aligned-24 h caps, one gate per shift)' };
    let filled = state.load.reduce((a, b) => a + b, 0);
    if (filled < bound.value && spanners.length > 0) {
      const villageCap = new Map<string, number>();
      const villageNeed = new Map<string, number>();
      inst.gates.forEach((g, gi) => {
        let n = 0;
        for (let s = 0; s < inst.slotCount; s++) n += inst.need[gi * inst.slotCount + s] ?? 0;
        villageNeed.set(g.village, (villageNeed.get(g.village) ?? 0) + n);
      });
      for (const [v, n] of villageNeed) villageCap.set(v, Math.max(0, n - (villageMax.get(v) ?? 0)));
      const sumMax = [...villageMax.values()].reduce((a, b) => a + b, 0);
      const added = flowBound(inst, spanners, allGates, { villageCap });
      if (sumMax + added < bound.value) {
        bound = { value: sumMax + added, method: `village maxima (${exactVillages} by coverage MILP, the rest by max-flow) + max-flow of people spanning villages into village shortfalls` };
      }
      if (filled < bound.value && !expired()) {
        const r = await resolveWithMilp(inst, state, spanners, allGates, engine, deadlineAt, 'spanning');
        if (r.timedOut) expired();
        filled = state.load.reduce((a, b) => a + b, 0);
      }
      if (filled < bound.value && !expired()) {
        const coupled = await coupledStage(inst, state, blocks, spanners, engine, deadlineAt);
        if (coupled.timedOut) expired();
        if (coupled.everyone && coupled.proven !== null) bound = { value: coupled.proven, method: 'coverage MILP of the whole plan (decomposition bound was not tight)' };
        filled = state.load.reduce((a, b) => a + b, 0);
      }
    } else if (filled < bound.value) {
      // Villages are independent here: the sum of their maxima is the district maximum.
      const sumMax = [...villageMax.values()].reduce((a, b) => a + b, 0);
      if (sumMax < bound.value) bound = { value: sumMax, method: `village maxima (${exactVillages} by coverage MILP, the rest by max-flow)` };
    }
    // Whatever happened above, nobody free stays idle next to an open place.
    greedyFill(state, allGates, (g) => inst.eligiblePeople[g] ?? []);
  }

  progress('fairness', 0.8);
  const offered = offeredSlots(inst);
  const weights = fairnessWeights(inst, offered);
  if (!replan && !options.monolithic) {
    repairLeads(state);
    let fair = balance(state, weights, () => true, deadlineAt);
    // Moves free capacity; when coverage is not yet proven, let it fill what it can.
    if (state.load.reduce((a, b) => a + b, 0) < bound.value) {
      greedyFill(state, inst.gates.map((_, g) => g), (g) => inst.eligiblePeople[g] ?? []);
      fair = balance(state, weights, () => true, deadlineAt);
    }
    if (!fair.converged) expired();
  }

  progress('report', 0.9);
  const assignments = toAssignments(inst, state);
  const gaps = findGaps(state, deadlineHit);
  const filled = assignments.length;
  const placesNeeded = inst.need.reduce((a, b) => a + b, 0);
  const loads = personLoads(inst, state, offered);
  const hours = loads.map((l) => l.hours);
  const nights = loads.map((l) => l.nights);
  const upper = Math.max(bound.value, filled);
  const status: SolveResult['status'] = deadlineHit ? 'deadline' : filled >= bound.value ? 'optimal' : 'feasible';
  progress('done', 1);
  return {
    status,
    assignments,
    gaps,
    pinConflicts,
    metrics: {
      placesNeeded,
      placesFilled: filled,
      upperBound: { value: upper, method: bound.method },
      optimalityGap: upper === 0 ? 0 : (upper - filled) / upper,
      perPerson: loads,
      hours: { ...spread(hours), gini: gini(hours) },
      nights: spread(nights),
      preferencesMet: preferencesMet(inst, state),
      changesVsPrevious: replan ? changes(input.previous ?? [], assignments, (a) => stillValid(inst, a)) : null,
      fixableImbalances: countFixableImbalances(state, weights),
      leadShortfalls: leadShortfalls(inst, state),
      solveMs: Date.now() - started,
      engine: engineName,
      subproblems,
    },
  };
}

/** Largest coupled model (people x slots) worth handing to the engine when the decomposition falls short. */
const COUPLED_LIMIT = 6000;

/**
 * When villages and spanning people solved in turn fall short of the bound, the villages'
 * own choice of which places to leave open mattered. Re-solve spanning people together with
 * the people of the villages that still have open places (most open first, within a size
 * limit), everyone else fixed. With every person included this is the monolithic coverage
 * MILP, and its optimum is the exact maximum.
 */
async function coupledStage(inst: Instance, state: RosterState, blocks: Block[], spanners: number[], engine: LpEngine, deadlineAt: number): Promise<{ proven: number | null; everyone: boolean; timedOut: boolean }> {
  const S = inst.slotCount;
  const allGates = inst.gates.map((_, g) => g);
  const everybody = inst.people.flatMap((_, p) => ((inst.eligibleGates[p]?.length ?? 0) > 0 ? [p] : []));
  if (everybody.length * S <= COUPLED_LIMIT) {
    const r = await resolveWithMilp(inst, state, everybody, allGates, engine, deadlineAt, 'whole plan');
    return { proven: r.proven, everyone: true, timedOut: r.timedOut };
  }
  const openOf = (b: Block): number =>
    b.gates.reduce((n, g) => {
      for (let s = 0; s < S; s++) n += Math.max(0, state.open(g, s));
      return n;
    }, 0);
  const ranked = blocks.map((b) => [openOf(b), b] as const).filter(([n]) => n > 0).sort((a, b) => b[0] - a[0]);
  const people = [...spanners];
  for (const [, b] of ranked) {
    if ((people.length + b.people.length) * S > COUPLED_LIMIT) break;
    people.push(...b.people);
  }
  const r = await resolveWithMilp(inst, state, people, allGates, engine, deadlineAt, 'coupled');
  return { proven: r.proven, everyone: false, timedOut: r.timedOut };
}

/**
 * A re-plan: the published roster is already in place (applyPrevious). Coverage first, then
 * as few changes to it as possible:
 * 1. direct fills only: free people take open places, nobody's kept assignment moves;
 * 2. if that falls short of the flow bound, a lexicographic MILP (places, then previous
 *    assignments kept exactly, then leads) over the people who can matter:
 *    everybody when the plan is small (then its optimum is the exact maximum), else the
 *    villages that lost a place and the people spanning into them, everyone else fixed.
 * Ejection chains are not used here: they hand kept assignments around to fill a place
 * whether or not a roster keeping them would fill as many. A move is only made by the MILP,
 * and only when it buys coverage.
 */
async function replanStage(inst: Instance, state: RosterState, previous: ReadonlyMap<number, number>, engine: LpEngine, deadlineAt: number): Promise<{ bound: UpperBound; subproblems: number; timedOut: boolean }> {
  const S = inst.slotCount;
  const allGates = inst.gates.map((_, g) => g);
  const everyone = inst.people.map((_, p) => p);
  greedyFill(state, allGates, (g) => inst.eligiblePeople[g] ?? []);
  let bound: UpperBound = { value: flowBound(inst, everyone, allGates), method: 'max-flow relaxation (weekly and aligned-24 h caps, one gate per shift)' };
  const filled = (): number => state.load.reduce((a, b) => a + b, 0);
  if (filled() >= bound.value || Date.now() >= deadlineAt) return { bound, subproblems: 1, timedOut: false };

  const everybody = inst.people.flatMap((_, p) => ((inst.eligibleGates[p]?.length ?? 0) > 0 ? [p] : []));
  let people = everybody;
  if (everybody.length * S > COUPLED_LIMIT) {
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
  const r = await resolveWithMilp(inst, state, people, allGates, engine, deadlineAt, 're-plan', true, undefined, previous);
  if (people === everybody && r.proven !== null && r.proven < bound.value) bound = { value: r.proven, method: 'coverage MILP of the whole plan (re-plan)' };
  // Whatever the MILP left, nobody free stays idle next to an open place.
  greedyFill(state, allGates, (g) => inst.eligiblePeople[g] ?? []);
  return { bound, subproblems: 2, timedOut: r.timedOut };
}

function leadShortfalls(inst: Instance, state: RosterState): number {
  const S = inst.slotCount;
  let n = 0;
  inst.gates.forEach((gate, g) => {
    if (!gate.leadRequired) return;
    for (let s = 0; s < S; s++) if ((inst.need[g * S + s] ?? 0) > 0 && (state.leads[g * S + s] ?? 0) === 0) n++;
  });
  return n;
}

function toAssignments(inst: Instance, state: RosterState): Assignment[] {
  const S = inst.slotCount;
  const out: Assignment[] = [];
  inst.people.forEach((c, p) => {
    for (let s = 0; s < S; s++) {
      const g = (state.gateAt[p * S + s] ?? 0) - 1;
      if (g < 0) continue;
      const start = inst.slotStart[s] as number;
      out.push({ cadreId: c.id, gateId: inst.gates[g]?.id as string, start: new Date(start), end: new Date(start + inst.shiftMs), pinned: state.pinned.has(p * S + s) });
    }
  });
  return out;
}

/** A previous assignment that the new input still allows on its own (person available, may serve, gate needs it). */
function stillValid(inst: Instance, a: Assignment): boolean {
  const where = locate(inst, a.cadreId, a.gateId, a.start);
  if ('rule' in where) return false;
  const S = inst.slotCount;
  return (inst.avail[where.p * S + where.s] ?? 0) > 0 && (inst.eligibleGates[where.p] ?? []).includes(where.g) && (inst.need[where.g * S + where.s] ?? 0) > 0;
}

