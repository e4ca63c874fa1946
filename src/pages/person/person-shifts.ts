/**
 * A person's shifts as their calendar feed shows them: every plan's published roster, their
 * own assignments, and the names of the others on each gate-shift (`partnerNames`, the
 * function the feed uses). The feed secret grants exactly this, so the page shows no more
 * than the `.ics` behind the same secret does.
 */
import type { Models } from '../../db/models.js';
import { partnerNames } from '../../feeds/index.js';
import { publishedRoster } from '../../roster/publish.js';
import { compareByStartGate, compareNames } from '../../domain/keys.js';
import { publishedPlans } from '../published-plan.js';
import { shiftLabel, type ShiftLabel } from '../time-labels.js';

export interface PersonShift {
  planId: string;
  gateId: string;
  gateName: string;
  village: string;
  town: string;
  label: ShiftLabel;
  startMs: number;
  endMs: number;
  partners: string[];
}

export async function personShifts(models: Models, cadreId: string): Promise<{ name: string | null; shifts: PersonShift[]; timeZone: string | null }> {
  let name: string | null = null;
  let timeZone: string | null = null;
  const shifts: PersonShift[] = [];
  for (const plan of await publishedPlans(models)) {
    const roster = await publishedRoster(models, plan.planId);
    if (!roster) continue;
    const own = roster.assignments.filter((a) => a.cadreId === cadreId);
    if (own.length === 0) continue;
    const cadresById = new Map(roster.cadres.map((c) => [c.id, c] as const));
    const gatesById = new Map(roster.gates.map((g) => [g.id, g] as const));
    const partnersOf = partnerNames(roster.assignments, cadresById);
    name ??= cadresById.get(cadreId)?.name ?? null;
    timeZone ??= roster.timezone;
    for (const a of own.map((x) => ({ ...x, start: new Date(x.start), end: new Date(x.end) })).sort(compareByStartGate)) {
      const gate = gatesById.get(a.gateId);
      shifts.push({
        planId: plan.planId,
        gateId: a.gateId,
        gateName: gate?.name ?? '',
        village: gate?.village ?? '',
        town: gate?.town ?? '',
        label: shiftLabel(a.start, a.end, roster.timezone),
        startMs: a.start.getTime(),
        endMs: a.end.getTime(),
        partners: partnersOf(a).sort(compareNames),
      });
    }
  }
  shifts.sort((a, b) => a.startMs - b.startMs);
  return { name, shifts, timeZone };
}
