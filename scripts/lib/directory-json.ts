/**
 * Generated gates, people and availability as the JSON uploads the API takes (an array of
 * rows keyed by the English column names), so a bench can load any generated district
 * through the real intake.
 */
import { formatLocalDateTime } from '../../src/domain/time.js';
import type { AvailabilityWindow, Cadre, Gate } from '../../src/domain/types.js';

export function gatesJson(gates: readonly Gate[]): Buffer {
  return json(
    gates.map((g) => ({
      id: g.id,
      name: g.name,
      village: g.village,
      town: g.town,
      staff_per_shift: g.staffPerShift,
      cover_from: g.coverFrom,
      cover_to: g.coverTo,
      ...(g.activeFrom ? { active_from: g.activeFrom } : {}),
      ...(g.activeTo ? { active_to: g.activeTo } : {}),
      lead_required: g.leadRequired ? 'yes' : 'no',
    })),
  );
}

export function cadresJson(cadres: readonly Cadre[]): Buffer {
  return json(
    cadres.map((c) => ({
      id: c.id,
      name: c.name,
      ...(c.phone ? { phone: c.phone } : {}),
      role: c.role,
      village: c.village,
      ...(c.serves.length ? { serves: c.serves.join(';') } : {}),
      ...(c.maxHoursWeek !== null ? { max_hours_week: c.maxHoursWeek } : {}),
      night_ok: c.nightOk ? 'yes' : 'no',
    })),
  );
}

export function availabilityJson(windows: readonly AvailabilityWindow[], timeZone: string): Buffer {
  return json(
    windows.map((w) => ({ cadre_id: w.cadreId, start: formatLocalDateTime(w.start, timeZone), end: formatLocalDateTime(w.end, timeZone), kind: w.kind })),
  );
}

function json(rows: object[]): Buffer {
  return Buffer.from(JSON.stringify(rows), 'utf8');
}
