/**
 * Figures a planner reads at a glance: coverage against its bound, load spread, fairness.
 */
import type { Assignment } from '../domain/roster.js';
import type { Instance } from './instance.js';
import { Avail, weekCapOf } from './instance.js';
import type { RosterState } from './roster-state.js';
import { localDayIndex } from './edges.js';
import type { LoadSpread, OfferedLedger, PersonLoad } from './types.js';

/** Per person and week block: slots they could work at all (available, some eligible gate needs the slot). */
function openSlotsByWeek(inst: Instance, p: number): Map<number, number> {
  const S = inst.slotCount;
  const perWeek = new Map<number, number>();
  for (let s = 0; s < S; s++) {
    if (inst.avail[p * S + s] === Avail.No) continue;
    if (!(inst.eligibleGates[p] ?? []).some((g) => (inst.need[g * S + s] ?? 0) > 0)) continue;
    const w = inst.slotWeek[s] ?? 0;
    perWeek.set(w, (perWeek.get(w) ?? 0) + 1);
  }
  return perWeek;
}

/** Slots a person could work at all in this plan, capped by what their weekly caps leave. */
export function offeredSlots(inst: Instance): number[] {
  return inst.people.map((_, p) => {
    let total = 0;
    for (const [w, n] of openSlotsByWeek(inst, p)) total += Math.min(n, weekCapOf(inst, p, w));
    return total;
  });
}

const toDateCache = new WeakMap<Instance, Float64Array>();

/**
 * With a campaign: what each person offered to date, in slots of this plan. Per week block,
 * the hours offered before the plan and in it, within the person's weekly cap (the full cap:
 * duty elsewhere is load, not less offered); blocks outside the plan as the campaign gave them.
 */
export function offeredToDate(inst: Instance): Float64Array {
  let out = toDateCache.get(inst);
  if (out) return out;
  const L = inst.plan.shiftHours;
  out = new Float64Array(inst.people.length);
  inst.people.forEach((c, p) => {
    const cap = c.maxHoursWeek ?? inst.plan.rules.maxHoursPerWeek;
    const hours = new Map<number, number>();
    for (const { week, hours: h } of inst.priorOffered.get(p) ?? []) hours.set(week, (hours.get(week) ?? 0) + h);
    for (const [w, n] of openSlotsByWeek(inst, p)) hours.set(w, (hours.get(w) ?? 0) + n * L);
    let total = 0;
    for (const h of hours.values()) total += Math.min(cap, h);
    out[p] = total / L;
  });
  toDateCache.set(inst, out);
  return out;
}

/** Hours offered per person and local day of the plan (see OfferedLedger). */
export function offeredLedger(inst: Instance): OfferedLedger {
  const S = inst.slotCount;
  const days = Math.max(1, inst.plan.days);
  const dayOf = inst.slotStart.map((start) => Math.min(days - 1, Math.max(0, localDayIndex(start, inst.plan.start, inst.plan.timezone))));
  const byPerson: Record<string, number[]> = {};
  inst.people.forEach((c, p) => {
    let row: number[] | null = null;
    for (let s = 0; s < S; s++) {
      if (inst.avail[p * S + s] === Avail.No) continue;
      if (!(inst.eligibleGates[p] ?? []).some((g) => (inst.need[g * S + s] ?? 0) > 0)) continue;
      row ??= new Array<number>(days).fill(0);
      row[dayOf[s] as number]! += inst.plan.shiftHours;
    }
    if (row) byPerson[c.id] = row;
  });
  return { start: inst.plan.start, byPerson };
}

/**
 * Per-person weight for the fairness test: 1 (equal) or offered / mean offered (proportional),
 * offered to date with a campaign (what the person offered before this plan, plus in it).
 */
export function fairnessWeights(inst: Instance, offered: number[]): Float64Array {
  const w = new Float64Array(inst.people.length).fill(1);
  if (inst.plan.fairness !== 'proportional') return w;
  const toDate = inst.hasPrior ? [...offeredToDate(inst)] : offered;
  const active = toDate.filter((o) => o > 0);
  const mean = active.reduce((a, b) => a + b, 0) / Math.max(1, active.length) || 1;
  toDate.forEach((o, p) => (w[p] = Math.max(0.05, o / mean)));
  return w;
}

/**
 * Fair share of the filled slots: equal mode water-fills (everyone the same, no one above
 * what they offered); proportional mode splits by offered time.
 */
function fairShares(total: number, offered: number[], proportional: boolean): number[] {
  const sum = offered.reduce((a, b) => a + b, 0);
  if (proportional) return offered.map((o) => (sum ? (total * o) / sum : 0));
  const order = offered.map((o, i) => [o, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(offered.length).fill(0);
  let left = total;
  order.forEach(([o, i], k) => {
    const level = left / (order.length - k);
    out[i] = Math.min(o, level);
    left -= out[i];
  });
  return out;
}

export function gini(values: number[]): number {
  const x = [...values].sort((a, b) => a - b);
  const n = x.length;
  const sum = x.reduce((a, b) => a + b, 0);
  if (n === 0 || sum === 0) return 0;
  let weighted = 0;
  x.forEach((v, i) => (weighted += (2 * (i + 1) - n - 1) * v));
  return weighted / (n * sum);
}

export function spread(values: number[]): { min: number; median: number; max: number } {
  const x = [...values].sort((a, b) => a - b);
  if (x.length === 0) return { min: 0, median: 0, max: 0 };
  const mid = x.length >> 1;
  const median = x.length % 2 ? (x[mid] as number) : ((x[mid - 1] as number) + (x[mid] as number)) / 2;
  return { min: x[0] as number, median, max: x[x.length - 1] as number };
}

export function personLoads(inst: Instance, state: RosterState, offered: number[]): PersonLoad[] {
  const withPrior = inst.hasPrior;
  const hoursPerSlot = inst.plan.shiftHours;
  const filled = state.load.reduce((a, b) => a + b, 0);
  const shares = fairShares(filled, offered, inst.plan.fairness === 'proportional');
  const out: PersonLoad[] = [];
  inst.people.forEach((c, p) => {
    const prior = withPrior && ((inst.priorLoad[p] ?? 0) > 0 || inst.priorOffered.has(p));
    if ((offered[p] ?? 0) === 0 && (state.load[p] ?? 0) === 0 && !prior) return;
    const load: PersonLoad = {
      cadreId: c.id,
      hours: (state.load[p] ?? 0) * hoursPerSlot,
      nights: state.nights[p] ?? 0,
      fairShareHours: Math.round((shares[p] ?? 0) * hoursPerSlot * 10) / 10,
      offeredHours: (offered[p] ?? 0) * hoursPerSlot,
    };
    if (withPrior) {
      load.toDate = {
        hours: round1(state.loadToDate(p) * hoursPerSlot),
        nights: state.nightsToDate(p),
        offeredHours: round1((offeredToDate(inst)[p] ?? 0) * hoursPerSlot),
      };
    }
    out.push(load);
  });
  return out;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Hours per offered hour over people who offered at least 24 h: the campaign's test of a proportional spread. */
export function loadSpread(rows: readonly { hours: number; offeredHours: number }[]): LoadSpread {
  const ratios = rows.filter((r) => r.offeredHours >= 24).map((r) => r.hours / r.offeredHours);
  const s = spread(ratios);
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    people: ratios.length,
    hoursPerOffered: { min: round(s.min), median: round(s.median), max: round(s.max) },
    ratio: s.min > 0 ? round(s.max / s.min) : null,
  };
}

export function preferencesMet(inst: Instance, state: RosterState): { preferredShiftsWorked: number; preferredShiftsOffered: number } {
  let worked = 0;
  let offered = 0;
  for (let i = 0; i < inst.avail.length; i++) {
    if (inst.avail[i] !== Avail.Preferred) continue;
    offered++;
    if ((state.gateAt[i] ?? 0) > 0) worked++;
  }
  return { preferredShiftsWorked: worked, preferredShiftsOffered: offered };
}

/** Compare with the published roster: kept, removed, added, and people who lost or moved a shift they could have kept. */
export function changes(
  previous: Assignment[],
  next: Assignment[],
  stillValid: (a: Assignment) => boolean,
): { kept: number; removed: number; added: number; otherPeopleChanged: number } {
  const key = (a: Assignment): string => `${a.cadreId}|${a.gateId}|${a.start.getTime()}`;
  const nextKeys = new Set(next.map(key));
  const prevKeys = new Set(previous.map(key));
  let kept = 0;
  const changedPeople = new Set<string>();
  for (const a of previous) {
    if (nextKeys.has(key(a))) kept++;
    else if (stillValid(a)) changedPeople.add(a.cadreId);
  }
  return { kept, removed: previous.length - kept, added: next.filter((a) => !prevKeys.has(key(a))).length, otherPeopleChanged: changedPeople.size };
}
