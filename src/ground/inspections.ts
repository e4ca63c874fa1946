/**
 * Spot checks by inspection squads (监督小分队): what a squad saw at a gate, and the problems
 * it found, followed until a village head marks each fixed. One document per inspection,
 * problems inside it, so recording is one insert; fixing a problem is one update of that
 * document, conditioned on the problem still being open, so two heads fixing it at once
 * leave one fix.
 *
 * Scope: inspectors record and read in their towns (none = the district); village heads
 * read their villages' inspections and fix their problems; planners do everything but need
 * no squad; cadres see none.
 */
import { createHash, randomBytes } from 'node:crypto';
import { inspectorCovers, type Principal } from '../auth/tokens.js';
import type { Models } from '../db/models.js';
import { AppError } from '../errors.js';
import type { PublishedRoster } from '../roster/publish.js';
import { gateShifts } from './checkin-slots.js';
import { checkInsOfPlan } from './checkins.js';
import { liveRosters } from './live-rosters.js';

/** The short list a squad picks a problem's kind from. */
export const PROBLEM_CATEGORIES = ['unstaffed', 'understaffed', 'off_post', 'no_registration', 'no_temperature', 'supplies', 'other'] as const;
export type ProblemCategory = (typeof PROBLEM_CATEGORIES)[number];

export const PROBLEM_LABELS: Readonly<Record<ProblemCategory, { zh: string; en: string }>> = {
  unstaffed: { zh: '无人值守', en: 'unstaffed' },
  understaffed: { zh: '值守人数不足', en: 'understaffed' },
  off_post: { zh: '脱岗离岗', en: 'off post' },
  no_registration: { zh: '未落实来访登记', en: 'no visitor registration' },
  no_temperature: { zh: '未落实测温', en: 'no temperature checks' },
  supplies: { zh: '防疫物资不足', en: 'supplies short' },
  other: { zh: '其他', en: 'other' },
};

export interface ProblemInput {
  category: ProblemCategory;
  text: string;
  fixedOnSpot: boolean;
}

export interface InspectionInput {
  gateId: string;
  at: Date;
  staffSeen: number;
  namesChecked: string[];
  visitorRegistration: boolean;
  temperatureChecks: boolean;
  problems: ProblemInput[];
  /** The client's own id for this record: sending it again returns the first record. */
  clientRef?: string;
}

export interface Problem extends ProblemInput {
  /** Position in the inspection; with its id, the problem's identity. */
  index: number;
  fixedAt: Date | null;
  fixedNote: string;
  /** Token id of whoever marked it fixed (null when fixed on the spot or still open). */
  fixedBy: string | null;
  open: boolean;
}

export interface Inspection {
  id: string;
  gateId: string;
  gateName: string;
  village: string;
  town: string;
  at: Date;
  /** The live plan whose gate-shift was on at `at`, if any. */
  planId: string | null;
  staffSeen: number;
  /** People the roster had at the gate then; null when no live plan needed anyone there. */
  staffRostered: number | null;
  /** People checked in at the gate then. */
  staffCheckedIn: number | null;
  namesChecked: string[];
  visitorRegistration: boolean;
  temperatureChecks: boolean;
  problems: Problem[];
  recordedBy: string;
  squad: string;
}

/** An inspection as stored (src/db/ground-models.ts inspectionSchema). */
interface InspectionDoc extends Omit<Inspection, 'id' | 'problems'> {
  _id: string;
  problems: ProblemDoc[];
}

/** A problem as stored: its index is its place in the array, and whether it is open follows from `fixedAt`. */
type ProblemDoc = Omit<Problem, 'index' | 'open'>;

export interface InspectionQuery {
  village?: string;
  town?: string;
  gateId?: string;
  from?: Date;
  to?: Date;
  /** Only inspections with a problem still open. */
  open?: boolean;
}

export async function recordInspection(models: Models, principal: Principal, input: InspectionInput): Promise<{ inspection: Inspection; created: boolean }> {
  if (principal.role !== 'inspector' && principal.role !== 'planner')
    throw new AppError('forbidden', 'inspections are recorded by inspection squads (inspector tokens) and planners');
  const gate = await models.Gate.findOne({ _id: input.gateId }).lean<{ id: string; name: string; village: string; town: string }>();
  if (!gate) throw new AppError('validation_failed', `unknown gate "${input.gateId}"`, { problems: [{ field: 'gateId', message: 'unknown gate' }] });
  if (principal.role === 'inspector' && !inspectorCovers(principal, gate.town))
    throw new AppError('forbidden', `gate "${gate.id}" is in ${gate.town}, outside this squad’s towns`);
  const id = input.clientRef
    ? `in_${createHash('sha256').update(`${principal.tokenId}\n${input.clientRef}`).digest('hex').slice(0, 20)}`
    : `in_${randomBytes(10).toString('hex')}`;
  const staffed = await staffAt(models, gate.id, input.at);
  const doc: InspectionDoc = {
    _id: id,
    gateId: gate.id,
    gateName: gate.name,
    village: gate.village,
    town: gate.town,
    at: input.at,
    ...staffed,
    staffSeen: input.staffSeen,
    namesChecked: input.namesChecked,
    visitorRegistration: input.visitorRegistration,
    temperatureChecks: input.temperatureChecks,
    problems: input.problems.map((p) => ({ ...p, fixedAt: p.fixedOnSpot ? input.at : null, fixedNote: '', fixedBy: null })),
    recordedBy: principal.tokenId,
    squad: (await models.ApiToken.findOne({ tokenId: principal.tokenId }, { label: 1 }).lean<{ label?: string }>())?.label ?? '',
  };
  let created = true;
  try {
    await models.Inspection.create(doc);
  } catch (error) {
    if ((error as { code?: number }).code !== 11000) throw error;
    created = false;
  }
  return { inspection: await loadInspection(models, id), created };
}

export async function listInspections(models: Models, principal: Principal, query: InspectionQuery): Promise<Inspection[]> {
  const filter: Record<string, unknown> = {};
  if (query.village) filter.village = query.village;
  if (query.town) filter.town = query.town;
  if (query.gateId) filter.gateId = query.gateId;
  const docs = await models.Inspection.find(filter).sort({ at: -1 }).lean<InspectionDoc[]>();
  return docs
    .map(toInspection)
    .filter((i) => readable(principal, i))
    .filter((i) => (!query.from || i.at >= query.from) && (!query.to || i.at < query.to) && (!query.open || i.problems.some((p) => p.open)));
}

export async function getInspection(models: Models, principal: Principal, id: string): Promise<Inspection> {
  const inspection = await loadInspection(models, id);
  if (!readable(principal, inspection)) throw new AppError('forbidden', 'this inspection is outside your token’s scope');
  return inspection;
}

/** A village head (or a planner) marks an open problem fixed, with a note. */
export async function fixProblem(models: Models, principal: Principal, id: string, index: number, note: string, now: Date): Promise<Inspection> {
  if (principal.role !== 'village_head' && principal.role !== 'planner')
    throw new AppError('forbidden', 'problems are marked fixed by the village head (or a planner)');
  const inspection = await getInspection(models, principal, id);
  const problem = inspection.problems[index];
  if (!problem) throw new AppError('not_found', `inspection "${id}" has no problem ${index}`);
  if (!problem.open) throw new AppError('conflict', 'this problem is already marked fixed');
  const field = `problems.${index}`;
  const result = await models.Inspection.updateOne(
    { _id: id, [`${field}.fixedAt`]: null },
    { $set: { [`${field}.fixedAt`]: now, [`${field}.fixedNote`]: note, [`${field}.fixedBy`]: principal.tokenId } },
  );
  if (result.modifiedCount === 0) throw new AppError('conflict', 'this problem was marked fixed a moment ago');
  return loadInspection(models, id);
}

/** Whether the caller may read an inspection at this place. */
function readable(principal: Principal, place: { village: string; town: string }): boolean {
  if (principal.role === 'planner') return true;
  if (principal.role === 'village_head') return principal.villages.includes(place.village);
  return inspectorCovers(principal, place.town);
}

/** Rostered and checked-in people at the gate-shift on at `at`, in the first live plan that has one. */
async function staffAt(
  models: Models,
  gateId: string,
  at: Date,
): Promise<{ planId: string | null; staffRostered: number | null; staffCheckedIn: number | null }> {
  const t = at.getTime();
  for (const roster of await liveRosters(models)) {
    const shift = gateShifts(roster, gateId).find((s) => s.start.getTime() <= t && t < s.end.getTime());
    if (shift)
      return {
        planId: roster.planId,
        staffRostered: rosteredAt(roster, gateId, shift.start),
        staffCheckedIn: await checkedInAt(models, roster.planId, gateId, shift.start, at),
      };
  }
  return { planId: null, staffRostered: null, staffCheckedIn: null };
}

function rosteredAt(roster: PublishedRoster, gateId: string, start: Date): number {
  return roster.assignments.filter((a) => a.gateId === gateId && a.start.getTime() === start.getTime()).length;
}

async function checkedInAt(models: Models, planId: string, gateId: string, start: Date, at: Date): Promise<number> {
  return (await checkInsOfPlan(models, planId)).filter(
    (c) => c.gateId === gateId && c.start.getTime() === start.getTime() && c.checkedInAt <= at && (c.checkedOutAt === null || c.checkedOutAt > at),
  ).length;
}

async function loadInspection(models: Models, id: string): Promise<Inspection> {
  const doc = await models.Inspection.findOne({ _id: id }).lean<InspectionDoc>();
  if (!doc) throw new AppError('not_found', `no inspection "${id}"`);
  return toInspection(doc);
}

function toInspection(doc: InspectionDoc): Inspection {
  const problems = (doc.problems ?? []).map((p, index) => {
    const fixedAt = p.fixedAt ? new Date(p.fixedAt) : null;
    return {
      index,
      category: p.category,
      text: p.text,
      fixedOnSpot: Boolean(p.fixedOnSpot),
      fixedAt,
      fixedNote: p.fixedNote ?? '',
      fixedBy: p.fixedBy ?? null,
      open: fixedAt === null,
    };
  });
  return {
    id: doc._id,
    gateId: doc.gateId,
    gateName: doc.gateName,
    village: doc.village,
    town: doc.town,
    at: new Date(doc.at),
    planId: doc.planId ?? null,
    staffSeen: doc.staffSeen,
    staffRostered: doc.staffRostered ?? null,
    staffCheckedIn: doc.staffCheckedIn ?? null,
    namesChecked: doc.namesChecked ?? [],
    visitorRegistration: Boolean(doc.visitorRegistration),
    temperatureChecks: Boolean(doc.temperatureChecks),
    problems,
    recordedBy: doc.recordedBy,
    squad: doc.squad ?? '',
  };
}
