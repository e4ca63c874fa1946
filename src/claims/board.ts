/**
 * One plan's live roster as a board of open places, with the rules loaded: who could take
 * which open place right now without breaking a rule of the plan, duty in the other plans
 * of the campaign included. The solver's own structures answer the question (the same
 * instance and rule checks a solve uses, src/solver/roster-state.ts), so a claim is held to
 * exactly the rules a planner's solve is.
 *
 * The board is built from the published version, the directory as it stands and the other
 * published plans. What it is built from is read once per (plan version, feed generation,
 * directory revision) and shared: listings share one board of it, and the claims round that
 * decides assembles a board of its own (its own state, to place claims on) from the same.
 */
import { directoryState } from '../directory/write-protocol.js';
import type { Models } from '../db/models.js';
import { perDatabase } from '../db/per-database.js';
import type { PlanSpec } from '../domain/plan.js';
import type { Gap } from '../domain/roster.js';
import { mayServe, type AvailabilityWindow, type Cadre, type Gate } from '../domain/types.js';
import type { SolveContext } from '../solver/index.js';
import { liveState } from '../roster/live-state.js';
import { getPlan } from '../roster/plans.js';
import { publishedRosterAt, type PublishedRoster } from '../roster/publish.js';
import { solveSurroundings } from '../roster/solve-context.js';
import { currentSnapshot } from '../roster/snapshot.js';
import { buildInstance, Unavail, type Instance } from '../solver/instance.js';
import { RosterState, type RuleName } from '../solver/roster-state.js';
import { refusal, type ClaimRefusal, type ClaimRefusalCode } from './refusals.js';

export interface ClaimBoard {
  planId: string;
  planName: string;
  spec: PlanSpec;
  roster: PublishedRoster;
  /** The feed generation and directory revision it was built at (its cache key, with the version). */
  key: string;
  inst: Instance;
  state: RosterState;
  slotOf: Map<number, number>;
  /** People as the directory has them now (roles and villages decide eligibility and holds). */
  people: Map<string, Omit<Cadre, 'phone'>>;
}

/** One open place of a board: a gap's seat. */
export interface OpenPlace {
  gap: Gap;
  g: number;
  s: number;
  /** Seats number the places of a gate-shift 1..needed; the open ones follow the filled. */
  seat: number;
}

const RULE_CODE: Record<RuleName, ClaimRefusalCode> = {
  availability: 'availability',
  busy: 'busy',
  minRest: 'min_rest',
  maxHoursPer24h: 'max_hours_24h',
  weeklyHours: 'weekly_hours',
  consecutiveNights: 'consecutive_nights',
};

const boards = new Map<string, Promise<ClaimBoard | null>>();
const inputs = new Map<string, Promise<BoardInput | null>>();
const keysInFlightOf = perDatabase(() => new Map<string, Promise<string | null>>());

/** The board of a plan's live version, shared between readers until anything it reads moves. */
export async function cachedBoard(models: Models, planId: string): Promise<ClaimBoard | null> {
  const key = await boardKey(models, planId);
  if (key === null) return null;
  return shared(boards, planId, key, async () => {
    const input = await boardInput(models, planId, key);
    return input && assembleBoard(input);
  });
}

/**
 * A fresh board of the plan's live version (null before its first publish): its own state,
 * to place claims on, from what was read for the current key (read again when the plan's
 * rules changed since).
 */
export async function buildBoard(models: Models, planId: string, focus?: BoardFocus): Promise<ClaimBoard | null> {
  const [key, plan] = await Promise.all([boardKey(models, planId), getPlan(models, planId)]);
  if (key === null) return null;
  let input = await boardInput(models, planId, key);
  if (input && (input.planName !== plan.name || JSON.stringify(input.spec) !== JSON.stringify(plan.spec))) input = await readBoardInput(models, planId, key);
  return input && assembleBoard({ ...input, ...(focus ? { focus } : {}) });
}

/** What boards of the plan are built from at `key`, read once for every board of it. */
function boardInput(models: Models, planId: string, key: string): Promise<BoardInput | null> {
  return shared(inputs, planId, key, () => readBoardInput(models, planId, key));
}

async function readBoardInput(models: Models, planId: string, key: string): Promise<BoardInput | null> {
  // Read after the key, so what is read is at least as new as the key says.
  const live = await liveState(models);
  const roster = await publishedRosterAt(models, planId, live.versions[planId] ?? null);
  if (!roster) return null;
  const plan = await getPlan(models, planId);
  const [snapshot, { context }] = await Promise.all([currentSnapshot(models, revisionOf(key)), solveSurroundings(models, plan)]);
  return { planName: plan.name, spec: plan.spec, roster, key, cadres: snapshot.cadres, availability: snapshot.availability, context };
}

/** One value per plan at a time: the one of the current key, computed once (a failure is not kept). */
function shared<T>(cache: Map<string, Promise<T>>, planId: string, key: string, compute: () => Promise<T>): Promise<T> {
  const id = `${planId}@${key}`;
  const hit = cache.get(id);
  if (hit) return hit;
  for (const k of cache.keys()) if (k.startsWith(`${planId}@`)) cache.delete(k);
  const value = compute().catch((error: unknown) => {
    cache.delete(id);
    throw error;
  });
  cache.set(id, value);
  return value;
}

/**
 * What a board of the plan depends on: its live version, the feed generation (every publish,
 * so duty in other plans) and the directory revision. Concurrent callers share one read (a
 * claim race asks hundreds of times at once); a key a moment old only means a claim is
 * checked again by its round, which reads its own.
 */
function boardKey(models: Models, planId: string): Promise<string | null> {
  const perPlan = keysInFlightOf(models);
  const inFlight = perPlan.get(planId);
  if (inFlight) return inFlight;
  const read = (async () => {
    const [live, directory] = await Promise.all([liveState(models), directoryState(models)]);
    const version = live.versions[planId];
    return version === undefined ? null : `v${version}:g${live.gen}:r${directory.revision}`;
  })().finally(() => perPlan.delete(planId));
  perPlan.set(planId, read);
  return read;
}

/** The directory revision a board key names (its last part, see boardKey). */
function revisionOf(key: string): string {
  return key.slice(key.indexOf(':r') + 2);
}

/**
 * Who and where a board must answer for: the people claiming and the gates claimed. A
 * focused board holds only them, the people on duty at those gates, the village cadres who
 * could lead them, and the gates these people work; it answers for its focus only (a claim
 * at district scale then builds in milliseconds instead of seconds).
 */
export interface BoardFocus {
  cadreIds: readonly string[];
  gateIds: readonly string[];
}

export interface BoardInput {
  planName: string;
  spec: PlanSpec;
  roster: PublishedRoster;
  key: string;
  /** The directory's people and availability as they stand now. */
  cadres: Cadre[];
  availability: AvailabilityWindow[];
  /** Duty elsewhere and the campaign to date, as a solve of the plan would see them. */
  context: SolveContext;
  focus?: BoardFocus;
}

/** The board itself, from what was read (pure: the rule tests build it by hand). */
export function assembleBoard(input: BoardInput): ClaimBoard {
  const { roster } = input;
  const current = new Map(input.cadres.map(({ phone: _phone, ...c }) => [c.id, c] as const));
  // People who left the directory still hold their published shifts: they stay on the board
  // (their duty counts for the rules) but may not claim.
  const everyone = [...current.values(), ...roster.cadres.filter((c) => !current.has(c.id))].map((c) => ({ ...c, phone: null }));
  const { gates, cadres, availability, context } = input.focus
    ? focused(input, everyone)
    : { gates: roster.gates, cadres: everyone, availability: input.availability, context: input.context };
  const inst = buildInstance(input.spec, gates, cadres, availability, context);
  const state = new RosterState(inst);
  const slotOf = new Map(inst.slotStart.map((t, s) => [t, s] as const));
  // Every published shift stands as published: the board adds to the roster, never judges it.
  for (const a of roster.assignments) {
    const p = inst.personIndex.get(a.cadreId);
    const g = inst.gateIndex.get(a.gateId);
    const s = slotOf.get(new Date(a.start).getTime());
    if (p === undefined || g === undefined || s === undefined || state.works(p, s)) continue;
    state.place(p, g, s);
  }
  return { planId: roster.planId, planName: input.planName, spec: input.spec, roster, key: input.key, inst, state, slotOf, people: current };
}

/** The part of the input a focused board needs (see BoardFocus). */
function focused(input: BoardInput, everyone: Cadre[]): Pick<BoardInput, 'availability' | 'context'> & { gates: Gate[]; cadres: Cadre[] } {
  const focus = input.focus as BoardFocus;
  const claimed = input.roster.gates.filter((g) => focus.gateIds.includes(g.id));
  const claimedIds = new Set(claimed.map((g) => g.id));
  const people = new Set(focus.cadreIds);
  for (const a of input.roster.assignments) if (claimedIds.has(a.gateId)) people.add(a.cadreId);
  for (const c of everyone) if (c.role === 'village_cadre' && claimed.some((g) => g.leadRequired && mayServe(c, g))) people.add(c.id);
  const gateIds = new Set(claimedIds);
  for (const a of input.roster.assignments) if (people.has(a.cadreId)) gateIds.add(a.gateId);
  const { context } = input;
  return {
    gates: input.roster.gates.filter((g) => gateIds.has(g.id)),
    cadres: everyone.filter((c) => people.has(c.id)),
    availability: input.availability.filter((w) => people.has(w.cadreId)),
    context: {
      ...context,
      ...(context.fixedDuty ? { fixedDuty: context.fixedDuty.filter((d) => people.has(d.cadreId)) } : {}),
      ...(context.prior ? { prior: context.prior.filter((p) => people.has(p.cadreId)) } : {}),
    },
  };
}

/** Open places of the board whose shift starts in [from, until). */
export function openPlaces(board: ClaimBoard, from: number, until: number): OpenPlace[] {
  const out: OpenPlace[] = [];
  for (const gap of board.roster.gaps) {
    const start = new Date(gap.start).getTime();
    if (start < from || start >= until || gap.reason === 'no_show') continue;
    const g = board.inst.gateIndex.get(gap.gateId);
    const s = board.slotOf.get(start);
    if (g === undefined || s === undefined) continue;
    const open = board.state.open(g, s);
    const filled = (board.inst.need[g * board.inst.slotCount + s] ?? 0) - open;
    for (let k = 1; k <= open; k++) out.push({ gap, g, s, seat: filled + k });
  }
  return out;
}

/** Why this person may not take a place at gate g in slot s now, or null if they may. */
export function whyNot(board: ClaimBoard, cadreId: string, g: number, s: number): ClaimRefusal | null {
  const { inst, state } = board;
  const p = inst.personIndex.get(cadreId);
  if (p === undefined || !board.people.has(cadreId)) return refusal('unknown_person');
  if (state.open(g, s) <= 0) return refusal('taken');
  return ruleRefusal(board, p, g, s) ?? (leadKeptFor(board, p, g, s) ? refusal('lead') : null);
}

/** The rule of the plan that refuses gate g in slot s to person p (locality, availability, rest, caps), or null. */
export function ruleRefusal(board: ClaimBoard, p: number, g: number, s: number): ClaimRefusal | null {
  const { inst, state } = board;
  if (!(inst.eligibleGates[p] ?? []).includes(g)) return refusal('locality');
  const rule = state.refusal(p, s);
  if (rule === 'availability') {
    const why = inst.unavailReason[p * inst.slotCount + s] ?? Unavail.Window;
    return refusal(why === Unavail.NotNightOk ? 'night' : why >= Unavail.Busy ? 'other_plan' : 'availability');
  }
  return rule === null ? null : refusal(RULE_CODE[rule]);
}

/**
 * A gate that needs a village cadre and has none: its last open place goes to a village
 * cadre while one could take it. The solver covers first and leads second, so when no
 * village cadre can, anyone eligible may fill it.
 */
function leadKeptFor(board: ClaimBoard, p: number, g: number, s: number): boolean {
  const { inst, state } = board;
  if (!inst.gates[g]?.leadRequired || inst.isLead[p] || state.open(g, s) !== 1) return false;
  if ((state.leads[g * inst.slotCount + s] ?? 0) > 0) return false;
  return (inst.eligiblePeople[g] ?? []).some((q) => inst.isLead[q] && board.people.has(inst.people[q]?.id ?? '') && state.refusal(q, s) === null);
}
