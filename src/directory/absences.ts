/**
 * Absences (请假 / 不可值班): one person is out from one instant to another. An absence is an
 * `unavailable` window added to that person's availability document, beside the windows
 * already there (an availability upload replaces all of a person's windows; marking one
 * absence must not). The write goes through the crash-safe directory protocol
 * (./write-protocol.ts), so the next solve's snapshot sees the absence whole or not at all.
 *
 * An absence's id is its person and instants, encoded (no stored id): the window itself is
 * the record, so an absence uploaded in a sheet can be listed and removed here too.
 *
 * The reason is a note for people, kept beside the window in its own small collection and
 * written after the window: a crash between the two loses the note, never the absence.
 * Nothing reads it but `listAbsences`.
 */
import { Schema, type Model } from 'mongoose';
import type { Principal } from '../auth/tokens.js';
import type { AvailabilityDoc, Models } from '../db/models.js';
import type { Cadre } from '../domain/types.js';
import { AppError } from '../errors.js';
import { assertActsFor } from '../auth/act-for.js';
import { writeDirectory } from './write-protocol.js';

export interface AbsenceInput {
  cadreId: string;
  from: Date;
  to: Date;
  reason?: string;
}

export interface Absence {
  id: string;
  cadreId: string;
  cadreName: string;
  village: string;
  from: Date;
  to: Date;
  reason: string;
}

/** Longest absence one request may add (a whole plan is at most 31 days). */
const MAX_DAYS = 62;

export async function addAbsence(models: Models, principal: Principal, input: AbsenceInput): Promise<{ absence: Absence; created: boolean }> {
  return writeAbsenceWindow(models, await checkAbsence(models, principal, input), input);
}

/** The person, when `input` is a valid span and the caller may mark them absent. */
export async function checkAbsence(models: Models, principal: Principal, input: AbsenceInput): Promise<Pick<Cadre, 'id' | 'name' | 'village'>> {
  checkSpan(input);
  return cadreInScope(models, principal, input.cadreId);
}

/** A span an absence may have: "to" after "from", at most MAX_DAYS long. */
export function checkSpan(input: { from: Date; to: Date }): void {
  if (!(input.from < input.to))
    throw new AppError('validation_failed', '"to" must be after "from"', { problems: [{ field: 'to', message: '"to" must be after "from"' }] });
  if (input.to.getTime() - input.from.getTime() > MAX_DAYS * 86_400_000) {
    throw new AppError('validation_failed', `an absence is at most ${MAX_DAYS} days; add another for longer`, {
      problems: [{ field: 'to', message: `an absence is at most ${MAX_DAYS} days` }],
    });
  }
}

/**
 * Writes the unavailable window (and the reason) of a person already checked; idempotent:
 * the same window again changes nothing (`created` false).
 */
export async function writeAbsenceWindow(
  models: Models,
  cadre: Pick<Cadre, 'id' | 'name' | 'village'>,
  input: AbsenceInput,
): Promise<{ absence: Absence; created: boolean }> {
  const created = await writeDirectory(models, async () => {
    const stored = await models.Availability.findOne({ _id: cadre.id }).lean<AvailabilityDoc>();
    const windows = (stored?.windows ?? []).map(({ start, end, kind }) => ({ start, end, kind }));
    if (windows.some((w) => w.kind === 'unavailable' && sameInstant(w.start, input.from) && sameInstant(w.end, input.to))) return { ops: [], result: false };
    windows.push({ start: input.from, end: input.to, kind: 'unavailable' });
    windows.sort((a, b) => a.start.getTime() - b.start.getTime() || a.kind.localeCompare(b.kind));
    return { ops: [{ collection: 'Availability', put: [{ _id: cadre.id, cadreId: cadre.id, windows }] }], result: true };
  });
  const id = absenceId(cadre.id, input.from, input.to);
  const reason = input.reason?.trim() ?? '';
  if (reason) await notes(models).updateOne({ _id: id }, { $set: { reason } }, { upsert: true });
  else if (created) await notes(models).deleteOne({ _id: id });
  const note = reason || ((await notes(models).findOne({ _id: id }).lean<{ reason?: string }>())?.reason ?? '');
  return { absence: { id, cadreId: cadre.id, cadreName: cadre.name, village: cadre.village, from: input.from, to: input.to, reason: note }, created };
}

/**
 * Unavailable windows of the people in the caller's scope, soonest first; `from`/`to` keep
 * those overlapping that span.
 */
export async function listAbsences(
  models: Models,
  principal: Principal,
  query: { cadreId?: string; village?: string; from?: Date; to?: Date },
): Promise<Absence[]> {
  if (principal.role === 'cadre') throw new AppError('forbidden', 'absences are for planners and village heads');
  const villages =
    principal.role === 'village_head' ? principal.villages.filter((v) => !query.village || v === query.village) : query.village ? [query.village] : null;
  const cadreFilter: Record<string, unknown> = {};
  if (villages) cadreFilter.village = { $in: villages };
  if (query.cadreId) cadreFilter._id = query.cadreId;
  const cadres = await models.Cadre.find(cadreFilter, { id: 1, name: 1, village: 1 }).lean<Pick<Cadre, 'id' | 'name' | 'village'>[]>();
  const byId = new Map(cadres.map((c) => [c.id, c]));
  const docs = await models.Availability.find({ _id: { $in: [...byId.keys()] }, 'windows.kind': 'unavailable' }).lean<AvailabilityDoc[]>();
  const absences: Absence[] = [];
  for (const doc of docs) {
    const cadre = byId.get(doc.cadreId);
    if (!cadre) continue;
    for (const w of doc.windows) {
      if (w.kind !== 'unavailable') continue;
      if (query.from && w.end <= query.from) continue;
      if (query.to && w.start >= query.to) continue;
      absences.push({
        id: absenceId(cadre.id, w.start, w.end),
        cadreId: cadre.id,
        cadreName: cadre.name,
        village: cadre.village,
        from: w.start,
        to: w.end,
        reason: '',
      });
    }
  }
  const reasons = await notes(models)
    .find({ _id: { $in: absences.map((a) => a.id) } })
    .lean<{ _id: string; reason: string }[]>();
  const reasonOf = new Map(reasons.map((r) => [r._id, r.reason]));
  return absences
    .map((a) => ({ ...a, reason: reasonOf.get(a.id) ?? '' }))
    .sort((a, b) => a.from.getTime() - b.from.getTime() || a.cadreId.localeCompare(b.cadreId));
}

/** The reason noted for one absence ('' when none). */
export async function absenceReason(models: Models, id: string): Promise<string> {
  return (await notes(models).findOne({ _id: id }).lean<{ reason?: string }>())?.reason ?? '';
}

/** Removes one absence (the person's other windows stay). */
export async function removeAbsence(models: Models, principal: Principal, id: string): Promise<void> {
  const key = parseAbsenceId(id);
  if (!key) throw new AppError('not_found', 'no such absence');
  const cadre = await cadreInScope(models, principal, key.cadreId);
  await writeDirectory(models, async () => {
    const stored = await models.Availability.findOne({ _id: cadre.id }).lean<AvailabilityDoc>();
    const windows = (stored?.windows ?? []).map(({ start, end, kind }) => ({ start, end, kind }));
    const kept = windows.filter((w) => !(w.kind === 'unavailable' && sameInstant(w.start, key.from) && sameInstant(w.end, key.to)));
    if (kept.length === windows.length) throw new AppError('not_found', 'no such absence');
    return { ops: [{ collection: 'Availability', put: [{ _id: cadre.id, cadreId: cadre.id, windows: kept }] }], result: undefined };
  });
  await notes(models).deleteOne({ _id: id });
}

/** Absences are entered by planners and the heads of the person's village (people report their own on their page). */
const ABSENCE_ENTERED_BY = ['village_head', 'planner'] as const;

/** The person, if the caller may mark them absent: planners anyone, village heads their villages' people. */
export async function cadreInScope(models: Models, principal: Principal, cadreId: string): Promise<Pick<Cadre, 'id' | 'name' | 'village'>> {
  // Decided before the lookup where it can be (a cadre token, an inspector): they learn nothing.
  if (principal.role !== 'planner' && principal.role !== 'village_head') assertActsFor(principal, { id: cadreId }, ABSENCE_ENTERED_BY);
  const cadre = await models.Cadre.findOne({ _id: cadreId }, { id: 1, name: 1, village: 1 }).lean<Pick<Cadre, 'id' | 'name' | 'village'>>();
  // A head asking about someone outside their villages learns nothing about whether they exist.
  if (!cadre && principal.role === 'planner') throw new AppError('not_found', `no person "${cadreId}"`);
  assertActsFor(principal, cadre ?? { id: cadreId }, ABSENCE_ENTERED_BY);
  return cadre as Pick<Cadre, 'id' | 'name' | 'village'>;
}

export function absenceId(cadreId: string, from: Date, to: Date): string {
  return `ab_${Buffer.from(`${cadreId}\u0000${from.getTime()}\u0000${to.getTime()}`).toString('base64url')}`;
}

function parseAbsenceId(id: string): { cadreId: string; from: Date; to: Date } | null {
  if (!id.startsWith('ab_')) return null;
  const parts = Buffer.from(id.slice(3), 'base64url').toString('utf8').split('\u0000');
  if (parts.length !== 3 || !parts[0] || !/^\d+$/.test(parts[1] ?? '') || !/^\d+$/.test(parts[2] ?? '')) return null;
  return { cadreId: parts[0], from: new Date(Number(parts[1])), to: new Date(Number(parts[2])) };
}

function sameInstant(a: Date, b: Date): boolean {
  return new Date(a).getTime() === b.getTime();
}

interface NoteDoc {
  _id: string;
  reason: string;
}

const noteSchema = new Schema<NoteDoc>(
  { _id: { type: String, required: true }, reason: { type: String, default: '' } },
  { versionKey: false, timestamps: true },
);

/** The reasons' collection, on the directory's own connection. */
function notes(models: Models): Model<NoteDoc> {
  const connection = models.Availability.db;
  return connection.models.AbsenceNote ?? connection.model('AbsenceNote', noteSchema);
}
