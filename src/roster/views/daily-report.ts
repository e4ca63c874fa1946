/**
 * The daily report (一日一报): per town and village, how many places were needed and filled,
 * the gaps, and the hours worked, for one local day.
 *
 * Counting rules, chosen so that adding up days never counts anything twice:
 * - A *place* is one seat at one gate-shift. A gate-shift is identified by (gateId, start);
 *   its places needed = the people assigned to it + the missing people (needed - filled) of
 *   its gaps, so the roster alone is enough and no separate list of gate-shifts is needed.
 *   Several gap records at one gate-shift describe the same seats: they count as one gap,
 *   and the largest shortfall is the number of empty places (see `missingSeats`).
 *   A gate-shift (with its places and gaps) belongs to the local day on which it starts.
 * - *Hours* are person-hours inside the local day: a shift running past midnight gives each
 *   day the hours that fall in it. `gapHours` are missing person-hours, counted the same way.
 * Rows at gates missing from `gates` are left out (they belong to no village).
 */
import { addDays, localInstant } from '../../domain/time.js';
import { ROLES, type Cadre, type Gate, type Role } from '../../domain/types.js';
import type { RosterRows } from './filter.js';
import { compareNames, gapsByGateShift, indexById, missingSeats } from '../../domain/keys.js';

/** Coverage figures of one village, one town or the district for one day. */
export interface CoverageFigures {
  /** Seats at gate-shifts starting that day. */
  placesNeeded: number;
  /** Of those, seats with a person assigned. */
  placesFilled: number;
  /** 100 * filled / needed, one decimal; null when nothing was needed. */
  percentCovered: number | null;
  /** Gate-shifts with a gap, starting that day. */
  gaps: number;
  /** Missing person-hours inside the day. */
  gapHours: number;
  /** Person-hours on duty inside the day. */
  hoursWorked: number;
}

export interface VillageReport extends CoverageFigures {
  village: string;
  town: string;
}

export interface TownReport extends CoverageFigures {
  town: string;
  villages: VillageReport[];
}

/** The daily report of a district. */
export interface DailyReport {
  date: string;
  timeZone: string;
  /** The local day as instants: `[dayStart, dayEnd)` (23 or 25 h long across a DST change). */
  dayStart: Date;
  dayEnd: Date;
  /** Every town and village that has a gate, in pinyin order; zeros where nothing happened. */
  towns: TownReport[];
  district: CoverageFigures & {
    /** Person-hours by role; people missing from `cadres` count in `hoursWorked` only. */
    hoursByRole: Record<Role, number>;
  };
}

/** Raw sums before rounding; hours kept in milliseconds to add exactly. */
interface Tally {
  placesNeeded: number;
  placesFilled: number;
  gaps: number;
  gapMs: number;
  workedMs: number;
}

const MS_PER_HOUR = 3_600_000;

/** The report of local `date` (`YYYY-MM-DD`) in `timeZone`. See the module comment for rules. */
export function dailyReport(roster: RosterRows, gates: readonly Gate[], cadres: readonly Cadre[], date: string, timeZone: string): DailyReport {
  const dayStart = localInstant(date, 0, timeZone);
  const dayEnd = localInstant(addDays(date, 1), 0, timeZone);
  const gatesById = indexById(gates);
  const cadresById = indexById(cadres);
  const startsToday = (row: { start: Date }): boolean => row.start >= dayStart && row.start < dayEnd;
  const msInDay = (row: { start: Date; end: Date }): number =>
    Math.max(0, Math.min(row.end.getTime(), dayEnd.getTime()) - Math.max(row.start.getTime(), dayStart.getTime()));

  const byVillage = new Map<string, Tally>(gates.map((g) => [g.village, emptyTally()]));
  const hoursByRoleMs = new Map<Role, number>(ROLES.map((r) => [r, 0]));

  for (const a of roster.assignments) {
    const tally = tallyOf(byVillage, gatesById, a.gateId);
    if (tally === undefined) continue;
    const ms = msInDay(a);
    tally.workedMs += ms;
    const role = cadresById.get(a.cadreId)?.role;
    if (role !== undefined) hoursByRoleMs.set(role, (hoursByRoleMs.get(role) ?? 0) + ms);
    if (startsToday(a)) {
      tally.placesNeeded += 1;
      tally.placesFilled += 1;
    }
  }
  for (const gapsAtShift of gapsByGateShift(roster.gaps)) {
    const [first] = gapsAtShift;
    const tally = first === undefined ? undefined : tallyOf(byVillage, gatesById, first.gateId);
    if (first === undefined || tally === undefined) continue;
    const missing = missingSeats(gapsAtShift);
    tally.gapMs += missing * Math.max(...gapsAtShift.map(msInDay));
    if (startsToday(first)) {
      tally.gaps += 1;
      tally.placesNeeded += missing;
    }
  }

  const towns = groupTowns(gates, byVillage);
  const district = figures(sumTallies([...byVillage.values()]));
  return {
    date,
    timeZone,
    dayStart,
    dayEnd,
    towns,
    district: {
      ...district,
      hoursByRole: Object.fromEntries(ROLES.map((r) => [r, hours(hoursByRoleMs.get(r) ?? 0)])) as Record<Role, number>,
    },
  };
}

function tallyOf(byVillage: Map<string, Tally>, gatesById: ReadonlyMap<string, Gate>, gateId: string): Tally | undefined {
  const gate = gatesById.get(gateId);
  return gate === undefined ? undefined : byVillage.get(gate.village);
}

function groupTowns(gates: readonly Gate[], byVillage: Map<string, Tally>): TownReport[] {
  const villagesOfTown = new Map<string, Set<string>>();
  for (const g of gates) {
    const set = villagesOfTown.get(g.town) ?? new Set<string>();
    set.add(g.village);
    villagesOfTown.set(g.town, set);
  }
  return [...villagesOfTown.keys()].sort(compareNames).map((town) => {
    const names = [...(villagesOfTown.get(town) ?? [])].sort(compareNames);
    const tallies = names.map((v) => byVillage.get(v) ?? emptyTally());
    return {
      town,
      ...figures(sumTallies(tallies)),
      villages: names.map((village, i) => ({ village, town, ...figures(tallies[i] ?? emptyTally()) })),
    };
  });
}

function emptyTally(): Tally {
  return { placesNeeded: 0, placesFilled: 0, gaps: 0, gapMs: 0, workedMs: 0 };
}

function sumTallies(tallies: readonly Tally[]): Tally {
  return tallies.reduce(
    (sum, t) => ({
      placesNeeded: sum.placesNeeded + t.placesNeeded,
      placesFilled: sum.placesFilled + t.placesFilled,
      gaps: sum.gaps + t.gaps,
      gapMs: sum.gapMs + t.gapMs,
      workedMs: sum.workedMs + t.workedMs,
    }),
    emptyTally(),
  );
}

function figures(t: Tally): CoverageFigures {
  return {
    placesNeeded: t.placesNeeded,
    placesFilled: t.placesFilled,
    percentCovered: t.placesNeeded === 0 ? null : Math.round((1000 * t.placesFilled) / t.placesNeeded) / 10,
    gaps: t.gaps,
    gapHours: hours(t.gapMs),
    hoursWorked: hours(t.workedMs),
  };
}

/** Hours to two decimals (shifts are whole minutes, so this only trims float noise). */
function hours(ms: number): number {
  return Math.round((100 * ms) / MS_PER_HOUR) / 100;
}
