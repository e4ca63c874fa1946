/**
 * Today's villages cut into trips (gates one squad visits together in one window) and the
 * trips handed to squads: only within a squad's scope, the load levelled, and a squad kept to
 * few villages and towns so its day is not spent on the road.
 */
import { shuffled, type RandomSource } from './random.js';
import type { GateToday, VillageDraw } from './visit-selection.js';
import type { Squad } from './visit-types.js';

export interface Trip {
  village: string;
  town: string;
  gates: GateToday[];
  /** Windows every gate of the trip can be visited in. */
  slots: number[];
  due: boolean;
}

/**
 * One trip per village and set of staffed hours: gates staffed the same hours go together,
 * so each gate's visit hour is drawn from all its own staffed hours (a round-the-clock gate is
 * not spared night checks because a day-only neighbour shares its trip). A trip holding more
 * gates than a squad's fair share of the day is cut, or that squad would be overloaded while
 * others idle.
 */
export function villageTrips(draws: readonly VillageDraw[], maxTripSize: number, random: RandomSource): Trip[] {
  const trips: Trip[] = [];
  for (const draw of draws) {
    const bySlots = new Map<string, GateToday[]>();
    for (const g of shuffled(draw.gates, random)) bySlots.set(g.slots.join(','), [...(bySlots.get(g.slots.join(',')) ?? []), g]);
    for (const group of bySlots.values()) {
      const parts = Math.ceil(group.length / maxTripSize);
      for (let p = 0; p < parts; p++) {
        const gates = group.filter((_, i) => i % parts === p);
        trips.push({ village: draw.village, town: draw.town, gates, slots: gates[0]!.slots, due: draw.due });
      }
    }
  }
  return trips;
}

export function inScope(squad: Squad, town: string): boolean {
  return squad.scope === 'district' || squad.scope.includes(town);
}

/**
 * Extra cost, in visits, of sending a squad to a town (or village) it is not yet in today:
 * a squad takes a slightly heavier list rather than a second village or town, never a much
 * heavier one. A village's second trip (gates staffed other hours) thus goes with its first.
 */
const NEW_TOWN_COST = 1;
const NEW_VILLAGE_COST = 1;

export interface SquadTrips {
  squad: Squad;
  trips: Trip[];
  load: number;
}

/**
 * Longest-processing-time-first over the squads in scope: the trips with the fewest squads
 * to take them go first, then the biggest; each to the squad it costs least (load plus the
 * travel costs above), ties broken at random. Trips no squad may take are returned apart.
 */
export function assignTrips(trips: readonly Trip[], squads: readonly Squad[], random: RandomSource): { bySquad: SquadTrips[]; orphans: Trip[] } {
  const bySquad: SquadTrips[] = squads.map((squad) => ({ squad, trips: [], load: 0 }));
  const candidatesOf = (t: Trip) => bySquad.filter((s) => inScope(s.squad, t.town));
  const order = shuffled(trips, random)
    .map((trip) => ({ trip, candidates: candidatesOf(trip) }))
    .sort((a, b) => a.candidates.length - b.candidates.length || b.trip.gates.length - a.trip.gates.length);
  const orphans: Trip[] = [];
  for (const { trip, candidates } of order) {
    if (candidates.length === 0) {
      orphans.push(trip);
      continue;
    }
    const cost = (s: SquadTrips) =>
      s.load + (s.trips.some((t) => t.town === trip.town) ? 0 : NEW_TOWN_COST) + (s.trips.some((t) => t.village === trip.village) ? 0 : NEW_VILLAGE_COST);
    const best = shuffled(candidates, random).reduce((a, b) => (cost(b) < cost(a) ? b : a));
    best.trips.push(trip);
    best.load += trip.gates.length;
  }
  return { bySquad, orphans };
}
