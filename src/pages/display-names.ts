/**
 * The names pages show for people and gates, looked up by id (src/db/by-ids.ts); an id the
 * directory no longer has is shown as itself.
 */
import { findByIds } from '../db/by-ids.js';
import type { Models } from '../db/models.js';

export interface DisplayNames {
  person: (id: string) => string;
  gate: (id: string) => string;
}

export async function displayNames(models: Models, ids: { people?: readonly string[]; gates?: readonly string[] }): Promise<DisplayNames> {
  type Named = { id: string; name: string };
  const [people, gates] = await Promise.all([
    findByIds<Named>(models.Cadre, (ids.people ?? []).filter(Boolean), { _id: 0, id: 1, name: 1 }),
    findByIds<Named>(models.Gate, (ids.gates ?? []).filter(Boolean), { _id: 0, id: 1, name: 1 }),
  ]);
  const personName = new Map(people.map((p) => [p.id, p.name]));
  const gateName = new Map(gates.map((g) => [g.id, g.name]));
  return { person: (id) => personName.get(id) ?? id, gate: (id) => gateName.get(id) ?? id };
}
