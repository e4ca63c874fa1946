/**
 * One rule for acting for someone else: whether the caller may read, enter or change something
 * of one person is decided here, from the principal, and nowhere else. A caller acts for a
 * person as themselves (a cadre token of that person), as the head of the person's village (a
 * village head token for that village), or as a planner; an inspector acts for no one.
 *
 * A route says which of these ways it accepts (absences are entered by planners and heads, a
 * personal feed link is managed by planners and the person, a check-in only by the person) and
 * asks `assertActsFor`; what the route does for the person is its own business.
 */
import type { Principal } from './tokens.js';
import { AppError } from '../errors.js';

export type ActingAs = 'self' | 'village_head' | 'planner';

export const ANY_WAY: readonly ActingAs[] = ['self', 'village_head', 'planner'];

/** The person acted for: their id and, where known, their village (a head needs it). */
export interface PersonRef {
  id: string;
  village?: string | null;
}

/** How the caller may act for this person, or null when they may not. */
export function actingAs(principal: Principal, person: PersonRef): ActingAs | null {
  switch (principal.role) {
    case 'planner':
      return 'planner';
    case 'cadre':
      return principal.cadreId !== null && principal.cadreId === person.id ? 'self' : null;
    case 'village_head':
      return typeof person.village === 'string' && principal.villages.includes(person.village) ? 'village_head' : null;
    default:
      return null;
  }
}

/** Throws 403 unless the caller may act for this person in one of the `allowed` ways; returns the way. */
export function assertActsFor(principal: Principal, person: PersonRef, allowed: readonly ActingAs[] = ANY_WAY): ActingAs {
  const way = actingAs(principal, person);
  if (way && allowed.includes(way)) return way;
  const who = allowed.map((w) => ({ self: 'the person themself', village_head: 'the head of their village', planner: 'a planner' })[w]).join(' or ');
  if (way) throw new AppError('forbidden', `this is done by ${who}`);
  if (principal.role === 'cadre') throw new AppError('forbidden', `a cadre token acts only for its own person; this is done by ${who}`);
  if (principal.role === 'village_head') throw new AppError('forbidden', 'this person is outside your token’s villages');
  throw new AppError('forbidden', `this is done by ${who}`);
}
