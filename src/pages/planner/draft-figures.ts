/**
 * What the console shows of a draft or published roster, from the solver's own metrics:
 * gaps by village, the hours-vs-fair-share chart (a sorted distribution, so 3,000 people
 * read as one curve instead of 3,000 labels) and the spread of night shifts. Pure.
 */
import type { PersonLoad, SolveMetrics } from '../../solver/index.js';
import type { GapView } from '../../roster/read.js';
import { compareNames } from '../../domain/keys.js';
import { gateShiftKey, missingSeats } from '../../roster/views/index.js';

export interface VillageGaps {
  village: string;
  town: string;
  gateShifts: number;
  missing: number;
}

/** Villages with gaps, most missing places first. */
export function gapsByVillage(gaps: readonly GapView[]): VillageGaps[] {
  // Several gap records at one gate-shift describe the same seats (see `missingSeats`).
  const byGateShift = new Map<string, GapView[]>();
  for (const g of gaps) {
    const key = gateShiftKey(g.gateId, new Date(g.start));
    byGateShift.set(key, [...(byGateShift.get(key) ?? []), g]);
  }
  const byVillage = new Map<string, VillageGaps>();
  for (const group of byGateShift.values()) {
    const first = group[0] as GapView;
    let v = byVillage.get(first.village);
    if (!v) byVillage.set(first.village, (v = { village: first.village, town: first.town, gateShifts: 0, missing: 0 }));
    v.gateShifts += 1;
    v.missing += missingSeats(group);
  }
  return [...byVillage.values()].sort((a, b) => b.missing - a.missing || compareNames(a.village, b.village));
}

export interface HoursChart {
  width: number;
  height: number;
  /** Plot area left/top/bottom in SVG units. */
  left: number;
  top: number;
  bottom: number;
  bars: { x: number; y: number; w: number; h: number }[];
  /** Polyline points of the fair share, in the same (sorted by hours) order. */
  fairPoints: string;
  ticks: { y: number; label: number }[];
  people: number;
}

const WIDTH = 640;
const HEIGHT = 240;
const LEFT = 36;
const TOP = 10;
const BOTTOM = 24;
/** More people than this are drawn in buckets (mean of each), one bar per bucket. */
const MAX_BARS = 320;

export function hoursChart(loads: readonly PersonLoad[]): HoursChart {
  const people = [...loads].sort((a, b) => a.hours - b.hours || a.fairShareHours - b.fairShareHours);
  const buckets = Math.min(MAX_BARS, people.length);
  const plotW = WIDTH - LEFT - 4;
  const plotH = HEIGHT - TOP - BOTTOM;
  const top = Math.max(1, ...people.map((p) => Math.max(p.hours, p.fairShareHours)));
  const yOf = (hours: number) => TOP + plotH - (hours / top) * plotH;
  const bars: HoursChart['bars'] = [];
  const fair: string[] = [];
  for (let b = 0; b < buckets; b++) {
    const slice = people.slice(Math.floor((b * people.length) / buckets), Math.floor(((b + 1) * people.length) / buckets));
    const hours = mean(slice.map((p) => p.hours));
    const share = mean(slice.map((p) => p.fairShareHours));
    const x = LEFT + (b * plotW) / buckets;
    const w = Math.max(plotW / buckets - 0.5, 0.5);
    bars.push({ x: round(x), y: round(yOf(hours)), w: round(w), h: round(TOP + plotH - yOf(hours)) });
    fair.push(`${round(x + w / 2)},${round(yOf(share))}`);
  }
  const step = niceStep(top);
  const ticks = [];
  for (let v = 0; v <= top + 1e-9; v += step) ticks.push({ y: round(yOf(v)), label: v });
  return { width: WIDTH, height: HEIGHT, left: LEFT, top: TOP, bottom: TOP + plotH, bars, fairPoints: fair.join(' '), ticks, people: people.length };
}

/** How many people worked 0, 1, 2, ... night shifts. */
export function nightsSpread(loads: readonly PersonLoad[]): { nights: number; people: number; share: number }[] {
  const counts = new Map<number, number>();
  for (const p of loads) counts.set(p.nights, (counts.get(p.nights) ?? 0) + 1);
  const most = Math.max(1, ...counts.values());
  return [...counts].sort(([a], [b]) => a - b).map(([nights, people]) => ({ nights, people, share: Math.round((100 * people) / most) }));
}

export function metricsOf(metrics: unknown): SolveMetrics | null {
  return metrics && typeof metrics === 'object' && 'placesNeeded' in metrics ? (metrics as SolveMetrics) : null;
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function niceStep(max: number): number {
  for (const step of [4, 8, 12, 24, 48]) if (max / step <= 6) return step;
  return Math.ceil(max / 6);
}
