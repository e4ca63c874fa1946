/**
 * Scoped reads of gates, people and availability. Scope is applied here, in the query, so
 * no caller can forget it: a village head sees only their villages, a person only themself,
 * and phone numbers reach planners only.
 */

// Filters are plain objects: mongoose's QueryFilter<T> types cost tsc far more than they check.
type Filter = Record<string, unknown>;
import { writeDirectory, type DirectoryCollection } from './write-protocol.js';
import type { AnyModel, AvailabilityDoc, Models } from '../db/models.js';
import type { Cadre, Gate, Role } from '../domain/types.js';
import type { Principal } from '../auth/tokens.js';
import { AppError } from '../errors.js';
import { assertCadreReadable, assertVillageReadable } from '../auth/scope.js';

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}
export interface PageRequest {
  page: number;
  pageSize: number;
}

const HIDDEN = { _id: 0, createdAt: 0, updatedAt: 0 } as const;

export async function listGates(models: Models, principal: Principal, query: PageRequest & { village?: string; town?: string }): Promise<Page<Gate>> {
  refuseCadreToken(principal);
  // The scope narrows the requested village, never the other way round.
  const filter: Filter = villageScope(principal, 'village');
  if (query.village) filter.village = andIn(filter.village, [query.village]);
  if (query.town) filter.town = query.town;
  return paged(models.Gate, filter, { village: 1, id: 1 }, query);
}

export async function getGate(models: Models, principal: Principal, id: string): Promise<Gate> {
  const gate = await models.Gate.findOne({ _id: id }, HIDDEN).lean<Gate>();
  if (!gate) throw new AppError('not_found', `no gate "${id}"`);
  refuseCadreToken(principal);
  assertVillageReadable(principal, gate.village);
  return gate;
}

export async function listCadres(
  models: Models,
  principal: Principal,
  query: PageRequest & { village?: string; town?: string; role?: Role },
): Promise<Page<Cadre>> {
  const filter: Filter = { ...villageScope(principal, 'village'), ...selfScope(principal, '_id') };
  if (query.village) filter.village = andIn(filter.village, [query.village]);
  if (query.town) filter.village = andIn(filter.village, await models.Gate.distinct('village', { town: query.town }));
  if (query.role) filter.role = query.role;
  const page = await paged<Cadre>(models.Cadre, filter, { village: 1, id: 1 }, query);
  return { ...page, items: page.items.map((c) => withoutPhoneUnlessPlanner(principal, c)) };
}

export async function getCadre(models: Models, principal: Principal, id: string): Promise<Cadre> {
  const cadre = await models.Cadre.findOne({ _id: id }, HIDDEN).lean<Cadre>();
  if (!cadre) throw new AppError('not_found', `no person "${id}"`);
  assertCadreReadable(principal, cadre);
  return withoutPhoneUnlessPlanner(principal, cadre);
}

export async function listAvailability(
  models: Models,
  principal: Principal,
  query: PageRequest & { cadreId?: string; village?: string },
): Promise<Page<AvailabilityDoc>> {
  const filter: Filter = { ...selfScope(principal, '_id') };
  if (principal.role === 'village_head' || query.village) {
    const villages = principal.role === 'village_head' ? principal.villages : [];
    const wanted = query.village ? (principal.role === 'village_head' ? villages.filter((v) => v === query.village) : [query.village]) : villages;
    filter.cadreId = andIn(filter.cadreId, await models.Cadre.distinct('id', { village: { $in: wanted } }));
  }
  if (query.cadreId) filter.cadreId = andIn(filter.cadreId, [query.cadreId]);
  return paged(models.Availability, filter, { cadreId: 1 }, query);
}

export async function listVillages(models: Models, principal: Principal): Promise<{ village: string; town: string; gates: number }[]> {
  refuseCadreToken(principal);
  const match = villageScope(principal, 'village');
  const groups = await models.Gate.aggregate<{ _id: { village: string; town: string }; gates: number }>([
    { $match: match },
    { $group: { _id: { village: '$village', town: '$town' }, gates: { $sum: 1 } } },
  ]);
  return groups
    .map((g) => ({ village: g._id.village, town: g._id.town, gates: g.gates }))
    .sort((a, b) => a.town.localeCompare(b.town, 'zh') || a.village.localeCompare(b.village, 'zh'));
}

export async function deleteGate(models: Models, id: string): Promise<void> {
  await removeOne(models, 'Gate', id, [], `no gate "${id}"`);
}

/** A person goes with their availability. */
export async function deleteCadre(models: Models, id: string): Promise<void> {
  await removeOne(models, 'Cadre', id, ['Availability'], `no person "${id}"`);
}

export async function deleteAvailability(models: Models, cadreId: string): Promise<void> {
  await removeOne(models, 'Availability', cadreId, [], `no availability stored for "${cadreId}"`);
}

async function removeOne(models: Models, collection: DirectoryCollection, id: string, alsoFrom: DirectoryCollection[], notFound: string): Promise<void> {
  await writeDirectory(models, async () => {
    if (!(await (models[collection] as AnyModel).exists({ _id: id }))) throw new AppError('not_found', notFound);
    return { ops: [collection, ...alsoFrom].map((c) => ({ collection: c, remove: [id] })), result: undefined };
  });
}

function villageScope(principal: Principal, field: string): Filter {
  return principal.role === 'village_head' ? { [field]: { $in: principal.villages } } : {};
}

function refuseCadreToken(principal: Principal): void {
  if (principal.role === 'cadre') throw new AppError('forbidden', 'a cadre token reads only its own data');
}

function selfScope(principal: Principal, field: string): Record<string, unknown> {
  return principal.role === 'cadre' ? { [field]: principal.cadreId } : {};
}

/** Narrows a field's filter to values also in `values` (scope AND request). */
function andIn(current: unknown, values: string[]): unknown {
  if (current === undefined) return { $in: values };
  const allowed = typeof current === 'string' ? [current] : ((current as { $in?: string[] }).$in ?? []);
  return { $in: values.filter((v) => allowed.includes(v)) };
}

function withoutPhoneUnlessPlanner(principal: Principal, cadre: Cadre): Cadre {
  return principal.role === 'planner' ? cadre : { ...cadre, phone: null };
}

async function paged<T>(model: AnyModel, filter: object, sort: Record<string, 1 | -1>, request: PageRequest): Promise<Page<T>> {
  const [items, total] = await Promise.all([
    model
      .find(filter, HIDDEN)
      .sort(sort)
      .skip((request.page - 1) * request.pageSize)
      .limit(request.pageSize)
      .lean<T[]>(),
    model.countDocuments(filter),
  ]);
  return { items, page: request.page, pageSize: request.pageSize, total };
}
