/**
 * Whom a person calls when it is too late to report an absence on their page: the heads of
 * their village, by the people-list entry a village-head token names (`personId`, with its
 * phone from the directory). Where no head token names anyone, the village's own cadres
 * (村干部) with a phone stand in, so the page never leaves a person with nobody to call.
 */
import type { ApiTokenDoc, Models } from '../db/models.js';
import type { Cadre } from '../domain/types.js';

export interface Contact {
  name: string;
  phone: string;
  /** `head`: a village head; `village_cadre`: one of the village's cadres, when no head is known. */
  kind: 'head' | 'village_cadre';
}

/** At most this many stand-ins. */
const STAND_INS = 3;

export async function whomToCall(models: Models, village: string, exceptCadreId: string): Promise<Contact[]> {
  const heads = await models.ApiToken.find({ role: 'village_head', revokedAt: null, villages: village, personId: { $ne: null } }, { personId: 1 }).lean<
    Pick<ApiTokenDoc, 'personId'>[]
  >();
  const headIds = [...new Set(heads.map((h) => h.personId).filter((id): id is string => !!id && id !== exceptCadreId))];
  const withPhone = (people: Pick<Cadre, 'id' | 'name' | 'phone'>[]) =>
    people.filter((p) => p.phone && p.id !== exceptCadreId).sort((a, b) => a.id.localeCompare(b.id));
  if (headIds.length) {
    const people = withPhone(await models.Cadre.find({ _id: { $in: headIds } }, { id: 1, name: 1, phone: 1 }).lean<Pick<Cadre, 'id' | 'name' | 'phone'>[]>());
    if (people.length) return people.map((p) => ({ name: p.name, phone: p.phone as string, kind: 'head' }));
  }
  const cadres = withPhone(
    await models.Cadre.find({ village, role: 'village_cadre' }, { id: 1, name: 1, phone: 1 }).lean<Pick<Cadre, 'id' | 'name' | 'phone'>[]>(),
  );
  return cadres.slice(0, STAND_INS).map((p) => ({ name: p.name, phone: p.phone as string, kind: 'village_cadre' }));
}
