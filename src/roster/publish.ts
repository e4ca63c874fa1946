/**
 * Published rosters: a plan's published version (from the live state, see live-state.ts)
 * names an immutable publication, which names an immutable roster. Readers follow that
 * chain, so they see the old version or the new, never a mix. How a version is published
 * crash-safely is in publish-protocol.ts.
 */
import type { Models } from '../db/models.js';
import { perDatabase } from '../db/per-database.js';
import { packJson, unpackJson } from '../db/packed-json.js';
import type { Assignment, Gap } from '../domain/roster.js';
import type { Cadre, Gate } from '../domain/types.js';
import { AppError } from '../errors.js';
import type { OfferedLedger, PinConflict, SolveMetrics } from '../solver/index.js';
import { livePublishedVersion } from './live-state.js';

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
  /**
   * Hours each person offered per day, from the plan's first recorded day (history carried
   * by rolls included): what later plans of a campaign count as offered to date. Absent on
   * rosters stored before campaigns existed.
   */
  offered?: OfferedLedger;
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

/** Stores the roster as one packed document; answers how long packing and the write took. */
export async function storeRoster(models: Models, roster: StoredRoster): Promise<{ packMs: number; writeMs: number }> {
  const { solveId, planId, timezone, ...body } = roster;
  const started = Date.now();
  const payload = packJson(body satisfies RosterBody);
  const packed = Date.now();
  await models.Roster.create({ _id: solveId, planId, timezone, payload });
  return { packMs: packed - started, writeMs: Date.now() - packed };
}

export async function loadRoster(models: Models, solveId: string): Promise<StoredRoster> {
  const doc = await models.Roster.findOne({ _id: solveId }).lean<{ _id: string; planId: string; timezone: string; payload: Buffer }>();
  if (!doc) throw new AppError('not_found', `no roster for solve "${solveId}" (is the solve done?)`);
  return { solveId: doc._id, planId: doc.planId, timezone: doc.timezone, ...unpackJson<RosterBody>(doc.payload) };
}

/** The published roster of a plan (the current version, or `version`), or null if none. */
export async function publishedRoster(models: Models, planId: string, version?: number): Promise<PublishedRoster | null> {
  const live = await livePublishedVersion(models, planId);
  if (version === undefined) return publishedRosterAt(models, planId, live);
  if (live === null || version > live) throw new AppError('not_found', `plan "${planId}" has no version ${version}`);
  const roster = await publishedRosterAt(models, planId, version);
  if (!roster) throw new AppError('not_found', `plan "${planId}" has no version ${version}`);
  return roster;
}

/**
 * Committed versions never change, and the few newest are read again and again (a claim
 * board, the duty-elsewhere of a solve, the next publish): each process keeps the last ones
 * it read or published, read once. A district roster takes a quarter second to read back.
 */
const RECENT_ROSTERS = 8;
const recentOf = perDatabase(() => new Map<string, Promise<PublishedRoster | null>>());

function keep(models: Models, id: string, roster: Promise<PublishedRoster | null>): void {
  const recent = recentOf(models);
  recent.delete(id);
  recent.set(id, roster);
  if (recent.size > RECENT_ROSTERS) recent.delete(recent.keys().next().value as string);
}

/** A version this process just committed: its next readers need not read it back. */
export function rememberPublished(models: Models, roster: PublishedRoster): void {
  keep(models, `${roster.planId}:${roster.publication.version}`, Promise.resolve(roster));
}

/** One committed version's roster (null for none); callers take `version` from the live state. */
export async function publishedRosterAt(models: Models, planId: string, version: number | null): Promise<PublishedRoster | null> {
  if (version === null) return null;
  const id = `${planId}:${version}`;
  const hit = recentOf(models).get(id);
  if (hit) return hit;
  const read = readPublishedRoster(models, planId, version);
  keep(models, id, read);
  // A failure or a version not there (yet) is not kept.
  read.then(
    (roster) => roster === null && recentOf(models).get(id) === read && recentOf(models).delete(id),
    () => recentOf(models).get(id) === read && recentOf(models).delete(id),
  );
  return read;
}

async function readPublishedRoster(models: Models, planId: string, version: number): Promise<PublishedRoster | null> {
  const doc = await models.Publication.findOne({ _id: `${planId}:${version}` }).lean<Publication>();
  if (!doc) return null;
  const publication: Publication = {
    planId: doc.planId,
    version: doc.version,
    solveId: doc.solveId,
    publishedAt: doc.publishedAt,
    publishedBy: doc.publishedBy,
  };
  return { ...(await loadRoster(models, doc.solveId)), publication };
}

export async function requirePublished(models: Models, planId: string, version?: number): Promise<PublishedRoster> {
  const roster = await publishedRoster(models, planId, version);
  if (!roster) throw new AppError('not_found', `plan "${planId}" has no published roster yet`);
  return roster;
}

export async function listPublications(models: Models, planId: string): Promise<Publication[]> {
  const live = (await livePublishedVersion(models, planId)) ?? 0;
  const docs = await models.Publication.find({ planId }, { _id: 0, createdAt: 0, updatedAt: 0 }).sort({ version: 1 }).lean<Publication[]>();
  // A publication above the live version belongs to a publish that never committed.
  return docs.filter((d) => d.version <= live);
}
