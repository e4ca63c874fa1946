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
  /** `certified`: the LP relaxation proved the caller's roster of this block optimal; no placements returned. */
  status: 'optimal' | 'timeout' | 'refused' | 'certified';
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
}

export async function solveBlock(inst: Instance, block: Block, engine: LpEngine, opts: BlockSolveOptions): Promise<BlockSolution> {
  const groups = groupsOf(inst, block);
  const m = buildBlockModel(inst, block, groups);
  // Lexicographic, one engine run per stage, each optimum kept as a row for the next:
  // places; on a re-plan previous assignments kept; then lead shortfalls; fairness last
  // unless coverage only. (Places and leads in one weighted objective took 3-6x as long as
  // places alone on short-handed villages: the weights blur the LP bound.)
  const leads = m.leadShort.size > 0 ? [{ name: 'lead', costs: leadObjective(m) }] : [];
  const stages: { name: string; costs: Costs }[] = opts.leadsOnly
    ? [{ name: 'lead', costs: leadObjective(m) }]
    : block.previous
    ? [{ name: 'coverage', costs: placesObjective(m) }, { name: 'stability', costs: stabilityTerms(inst, block, m).costs }, ...leads]
    : [{ name: 'coverage', costs: placesObjective(m) }, ...leads];
  if (!opts.coverageOnly) stages.push({ name: 'fairness', costs: fairnessTerms(inst, block, m, opts.fairness) });
  const model = m.builder.model;
  const integers = model.variables.reduce((n, v) => n + (v.integer ? 1 : 0), 0);
  if (opts.certifyAt !== undefined && !opts.leadsOnly && !block.previous) {
    const remaining = (opts.deadlineAt - Date.now()) / 1000;
    const lp = remaining > 0.01 ? await engine.solve(relaxed(withCosts(model, placesObjective(m))), { timeLimitSec: remaining }) : null;
    if (lp?.status === 'optimal') {
      const cap = Math.floor(lp.objective + 1e-6);
      if (cap <= opts.certifyAt && (stages.length === 1 || opts.leadsMet)) return { placements: [], filled: 0, provenCoverage: opts.certifyAt, provenLeadShort: null, status: 'certified', solves: 1 };
      m.builder.atMost('lpBound', [...m.z.values()], cap);
    }
  }
  if (opts.maxIntegers !== undefined && integers > opts.maxIntegers) {
    const refused = `${integers} integer variables, more than ${engine.name} is given (${opts.maxIntegers}); the construction's roster is kept`;
    return { placements: [], filled: 0, provenCoverage: null, provenLeadShort: null, status: 'refused', solves: 0, refused };
  }
  let best: Float64Array | null = null;
  let status: BlockSolution['status'] = 'optimal';
  let provenCoverage: number | null = null;
  let provenLeadShort: number | null = null;
  let solves = 0;
  for (const [i, stage] of stages.entries()) {
    const remaining = (opts.deadlineAt - Date.now()) / 1000;
    if (remaining <= 0.01) {
      status = 'timeout';
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
    if (stage.name === 'lead') provenLeadShort = countZ(m.leadShort, solution);
    if (i < stages.length - 1) fixStage(model, stage.costs, solution, stage.name);
  }
  const placements = best ? disaggregate(inst, block, groups, m, best) : [];
  return { placements, filled: placements.length, provenCoverage, provenLeadShort, status, solves };
}

function countZ(z: Map<number, number>, solution: LpSolution): number {
  let n = 0;
  for (const v of z.values()) n += Math.round(solution.values[v] ?? 0);
  return n;
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
function disaggregate(inst: Instance, block: Block, groups: ReturnType<typeof groupsOf>, m: ReturnType<typeof buildBlockModel>, values: Float64Array): Placement[] {
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
