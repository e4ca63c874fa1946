/**
 * Publishing: a plan's published version is a pointer (plan.publishedVersion) to an
 * immutable publication, which names an immutable roster. Readers follow the pointer, so
 * they see the old version or the new, never a mix. Version numbers are taken once: the
 * publication's `_id` is `planId:version` and the pointer moves only from the value read.
 */
import { withDocLock } from '../db/doc-lock.js';
import type { Models } from '../db/models.js';
import { packJson, unpackJson } from '../db/packed-json.js';
import type { Assignment, Gap } from '../domain/roster.js';
import type { Cadre, Gate } from '../domain/types.js';
import { AppError } from '../errors.js';
import type { PinConflict, SolveMetrics } from '../solver/index.js';
import { getPlan } from './plans.js';

/** A roster as stored: the solve's result plus the gates and people it was solved for. */
export interface StoredRoster {
  solveId: string;
  planId: string;
  timezone: string;
  assignments: Assignment[];
  gaps: Gap[];
  pinConflicts: PinConflict[];
  metrics: SolveMetrics;
  gates: Gate[];
  cadres: Omit<Cadre, 'phone'>[];
}

export interface Publication {
  planId: string;
  version: number;
  solveId: string;
  publishedAt: Date;
  publishedBy: string;
}

export type PublishedRoster = StoredRoster & { publication: Publication };

type RosterBody = Omit<StoredRoster, 'solveId' | 'planId' | 'timezone'>;

export async function storeRoster(models: Models, roster: StoredRoster): Promise<void> {
  const { solveId, planId, timezone, ...body } = roster;
  await models.Roster.create({ _id: solveId, planId, timezone, payload: packJson(body satisfies RosterBody) });
}

export async function loadRoster(models: Models, solveId: string): Promise<StoredRoster> {
  const doc = await models.Roster.findOne({ _id: solveId }).lean<{ _id: string; planId: string; timezone: string; payload: Buffer }>();
  if (!doc) throw new AppError('not_found', `no roster for solve "${solveId}" (is the solve done?)`);
  return { solveId: doc._id, planId: doc.planId, timezone: doc.timezone, ...unpackJson<RosterBody>(doc.payload) };
}

export async function publish(models: Models, planId: string, solveId: string, publishedBy: string): Promise<Publication> {
  const plan = await getPlan(models, planId);
  const roster = await loadRoster(models, solveId);
  if (roster.planId !== planId) throw new AppError('validation_failed', `solve "${solveId}" belongs to another plan`);
  const version = (plan.publishedVersion ?? 0) + 1;
  const publication: Publication = { planId, version, solveId, publishedAt: new Date(), publishedBy };
  try {
    await models.Publication.create({ _id: `${planId}:${version}`, ...publication });
  } catch (error) {
    if ((error as { code?: number }).code === 11000) throw new AppError('conflict', 'another publish of this plan happened at the same time; try again');
    throw error;
  }
  const moved = await withDocLock(`plan:${planId}`, () => models.Plan.updateOne({ _id: planId, publishedVersion: plan.publishedVersion }, { $set: { publishedVersion: version } }));
  if (moved.modifiedCount !== 1) {
    await models.Publication.deleteOne({ _id: `${planId}:${version}` });
    throw new AppError('conflict', 'another publish of this plan happened at the same time; try again');
  }
  return publication;
}

/** The published roster of a plan (the current version, or `version`), or null if none. */
export async function publishedRoster(models: Models, planId: string, version?: number): Promise<PublishedRoster | null> {
  const wanted = version ?? (await getPlan(models, planId)).publishedVersion;
  if (wanted === null) return null;
  const doc = await models.Publication.findOne({ _id: `${planId}:${wanted}` }).lean<Record<string, any>>();
  if (!doc) {
    if (version !== undefined) throw new AppError('not_found', `plan "${planId}" has no version ${version}`);
    return null;
  }
  const publication: Publication = { planId: doc.planId, version: doc.version, solveId: doc.solveId, publishedAt: doc.publishedAt, publishedBy: doc.publishedBy };
  return { ...(await loadRoster(models, doc.solveId)), publication };
}

export async function requirePublished(models: Models, planId: string, version?: number): Promise<PublishedRoster> {
  const roster = await publishedRoster(models, planId, version);
  if (!roster) throw new AppError('not_found', `plan "${planId}" has no published roster yet`);
  return roster;
}

export async function listPublications(models: Models, planId: string): Promise<Publication[]> {
  const docs = await models.Publication.find({ planId }, { _id: 0, createdAt: 0, updatedAt: 0 }).sort({ version: 1 }).lean<Publication[]>();
  return docs;
}
