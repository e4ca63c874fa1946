/**
 * Which gates get a visit today. The K-day rule decides the must-visits; the rest are drawn
 * so that the interval between two visits of a gate is uniform over 1..K days: a gate last
 * seen d days ago is drawn with probability 1/(K-d+1) (1/3, then 1/2, then surely at K=3).
 * Uniform intervals are the least a gate can learn from its past: any guess of "when next"
 * hits 1 time in K. Gates are drawn a village at a time, so a squad that goes to a village
 * checks all its gates and the villages keep in step (fewer trips, same intervals per gate).
 */
import { shuffled, type RandomSource } from './random.js';
import type { VisitGate } from './visit-types.js';

/** A gate open today, with the windows it can be visited in and its days since the last visit. */
export interface GateToday {
  gate: VisitGate;
  slots: number[];
  daysSince: number;
}

/** The gates of one village chosen for today. */
export interface VillageDraw {
  village: string;
  town: string;
  gates: GateToday[];
  /** Some gate of the village is at the end of its K-day window. */
  due: boolean;
}

/** Probability of a visit today for a gate last visited `daysSince` days ago, under rule K. */
export function visitChance(daysSince: number, windowDays: number): number {
  if (daysSince >= windowDays) return 1;
  if (daysSince <= 0) return 0; // already visited today (a list asked for again)
  return 1 / (windowDays - daysSince + 1);
}

/**
 * Draws today's villages, town by town, each with its {@link visitChance}. Systematic sampling
 * over a fresh random order keeps every village's own chance exact while fixing how many
 * villages a town gets to the whole number below or above the expected count, so a town's
 * squads get a steady day's work instead of a busy day after a quiet one.
 * With `maxVisits`, drawn (not due) villages are kept most-overdue first until the cap; due
 * villages are always kept, the K-day rule outranks the cap.
 */
export function drawVillages(gates: readonly GateToday[], windowDays: number, random: RandomSource, maxVisits?: number): VillageDraw[] {
  const byVillage = new Map<string, GateToday[]>();
  for (const g of gates) byVillage.set(g.gate.village, [...(byVillage.get(g.gate.village) ?? []), g]);
  const byTown = new Map<string, Candidate[]>();
  for (const [village, members] of byVillage) {
    const daysSince = Math.max(...members.map((m) => m.daysSince));
    const town = members[0]!.gate.town;
    const draw: VillageDraw = { village, town, gates: members.filter((m) => m.daysSince > 0), due: daysSince >= windowDays };
    byTown.set(town, [...(byTown.get(town) ?? []), { draw, chance: visitChance(daysSince, windowDays), daysSince }]);
  }
  const chosen = [...byTown.values()].flatMap((villages) => systematicSample(villages, random));
  const due = chosen.filter((c) => c.draw.due).map((c) => c.draw);
  const drawn = chosen.filter((c) => !c.draw.due);
  if (maxVisits === undefined) return [...due, ...drawn.map((c) => c.draw)];

  let room = maxVisits - due.reduce((n, d) => n + d.gates.length, 0);
  const kept: VillageDraw[] = [];
  const mostOverdueFirst = shuffled(drawn, random).sort((a, b) => b.daysSince - a.daysSince);
  for (const { draw } of mostOverdueFirst) {
    if (draw.gates.length > room) continue;
    kept.push(draw);
    room -= draw.gates.length;
  }
  return [...due, ...kept];
}

interface Candidate {
  draw: VillageDraw;
  chance: number;
  daysSince: number;
}

/**
 * Each candidate is chosen with exactly its `chance` (0..1): lay the chances end to end in a
 * random order and take every candidate that one of the points u, u+1, u+2, ... falls in.
 */
export function systematicSample<T extends { chance: number }>(candidates: readonly T[], random: RandomSource): T[] {
  const u = random();
  const chosen: T[] = [];
  let reach = 0;
  for (const c of shuffled(candidates, random)) {
    const before = reach;
    reach += c.chance;
    // A point u + k lies in [before, reach) for some whole k.
    if (Math.floor(reach - u) > Math.floor(before - u) || c.chance >= 1) chosen.push(c);
  }
  return chosen;
}
