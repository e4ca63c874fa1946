/**
 * Small hand-made pieces for solver tests, a seeded random instance generator, and an
 * independent checker of every hard rule (written from the wording, with Dates, not
 * with the solver's indexed structures, so it cannot share the solver's mistakes).
 */
import { planSpecSchema, type PlanSpec, type PlanSpecInput } from '../../../src/domain/plan.js';
import type { Assignment } from '../../../src/domain/roster.js';
import { addDays, localDate, localInstant, parseClock } from '../../../src/domain/time.js';
import { mayServe, type AvailabilityWindow, type Cadre, type Gate } from '../../../src/domain/types.js';
import type { SolveInput } from '../../../src/solver/index.js';
import { mulberry32 } from '../../../scripts/lib/mulberry32.js';

export const TZ = 'Asia/Shanghai';
export const START = '2021-12-13';
const HOUR = 3_600_000;

export function plan(over: Partial<PlanSpecInput> = {}): PlanSpec {
  return planSpecSchema.parse({ start: START, days: 1, ...over });
}

export function gate(id: string, over: Partial<Gate> = {}): Gate {
  return {
    id,
    name: id,
    village: 'V1',
    town: 'T1',
    staffPerShift: 1,
    coverFrom: '00:00',
    coverTo: '24:00',
    activeFrom: null,
    activeTo: null,
    leadRequired: false,
    ...over,
  };
}

export function cadre(id: string, over: Partial<Cadre> = {}): Cadre {
  return { id, name: id, phone: null, role: 'village_cadre', village: 'V1', serves: [], maxHoursWeek: null, nightOk: true, ...over };
}

/** A window in local time: day offset from START, hours from..to (24 = midnight after). */
export function win(cadreId: string, kind: AvailabilityWindow['kind'], day: number, from: number, to: number): AvailabilityWindow {
  const date = addDays(START, day);
  return { cadreId, kind, start: localInstant(date, from * 60, TZ), end: localInstant(date, to * 60, TZ) };
}

export function input(p: PlanSpec, gates: Gate[], cadres: Cadre[], availability: AvailabilityWindow[] = [], extra: Partial<SolveInput> = {}): SolveInput {
  return { plan: p, gates, cadres, availability, pins: [], ...extra };
}

/** Local hour of an instant, for assertions that read like the roster. */
export function hourOf(d: Date): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone: TZ, hour: '2-digit', hourCycle: 'h23' }).format(d));
}

// ---------------------------------------------------------------- independent rule checker

function overlaps(a0: number, a1: number, b0: number, b1: number): boolean {
  return a0 < b1 && b0 < a1;
}

function isNight(a: Date, b: Date, tz: string): boolean {
  for (const date of [localDate(a, tz), localDate(new Date(b.getTime() - 1), tz)]) {
    if (overlaps(a.getTime(), b.getTime(), localInstant(date, 0, tz).getTime(), localInstant(date, 360, tz).getTime())) return true;
  }
  return false;
}

function nightDate(a: Date, b: Date, tz: string): string {
  for (const date of [localDate(a, tz), localDate(new Date(b.getTime() - 1), tz)]) {
    if (overlaps(a.getTime(), b.getTime(), localInstant(date, 0, tz).getTime(), localInstant(date, 360, tz).getTime())) return date;
  }
  return '';
}

function available(c: Cadre, windows: AvailabilityWindow[], a: number, b: number): boolean {
  const mine = windows.filter((w) => w.cadreId === c.id);
  if (mine.some((w) => w.kind === 'unavailable' && overlaps(a, b, w.start.getTime(), w.end.getTime()))) return false;
  if (!mine.some((w) => w.kind === 'available')) return true;
  // Walk forward through the union of available/preferred windows.
  const open = mine.filter((w) => w.kind !== 'unavailable').sort((x, y) => x.start.getTime() - y.start.getTime());
  let reach = a;
  for (const w of open) if (w.start.getTime() <= reach && w.end.getTime() > reach) reach = w.end.getTime();
  return reach >= b;
}

/** Is the gate needed in the shift [a, b)? Cover window of any active local date overlaps it. */
export function gateNeeded(g: Gate, p: PlanSpec, a: number, b: number): boolean {
  const from = parseClock(g.coverFrom) ?? 0;
  const to = parseClock(g.coverTo) ?? 1440;
  for (let d = -1; d <= p.days; d++) {
    const date = addDays(p.start, d);
    if ((g.activeFrom && date < g.activeFrom) || (g.activeTo && date > g.activeTo)) continue;
    const w0 = localInstant(date, from, p.timezone).getTime();
    const w1 = (to > from ? localInstant(date, to, p.timezone) : localInstant(addDays(date, 1), to, p.timezone)).getTime();
    if (overlaps(a, b, w0, w1)) return true;
  }
  return false;
}

/** Every violated hard rule, as readable strings; [] when the roster keeps them all. */
export function violations(inp: SolveInput, assignments: Assignment[]): string[] {
  const p = inp.plan;
  const out: string[] = [];
  const L = p.shiftHours * HOUR;
  const first = localInstant(p.start, parseClock(p.firstShiftStart) ?? 0, p.timezone).getTime();
  const gates = new Map(inp.gates.map((g) => [g.id, g]));
  const cadres = new Map(inp.cadres.map((c) => [c.id, c]));
  const perGateShift = new Map<string, number>();
  const perPerson = new Map<string, Assignment[]>();
  for (const a of assignments) {
    const g = gates.get(a.gateId);
    const c = cadres.get(a.cadreId);
    const tag = `${a.cadreId}@${a.gateId} ${a.start.toISOString()}`;
    if (!g || !c) {
      out.push(`unknown person or gate: ${tag}`);
      continue;
    }
    const s = a.start.getTime();
    if ((s - first) % L !== 0 || a.end.getTime() - s !== L) out.push(`off the shift grid: ${tag}`);
    if (!mayServe(c, g)) out.push(`locality: ${tag}`);
    if (!gateNeeded(g, p, s, s + L)) out.push(`gate not needed: ${tag}`);
    if (!available(c, inp.availability, s, s + L)) out.push(`availability: ${tag}`);
    if (!c.nightOk && isNight(a.start, a.end, p.timezone)) out.push(`nightOk: ${tag}`);
    const key = `${a.gateId}|${s}`;
    perGateShift.set(key, (perGateShift.get(key) ?? 0) + 1);
    if ((perGateShift.get(key) ?? 0) > g.staffPerShift) out.push(`overstaffed: ${key}`);
    perPerson.set(a.cadreId, [...(perPerson.get(a.cadreId) ?? []), a]);
  }
  for (const [id, list] of perPerson) {
    const c = cadres.get(id) as Cadre;
    const shifts = list.map((a) => [a.start.getTime(), a.end.getTime()] as const).sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < shifts.length; i++) {
      const [prev, cur] = [shifts[i - 1], shifts[i]] as [readonly [number, number], readonly [number, number]];
      if (cur[0] < prev[1]) out.push(`two places at once: ${id}`);
      else if (cur[0] - prev[1] < p.rules.minRestHours * HOUR) out.push(`minRest: ${id} ${new Date(cur[0]).toISOString()}`);
    }
    for (const [a0, a1] of shifts) {
      for (const w0 of [a0, a1 - 24 * HOUR]) {
        const hours = shifts.reduce((h, [b0, b1]) => h + Math.max(0, Math.min(b1, w0 + 24 * HOUR) - Math.max(b0, w0)), 0) / HOUR;
        if (hours > p.rules.maxHoursPer24h + 1e-9) out.push(`maxHoursPer24h: ${id} ${hours}h from ${new Date(w0).toISOString()}`);
      }
    }
    const byWeek = new Map<number, number>();
    for (const [a0, a1] of shifts) {
      const day = Math.round((Date.parse(localDate(new Date(a0), p.timezone)) - Date.parse(p.start)) / 86_400_000);
      const week = Math.floor(day / 7);
      byWeek.set(week, (byWeek.get(week) ?? 0) + (a1 - a0) / HOUR);
    }
    const cap = c.maxHoursWeek ?? p.rules.maxHoursPerWeek;
    for (const [week, h] of byWeek) if (h > cap + 1e-9) out.push(`weeklyHours: ${id} week ${week} ${h}h > ${cap}h`);
    const nights = [
      ...new Set(shifts.filter(([a, b]) => isNight(new Date(a), new Date(b), p.timezone)).map(([a, b]) => nightDate(new Date(a), new Date(b), p.timezone))),
    ].sort();
    let run = 0;
    nights.forEach((d, i) => {
      run = i > 0 && addDays(nights[i - 1] as string, 1) === d ? run + 1 : 1;
      if (run > p.rules.maxConsecutiveNights) out.push(`consecutiveNights: ${id} ${d}`);
    });
  }
  return out;
}

/**
 * Shifts that could move from someone 2+ shifts heavier to an eligible colleague without
 * breaking a rule, judged by `violations` itself (equal fairness).
 */
export function fixableMoves(inp: SolveInput, assignments: Assignment[]): string[] {
  const load = new Map<string, number>();
  for (const a of assignments) load.set(a.cadreId, (load.get(a.cadreId) ?? 0) + 1);
  const gates = new Map(inp.gates.map((g) => [g.id, g]));
  const out: string[] = [];
  for (const [i, a] of assignments.entries()) {
    if (a.pinned) continue;
    const g = gates.get(a.gateId) as Gate;
    const lp = load.get(a.cadreId) ?? 0;
    for (const q of inp.cadres) {
      if (q.id === a.cadreId || (load.get(q.id) ?? 0) > lp - 2 || !mayServe(q, g)) continue;
      const others = assignments.filter((_, j) => j !== i);
      // A move that takes the only lead off a gate needing one is not a free move.
      if (
        g.leadRequired &&
        q.role !== 'village_cadre' &&
        !others.some(
          (o) => o.gateId === a.gateId && o.start.getTime() === a.start.getTime() && inp.cadres.find((c) => c.id === o.cadreId)?.role === 'village_cadre',
        ) &&
        inp.cadres.find((c) => c.id === a.cadreId)?.role === 'village_cadre'
      )
        continue;
      if (violations(inp, [...others, { ...a, cadreId: q.id }]).length === 0) {
        out.push(`${a.cadreId} (${lp}) -> ${q.id} (${load.get(q.id) ?? 0}) at ${a.gateId} ${a.start.toISOString()}`);
        break;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- seeded random instances

/** A small random district: 1-3 villages in one town, a few gates, a few people, some spanning. */
export function randomInstance(seed: number): SolveInput {
  const r = mulberry32(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const shiftHours = [8, 8, 12, 4][int(0, 3)] as number;
  const days = shiftHours === 4 ? int(1, 2) : int(2, 4);
  const p = plan({
    days,
    shiftHours,
    firstShiftStart: ['00:00', '00:00', '06:00', '19:00'][int(0, 3)] as string,
    rules: {
      minRestHours: [0, 8, 12][int(0, 2)] as number,
      maxHoursPer24h: [8, 12, 16][int(0, 2)] as number,
      maxHoursPerWeek: [24, 32, 48][int(0, 2)] as number,
      maxConsecutiveNights: int(1, 3),
    },
  });
  const villages = int(1, 3);
  const gates: Gate[] = [];
  const cadres: Cadre[] = [];
  const availability: AvailabilityWindow[] = [];
  for (let v = 1; v <= villages; v++) {
    for (let k = 1; k <= int(1, 2); k++) {
      const cover = r() < 0.7 ? ['00:00', '24:00'] : r() < 0.5 ? ['06:00', '22:00'] : ['20:00', '04:00'];
      gates.push(
        gate(`G${v}${k}`, {
          village: `V${v}`,
          staffPerShift: int(1, 2),
          coverFrom: cover[0] as string,
          coverTo: cover[1] as string,
          leadRequired: r() < 0.3,
          activeFrom: r() < 0.15 ? addDays(START, 1) : null,
        }),
      );
    }
    for (let k = 1; k <= int(2, 5); k++) cadres.push(cadre(`C${v}${k}`, { village: `V${v}`, nightOk: r() < 0.8, maxHoursWeek: r() < 0.3 ? 16 : null }));
  }
  for (let k = 1; k <= int(0, 2); k++) cadres.push(cadre(`S${k}`, { role: r() < 0.5 ? 'dispatched' : 'volunteer', village: 'V1', serves: ['T1'] }));
  for (const c of cadres) {
    const d = int(0, days - 1);
    const roll = r();
    if (roll < 0.3) availability.push(win(c.id, 'unavailable', d, int(0, 12), int(13, 24)));
    else if (roll < 0.5) availability.push(win(c.id, 'available', d, 0, 24), win(c.id, 'available', Math.min(days - 1, d + 1), int(0, 8), 24));
    else if (roll < 0.6) availability.push(win(c.id, 'preferred', d, 8, 16));
  }
  return input(p, gates, cadres, availability);
}
