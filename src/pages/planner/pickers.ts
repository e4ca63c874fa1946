/**
 * What the console's pickers offer and how their typed text is read back: a person by
 * name or id (a `<datalist>` of "name (id) · village"), a gate of the plan, a shift start of
 * the plan. The server reads the text back itself, so a typed id works as well as a pick.
 */
import type { Models } from '../../db/models.js';
import type { Cadre, Gate } from '../../domain/types.js';
import type { Plan } from '../../roster/plans.js';
import { shiftStarts } from '../../roster/plans.js';
import { shiftLabel } from '../time-labels.js';

export interface PersonOption {
  id: string;
  name: string;
  village: string;
  /** What the picker shows and sends: `张伟 (A01)`. */
  label: string;
}

export async function personOptions(models: Models, villages?: readonly string[]): Promise<PersonOption[]> {
  const filter = villages ? { village: { $in: villages } } : {};
  const cadres = await models.Cadre.find(filter, { _id: 0, id: 1, name: 1, village: 1 }).lean<Pick<Cadre, 'id' | 'name' | 'village'>[]>();
  return cadres
    .map((c) => ({ id: c.id, name: c.name, village: c.village, label: `${c.name} (${c.id})` }))
    .sort((a, b) => a.village.localeCompare(b.village, 'zh') || a.name.localeCompare(b.name, 'zh') || a.id.localeCompare(b.id));
}

/**
 * The person a picker's text names: `name (id)` as the list sends it, a bare id, or a name
 * that only one person has. Null when none or several match.
 */
export async function resolvePerson(models: Models, text: string, villages?: readonly string[]): Promise<Pick<Cadre, 'id' | 'name' | 'village'> | null> {
  const trimmed = text.trim();
  if (!trimmed) return null;
  const inScope = <T extends { village: string }>(c: T | null): T | null => (c && (!villages || villages.includes(c.village)) ? c : null);
  const fields = { _id: 0, id: 1, name: 1, village: 1 };
  const labelled = /\(([^()]+)\)\s*$/.exec(trimmed)?.[1]?.trim();
  for (const id of [labelled, trimmed]) {
    if (!id) continue;
    const byId = inScope(await models.Cadre.findOne({ _id: id }, fields).lean<Pick<Cadre, 'id' | 'name' | 'village'>>());
    if (byId) return byId;
  }
  const byName = (await models.Cadre.find({ name: trimmed }, fields).lean<Pick<Cadre, 'id' | 'name' | 'village'>[]>()).filter((c) => inScope(c));
  return byName.length === 1 ? (byName[0] ?? null) : null;
}

export async function gateOptions(models: Models, plan: Plan): Promise<Pick<Gate, 'id' | 'name' | 'village'>[]> {
  const filter = plan.spec.gateIds ? { _id: { $in: plan.spec.gateIds } } : {};
  const gates = await models.Gate.find(filter, { _id: 0, id: 1, name: 1, village: 1 }).lean<Pick<Gate, 'id' | 'name' | 'village'>[]>();
  return gates.sort((a, b) => a.village.localeCompare(b.village, 'zh') || a.name.localeCompare(b.name, 'zh'));
}

/** Every shift of the plan: its start as an ISO instant (the form's value) and a local label. */
export function shiftOptions(plan: Plan): { iso: string; label: string }[] {
  const ms = plan.spec.shiftHours * 3_600_000;
  return shiftStarts(plan.spec).map((start) => {
    const l = shiftLabel(start, new Date(start.getTime() + ms), plan.spec.timezone);
    return { iso: start.toISOString(), label: `${l.date} ${l.hours}` };
  });
}
