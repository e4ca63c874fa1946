/**
 * Visit lists over 30 simulated days of the district sample with 28 squads: each day's visits
 * are fed back as history, as if every squad did its list. Prints whether every gate was
 * visited in every K-day window, the night share, travel (villages per squad-day), load, and
 * how well a gate could predict its next visit from its past ones, against chance.
 * Seeded, so a run repeats; production draws from node:crypto instead.
 */
import { addDays } from '../../src/domain/time.js';
import { planVisits, seededRandom, type PastVisit, type ShiftLayout, type Squad, type VisitGate, type VisitPlan } from '../../src/ground/visit-lists.js';
import { daySlots, daysBetween, gateSlots } from '../../src/ground/visit-slots.js';
import { generateDistrict, PLAN_START, TIME_ZONE } from '../lib/generate-district.js';
import { sampleSquads } from '../lib/sample-squads.js';

export interface VisitSimulation {
  gates: VisitGate[];
  squads: Squad[];
  layout: ShiftLayout;
  start: string;
  days: number;
  windowDays: number;
  nightShare: number;
  plans: VisitPlan[];
  msPerDay: number[];
}

export interface SimulationOptions {
  days?: number;
  seed?: number;
  windowDays?: number;
  nightShare?: number;
  maxVisitsPerSquadDay?: number;
  layout?: ShiftLayout;
  gates?: VisitGate[];
  squads?: Squad[];
}

/** The district sample's default plan layout: 3 x 8 h from 00:00, Asia/Shanghai. */
export const SAMPLE_LAYOUT: ShiftLayout = { timezone: TIME_ZONE, shiftHours: 8, firstShiftStart: '00:00' };

export function simulateVisits(options: SimulationOptions = {}): VisitSimulation {
  const gates = options.gates ?? generateDistrict('district').gates;
  const squads = options.squads ?? sampleSquads(gates);
  const layout = options.layout ?? SAMPLE_LAYOUT;
  const days = options.days ?? 30;
  const windowDays = options.windowDays ?? 3;
  const nightShare = options.nightShare ?? 0.25;
  const random = seededRandom(options.seed ?? 20211213);
  const history: PastVisit[] = [];
  const plans: VisitPlan[] = [];
  const msPerDay: number[] = [];
  for (let d = 0; d < days; d++) {
    const t0 = performance.now();
    const plan = planVisits({
      date: addDays(PLAN_START, d),
      gates,
      squads,
      layout,
      history,
      windowDays,
      nightShare,
      random,
      startedOn: PLAN_START,
      maxVisitsPerSquadDay: options.maxVisitsPerSquadDay,
    });
    msPerDay.push(performance.now() - t0);
    plans.push(plan);
    for (const list of plan.lists) for (const v of list.visits) history.push({ gateId: v.gateId, at: v.start });
  }
  return { gates, squads, layout, start: PLAN_START, days, windowDays, nightShare, plans, msPerDay };
}

export interface VisitFigures {
  windows: { met: number; total: number; worstGapDays: number };
  night: { overall: number; lowestDay: number; highestDay: number };
  villagesPerSquadDay: { median: number; max: number };
  townsPerSquadDay: { max: number };
  visitsPerSquadDay: { min: number; median: number; max: number; mean: number };
  unplanned: number;
  outOfScope: number;
  predictability: {
    events: number;
    day: { sameIntervalAsLast: number; mostCommonInterval: number; atDeadline: number; chance: number };
    hour: { sameHourAsLast: number; mostCommonHour: number; chance: number };
  };
  msPerDay: { median: number; max: number };
}

interface GateVisit {
  day: number;
  slotIndex: number;
}

export function visitFigures(sim: VisitSimulation): VisitFigures {
  const dayOf = (date: string) => daysBetween(sim.start, date);
  const visitsOf = new Map<string, GateVisit[]>(sim.gates.map((g) => [g.id, []]));
  const squadById = new Map(sim.squads.map((s) => [s.id, s]));
  const nightShares: number[] = [];
  const villageCounts: number[] = [];
  const townCounts: number[] = [];
  const loads: number[] = [];
  let nightVisits = 0;
  let allVisits = 0;
  let unplanned = 0;
  let outOfScope = 0;
  for (const plan of sim.plans) {
    const day = dayOf(plan.date);
    const slots = daySlots(plan.date, sim.layout);
    let dayNight = 0;
    let dayAll = 0;
    unplanned += plan.unplanned.length;
    for (const list of plan.lists) {
      const squad = squadById.get(list.squadId)!;
      loads.push(list.visits.length);
      if (list.visits.length > 0) {
        villageCounts.push(new Set(list.visits.map((v) => v.village)).size);
        townCounts.push(new Set(list.visits.map((v) => v.town)).size);
      }
      for (const v of list.visits) {
        if (squad.scope !== 'district' && !squad.scope.includes(v.town)) outOfScope++;
        dayAll++;
        if (v.night) dayNight++;
        visitsOf.get(v.gateId)!.push({ day, slotIndex: slots.findIndex((s) => s.start.getTime() === v.start.getTime()) });
      }
    }
    nightVisits += dayNight;
    allVisits += dayAll;
    nightShares.push(dayAll === 0 ? 0 : dayNight / dayAll);
  }

  let met = 0;
  let total = 0;
  let worstGapDays = 0;
  for (const gate of sim.gates) {
    const first = gate.activeFrom === null ? 0 : Math.max(0, dayOf(gate.activeFrom));
    const last = gate.activeTo === null ? sim.days - 1 : Math.min(sim.days - 1, dayOf(gate.activeTo));
    const days = new Set(visitsOf.get(gate.id)!.map((v) => v.day));
    for (let w = first; w + sim.windowDays - 1 <= last; w++) {
      total++;
      if (Array.from({ length: sim.windowDays }, (_, i) => w + i).some((d) => days.has(d))) met++;
    }
    let previous = first - 1; // the day before the first window, as the generator counts it
    for (const d of [...days].sort((a, b) => a - b)) {
      worstGapDays = Math.max(worstGapDays, d - previous);
      previous = d;
    }
  }

  return {
    windows: { met, total, worstGapDays },
    night: { overall: nightVisits / allVisits, lowestDay: Math.min(...nightShares), highestDay: Math.max(...nightShares) },
    villagesPerSquadDay: { median: median(villageCounts), max: Math.max(...villageCounts) },
    townsPerSquadDay: { max: Math.max(...townCounts) },
    visitsPerSquadDay: { min: Math.min(...loads), median: median(loads), max: Math.max(...loads), mean: allVisits / loads.length },
    unplanned,
    outOfScope,
    predictability: predictability(sim, visitsOf),
    msPerDay: { median: median(sim.msPerDay), max: Math.max(...sim.msPerDay) },
  };
}

/**
 * For every visit of a gate that has at least one earlier interval, would simple rules a gate
 * could keep have named its day (interval since the last visit) or its hour? Chance is a
 * blind guess among what the gate knows is possible: 1 in K days, 1 in its staffed hours.
 */
function predictability(sim: VisitSimulation, visitsOf: Map<string, GateVisit[]>): VisitFigures['predictability'] {
  const hits = { sameIntervalAsLast: 0, mostCommonInterval: 0, atDeadline: 0, sameHourAsLast: 0, mostCommonHour: 0 };
  let events = 0;
  let hourChance = 0;
  const slots = daySlots(sim.start, sim.layout);
  for (const gate of sim.gates) {
    const visits = visitsOf.get(gate.id)!;
    const staffedHours = gateSlots({ ...gate, activeFrom: null, activeTo: null }, slots).length;
    const intervals: number[] = [];
    const hours: number[] = [visits[0]?.slotIndex ?? 0];
    for (let n = 1; n < visits.length; n++) {
      const interval = visits[n]!.day - visits[n - 1]!.day;
      const hour = visits[n]!.slotIndex;
      if (intervals.length > 0) {
        events++;
        hourChance += 1 / staffedHours;
        if (interval === intervals[intervals.length - 1]) hits.sameIntervalAsLast++;
        if (interval === mostCommon(intervals)) hits.mostCommonInterval++;
        if (interval === sim.windowDays) hits.atDeadline++;
        if (hour === hours[hours.length - 1]) hits.sameHourAsLast++;
        if (hour === mostCommon(hours)) hits.mostCommonHour++;
      }
      intervals.push(interval);
      hours.push(hour);
    }
  }
  const rate = (n: number) => n / events;
  return {
    events,
    day: {
      sameIntervalAsLast: rate(hits.sameIntervalAsLast),
      mostCommonInterval: rate(hits.mostCommonInterval),
      atDeadline: rate(hits.atDeadline),
      chance: 1 / sim.windowDays,
    },
    hour: { sameHourAsLast: rate(hits.sameHourAsLast), mostCommonHour: rate(hits.mostCommonHour), chance: hourChance / events },
  };
}

/** The most frequent value; on a tie the most recent of the tied (what a gate would remember). */
function mostCommon(values: readonly number[]): number {
  const counts = new Map<number, number>();
  let best = values[0] as number;
  for (const v of values) {
    const c = (counts.get(v) ?? 0) + 1;
    counts.set(v, c);
    if (c >= (counts.get(best) ?? 0)) best = v;
  }
  return best;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Markdown table, one column per simulation (e.g. uncapped and capped load). */
export function formatVisitBench(columns: { label: string; figures: VisitFigures }[], windowDays: number, nightShare: number): string {
  const row = (measure: string, cell: (f: VisitFigures) => string, target = '') =>
    `| ${measure} | ${columns.map((c) => cell(c.figures)).join(' | ')} | ${target} |`;
  return [
    `| measure | ${columns.map((c) => c.label).join(' | ')} | target |`,
    `|---|${columns.map(() => '---|').join('')}---|`,
    row(`gate ${windowDays}-day windows with a visit`, (f) => `${f.windows.met} / ${f.windows.total}`, 'all'),
    row('worst gap between visits of a gate', (f) => `${f.windows.worstGapDays} days`, `<= ${windowDays} days`),
    row('due gates left off every list', (f) => String(f.unplanned), '0'),
    row("visits outside the squad's scope", (f) => String(f.outOfScope), '0'),
    row(
      'night share of visits: overall (lowest day, highest day)',
      (f) => `${pct(f.night.overall)} (${pct(f.night.lowestDay)}, ${pct(f.night.highestDay)})`,
      `>= ${pct(nightShare)}`,
    ),
    row(
      'visits per squad-day: min / median / max (mean)',
      (f) => `${f.visitsPerSquadDay.min} / ${f.visitsPerSquadDay.median} / ${f.visitsPerSquadDay.max} (${f.visitsPerSquadDay.mean.toFixed(1)})`,
    ),
    row('villages per squad-day: median / max', (f) => `${f.villagesPerSquadDay.median} / ${f.villagesPerSquadDay.max}`),
    row('towns per squad-day: max', (f) => String(f.townsPerSquadDay.max)),
    row('next visit day guessed by "same interval as last"', (f) => pct(f.predictability.day.sameIntervalAsLast), 'chance'),
    row('... by "most common interval so far"', (f) => pct(f.predictability.day.mostCommonInterval), 'chance'),
    row(`... by "at the deadline" (${windowDays} days)`, (f) => pct(f.predictability.day.atDeadline), 'chance'),
    row(`... by chance (1 in ${windowDays})`, (f) => pct(f.predictability.day.chance)),
    row('next visit hour guessed by "same hour as last"', (f) => pct(f.predictability.hour.sameHourAsLast), 'chance'),
    row('... by "most common hour so far"', (f) => pct(f.predictability.hour.mostCommonHour), 'chance'),
    row("... by chance (1 in the gate's staffed hours)", (f) => pct(f.predictability.hour.chance)),
    row('guesses scored', (f) => String(f.predictability.events)),
    row('planVisits per day: median / max', (f) => `${f.msPerDay.median.toFixed(1)} / ${f.msPerDay.max.toFixed(1)} ms`),
  ].join('\n');
}

/** The bench section: the default generator, and one capped at 5 visits per squad-day for the trade-off. */
export function runVisitBench(log: (line: string) => void = console.log): void {
  const windowDays = 3;
  const nightShare = 0.25;
  const uncapped = visitFigures(simulateVisits({ windowDays, nightShare }));
  const capped = visitFigures(simulateVisits({ windowDays, nightShare, maxVisitsPerSquadDay: 5 }));
  log(`# Visit lists (30 simulated days, district sample: 375 gates, 28 squads; K = ${windowDays}, night share ${pct(nightShare)}; seeded)`);
  log(
    formatVisitBench(
      [
        { label: 'default (uniform intervals)', figures: uncapped },
        { label: 'capped at 5 visits/squad-day', figures: capped },
      ],
      windowDays,
      nightShare,
    ),
  );
}
