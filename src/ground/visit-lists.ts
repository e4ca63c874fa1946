/**
 * Unannounced visit lists (issue 13, point 4): each day, for each inspection squad, the gates
 * to visit and the hour to be at each. Pure: plain data in, plain data out, no clock, no
 * database. The rules, and the module that holds each:
 * - every gate is visited at least once in every K-day window (visit-selection.ts);
 * - visits are drawn, not rotated: the interval is uniform over 1..K days and the hour is
 *   drawn among the gate's staffed hours (visit-selection.ts, visit-timing.ts);
 * - a set share of visits falls in the plan's night hours (visit-slots.ts, visit-timing.ts);
 * - a squad gets only gates in its scope, whole villages where it can, levelled load
 *   (visit-trips.ts).
 * Call it once per day and store the result: each call draws anew, so asking twice would
 * show a squad two lists and let the second be guessed from the first.
 */
import { formatClock } from '../domain/time.js';
import { cryptoRandom } from './random.js';
import { daySlots, daysBetween, describeNightHours, gateSlots, isActiveOn, visitDayOf, VISIT_WINDOW_MINUTES, type Slot } from './visit-slots.js';
import { drawVillages, type GateToday } from './visit-selection.js';
import { chooseNightTrips, timeTrips, type TimedTrip } from './visit-timing.js';
import { assignTrips, villageTrips, type Trip } from './visit-trips.js';
import type { PlannedVisit, SquadVisitList, UnplannedGate, VisitGate, VisitInput, VisitPlan } from './visit-types.js';

export type { PastVisit, PlannedVisit, ShiftLayout, Squad, SquadVisitList, UnplannedGate, VisitGate, VisitInput, VisitPlan } from './visit-types.js';
export { cryptoRandom, seededRandom, type RandomSource } from './random.js';
export { visitDayOf, VISIT_WINDOW_MINUTES } from './visit-slots.js';

export const DEFAULT_WINDOW_DAYS = 3;
export const DEFAULT_NIGHT_SHARE = 0.25;
/** A village trip is cut only above a squad's fair share of the day and never below this many
 * gates: a squad checks four gates of one village within its hour, and a second squad sent to
 * the same village on a light day costs a trip and saves nothing. */
const SMALLEST_TRIP_CUT = 4;

/** Today's visit list for every squad. Throws only on arguments no caller should pass. */
export function planVisits(input: VisitInput): VisitPlan {
  const windowDays = input.windowDays ?? DEFAULT_WINDOW_DAYS;
  const nightShare = input.nightShare ?? DEFAULT_NIGHT_SHARE;
  if (!Number.isInteger(windowDays) || windowDays < 1) throw new RangeError(`windowDays must be a whole number >= 1, got ${windowDays}`);
  if (!(nightShare >= 0 && nightShare <= 1)) throw new RangeError(`nightShare must be in [0, 1], got ${nightShare}`);
  const random = input.random ?? cryptoRandom();

  const slots = daySlots(input.date, input.layout);
  const today = gatesToday(input, slots);
  const squadCount = Math.max(1, input.squads.length);
  const maxVisits = input.maxVisitsPerSquadDay === undefined ? undefined : input.maxVisitsPerSquadDay * squadCount;
  const draws = drawVillages(today, windowDays, random, maxVisits);

  const visits = draws.reduce((n, d) => n + d.gates.length, 0);
  const trips = villageTrips(draws, Math.max(SMALLEST_TRIP_CUT, Math.ceil(visits / squadCount)), random);
  const { bySquad, orphans } = assignTrips(trips, input.squads, random);
  const night = chooseNightTrips(bySquad, slots, nightShare, random);

  const unplanned: UnplannedGate[] = dueGates(orphans).map((gateId) => ({ gateId, reason: 'no_squad_in_scope' }));
  const lists: SquadVisitList[] = bySquad.map((s) => {
    const { timed, unplaced } = timeTrips(s, night, slots, random);
    unplanned.push(...dueGates(unplaced).map((gateId) => ({ gateId, reason: 'no_free_window' as const })));
    return { squadId: s.squad.id, visits: timed.flatMap((t) => toVisits(t, windowDays)) };
  });

  return {
    date: input.date,
    dayStart: slots[0]!.start,
    dayEnd: new Date(slots[0]!.start.getTime() + 24 * 3_600_000),
    nightHours: describeNightHours(slots),
    lists,
    unplanned,
  };
}

/** Active gates that can be visited in some window today, with their days since the last visit. */
function gatesToday(input: VisitInput, slots: readonly Slot[]): GateToday[] {
  const lastVisit = new Map<string, string>();
  for (const v of input.history) {
    const day = visitDayOf(v.at, input.layout);
    if (day > input.date) continue; // a visit recorded ahead of today cannot count yet
    const known = lastVisit.get(v.gateId);
    if (known === undefined || day > known) lastVisit.set(v.gateId, day);
  }
  const startedOn = input.startedOn ?? input.date;
  const out: GateToday[] = [];
  for (const gate of input.gates) {
    if (!isActiveOn(gate, input.date)) continue;
    const gateSlotList = gateSlots(gate, slots);
    if (gateSlotList.length === 0) continue;
    const last = lastVisit.get(gate.id) ?? dayBeforeFirstWindow(gate, startedOn);
    out.push({ gate, slots: gateSlotList, daysSince: daysBetween(last, input.date) });
  }
  return out;
}

/** A gate never visited counts from the start of the programme, or from its own opening. */
function dayBeforeFirstWindow(gate: VisitGate, startedOn: string): string {
  const from = gate.activeFrom !== null && gate.activeFrom > startedOn ? gate.activeFrom : startedOn;
  const [y, m, d] = from.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

function dueGates(trips: readonly Trip[]): string[] {
  return trips.filter((t) => t.due).flatMap((t) => t.gates.map((g) => g.gate.id));
}

function toVisits({ trip, slot }: TimedTrip, windowDays: number): PlannedVisit[] {
  return trip.gates.map((g) => ({
    gateId: g.gate.id,
    village: g.gate.village,
    town: g.gate.town,
    start: slot.start,
    end: slot.end,
    localStart: formatClock(slot.clock),
    localEnd: formatClock((slot.clock + VISIT_WINDOW_MINUTES) % 1440),
    night: slot.night,
    due: g.daysSince >= windowDays,
  }));
}
