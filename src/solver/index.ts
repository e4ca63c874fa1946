/**
 * solveRoster: fair round-the-clock cover. Pure: plain data in, plain data out.
 *
 * Objectives in strict order: places filled, then lead shortfalls, then fairness, then
 * preferences (on a re-plan, previous assignments kept come right after places). A pipeline
 * of named stages, each timed in `metrics.stages`:
 *
 * 1. `index`: slots, needs, availability; pins, then on a re-plan every previous assignment
 *    that still keeps the rules.
 * 2. `villages` (stages/villages.ts): each village's own people; accepted on construction
 *    when places meet the max-flow bound and leads meet the lead bound, else the village's
 *    MILP (places, then leads) proves its maximum.
 * 3. `towns` (stages/towns.ts): people serving several villages of one town, coordinated
 *    with the villages they can help; a town below its bound (village maxima + flow of town
 *    people into village shortfalls) is re-solved exactly together with its open villages.
 * 4. `district`: the same one level up, for people serving several towns.
 * 5. `leads`: lead repair (empty lead gate-shifts included), `fairness`: repair until no
 *    fixable imbalance remains (both skipped on a re-plan, whose priority is to leave other
 *    people's weeks alone).
 * 6. `report`: gaps with reasons, metrics, the place bound and the lead bound.
 * `bounds` is the whole-district bounds (max-flow of places, of leads) wherever they are
 * computed; the villages' and towns' own certificates are part of those stages.
 *
 * A re-plan (input.previous) runs stages/replan.ts instead of 2-4.
 *
 * Why construction + certificate rather than a MILP per village: HiGHS in WebAssembly took
 * 0.05-3 s per village model; the construction reaches the bounds on most villages in
 * milliseconds, and the bounds prove it optimal. Fairness by repair meets the issue's own
 * test (no fixable imbalance) by construction; the lexicographic fairness MILP
 * (objectives.ts) still runs in the monolithic mode.
 */
import type { Assignment } from '../domain/roster.js';
import { balance, countFixableImbalances } from './balance.js';
import { villageBlocks, wholeBlock } from './block.js';
import { engineFor } from './engines/index.js';
import { flowBound, leadFlowBound } from './flow-bound.js';
import { findGaps } from './gaps.js';
import { greedyFill } from './greedy.js';
import { repairLeads } from './lead.js';
import type { Instance } from './instance.js';
import { buildInstance } from './instance.js';
import { changes, fairnessWeights, gini, loadSpread, offeredLedger, offeredSlots, personLoads, preferencesMet, spread } from './metrics.js';
import { resolveWithMilp } from './milp-stage.js';
import { applyPins, applyPrevious, locate } from './pins.js';
import { RosterState } from './roster-state.js';
import type { StageContext } from './stages/context.js';
import { replanStage } from './stages/replan.js';
import { villagesStage } from './stages/villages.js';
import { districtStage, scopes, townsStage } from './stages/towns.js';
import type { LowerBound, SolveInput, SolveOptions, SolveResult, StageTiming, UpperBound } from './types.js';

export type {
  Pin,
  PinConflict,
  SolveInput,
  SolveOptions,
  SolveResult,
  SolveMetrics,
  PersonLoad,
  EngineName,
  LowerBound,
  StageTiming,
  SolveContext,
  FixedDuty,
  PriorLoad,
  LoadSpread,
  OfferedLedger,
} from './types.js';

const DEFAULT_DEADLINE_MS = 60_000;
/** Time kept back from the deadline for the report (gaps, metrics), so the answer arrives on time. */
const REPORT_RESERVE_MS = 300;

export async function solveRoster(input: SolveInput, options: SolveOptions = {}): Promise<SolveResult> {
  const started = Date.now();
  const engineName = options.engine ?? input.plan.engine ?? 'highs';
  const engine = engineFor(engineName);
  engine.warm?.();
  const budget = options.deadlineMs ?? (input.plan.deadlineSeconds ?? DEFAULT_DEADLINE_MS / 1000) * 1000;
  const deadlineAt = started + Math.max(0, budget - Math.min(REPORT_RESERVE_MS, budget / 10));
  const progress = (phase: string, fraction: number): void => options.onProgress?.({ phase, fraction });
  let deadlineHit = false;
  const expired = (): boolean => (deadlineHit ||= Date.now() >= deadlineAt);
  const stages: StageTiming[] = [];
  let mark = Date.now();
  // A name timed twice (the bounds are computed in two places) adds up in one entry.
  const timed = (name: string): void => {
    const now = Date.now();
    const seen = stages.find((x) => x.name === name);
    if (seen) seen.ms += now - mark;
    else stages.push({ name, ms: now - mark });
    mark = now;
  };

  progress('index', 0);
  const inst = buildInstance(input.plan, input.gates, input.cadres, input.availability, input.context);
  const state = new RosterState(inst);
  const pinConflicts = applyPins(inst, state, input.pins);
  const replan = input.previous !== undefined && input.previous.length > 0;
  const previous = replan ? applyPrevious(inst, state, input.previous ?? []) : new Map<number, number>();
  const ctx: StageContext = { inst, state, engine, deadlineAt, expired, notes: [] };
  const allGates = inst.gates.map((_, g) => g);
  const everyone = inst.people.map((_, p) => p);
  timed('index');

  let bound: UpperBound;
  let leadBound: LowerBound = { value: leadFlowBound(inst, everyone, allGates), method: 'max-flow of village cadres into lead gate-shifts' };
  timed('bounds');
  let subproblems = 0;
  if (options.monolithic) {
    progress('monolithic', 0.1);
    const block = wholeBlock(inst);
    const result = await resolveWithMilp(inst, state, block.people, block.gates, engine, { until: deadlineAt, name: 'district', coverageOnly: false });
    subproblems = 1;
    if (result.refused) ctx.notes.push(result.refused);
    if (result.timedOut) expired();
    bound = {
      value: result.proven ?? flowBound(inst, block.people, block.gates),
      method: result.proven !== null ? 'monolithic coverage MILP optimum' : 'max-flow relaxation',
    };
    timed('monolithic');
  } else if (replan) {
    progress('re-plan', 0.1);
    const r = await replanStage(inst, state, previous, engine, deadlineAt, options.moveBudgetMs);
    subproblems = r.subproblems;
    bound = r.bound;
    if (r.timedOut) expired();
    timed('re-plan');
  } else {
    const { blocks, spanners } = villageBlocks(inst);
    const { byTown, district } = scopes(ctx, spanners);
    subproblems = blocks.length + byTown.size + (district.length > 0 ? 1 : 0);
    const outsideLeads = new Set(spanners.filter((p) => inst.isLead[p]));
    const v = await villagesStage(ctx, blocks, outsideLeads, (f) => progress('villages', 0.05 + 0.45 * f));
    timed('villages');
    progress('towns', 0.5);
    const t = await townsStage(ctx, blocks, v.villageMax, outsideLeads.size === 0 ? v.leadBound : null, byTown, (f) => progress('towns', 0.5 + 0.2 * f));
    timed('towns');
    progress('district', 0.7);
    const districtBound = await districtStage(ctx, blocks, t.townMax, byTown, district);
    // Whatever happened above, nobody free stays idle next to an open place.
    greedyFill(state, allGates, (g) => inst.eligiblePeople[g] ?? []);
    timed('district');
    const flow = flowBound(inst, everyone, allGates);
    bound =
      districtBound < flow
        ? {
            value: districtBound,
            method: `village maxima (${v.placeMilps} by coverage MILP, the rest by max-flow) + town coordination (${t.resolved} towns re-solved, ${t.proved} proven) + max-flow of district-wide people into town shortfalls`,
          }
        : { value: flow, method: 'max-flow relaxation (weekly and aligned-24 h caps, one gate per shift)' };
    // A village whose lead gates only its own cadres may lead keeps its own lead bound (valid
    // for any roster); the other villages share leads from outside (cadres who span villages),
    // and for those the max-flow of every lead into their lead gate-shifts is the bound. The
    // two sets of gates draw on disjoint leads, so the bounds add up.
    const ownLeads = (b: (typeof blocks)[number]): boolean =>
      b.gates.every((g) => !inst.gates[g]?.leadRequired || (inst.eligiblePeople[g] ?? []).every((p) => !outsideLeads.has(p)));
    const ownLeadBound = blocks.filter(ownLeads).reduce((n, b) => n + (v.leadBound.get(b.name) ?? 0), 0);
    const sharedLeadBound = leadFlowBound(
      inst,
      everyone,
      blocks.filter((b) => !ownLeads(b)).flatMap((b) => b.gates),
    );
    if (ownLeadBound + sharedLeadBound > leadBound.value)
      leadBound = {
        value: ownLeadBound + sharedLeadBound,
        method: `per village: max-flow of village cadres into lead gate-shifts, a leads-only MILP, or, where only the village's own people serve, the fewest leads given its maximum cover (so a bound among rosters of maximum cover; ${v.leadMilps} villages needed the engine for leads); where cadres from outside may lead, max-flow of every lead`,
      };
    timed('bounds');
  }

  progress('fairness', 0.8);
  const offered = offeredSlots(inst);
  const weights = fairnessWeights(inst, offered);
  if (!replan && !options.monolithic) {
    repairLeads(state, allGates, undefined, deadlineAt);
    timed('leads');
    let fair = balance(state, weights, () => true, deadlineAt);
    // Moves free capacity; when coverage is not yet proven, let it fill what it can.
    if (state.placesHeld() < bound.value && !expired()) {
      greedyFill(state, allGates, (g) => inst.eligiblePeople[g] ?? []);
      repairLeads(state, allGates, undefined, deadlineAt);
      fair = balance(state, weights, () => true, deadlineAt);
    }
    if (!fair.converged && !expired()) ctx.notes.push('the fairness repair stopped after its pass limit: some fixable imbalances remain');
    timed('fairness');
  }

  progress('report', 0.9);
  const assignments = toAssignments(inst, state);
  const gaps = findGaps(state, deadlineHit);
  const filled = assignments.length;
  const placesNeeded = inst.need.reduce((a, b) => a + b, 0);
  const withPrior = inst.hasPrior;
  const loads = personLoads(inst, state, offered);
  const hours = loads.map((l) => l.hours);
  const nights = loads.map((l) => l.nights);
  const toDate = loads.flatMap((l) => (l.toDate ? [l.toDate] : []));
  const upper = Math.max(bound.value, filled);
  const leadShort = leadShortfalls(inst, state);
  const status: SolveResult['status'] = deadlineHit ? 'deadline' : filled >= bound.value ? 'optimal' : 'feasible';
  const fixable = countFixableImbalances(state, weights);
  timed('report');
  progress('done', 1);
  return {
    status,
    assignments,
    gaps,
    pinConflicts,
    offered: offeredLedger(inst),
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
      fixableImbalances: fixable,
      loadSpread: loadSpread(loads),
      ...(withPrior
        ? { campaign: { loadSpread: loadSpread(toDate), hours: spread(toDate.map((l) => l.hours)), nights: spread(toDate.map((l) => l.nights)) } }
        : {}),
      leadShortfalls: leadShort,
      leadBound,
      solveMs: Date.now() - started,
      engine: engineName,
      subproblems,
      stages,
      notes: ctx.notes,
    },
  };
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
      out.push({
        cadreId: c.id,
        gateId: inst.gates[g]?.id as string,
        start: new Date(start),
        end: new Date(start + inst.shiftMs),
        pinned: state.pinned.has(p * S + s),
      });
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
