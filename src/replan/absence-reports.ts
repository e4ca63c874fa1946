/**
 * Absences as reported and accepted: by a planner or village head (accepted at once), or by
 * the person on their own page (checked against the plans' absence policy, and accepted at
 * once or left for a head or planner to accept). An accepted absence becomes an unavailable
 * window (src/directory/absences.ts) and a pending re-plan (./replan-protocol.ts).
 *
 * Order of writes, for crash safety: the report (accepted, re-plan pending) first
 * [absence:after-record], then the window. A crash in between leaves a pending re-plan whose
 * window start-up recovery writes (`recoverAbsences`) and the re-plan worker checks again
 * before it solves. The other order could lose the re-plan: a window nobody re-plans for.
 */
import type { Principal } from '../auth/tokens.js';
import type { Models } from '../db/models.js';
import {
  absenceId,
  absenceReason,
  cadreInScope,
  checkAbsence,
  checkSpan,
  listAbsences,
  removeAbsence,
  writeAbsenceWindow,
  type Absence,
  type AbsenceInput,
} from '../directory/absences.js';
import type { Cadre } from '../domain/types.js';
import { AppError } from '../errors.js';
import { replanFaultPoint } from './faults.js';
import { livePlans, shiftsOf, type LiveShift } from './live-shifts.js';
import { absenceAccepted } from './signal.js';

export type AbsenceSource = 'self' | 'planner' | 'village_head' | 'upload';
export type AbsenceStatus = 'reported' | 'accepted';
export type ReplanStatus = 'none' | 'pending' | 'done' | 'failed';

/** What the re-plan of one plan did for an absence. */
export interface ReplanResult {
  planId: string;
  /** The re-plan's solve. */
  solveId: string;
  /** The version published at once; null when nothing was within the policy's hours. */
  publishedVersion: number | null;
  /** The whole re-plan, left as a draft when part of it waits for the planner. */
  draftSolveId: string | null;
}

/** An absence with how it was entered and where its re-plan stands. */
export interface AbsenceRecord extends Absence {
  status: AbsenceStatus;
  source: AbsenceSource;
  /** Null for windows that came from an availability upload (no automatic re-plan). */
  replan: { status: ReplanStatus; results: ReplanResult[]; error: string | null } | null;
}

export interface ReportDoc {
  _id: string;
  cadreId: string;
  from: Date;
  to: Date;
  reason: string;
  source: Exclude<AbsenceSource, 'upload'>;
  status: AbsenceStatus;
  acceptedAt: Date | null;
  acceptedBy: string | null;
  replan: ReplanStatus;
  replanResults: ReplanResult[];
  replanError: string | null;
}

type Person = Pick<Cadre, 'id' | 'name' | 'village'>;

/** A planner or village head enters an absence: accepted at once, re-planned. */
export async function recordAbsence(models: Models, principal: Principal, input: AbsenceInput): Promise<{ absence: AbsenceRecord; created: boolean }> {
  const cadre = await checkAbsence(models, principal, input);
  const id = absenceId(cadre.id, input.from, input.to);
  const existing = await reportOf(models, id);
  if (!existing) await insertReport(models, { id, cadre, input, source: principal.role === 'village_head' ? 'village_head' : 'planner', accepted: true });
  else if (existing.status === 'reported') await markAccepted(models, id, principal.tokenId);
  replanFaultPoint('absence:after-record');
  const { created } = await writeAbsenceWindow(models, cadre, input);
  absenceAccepted();
  return { absence: await recordOf(models, id, cadre), created };
}

/** A village head (of the person's village) or a planner accepts a self-reported absence. */
export async function acceptAbsence(models: Models, principal: Principal, id: string): Promise<AbsenceRecord> {
  const report = await reportOf(models, id);
  if (!report) throw new AppError('not_found', 'no reported absence with this id');
  const cadre = await cadreInScope(models, principal, report.cadreId);
  if (report.status === 'reported') await markAccepted(models, id, principal.tokenId);
  replanFaultPoint('absence:after-record');
  await writeAbsenceWindow(models, cadre, report);
  absenceAccepted();
  return recordOf(models, id, cadre);
}

/** Removes an absence: a report waiting for acceptance is declined; an accepted one loses its window. */
export async function withdrawAbsence(models: Models, principal: Principal, id: string): Promise<void> {
  const report = await reportOf(models, id);
  if (report) {
    await cadreInScope(models, principal, report.cadreId);
    // The report goes first: a pending re-plan must not write the window back.
    await models.AbsenceReport.deleteOne({ _id: id });
    if (report.status === 'reported') return;
  }
  try {
    await removeAbsence(models, principal, id);
  } catch (error) {
    // The report was the absence's only trace left (a crash had removed the window before).
    if (!(report && error instanceof AppError && error.code === 'not_found')) throw error;
  }
}

/** Absences in the caller's scope: windows (accepted, or uploaded) and reports waiting for acceptance. */
export async function listAbsenceRecords(
  models: Models,
  principal: Principal,
  query: { cadreId?: string; village?: string; from?: Date; to?: Date },
): Promise<AbsenceRecord[]> {
  const windows = await listAbsences(models, principal, query);
  const reports = new Map((await models.AbsenceReport.find(query.cadreId ? { cadreId: query.cadreId } : {}).lean<ReportDoc[]>()).map((r) => [r._id, r]));
  const records: AbsenceRecord[] = windows.map((w) => withReport(w, reports.get(w.id)));
  const waiting = [...reports.values()].filter((r) => r.status === 'reported' && (!query.from || r.to > query.from) && (!query.to || r.from < query.to));
  if (waiting.length) {
    const people = await peopleInScope(
      models,
      principal,
      waiting.map((r) => r.cadreId),
      query.village,
    );
    for (const r of waiting) {
      const person = people.get(r.cadreId);
      if (person)
        records.push(
          withReport({ id: r._id, cadreId: r.cadreId, cadreName: person.name, village: person.village, from: r.from, to: r.to, reason: r.reason }, r),
        );
    }
  }
  return records.sort((a, b) => a.from.getTime() - b.from.getTime() || a.cadreId.localeCompare(b.cadreId));
}

export type SelfReportRequest = ({ shift: { planId: string; gateId: string; start: Date } } | { span: { from: Date; to: Date } }) & { reason: string };

export type SelfReportOutcome =
  | { outcome: 'recorded'; absence: AbsenceRecord }
  /** A shift it touches starts within the plan's minLeadHours (or has started): call instead. */
  | { outcome: 'too_soon'; shifts: LiveShift[]; minLeadHours: number };

/**
 * The person reports themselves out, from their own page (the feed secret is the credential,
 * so the caller has already resolved it to `cadreId`).
 */
export async function selfReport(models: Models, cadreId: string, request: SelfReportRequest, now = new Date()): Promise<SelfReportOutcome> {
  const person = await models.Cadre.findOne({ _id: cadreId }, { id: 1, name: 1, village: 1 }).lean<Person>();
  if (!person) throw new AppError('not_found', 'no such person');
  const plans = await livePlans(models);
  const span = 'shift' in request ? ownShift(plans, cadreId, request.shift) : request.span;
  if (span.to <= now)
    throw new AppError('validation_failed', 'the span has already ended', { problems: [{ field: 'to', message: 'the span has already ended' }] });
  checkSpan(span);
  const notEnded = shiftsOf(plans, cadreId, span).filter((s) => s.end > now);
  const tooSoon = notEnded.filter((s) => s.start.getTime() < now.getTime() + s.policy.minLeadHours * 3_600_000);
  if (tooSoon.length) return { outcome: 'too_soon', shifts: tooSoon, minLeadHours: Math.max(...tooSoon.map((s) => s.policy.minLeadHours)) };
  // The plans it touches decide; with no shift touched, the plans whose days it overlaps.
  const policies = notEnded.length ? notEnded.map((s) => s.policy) : plans.filter((p) => p.from < span.to && p.to > span.from).map((p) => p.policy);
  const accepted = !policies.some((p) => p.selfReportNeedsAcceptance);
  const input = { cadreId, from: span.from, to: span.to, reason: request.reason };
  const id = absenceId(cadreId, span.from, span.to);
  const existing = await reportOf(models, id);
  if (!existing) await insertReport(models, { id, cadre: person, input, source: 'self', accepted });
  if (existing ? existing.status === 'accepted' : accepted) {
    replanFaultPoint('absence:after-record');
    await writeAbsenceWindow(models, person, input);
    absenceAccepted();
  }
  return { outcome: 'recorded', absence: await recordOf(models, id, person) };
}

/** A person's own reports, newest first (their page lists them). */
export async function ownReports(models: Models, cadreId: string): Promise<ReportDoc[]> {
  return (await models.AbsenceReport.find({ cadreId }).lean<ReportDoc[]>()).sort((a, b) => b.from.getTime() - a.from.getTime());
}

/**
 * Start-up: accepted absences whose re-plan is pending get their window (a crash may have
 * come between the report and the window); the re-plan worker does the rest.
 */
export async function recoverAbsences(models: Models): Promise<number> {
  const pending = await models.AbsenceReport.find({ status: 'accepted', replan: 'pending' }).lean<ReportDoc[]>();
  for (const report of pending) await ensureWindow(models, report);
  return pending.length;
}

/** Writes the window of an accepted report if it is missing (idempotent; no directory write when it is there). */
export async function ensureWindow(models: Models, report: ReportDoc): Promise<void> {
  const stored = await models.Availability.findOne({ _id: report.cadreId }, { windows: 1 }).lean<{ windows: { start: Date; end: Date; kind: string }[] }>();
  const same = (a: Date, b: Date) => new Date(a).getTime() === new Date(b).getTime();
  if (stored?.windows.some((w) => w.kind === 'unavailable' && same(w.start, report.from) && same(w.end, report.to))) return;
  const person = await models.Cadre.findOne({ _id: report.cadreId }, { id: 1, name: 1, village: 1 }).lean<Person>();
  if (person) await writeAbsenceWindow(models, person, report);
}

export async function reportOf(models: Models, id: string): Promise<ReportDoc | null> {
  return models.AbsenceReport.findOne({ _id: id }).lean<ReportDoc>();
}

async function insertReport(
  models: Models,
  r: { id: string; cadre: Person; input: AbsenceInput; source: ReportDoc['source']; accepted: boolean },
): Promise<void> {
  try {
    await models.AbsenceReport.create({
      _id: r.id,
      cadreId: r.cadre.id,
      from: r.input.from,
      to: r.input.to,
      reason: r.input.reason?.trim() ?? '',
      source: r.source,
      status: r.accepted ? 'accepted' : 'reported',
      acceptedAt: r.accepted ? new Date() : null,
      replan: r.accepted ? 'pending' : 'none',
    });
  } catch (error) {
    // The same absence sent twice at once: the first insert recorded it.
    if ((error as { code?: number }).code !== 11000) throw error;
  }
}

async function markAccepted(models: Models, id: string, by: string): Promise<void> {
  await models.AbsenceReport.updateOne(
    { _id: id, status: 'reported' },
    { $set: { status: 'accepted', acceptedAt: new Date(), acceptedBy: by, replan: 'pending' } },
  );
}

async function recordOf(models: Models, id: string, person: Person): Promise<AbsenceRecord> {
  const report = await reportOf(models, id);
  if (!report) throw new AppError('not_found', 'no such absence');
  const reason = await absenceReason(models, id);
  return withReport(
    { id, cadreId: person.id, cadreName: person.name, village: person.village, from: report.from, to: report.to, reason: reason || report.reason },
    report,
  );
}

function withReport(absence: Absence, report: ReportDoc | undefined | null): AbsenceRecord {
  if (!report) return { ...absence, status: 'accepted', source: 'upload', replan: null };
  return {
    ...absence,
    reason: absence.reason || report.reason,
    status: report.status,
    source: report.source,
    replan: { status: report.replan, results: report.replanResults ?? [], error: report.replanError ?? null },
  };
}

/** The people among `ids` the caller may see (a head: their villages'), narrowed to `village`. */
async function peopleInScope(models: Models, principal: Principal, ids: string[], village?: string): Promise<Map<string, Person>> {
  const people = await models.Cadre.find({ _id: { $in: [...new Set(ids)] } }, { id: 1, name: 1, village: 1 }).lean<Person[]>();
  const visible = people.filter((p) => (principal.role !== 'village_head' || principal.villages.includes(p.village)) && (!village || p.village === village));
  return new Map(visible.map((p) => [p.id, p]));
}

function ownShift(
  plans: Awaited<ReturnType<typeof livePlans>>,
  cadreId: string,
  shift: { planId: string; gateId: string; start: Date },
): { from: Date; to: Date } {
  const plan = plans.find((p) => p.planId === shift.planId);
  const a = plan?.roster.assignments.find((x) => x.cadreId === cadreId && x.gateId === shift.gateId && new Date(x.start).getTime() === shift.start.getTime());
  if (!a)
    throw new AppError('validation_failed', 'that is not one of your published shifts', {
      problems: [{ field: 'shift', message: 'not one of your published shifts' }],
    });
  return { from: new Date(a.start), to: new Date(a.end) };
}
