/**
 * The edges of a solve: duty a person stands outside it (another plan, or this plan's ended
 * days) bound to the slot grid, so that every per-person rule holds across the edge as if that
 * duty were part of the roster. Computed once per solve; everything downstream (the roster
 * state's checks, the model's rows, the flow bound) reads the result, never the Dates.
 *
 * What each rule becomes:
 * - two places at once, minimum rest: slots overlapping the duty, or closer to it than the
 *   rest, are closed (exact: rest is a rule between two shifts);
 * - the 24 h cap: every 24 h window that holds fixed hours gets the cap minus those hours.
 *   A window whose cap leaves no room for one more shift closes its slots outright (the usual
 *   case: 8 h shifts and a 12 h cap); one with room for some shifts stays as an extra window.
 *   Windows start at every shift start and end at every shift end, where the hours in a sliding
 *   window peak. A slot that only partly overlaps a window counts in full, which is exact when
 *   the duty lies on this plan's shift grid and stricter by under one shift when it does not;
 * - the weekly cap: hours of fixed duty starting in a 7-day block (counted from the week
 *   anchor) lower that block's cap;
 * - consecutive nights: nights worked elsewhere count in every run; a night that would make a
 *   run too long with fixed nights alone is closed.
 */
import { localDate, localInstant } from '../domain/time.js';
import type { FixedDuty } from './types.js';

const HOUR = 3_600_000;

/** Why a slot is closed to a person by duty outside the solve (see Unavail in instance.ts). */
export const EdgeRule = { Busy: 3, Rest: 4, Hours24: 5, Nights: 6 } as const;
export type EdgeRuleCode = (typeof EdgeRule)[keyof typeof EdgeRule];

/** An extra 24 h window: of slots [from, to), this person may work at most `cap`. */
export interface SlotWindow {
  from: number;
  to: number;
  cap: number;
}

export interface PersonEdges {
  /** Slot -> why it is closed. */
  closed: Map<number, EdgeRuleCode>;
  windows: SlotWindow[];
  /** Night-day indexes (days from the plan start) worked outside the solve. */
  nights: Set<number>;
  /** Hours of fixed duty per 7-day block index of the solve (blocks outside the solve left out). */
  weekHours: Map<number, number>;
}

export interface Grid {
  slotStart: readonly number[];
  shiftMs: number;
  timezone: string;
  minRestHours: number;
  maxHoursPer24h: number;
  maxConsecutiveNights: number;
  /** Night-day index of a slot, or null. */
  slotNight: readonly (number | null)[];
  /** Night-day index of any interval (days from the plan start), or null. */
  nightOf(a: number, b: number): number | null;
  /** 7-day block index of an instant's local date (may be negative or past the last block). */
  weekOf(instant: number): number;
  weeks: number;
}

export function edgesOf(duty: readonly FixedDuty[], grid: Grid): PersonEdges {
  const S = grid.slotStart.length;
  const L = grid.shiftMs;
  const first = grid.slotStart[0] ?? 0;
  const end = (grid.slotStart[S - 1] ?? first) + L;
  const restMs = grid.minRestHours * HOUR;
  const spans = duty.map((d) => [d.start.getTime(), d.end.getTime()] as const).filter(([a, b]) => b > a);
  const edges: PersonEdges = { closed: new Map(), windows: [], nights: new Set(), weekHours: new Map() };
  // Being on duty elsewhere is the first reason a planner should read; the others are rules.
  const close = (s: number, rule: EdgeRuleCode): void => {
    if (rule === EdgeRule.Busy || !edges.closed.has(s)) edges.closed.set(s, rule);
  };

  for (const [a, b] of spans) {
    const week = grid.weekOf(a);
    if (week >= 0 && week < grid.weeks) edges.weekHours.set(week, (edges.weekHours.get(week) ?? 0) + (b - a) / HOUR);
    const night = grid.nightOf(a, b);
    if (night !== null) edges.nights.add(night);
    for (let s = 0; s < S; s++) {
      const x = grid.slotStart[s] as number;
      const y = x + L;
      if (x < b && y > a) close(s, EdgeRule.Busy);
      else if (x < b + restMs && y > a - restMs) close(s, EdgeRule.Rest);
    }
  }

  // 24 h windows that hold fixed hours and some slot of the solve.
  const day = 24 * HOUR;
  const near = spans.filter(([a, b]) => b > first - day && a < end + day);
  if (near.length > 0) {
    const anchors = new Set<number>();
    for (let k = -Math.round(day / L); k <= S; k++) anchors.add(first + k * L);
    for (const [a, b] of near) anchors.add(a).add(b - day);
    const byRange = new Map<string, SlotWindow>();
    for (const w0 of anchors) {
      const w1 = w0 + day;
      const fixedHours = near.reduce((h, [a, b]) => h + Math.max(0, Math.min(b, w1) - Math.max(a, w0)), 0) / HOUR;
      if (fixedHours <= 0) continue;
      let from = -1;
      let to = -1;
      for (let s = 0; s < S; s++) {
        const x = grid.slotStart[s] as number;
        if (x < w1 && x + L > w0) {
          if (from < 0) from = s;
          to = s + 1;
        }
      }
      if (from < 0) continue;
      const cap = Math.max(0, Math.floor((grid.maxHoursPer24h - fixedHours) / (L / HOUR) + 1e-9));
      if (cap >= to - from) continue;
      const key = `${from}:${to}`;
      const seen = byRange.get(key);
      if (!seen || cap < seen.cap) byRange.set(key, { from, to, cap });
    }
    for (const w of byRange.values()) {
      if (w.cap === 0) for (let s = w.from; s < w.to; s++) close(s, EdgeRule.Hours24);
      else edges.windows.push(w);
    }
  }

  // A night that, with the fixed nights around it, makes a run longer than the rule allows.
  const N = grid.maxConsecutiveNights;
  if (edges.nights.size > 0) {
    for (let s = 0; s < S; s++) {
      const d = grid.slotNight[s];
      if (d === null || d === undefined || edges.nights.has(d)) continue;
      let run = 1;
      for (let e = d - 1; edges.nights.has(e); e--) run++;
      for (let e = d + 1; edges.nights.has(e); e++) run++;
      if (run > N) close(s, EdgeRule.Nights);
    }
  }
  return edges;
}

/** Days from `anchor` to `date` (both local `YYYY-MM-DD`). */
export function daysBetween(anchor: string, date: string): number {
  return Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${anchor}T00:00:00Z`)) / 86_400_000);
}

/** Local date of an instant, as days from `anchor`. */
export function localDayIndex(instant: number, anchor: string, timezone: string): number {
  return daysBetween(anchor, localDate(new Date(instant), timezone));
}

/** The night (00:00-06:00 local) an interval overlaps, as days from `anchor`, or null. */
export function nightIndex(a: number, b: number, anchor: string, timezone: string): number | null {
  for (const date of new Set([localDate(new Date(a), timezone), localDate(new Date(b - 1), timezone)])) {
    const from = localInstant(date, 0, timezone).getTime();
    const to = localInstant(date, 360, timezone).getTime();
    if (a < to && b > from) return daysBetween(anchor, date);
  }
  return null;
}
