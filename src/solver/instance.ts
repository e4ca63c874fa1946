/**
 * The solve input indexed for speed: one global grid of shift slots (every gate shares the
 * plan's shift pattern), each gate's need per slot, and each person's availability per slot.
 * Everything downstream works on small integers, never on Dates.
 */
import type { PlanSpec } from '../domain/plan.js';
import type { AvailabilityWindow, Cadre, Gate } from '../domain/types.js';
import { mayServe } from '../domain/types.js';
import { addDays, localDate, localInstant, parseClock } from '../domain/time.js';

/** Availability of one person for one slot. */
export const Avail = { No: 0, Yes: 1, Preferred: 2 } as const;

/** Why a person may not work a slot at all (kept for gap explanations). */
export const Unavail = { None: 0, Window: 1, NotNightOk: 2 } as const;

export interface Instance {
  plan: PlanSpec;
  shiftMs: number;
  slotCount: number;
  slotStart: number[];
  /** Night-day index (local date of the 00:00-06:00 it overlaps, days from start; may be -1 or `days`), or null. */
  slotNight: (number | null)[];
  /** 7-day block from the plan start, by the slot's local start date. */
  slotWeek: number[];
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
  /** Weekly cap per person, in slots. */
  weekCapSlots: number[];
  /** Slots in any 24 h window, and how many of them one person may work. */
  daySlots: number;
  dayCapSlots: number;
  /** Two shifts of a person must be at least restSpan + 1 slots apart. */
  restSpan: number;
  maxNights: number;
}

const HOUR = 3_600_000;

/** Index the input; gates outside `plan.gateIds` are dropped, people keep input order. */
export function buildInstance(plan: PlanSpec, gatesIn: Gate[], cadres: Cadre[], availability: AvailabilityWindow[]): Instance {
  const tz = plan.timezone;
  const L = plan.shiftHours;
  const perDay = 24 / L;
  const slotCount = plan.days * perDay;
  const first = parseClock(plan.firstShiftStart) ?? 0;
  const slotStart: number[] = [];
  const slotNight: (number | null)[] = [];
  const slotWeek: number[] = [];
  const startDay = Date.UTC(...ymd(plan.start));
  const dayIndex = (date: string): number => Math.round((Date.UTC(...ymd(date)) - startDay) / 86_400_000);
  for (let s = 0; s < slotCount; s++) {
    const minutes = first + s * L * 60;
    const date = addDays(plan.start, Math.floor(minutes / 1440));
    const start = localInstant(date, minutes % 1440, tz).getTime();
    slotStart.push(start);
    slotWeek.push(Math.floor(dayIndex(localDate(new Date(start), tz)) / 7));
    slotNight.push(nightOf(start, start + L * HOUR, tz, dayIndex));
  }

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
  });

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
  const { rules } = plan;
  return {
    plan,
    shiftMs: L * HOUR,
    slotCount,
    slotStart,
    slotNight,
    slotWeek,
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
    weekCapSlots: cadres.map((c) => Math.floor((c.maxHoursWeek ?? rules.maxHoursPerWeek) / L + 1e-9)),
    daySlots: perDay,
    dayCapSlots: Math.floor(rules.maxHoursPer24h / L + 1e-9),
    // Shifts s < t of one person need (t - s - 1) * L >= minRest.
    restSpan: Math.ceil(rules.minRestHours / L - 1e-9),
    maxNights: rules.maxConsecutiveNights,
  };
}

function ymd(date: string): [number, number, number] {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return [y, m - 1, d];
}

/** The night (00:00-06:00 local) a shift overlaps, as a day index, or null. */
function nightOf(a: number, b: number, tz: string, dayIndex: (date: string) => number): number | null {
  for (const date of new Set([localDate(new Date(a), tz), localDate(new Date(b - 1), tz)])) {
    const from = localInstant(date, 0, tz).getTime();
    const to = localInstant(date, 360, tz).getTime();
    if (a < to && b > from) return dayIndex(date);
  }
  return null;
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
