/**
 * When each trip happens. Enough trips go out at night to make the night share of the
 * day's visits, drawn at random among all trips; then every trip gets a random
 * free window of its squad (night trips a night window, the others a day one) that all its
 * gates are staffed in. The time is drawn afresh every day, so a gate's past visit times say
 * nothing of its next.
 */
import { pickOne, shuffled, type RandomSource } from './random.js';
import type { Slot } from './visit-slots.js';
import type { SquadTrips, Trip } from './visit-trips.js';

export interface TimedTrip {
  trip: Trip;
  slot: Slot;
}

/**
 * Marks trips for the night until night visits reach `ceil(share * visits)`, taking trips in
 * one random order over all squads: every trip, big or small, has the same chance, so no
 * gate is checked at night more or less often than another (the share can overshoot the
 * target by at most one trip).
 */
export function chooseNightTrips(bySquad: readonly SquadTrips[], slots: readonly Slot[], share: number, random: RandomSource): Set<Trip> {
  const night = new Set<Trip>();
  const all = bySquad.flatMap((s) => s.trips);
  const target = Math.ceil(share * all.reduce((n, t) => n + t.gates.length, 0) - 1e-9);
  let nightVisits = 0;
  const mark = (t: Trip) => {
    night.add(t);
    nightVisits += t.gates.length;
  };
  // Trips with no day window go at night whatever the share.
  for (const t of all) if (t.slots.length > 0 && t.slots.every((x) => slots[x]?.night)) mark(t);
  for (const t of shuffled(all, random)) {
    if (nightVisits >= target) break;
    if (!night.has(t) && t.slots.some((s) => slots[s]?.night)) mark(t);
  }
  return night;
}

/**
 * A window for each trip of one squad, none two at once. A trip whose kind of window (night
 * or day) is all taken falls back to any free window it can use; a trip with none left is
 * returned unplaced.
 */
export function timeTrips(squad: SquadTrips, night: ReadonlySet<Trip>, slots: readonly Slot[], random: RandomSource): { timed: TimedTrip[]; unplaced: Trip[] } {
  const used = new Set<number>();
  const timed: TimedTrip[] = [];
  const unplaced: Trip[] = [];
  // Fewest usable windows first, so a narrow gate is not crowded out by a round-the-clock one.
  const order = shuffled(squad.trips, random).sort((a, b) => a.slots.length - b.slots.length);
  for (const trip of order) {
    const free = trip.slots.filter((s) => !used.has(s));
    const wanted = free.filter((s) => slots[s]!.night === night.has(trip));
    const index = pickOne(wanted.length > 0 ? wanted : free, random);
    if (index === undefined) {
      unplaced.push(trip);
      continue;
    }
    used.add(index);
    timed.push({ trip, slot: slots[index]! });
  }
  return { timed: timed.sort((a, b) => a.slot.index - b.slot.index), unplaced };
}
