/**
 * The solve input indexed for speed: one global grid of shift slots (every gate shares the
 * plan's shift pattern), each gate's need per slot, and each person's availability per slot.
 * Everything downstream works on small integers, never on Dates.
 */
import type { PlanSpec } from '../domain/plan.js';
import type { AvailabilityWindow, Cadre, Gate } from '../domain/types.js';
import { mayServe } from '../domain/types.js';
import { addDays, localInstant, parseClock } from '../domain/time.js';
import { daysBetween, EdgeRule, edgesOf, localDayIndex, nightIndex, type SlotWindow } from './edges.js';
import type { SolveContext } from './types.js';

/** Availability of one person for one slot. */
export const Avail = { No: 0, Yes: 1, Preferred: 2 } as const;

/** Why a person may not work a slot at all (kept for gap explanations); 3-6: duty outside the solve (edges.ts). */
export const Unavail = { None: 0, Window: 1, NotNightOk: 2, ...EdgeRule } as const;

export interface Instance {
  plan: PlanSpec;
  shiftMs: number;
  slotCount: number;
  slotStart: number[];
  /** Night-day index (local date of the 00:00-06:00 it overlaps, days from start; may be -1 or `days`), or null. */
  slotNight: (number | null)[];
  /** 7-day block by the slot's local start date, counted from the week anchor (0 = the plan's first block). */
  slotWeek: number[];
  weeks: number;
  gates: Gate[];
  gateIndex: Map<string, number>;
  /** need[g * slotCount + s]: places at gate g in slot s. */
  need: Int32Array;
  people: Cadre[];
  personIndex: Map<string, number>;
  /** avail[p * slotCount + s]: Avail. */
  avail: Uint8Array;
  /** unavailReason[p * slotCount + s]: Unavail, when avail is No. */
  unavailReason: Uint8Array;
  eligibleGates: number[][];
  /** Per gate, the people who may serve it. */
  eligiblePeople: number[][];
  isLead: boolean[];
  /** weekCap[p * weeks + w]: slots person p may still work in block w (their cap less duty elsewhere). */
  weekCap: Int32Array;
  /** Slots in any 24 h window, and how many of them one person may work. */
  daySlots: number;
  dayCapSlots: number;
  /** Per person: 24 h windows that hold duty outside the solve and still leave room (edges.ts). */
  edgeWindows: Map<number, SlotWindow[]>;
  /** Per person: night-day indexes worked outside the solve. */
  fixedNights: Map<number, Set<number>>;
  /** Campaign to date (context.prior), per person: load in slots of this plan (hours / shift length), nights, offered hours per week block. */
  hasPrior: boolean;
  priorLoad: Float64Array;
  priorNights: Float64Array;
  priorOffered: Map<number, { week: number; hours: number }[]>;
  /** Two shifts of a person must be at least restSpan + 1 slots apart. */
  restSpan: number;
  maxNights: number;
}

const HOUR = 3_600_000;

/** Index the input; gates outside `plan.gateIds` are dropped, people keep input order. */
export function buildInstance(plan: PlanSpec, gatesIn: Gate[], cadres: Cadre[], availability: AvailabilityWindow[], context: SolveContext = {}): Instance {
  const tz = plan.timezone;
  const L = plan.shiftHours;
  const perDay = 24 / L;
  const slotCount = plan.days * perDay;
  const first = parseClock(plan.firstShiftStart) ?? 0;
  const slotStart: number[] = [];
  const slotNight: (number | null)[] = [];
  const slotWeek: number[] = [];
  // Weekly blocks run from the anchor (a campaign's start); the plan's first block is block 0.
  const anchor = context.weekAnchor ?? plan.start;
  const firstBlock = Math.floor(daysBetween(anchor, plan.start) / 7);
  const weekOf = (instant: number): number => Math.floor(localDayIndex(instant, anchor, tz) / 7) - firstBlock;
  for (let s = 0; s < slotCount; s++) {
    const minutes = first + s * L * 60;
    const date = addDays(plan.start, Math.floor(minutes / 1440));
    const start = localInstant(date, minutes % 1440, tz).getTime();
    slotStart.push(start);
    slotWeek.push(weekOf(start));
    slotNight.push(nightIndex(start, start + L * HOUR, plan.start, tz));
  }
  const weeks = Math.max(0, ...slotWeek) + 1;

  const wanted = plan.gateIds ? new Set(plan.gateIds) : null;
  const gates = gatesIn.filter((g) => (wanted ? wanted.has(g.id) : true));
  const need = new Int32Array(gates.length * slotCount);
  // Few distinct cover patterns exist (round the clock, day only...): compute each once.
  const patterns = new Map<string, [number, number][]>();
  gates.forEach((gate, g) => {
    const key = `${gate.coverFrom}|${gate.coverTo}|${gate.activeFrom}|${gate.activeTo}`;
    let windows = patterns.get(key);
    if (!windows) patterns.set(key, (windows = coverWindows(gate, plan, tz)));
    for (let s = 0; s < slotCount; s++) {
      const a = slotStart[s] as number;
      const b = a + L * HOUR;
      // A shift that overlaps the cover window at all is needed in full: a half-watched gate
      // is an open gate, and people stand whole shifts.
      if (windows.some(([from, to]) => a < to && b > from)) need[g * slotCount + s] = gate.staffPerShift;
    }
  });

  const personIndex = new Map(cadres.map((c, i) => [c.id, i] as const));
  const { rules } = plan;
  const dutyOf = new Map<number, NonNullable<SolveContext['fixedDuty']>>();
  for (const d of context.fixedDuty ?? []) {
    const p = personIndex.get(d.cadreId);
    if (p === undefined) continue;
    const list = dutyOf.get(p);
    if (list) list.push(d);
    else dutyOf.set(p, [d]);
  }
  const grid = {
    slotStart,
    shiftMs: L * HOUR,
    timezone: tz,
    minRestHours: rules.minRestHours,
    maxHoursPer24h: rules.maxHoursPer24h,
    maxConsecutiveNights: rules.maxConsecutiveNights,
    slotNight,
    nightOf: (a: number, b: number) => nightIndex(a, b, plan.start, tz),
    weekOf,
    weeks,
  };
  const edgeWindows = new Map<number, SlotWindow[]>();
  const fixedNights = new Map<number, Set<number>>();
  const weekCap = new Int32Array(cadres.length * weeks);
  cadres.forEach((c, p) => weekCap.fill(Math.floor((c.maxHoursWeek ?? rules.maxHoursPerWeek) / L + 1e-9), p * weeks, (p + 1) * weeks));
  const byPerson = new Map<number, AvailabilityWindow[]>();
  for (const w of availability) {
    const p = personIndex.get(w.cadreId);
    if (p === undefined) continue;
    const list = byPerson.get(p) ?? [];
    list.push(w);
    byPerson.set(p, list);
  }
  const avail = new Uint8Array(cadres.length * slotCount);
  const unavailReason = new Uint8Array(cadres.length * slotCount);
  cadres.forEach((c, p) => {
    const windows = byPerson.get(p) ?? [];
    const restricted = windows.some((w) => w.kind === 'available');
    const open = merge(windows.filter((w) => w.kind !== 'unavailable'));
    const preferred = merge(windows.filter((w) => w.kind === 'preferred'));
    const blocked = windows.filter((w) => w.kind === 'unavailable').map((w) => [w.start.getTime(), w.end.getTime()] as const);
    for (let s = 0; s < slotCount; s++) {
      const a = slotStart[s] as number;
      const b = a + L * HOUR;
      const i = p * slotCount + s;
      const free = (!restricted || inside(open, a, b)) && !blocked.some(([x, y]) => a < y && b > x);
      if (!free) unavailReason[i] = Unavail.Window;
      else if (!c.nightOk && slotNight[s] !== null) unavailReason[i] = Unavail.NotNightOk;
      else avail[i] = inside(preferred, a, b) ? Avail.Preferred : Avail.Yes;
    }
    const duty = dutyOf.get(p);
    if (!duty) return;
    const edges = edgesOf(duty, grid);
    for (const [s, rule] of edges.closed) {
      // Duty elsewhere explains a closed slot better than a window the person gave, except
      // that a slot they never offered stays "unavailable".
      if (avail[p * slotCount + s] === Avail.No && unavailReason[p * slotCount + s] === Unavail.Window) continue;
      avail[p * slotCount + s] = Avail.No;
      unavailReason[p * slotCount + s] = rule;
    }
    if (edges.windows.length > 0) edgeWindows.set(p, edges.windows);
    if (edges.nights.size > 0) fixedNights.set(p, edges.nights);
    for (const [w, hours] of edges.weekHours) weekCap[p * weeks + w] = Math.max(0, Math.floor(((c.maxHoursWeek ?? rules.maxHoursPerWeek) - hours) / L + 1e-9));
  });
  const prior = priorLoads(context, personIndex, cadres.length, L);

  // People of one village with the same `serves` reach the same gates: compute once per kind.
  const reachByKind = new Map<string, number[]>();
  const eligibleGates = cadres.map((c) => {
    const key = `${c.village}|${c.serves.join('|')}`;
    let reach = reachByKind.get(key);
    if (!reach) reachByKind.set(key, (reach = gates.flatMap((g, gi) => (mayServe(c, g) ? [gi] : []))));
    return reach;
  });
  const eligiblePeople: number[][] = gates.map(() => []);
  eligibleGates.forEach((list, p) => list.forEach((g) => eligiblePeople[g]?.push(p)));
  return {
    plan,
    shiftMs: L * HOUR,
    slotCount,
    slotStart,
    slotNight,
    slotWeek,
    weeks,
    gates,
    gateIndex: new Map(gates.map((g, i) => [g.id, i] as const)),
    need,
    people: cadres,
    personIndex,
    avail,
    unavailReason,
    eligibleGates,
    eligiblePeople,
    isLead: cadres.map((c) => c.role === 'village_cadre'),
    weekCap,
    daySlots: perDay,
    dayCapSlots: Math.floor(rules.maxHoursPer24h / L + 1e-9),
    edgeWindows,
    fixedNights,
    ...prior,
    // Shifts s < t of one person need (t - s - 1) * L >= minRest.
    restSpan: Math.ceil(rules.minRestHours / L - 1e-9),
    maxNights: rules.maxConsecutiveNights,
  };
}

/** context.prior in this plan's units: hours worked become slots of its shift length. */
function priorLoads(
  context: SolveContext,
  personIndex: Map<string, number>,
  people: number,
  shiftHours: number,
): Pick<Instance, 'hasPrior' | 'priorLoad' | 'priorNights' | 'priorOffered'> {
  const priorLoad = new Float64Array(people);
  const priorNights = new Float64Array(people);
  const priorOffered = new Map<number, { week: number; hours: number }[]>();
  for (const prior of context.prior ?? []) {
    const p = personIndex.get(prior.cadreId);
    if (p === undefined) continue;
    priorLoad[p] = prior.hours / shiftHours;
    priorNights[p] = prior.nights;
    if (prior.offeredByWeek.length > 0) priorOffered.set(p, prior.offeredByWeek);
  }
  return { hasPrior: context.prior !== undefined, priorLoad, priorNights, priorOffered };
}

/** Slots person p may work in weekly block w. */
export function weekCapOf(inst: Instance, p: number, w: number): number {
  return inst.weekCap[p * inst.weeks + w] ?? 0;
}

/** Absolute cover intervals of a gate around the plan: one per active local date. */
function coverWindows(gate: Gate, plan: PlanSpec, tz: string): [number, number][] {
  const from = parseClock(gate.coverFrom) ?? 0;
  const to = parseClock(gate.coverTo) ?? 1440;
  const out: [number, number][] = [];
  for (let d = -1; d <= plan.days; d++) {
    const date = addDays(plan.start, d);
    if (gate.activeFrom !== null && date < gate.activeFrom) continue;
    if (gate.activeTo !== null && date > gate.activeTo) continue;
    const end = to > from ? localInstant(date, to, tz) : localInstant(addDays(date, 1), to, tz);
    out.push([localInstant(date, from, tz).getTime(), end.getTime()]);
  }
  return out;
}

function merge(windows: AvailabilityWindow[]): [number, number][] {
  const spans = windows.map((w) => [w.start.getTime(), w.end.getTime()] as [number, number]).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const span of spans) {
    const last = out[out.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else out.push(span);
  }
  return out;
}

function inside(spans: [number, number][], a: number, b: number): boolean {
  return spans.some(([x, y]) => x <= a && b <= y);
}
