/**
 * Solve one block lexicographically and turn the aggregated answer back into who stands
 * which gate.
 */
import type { Block } from './block.js';
import { groupsOf } from './block.js';
import type { Instance } from './instance.js';
import type { LpEngine, LpModel, LpSolution } from './model.js';
import type { Costs } from './objectives.js';
import { fairnessTerms, leadObjective, placesObjective, stabilityTerms } from './objectives.js';
import type { BlockModel } from './rules.js';
import { buildBlockModel } from './rules.js';

/** One person at one gate in one slot (instance indices). */
export interface Placement {
  p: number;
  g: number;
  s: number;
}

export interface BlockSolution {
  placements: Placement[];
  /** Places filled by this block's solve. */
  filled: number;
  /** Coverage-stage optimum proven by the engine (null when the stage timed out). */
  provenCoverage: number | null;
  /** Fewest lead shortfalls of the block given its proven coverage (null when not proven or not solved). */
  provenLeadShort: number | null;
  /**
   * `certified`: the LP relaxation proved the caller's roster of this block optimal; no
   * placements returned. `placesProven`: the roster is proven optimal in places but its lead
   * shortfalls are not minimised; it is either `placements` or, when those are empty, the one
   * the caller completed from the LP's integral part (roundFrom).
   */
  status: 'optimal' | 'timeout' | 'refused' | 'certified' | 'placesProven' | 'unproven';
  solves: number;
  /** Why the engine was not asked (the model is larger than it can solve). */
  refused?: string;
}

export interface BlockSolveOptions {
  deadlineAt: number;
  fairness: 'equal' | 'proportional';
  /** Skip fairness (the coverage-only model, used as an independent check; a re-plan block still gets its stability and lead stages). */
  coverageOnly?: boolean;
  /** The caller's roster already meets its lead bound: if the LP certifies its places, it is kept as it is. */
  leadsMet?: boolean;
  /** Lead shortfalls alone, no place target (a lower bound on shortfalls for any roster). */
  leadsOnly?: boolean;
  /** Refuse models with more integer variables than this (an engine's practical limit). */
  maxIntegers?: number;
  /**
   * Places the caller's roster already fills in this block. The LP relaxation runs first:
   * when its bound (rounded down) is no more, that roster is proven optimal and no MILP runs
   * (status `certified`); otherwise the bound becomes a row the MILP can stop at.
   */
  certifyAt?: number;
  /**
   * With certifyAt, when the LP bound is above it: the integral part (people at 1, gates
   * rounded down) of an LP point with the bound's places (the one nearest `incumbent` when
   * given) handed to the caller, who places it, completes it by construction and
   * answers the places its roster now fills (undoing it when below the bound). Reaching the bound proves that roster optimal
   * in places without a MILP (status `placesProven`). The LP bound was tight on 97 of 101 blocks
   * of a night-heavy district, while HiGHS spent seconds finding a primal that meets it.
   */
  roundFrom?: (placements: Placement[], bound: number) => number;
  /**
   * Places are already proven (a `placesProven` roster): only the lead stage runs, with at least
   * this many places kept. leadCertifyAt, the caller's lead shortfalls, is first compared
   * with the lead stage's LP relaxation (also with leadsOnly), which often proves them the fewest.
   */
  placesKept?: number;
  leadCertifyAt?: number;
  /**
   * The caller's roster of these people (certifyAt / placesKept): when the LP bound is not
   * met, the MILP is first solved only where the LP optimum and this roster disagree (RINS);
   * reaching the bound there proves the answer optimal for the whole block.
   */
  incumbent?: readonly Placement[];
  /**
   * Stages the full model may not run (after the cheaper proofs above): where a block is a
   * heuristic improvement rather than a proof (a town's leads, the district coordination),
   * a full MILP costs seconds for what the repairs mostly find anyway. Such a block ends
   * `unproven` with no placements.
   */
  noFullModel?: readonly ('coverage' | 'lead')[];
  /** Places proven by the full model come back `placesProven`: the caller then proves the leads (see milp-stage.ts). */
  leadsByCaller?: boolean;
}

export async function solveBlock(inst: Instance, block: Block, engine: LpEngine, opts: BlockSolveOptions): Promise<BlockSolution> {
  const groups = groupsOf(inst, block);
  const m = buildBlockModel(inst, block, groups);
  const model = m.builder.model;
  const integers = model.variables.reduce((n, v) => n + (v.integer ? 1 : 0), 0);
  const answer = (
    values: Float64Array,
    provenCoverage: number | null,
    provenLeadShort: number | null,
    status: BlockSolution['status'],
    solves: number,
  ): BlockSolution => {
    const placements = disaggregate(inst, block, groups, m, values);
    return { placements, filled: placements.length, provenCoverage, provenLeadShort, status, solves };
  };
  // Refused before any engine call: even the LP relaxation of such a block ran for seconds in jslp.
  if (opts.maxIntegers !== undefined && integers > opts.maxIntegers) {
    const refused = `${integers} integer variables, more than ${engine.name} is given (${opts.maxIntegers}); the construction's roster is kept`;
    return { placements: [], filled: 0, provenCoverage: null, provenLeadShort: null, status: 'refused', solves: 0, refused };
  }
  let placesKept = opts.placesKept;
  let solves = 0;
  const unstaffable = unstaffableLeadShifts(inst, block);
  const places = [...m.z.values()];
  /** A better roster than the caller's that the neighbourhood found, short of a proof. */
  let improved: Float64Array | null = null;
  if (opts.certifyAt !== undefined && !opts.leadsOnly && !block.previous && placesKept === undefined) {
    const lp = await relaxation(engine, model, placesObjective(m), opts.deadlineAt);
    solves++;
    if (lp) {
      const cap = Math.floor(lp.objective + 1e-6);
      const coverageOnly = opts.coverageOnly ?? false;
      if (cap <= opts.certifyAt && coverageOnly && (m.leadShort.size === 0 || opts.leadsMet))
        return { placements: [], filled: 0, provenCoverage: opts.certifyAt, provenLeadShort: null, status: 'certified', solves };
      // The caller's places are the most there are: only its leads remain to be proven.
      if (cap <= opts.certifyAt && coverageOnly) placesKept = opts.certifyAt;
      // Among the LP points with `cap` places, the one closest to the caller's roster: rounding
      // it changes least, and its neighbourhood is only where the roster must change.
      const incumbent = opts.incumbent ? worksOf(inst, opts.incumbent) : null;
      const near = incumbent && cap > opts.certifyAt ? await nearestRelaxation(engine, model, m, cap, incumbent, opts.deadlineAt) : null;
      if (near) solves++;
      const guide = near ?? lp;
      if (cap > opts.certifyAt && opts.roundFrom) {
        const reached = opts.roundFrom(disaggregate(inst, block, groups, m, integralPart(m, guide.values)), cap);
        if (reached >= cap) return { placements: [], filled: reached, provenCoverage: reached, provenLeadShort: null, status: 'placesProven', solves };
      }
      m.builder.atMost('lpBound', places, cap);
      if (cap > opts.certifyAt && incumbent) {
        let sub = await neighbourhood(engine, model, m, placesObjective(m), guide.values, incumbent, opts.deadlineAt);
        solves++;
        let got = sub ? countZ(m.z, sub) : 0;
        if (near && got < cap) {
          // The nearest point's neighbourhood was too small: the plain LP optimum's, from the
          // best roster so far.
          const from = sub && got > opts.certifyAt ? workingIn(m, sub.values) : incumbent;
          const wider = await neighbourhood(engine, model, m, placesObjective(m), lp.values, from, opts.deadlineAt);
          solves++;
          const gotWider = wider ? countZ(m.z, wider) : 0;
          if (wider && gotWider > got) [sub, got] = [wider, gotWider];
        }
        if (sub && got >= cap) return answer(sub.values, cap, null, 'placesProven', solves);
        // Short of a proof, but better: what a block barred from the full model keeps. (Moving
        // the neighbourhood with it for more rounds cost more than it found on the families.)
        if (sub && got > opts.certifyAt) improved = sub.values;
      }
    }
  }
  if (placesKept !== undefined) model.rows.push({ label: 'keep:coverage', vars: places, coefs: places.map(() => 1), lb: placesKept, ub: Infinity });
  if ((placesKept !== undefined || opts.leadsOnly) && opts.leadCertifyAt !== undefined && m.leadShort.size > 0) {
    const lp = await relaxation(engine, model, leadObjective(m), opts.deadlineAt);
    solves++;
    // Shortfalls are counts: the relaxation's minimum, rounded up, bounds every roster keeping
    // the places; gate-shifts the block cannot staff at all are shortfalls whatever it does.
    const fewest = lp ? Math.ceil(-lp.objective - 1e-6) + unstaffable : -1;
    if (fewest >= opts.leadCertifyAt)
      return { placements: [], filled: 0, provenCoverage: placesKept ?? null, provenLeadShort: opts.leadCertifyAt, status: 'certified', solves };
    if (lp && opts.incumbent) {
      const sub = await neighbourhood(engine, model, m, leadObjective(m), lp.values, worksOf(inst, opts.incumbent), opts.deadlineAt);
      solves++;
      if (sub && countZ(m.leadShort, sub) + unstaffable <= fewest) return answer(sub.values, placesKept ?? null, fewest, 'optimal', solves);
    }
  }
  // Lexicographic, one engine run per stage, each optimum kept as a row for the next:
  // places; on a re-plan previous assignments kept; then lead shortfalls; fairness last
  // unless coverage only. (Places and leads in one weighted objective took 3-6x as long as
  // places alone on short-handed villages: the weights blur the LP bound.)
  const leads = m.leadShort.size > 0 ? [{ name: 'lead', costs: leadObjective(m) }] : [];
  const stages: { name: string; costs: Costs }[] =
    opts.leadsOnly || placesKept !== undefined
      ? [...leads]
      : block.previous
        ? [{ name: 'coverage', costs: placesObjective(m) }, { name: 'stability', costs: stabilityTerms(inst, block, m).costs }, ...leads]
        : [{ name: 'coverage', costs: placesObjective(m) }, ...leads];
  if (!opts.coverageOnly) stages.push({ name: 'fairness', costs: fairnessTerms(inst, block, m, opts.fairness) });
  let best: Float64Array | null = null;
  let status: BlockSolution['status'] = 'optimal';
  let provenCoverage: number | null = placesKept ?? null;
  let provenLeadShort: number | null = null;
  for (const [i, stage] of stages.entries()) {
    const remaining = (opts.deadlineAt - Date.now()) / 1000;
    if (remaining <= 0.01) {
      status = 'timeout';
      break;
    }
    if ((opts.noFullModel as readonly string[] | undefined)?.includes(stage.name)) {
      status = 'unproven';
      if (stage.name === 'coverage') best = improved;
      break;
    }
    const solution = await engine.solve(withCosts(model, stage.costs), { timeLimitSec: remaining });
    solves++;
    if (solution.status === 'infeasible' || solution.status === 'error') {
      // The previous stage's solution satisfies every row, so only a numerical failure of the
      // engine gets here: keep what we have rather than fail the roster.
      status = 'timeout';
      break;
    }
    // A time-limited run without an incumbent has no values worth keeping.
    if (solution.status === 'timeout' && Number.isNaN(solution.objective)) {
      status = 'timeout';
      break;
    }
    best = solution.values;
    if (solution.status !== 'optimal') {
      status = 'timeout';
      break;
    }
    if (stage.name === 'coverage') provenCoverage = countZ(m.z, solution);
    // The caller proves leads its cheaper ways first (repair, floors, the lead LP) and runs
    // the leads MILP only if those fall short.
    if (stage.name === 'coverage' && opts.leadsByCaller && stages[i + 1]?.name === 'lead')
      return answer(solution.values, provenCoverage, null, 'placesProven', solves);
    if (stage.name === 'lead') provenLeadShort = countZ(m.leadShort, solution) + unstaffable;
    if (i < stages.length - 1) fixStage(model, stage.costs, solution, stage.name);
  }
  const placements = best ? disaggregate(inst, block, groups, m, best) : [];
  return { placements, filled: placements.length, provenCoverage, provenLeadShort, status, solves };
}

/** Gate-shifts needing a lead that nobody leads and the block has no open place at: shortfalls whatever the block does. */
function unstaffableLeadShifts(inst: Instance, block: Block): number {
  const S = inst.slotCount;
  let n = 0;
  block.gates.forEach((g, gi) => {
    if (!inst.gates[g]?.leadRequired) return;
    for (let s = 0; s < S; s++) if ((inst.need[g * S + s] ?? 0) > 0 && (block.need[gi]?.[s] ?? 0) <= 0 && (block.leadPresent?.[gi]?.[s] ?? 0) === 0) n++;
  });
  return n;
}

function countZ(z: Map<number, number>, solution: LpSolution): number {
  let n = 0;
  for (const v of z.values()) n += Math.round(solution.values[v] ?? 0);
  return n;
}

/** The LP relaxation of `model` under `costs`, or null when it did not solve to optimality in time. */
async function relaxation(engine: LpEngine, model: LpModel, costs: Costs, deadlineAt: number): Promise<LpSolution | null> {
  const remaining = (deadlineAt - Date.now()) / 1000;
  if (remaining <= 0.01) return null;
  const lp = await engine.solve(relaxed(withCosts(model, costs)), { timeLimitSec: remaining });
  return lp.status === 'optimal' ? lp : null;
}

/** Share of the remaining time a neighbourhood MILP may take: it is a heuristic, the full MILP may follow. */
const NEIGHBOURHOOD_SHARE = 0.35;

/**
 * RINS (relaxation induced neighbourhood search): the MILP with every person-slot fixed on
 * which the LP optimum and the incumbent roster agree. Both satisfy every row there, so the
 * restricted MILP is feasible (the incumbent is in it) and typically a small fraction of the
 * block. Returns its optimum, or null when it did not finish within its share of the time.
 */
async function neighbourhood(
  engine: LpEngine,
  model: LpModel,
  m: BlockModel,
  costs: Costs,
  lpValues: Float64Array,
  works: ReadonlySet<number>,
  deadlineAt: number,
): Promise<LpSolution | null> {
  const variables = model.variables.map((v, i) => ({ ...v, cost: costs.get(i) ?? 0 }));
  for (const [key, v] of m.y) {
    const value = works.has(key) ? 1 : 0;
    const column = variables[v];
    if (column && Math.abs((lpValues[v] ?? 0) - value) < 1e-6 && column.lb <= value) variables[v] = { ...column, lb: value, ub: value };
  }
  const remaining = (deadlineAt - Date.now()) / 1000;
  if (remaining <= 0.05) return null;
  const sub = await engine.solve({ ...model, variables }, { timeLimitSec: Math.max(0.05, remaining * NEIGHBOURHOOD_SHARE) });
  return sub.status === 'optimal' ? sub : null;
}

/**
 * The LP point with at least `cap` places that agrees most with the roster `works` (person-
 * slots worked, p * slotCount + s), or null when it did not solve in time. (Taking any LP
 * optimum instead freed, on a town of night-heavy seed 1, thousands of person-slots the
 * neighbourhood then had to search; a roster a few places short needs far fewer changes.)
 */
async function nearestRelaxation(
  engine: LpEngine,
  model: LpModel,
  m: BlockModel,
  cap: number,
  works: ReadonlySet<number>,
  deadlineAt: number,
): Promise<LpSolution | null> {
  const agreement: Costs = new Map();
  for (const [key, v] of m.y) agreement.set(v, works.has(key) ? 1 : -1);
  const z = [...m.z.values()];
  const atCap = { ...model, rows: [...model.rows, { label: 'near:places', vars: z, coefs: z.map(() => 1), lb: cap, ub: Infinity }] };
  return relaxation(engine, atCap, agreement, deadlineAt);
}

/** Person-slots worked (p * slotCount + s) by placements. */
function worksOf(inst: Instance, placements: readonly Placement[]): Set<number> {
  return new Set(placements.map((x) => x.p * inst.slotCount + x.s));
}

/** Person-slots worked in a solution of the block model. */
function workingIn(m: BlockModel, values: Float64Array): Set<number> {
  const out = new Set<number>();
  for (const [key, v] of m.y) if ((values[v] ?? 0) > 0.5) out.add(key);
  return out;
}

/** An LP solution cut down to what is integral in it: people working at 1, gate counts rounded down. */
function integralPart(m: BlockModel, values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  for (const v of m.y.values()) out[v] = (values[v] ?? 0) > 1 - 1e-6 ? 1 : 0;
  for (const v of m.z.values()) out[v] = Math.floor((values[v] ?? 0) + 1e-6);
  return out;
}

function relaxed(model: LpModel): LpModel {
  return { ...model, variables: model.variables.map((v) => ({ ...v, integer: false })) };
}

function withCosts(model: LpModel, costs: Costs): LpModel {
  return { ...model, variables: model.variables.map((v, i) => ({ ...v, cost: costs.get(i) ?? 0 })) };
}

/** Keep a stage's optimum: its objective may not drop (by more than rounding) later. */
function fixStage(model: LpModel, costs: Costs, solution: LpSolution, name: string): void {
  const vars = [...costs.keys()];
  const coefs = vars.map((v) => costs.get(v) as number);
  let value = 0;
  vars.forEach((v, i) => (value += (coefs[i] as number) * Math.round(solution.values[v] ?? 0)));
  // Coverage, stability and leads are counts: half a unit separates the optimum from the next value.
  const tolerance = name === 'fairness' ? 1e-6 + Math.abs(value) * 1e-9 : 0.5;
  model.rows.push({ label: `keep:${name}`, vars, coefs, lb: value - tolerance, ub: Infinity });
}

/**
 * Hand each group's working people to the gates the group staffs in that slot: pinned
 * people to their pinned gate, then people back to the gate they had before, then the rest.
 */
function disaggregate(inst: Instance, block: Block, groups: ReturnType<typeof groupsOf>, m: BlockModel, values: Float64Array): Placement[] {
  const S = inst.slotCount;
  const G = block.gates.length;
  const out: Placement[] = [];
  const pinnedGate = new Map(block.pins.map((pin) => [pin.p * S + pin.s, pin.gi] as const));
  groups.forEach((group, k) => {
    for (let s = 0; s < S; s++) {
      const working = group.people.filter((p) => {
        const v = m.y.get(p * S + s);
        return v !== undefined && (values[v] ?? 0) > 0.5;
      });
      if (working.length === 0) continue;
      const room = new Map<number, number>();
      for (const gi of group.gates) {
        const v = m.z.get((k * G + gi) * S + s);
        if (v !== undefined) room.set(gi, Math.round(values[v] ?? 0));
      }
      const take = (p: number, gi: number | undefined): boolean => {
        if (gi === undefined || (room.get(gi) ?? 0) <= 0) return false;
        room.set(gi, (room.get(gi) as number) - 1);
        out.push({ p, g: block.gates[gi] as number, s });
        return true;
      };
      const pos = new Map(block.gates.map((g, i) => [g, i] as const));
      const left = working.filter((p) => !take(p, pinnedGate.get(p * S + s)));
      const rest = left.filter((p) => {
        const prev = block.previous?.get(p * S + s);
        return !take(p, prev === undefined ? undefined : pos.get(prev));
      });
      for (const p of rest) {
        const gi = [...room.entries()].find(([, n]) => n > 0)?.[0];
        take(p, gi);
      }
    }
  });
  return out;
}
