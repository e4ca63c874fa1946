/**
 * The exact answer a re-plan should reach, for small instances: the most places that can be
 * filled on the new input, then, among rosters filling that many, the most previous
 * assignments (same person, gate and shift) of the given people kept. Two HiGHS solves of
 * the whole plan as one model; the "kept" rows are written here, not taken from the solver.
 */
import type { Assignment } from '../../../src/domain/roster.js';
import { groupsOf, wholeBlock } from '../../../src/solver/block.js';
import { highsEngine } from '../../../src/solver/engines/highs.js';
import { buildInstance } from '../../../src/solver/instance.js';
import type { LpModel } from '../../../src/solver/model.js';
import { buildBlockModel } from '../../../src/solver/rules.js';
import type { SolveInput } from '../../../src/solver/index.js';

export async function exactReplan(inp: SolveInput, keepOf: Assignment[]): Promise<{ coverage: number; kept: number }> {
  const inst = buildInstance(inp.plan, inp.gates, inp.cadres, inp.availability);
  const S = inst.slotCount;
  const block = wholeBlock(inst);
  const m = buildBlockModel(inst, block, groupsOf(inst, block));
  const G = block.gates.length;
  const groupOf = new Map<number, number>();
  m.groups.forEach((group, k) => group.people.forEach((p) => groupOf.set(p, k)));
  // People of group k previously at gate g in slot s: kept(k, g, s) <= z(k, g, s) and <= their y's.
  const prevAt = new Map<number, number[]>();
  for (const a of keepOf) {
    const p = inst.personIndex.get(a.cadreId);
    const g = inst.gateIndex.get(a.gateId);
    const s = inst.slotStart.indexOf(a.start.getTime());
    if (p === undefined || g === undefined || s < 0) continue;
    const y = m.y.get(p * S + s);
    if (y === undefined) continue;
    const key = ((groupOf.get(p) as number) * G + g) * S + s;
    prevAt.set(key, [...(prevAt.get(key) ?? []), y]);
  }
  const b = m.builder;
  const keptVars: number[] = [];
  for (const [key, ys] of prevAt) {
    const z = m.z.get(key);
    if (z === undefined) continue;
    const kept = b.addVar(0, ys.length, false);
    keptVars.push(kept);
    b.addRow(`kept<=z:${key}`, [kept, z], [1, -1], -Infinity, 0);
    b.addRow(`kept<=y:${key}`, [kept, ...ys], [1, ...ys.map(() => -1)], -Infinity, 0);
  }
  const zs = [...m.z.values()];
  const withCosts = (vars: number[]): LpModel => {
    const set = new Set(vars);
    return { ...b.model, variables: b.model.variables.map((v, i) => ({ ...v, cost: set.has(i) ? 1 : 0 })) };
  };
  const first = await highsEngine.solve(withCosts(zs), { timeLimitSec: 30 });
  if (first.status !== 'optimal') throw new Error(`coverage MILP: ${first.status}`);
  const coverage = Math.round(first.objective);
  b.addRow(
    'coverage',
    zs,
    zs.map(() => 1),
    coverage - 0.5,
    Infinity,
  );
  const second = await highsEngine.solve(withCosts(keptVars), { timeLimitSec: 30 });
  if (second.status !== 'optimal') throw new Error(`stability MILP: ${second.status}`);
  return { coverage, kept: Math.round(second.objective) };
}
