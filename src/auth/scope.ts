/**
 * Scope checks on what a principal may read. They judge a principal, not a request, so they
 * live here beside the act-for rule and serve the directory's queries and the routes alike
 * (src/http/auth.ts authenticates; it does not own the scope).
 */
import type { Principal } from './tokens.js';
import { AppError } from '../errors.js';
import { assertActsFor } from './act-for.js';

/** Throws 403 unless the caller may read data of this village. */
export function assertVillageReadable(principal: Principal, village: string): void {
  if (principal.role === 'planner') return;
  if (principal.role === 'village_head' && principal.villages.includes(village)) return;
  throw new AppError('forbidden', 'this village is outside your token’s scope');
}

/** Throws 403 unless the caller may read this person's data: the act-for rule (./act-for.ts), in any way. */
export function assertCadreReadable(principal: Principal, cadre: { id: string; village: string }): void {
  assertActsFor(principal, cadre);
}
