/**
 * Stages `towns` and `district`: the people who span villages, coordinated with the villages
 * they can help, one level at a time.
 *
 * Every person has a scope: one village (stage `villages`), one town (people who may serve
 * several villages of one town), or the district (people whose gates lie in several towns).
 * For a town, the most it can fill without district-wide people is at most
 *   sum of its villages' maxima + max-flow of its town-scope people into the villages'
 *   shortfalls (need - maximum),
 * since in any roster a village holds at most its own maximum from its own people plus what
 * others bring, and never more than its need. A town whose construction reaches this bound is
 * done; a town below it is re-solved exactly: its town-scope people together with the own
 * people of its villages that still have open places (villages filled by their own people are
 * left as they are: nobody could add anything there). That MILP's optimum, plus the full
 * villages, is the town's proven maximum. The district level repeats the argument with towns
 * in place of villages and district-wide people in place of town people.
 */
import type { Block } from '../block.js';
import { flowBound } from '../flow-bound.js';
import { augment, greedyFill } from '../greedy.js';
import { resolveWithMilp } from '../milp-stage.js';
import type { StageContext } from './context.js';
import { boxed, filledAt, neededAt } from './context.js';
import { TaskLimiter } from './limiter.js';
import { spannerBound } from './spanner-bound.js';

/** Seconds one town's coordination MILP may take. */
const TOWN_BOX_SECONDS = 8;
/** Seconds for the district-wide people's bound with every rule (a small model: few people span towns). */
const SPANNER_BOX_SECONDS = 2;
/** Larger coordination models (people x slots) are not built: their MILPs do not finish in a box. */
const TOWN_MODEL_LIMIT = 12_000;

export interface TownsOutcome {
  /** Proven maximum per town without district-wide people (or its bound when not proven). */
  townMax: Map<string, number>;
  /** Towns below their bound after construction, and how many of those the MILP proved. */
  resolved: number;
  proved: number;
}

export function scopes(ctx: StageContext, spanners: readonly number[]): { byTown: Map<string, number[]>; district: number[] } {
  const { inst } = ctx;
  const byTown = new Map<string, number[]>();
  const district: number[] = [];
  for (const p of spanners) {
    const towns = new Set((inst.eligibleGates[p] ?? []).map((g) => inst.gates[g]?.town ?? ''));
    if (towns.size === 1) {
      const t = [...towns][0] as string;
      byTown.set(t, [...(byTown.get(t) ?? []), p]);
    } else district.push(p);
  }
  return { byTown, district };
}

/**
 * `villageLeadBound`: each village's lower bound on lead shortfalls valid for any roster, or
 * null when people from outside the villages can lead (then no such sum holds).
 */
export async function townsStage(
  ctx: StageContext,
  blocks: Block[],
  villageMax: ReadonlyMap<string, number>,
  villageLeadBound: ReadonlyMap<string, number> | null,
  byTown: ReadonlyMap<string, number[]>,
  progress: (f: number) => void,
): Promise<TownsOutcome> {
  const { inst, state, engine } = ctx;
  const townOf = (b: Block): string => inst.gates[b.gates[0] as number]?.town ?? '';
  const towns = [...new Set(blocks.map(townOf))];
  const out: TownsOutcome = { townMax: new Map(), resolved: 0, proved: 0 };
  const localsOf = new Map(blocks.map((b) => [b.name, new Set(b.people)] as const));
  // Towns share nobody, so their engine work runs in parallel; the largest first, so the
  // longest one does not start last.
  const tasks: { size: number; run: () => Promise<void> }[] = [];
  for (const [i, town] of towns.entries()) {
    progress(i / towns.length);
    const villages = blocks.filter((b) => townOf(b) === town);
    const gates = villages.flatMap((b) => b.gates);
    const sumMax = villages.reduce((n, b) => n + (villageMax.get(b.name) ?? 0), 0);
    const people = byTown.get(town) ?? [];
    if (people.length === 0) {
      out.townMax.set(town, sumMax);
      continue;
    }
    const mine = new Set(people);
    const spanOf = new Map(gates.map((g) => [g, (inst.eligiblePeople[g] ?? []).filter((p) => mine.has(p))] as const));
    greedyFill(state, gates, (g) => spanOf.get(g) ?? []);
    // Chains may hand a village person's shift to a town person and fill a place with the
    // village person instead.
    const villageOfGate = new Map(villages.flatMap((b) => b.gates.map((g) => [g, b.name] as const)));
    const chainOf = new Map(
      gates.map((g) => [g, [...(inst.eligiblePeople[g] ?? []).filter((p) => mine.has(p) || localsOf.get(villageOfGate.get(g) ?? '')?.has(p))]] as const),
    );
    const candidates = (g: number): readonly number[] => chainOf.get(g) ?? [];
    augment(state, gates, candidates, 1, 3, ctx.deadlineAt);
    const villageCap = new Map(villages.map((b) => [b.name, Math.max(0, neededAt(ctx, b.gates) - (villageMax.get(b.name) ?? 0))] as const));
    const bound = sumMax + flowBound(inst, people, gates, { villageCap });
    // Places held by the town's own people (village and town scope): what the bound is about.
    const ownFill = (b: Block): number => state.placesHeld(b.people);
    const townFill = (): number => villages.reduce((n, b) => n + ownFill(b), 0) + state.placesHeld(people);
    if (townFill() >= bound || ctx.expired()) {
      out.townMax.set(town, bound);
      continue;
    }
    out.resolved++;
    // Villages their own people cannot fill alone: the only places the town can still move.
    const open = villages.filter((b) => ownFill(b) < neededAt(ctx, b.gates));
    const openGates = open.flatMap((b) => b.gates);
    const group = [...people, ...open.flatMap((b) => b.people)];
    if (group.length * inst.slotCount > TOWN_MODEL_LIMIT) {
      ctx.notes.push(
        `${town}: coordination model of ${group.length} people not built (limit ${Math.floor(TOWN_MODEL_LIMIT / inst.slotCount)}); gap to its bound reported`,
      );
      out.townMax.set(town, bound);
      continue;
    }
    const fixed = filledAt(ctx, gates) - open.reduce((n, b) => n + ownFill(b), 0) - state.placesHeld(people);
    tasks.push({
      size: group.length,
      run: async () => {
        // Leads already at the villages' own bounds need no town leads MILP (seconds on big towns).
        const leadFloor = villageLeadBound ? open.reduce((n, b) => n + (villageLeadBound.get(b.name) ?? 0), 0) : 0;
        // A village's own people fill at most its maximum in any roster: rows that cut the LP
        // points where they fill fractionally more (the full MILP of night-heavy seed 3's
        // hardest town took 1.7 s with them, 3.2 s without).
        const peopleCaps = open.map((b) => ({ label: `villageMax:${b.name}`, people: b.people, cap: villageMax.get(b.name) ?? Infinity }));
        const r = await resolveWithMilp(inst, state, group, openGates, engine, {
          until: boxed(ctx, TOWN_BOX_SECONDS),
          name: town,
          coverageCap: bound - fixed,
          certify: true,
          leadFloor,
          peopleCaps,
        });
        if (r.refused) ctx.notes.push(r.refused);
        if (r.proven !== null) out.proved++;
        out.townMax.set(town, r.proven !== null ? fixed + r.proven : bound);
      },
    });
  }
  const limiter = new TaskLimiter(engine.parallelism ?? 1);
  for (const task of tasks.sort((a, b) => b.size - a.size)) await limiter.submit(task.run);
  await limiter.drain();
  return out;
}

/**
 * The district level: district-wide people into what towns left open; returns the bound.
 * Which places a town leaves open decides what the district-wide people can fill, so while
 * the roster is below the bound each town with open places is re-solved together with them:
 * the district-wide people who may serve it, its town people and the own people of its open
 * villages, over those villages' gates and every gate any of them stands now (so nobody's
 * place elsewhere is lost). If it is still below, one last model spans towns (see the
 * chains round below).
 */
export async function districtStage(
  ctx: StageContext,
  blocks: readonly Block[],
  townMax: ReadonlyMap<string, number>,
  byTown: ReadonlyMap<string, number[]>,
  district: readonly number[],
): Promise<number> {
  const { inst, state } = ctx;
  const allGates = inst.gates.map((_, g) => g);
  const sumMax = [...townMax.values()].reduce((a, b) => a + b, 0);
  if (district.length === 0) return sumMax;
  const mine = new Set(district);
  const spanOf = allGates.map((g) => (inst.eligiblePeople[g] ?? []).filter((p) => mine.has(p)));
  greedyFill(state, allGates, (g) => spanOf[g] ?? []);
  augment(state, allGates, (g) => inst.eligiblePeople[g] ?? [], 1, 3, ctx.deadlineAt);
  const townNeed = new Map<string, number>();
  inst.gates.forEach((gate, g) => townNeed.set(gate.town, (townNeed.get(gate.town) ?? 0) + neededAt(ctx, [g])));
  const cap = new Map([...townNeed].map(([t, n]) => [t, Math.max(0, n - (townMax.get(t) ?? 0))] as const));
  const townOf = (g: number): string => inst.gates[g]?.town ?? '';
  let bound = sumMax + flowBound(inst, district, allGates, { groupCap: { of: townOf, cap } });
  if (state.placesHeld() < bound && !ctx.expired()) {
    // The same bound with the rest and night rules: often exactly what is left open.
    const added = await spannerBound(inst, district, { of: townOf, shortfall: cap }, ctx.engine, boxed(ctx, SPANNER_BOX_SECONDS));
    if (added !== null) bound = Math.min(bound, sumMax + added);
  }
  if (state.placesHeld() < bound && !ctx.expired()) {
    // District-wide people alone, everyone else fixed: cheap, and often enough.
    const r = await resolveWithMilp(inst, state, district, allGates, ctx.engine, { until: boxed(ctx, TOWN_BOX_SECONDS), name: 'district-wide people' });
    if (r.refused) ctx.notes.push(r.refused);
  }
  const S = inst.slotCount;
  const openAt = (gates: readonly number[]): boolean =>
    gates.some((g) => {
      for (let s = 0; s < S; s++) if (state.open(g, s) > 0) return true;
      return false;
    });
  const villageOf = (g: number): string => inst.gates[g]?.village ?? '';
  const standsAt = (people: readonly number[]): number[] => people.flatMap((p) => state.slotsOf(p).map((s) => (state.gateAt[p * S + s] ?? 0) - 1));
  // Re-solves `people` over the open villages' gates and every gate they stand now (so
  // nobody's place elsewhere is lost). Only the LP rounding and the neighbourhood: no proof is
  // to be had here (the bound is the district's), and the full model mostly ran its whole
  // time box for nothing.
  const coordinate = async (name: string, people: number[], openGates: readonly number[]): Promise<void> => {
    if (people.length * S > TOWN_MODEL_LIMIT) {
      ctx.notes.push(`${name}: district coordination model of ${people.length} people not built (limit ${Math.floor(TOWN_MODEL_LIMIT / S)})`);
      return;
    }
    const gates = [...new Set([...openGates, ...standsAt(people)])];
    const r = await resolveWithMilp(inst, state, people, gates, ctx.engine, {
      until: boxed(ctx, TOWN_BOX_SECONDS),
      name,
      certify: true,
      noFullModel: ['coverage', 'lead'],
    });
    if (r.refused) ctx.notes.push(r.refused);
  };
  for (const town of [...townNeed.keys()]) {
    if (state.placesHeld() >= bound || ctx.expired()) break;
    const open = blocks.filter((b) => inst.gates[b.gates[0] as number]?.town === town && openAt(b.gates));
    const openGates = open.flatMap((b) => b.gates);
    const helpers = [...new Set(openGates.flatMap((g) => spanOf[g] ?? []))];
    if (helpers.length === 0) continue;
    await coordinate(`${town} with district-wide people`, [...helpers, ...(byTown.get(town) ?? []), ...open.flatMap((b) => b.people)], openGates);
  }
  if (state.placesHeld() < bound && !ctx.expired()) {
    // Chains across towns: a district-wide person leaves a place in one village to its own
    // people and fills an open place in another town. One model of everyone such a chain can
    // involve: the district-wide people, the town people and own people of every open
    // village, and the own people of every village where one of those stands now.
    const open = blocks.filter((b) => openAt(b.gates));
    const towns = new Set(open.map((b) => townOf(b.gates[0] as number)));
    const movers = [...new Set([...district, ...[...towns].flatMap((t) => byTown.get(t) ?? []), ...open.flatMap((b) => b.people)])];
    const touched = new Set(standsAt(movers).map(villageOf));
    const takers = blocks.filter((b) => !open.includes(b) && touched.has(villageOf(b.gates[0] as number))).flatMap((b) => b.people);
    await coordinate(
      'district-wide chains',
      [...movers, ...takers],
      open.flatMap((b) => b.gates),
    );
  }
  return bound;
}
