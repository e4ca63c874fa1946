/**
 * Solve one block lexicographically and turn the aggregated answer back into who stands
 * which gate.
 */
import type { Block } from './block.js';
import { groupsOf } from './block.js';
import type { Instance } from './instance.js';
import type { LpEngine, LpModel, LpSolution } from './model.js';
import type { Costs } from './objectives.js';
import { coverageObjective, fairnessTerms, leadObjective, placesObjective, stabilityTerms } from './objectives.js';
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
  status: 'optimal' | 'timeout';
  solves: number;
}

export interface BlockSolveOptions {
  deadlineAt: number;
  fairness: 'equal' | 'proportional';
  /** Skip fairness (the coverage-only model, used as an independent check; a re-plan block still gets its stability and lead stages). */
  coverageOnly?: boolean;
}

export async function solveBlock(inst: Instance, block: Block, engine: LpEngine, opts: BlockSolveOptions): Promise<BlockSolution> {
  const groups = groupsOf(inst, block);
  const m = buildBlockModel(inst, block, groups);
  // A re-plan (block.previous set): places, then previous assignments kept, then leads;
  // otherwise places with leads as a tie-break. Fairness last unless coverage only.
  const stages: { name: string; costs: Costs }[] = block.previous
    ? [
        { name: 'coverage', costs: placesObjective(m) },
        { name: 'stability', costs: stabilityTerms(inst, block, m).costs },
        ...(m.leadShort.size > 0 ? [{ name: 'lead', costs: leadObjective(m) }] : []),
      ]
    : [{ name: 'coverage', costs: coverageObjective(m) }];
  if (!opts.coverageOnly) stages.push({ name: 'fairness', costs: fairnessTerms(inst, block, m, opts.fairness) });
  const model = m.builder.model;
  let best: Float64Array | null = null;
  let status: BlockSolution['status'] = 'optimal';
  let provenCoverage: number | null = null;
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
    if (i === 0) provenCoverage = countZ(m.z, solution);
    if (i < stages.length - 1) fixStage(model, stage.costs, solution, stage.name);
  }
  const placements = best ? disaggregate(inst, block, groups, m, best) : [];
  return { placements, filled: placements.length, provenCoverage, status, solves };
}

function countZ(z: Map<number, number>, solution: LpSolution): number {
  let n = 0;
  for (const v of z.values()) n += Math.round(solution.values[v] ?? 0);
  return n;
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
