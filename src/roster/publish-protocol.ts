/**
 * How a roster is published so that a crash at any moment leaves either the old published
 * state or the new one, each with its feeds, and never a stuck lock.
 *
 * The published state is the newest generation document (src/roster/live-state.ts): the
 * published version of every plan and the feed generation that serves them.
 *
 * Steps (fault points in brackets; see src/faults.ts):
 * 1. Take the `publish` lease (409 while another publish runs in a live process). If the
 *    previous holder died, recover first (below). [publish:after-lease]
 * 2. Read the live state G. The new version is the plan's live version + 1. Insert the
 *    publication `planId:version`, dropping one of that id that a crashed publish left
 *    uncommitted. [publish:after-publication]
 * 3. Render the feeds the publish touches as generation G+1 and insert them in batches, after
 *    dropping any documents of G+1 a crashed publish left. Nobody reads G+1 yet.
 *    [publish:after-feeds-batch] Then write G+1's feed map: every feed to the generation
 *    holding it (the touched ones G+1, the rest where they were). Meanwhile, from the start
 *    of the feed writes, the participants stage what goes out with it (the messages:
 *    ./publish-participants.ts). [publish:after-outbox, once both are done]
 * 4. Commit: insert the generation document G+1 with the plan's new version. Inserting a
 *    unique `_id` is atomic; from here on every reader sees the new state.
 *    [publish:after-commit]
 * 5. Tidy: copy the version into `plan.publishedVersion` (a cache for lists).
 *    [publish:after-plan-cache]
 * 6. Release the lease. Then, in the background, drop the feed documents the live map no
 *    longer points at and the older generation documents and maps: nobody reads them any
 *    more, and the next publish (a claim round of the same moment) need not wait for them.
 *    What a stopped process had not dropped yet is dropped at the next start-up.
 *
 * Recovery (start-up, or the next publish after a crash) works from the live state alone:
 * feed documents and maps of a newer generation and publications newer than their plan's live
 * version were never committed and are dropped; plan caches are set from the live state;
 * feed documents the live map does not point at are dropped. Every step is idempotent.
 */
import { acquireLease, currentLease, isAbandoned } from '../db/lease.js';
import { deleteByIds, insertReplacing } from '../db/by-ids.js';
import { withDocLock } from '../db/doc-lock.js';
import type { Models } from '../db/models.js';
import { AppError } from '../errors.js';
import { faultPoint } from '../faults.js';
import { liveMapOf, rememberGeneration, renderNextGeneration, staleFeedIds } from './feed-store.js';
import { liveState, type LiveState } from './live-state.js';
import { doubleBookings } from './other-plans.js';
import { getPlan } from './plans.js';
import { publishParticipantsOf } from './publish-participants.js';
import { loadRoster, publishedRosterAt, rememberPublished, type Publication, type PublishedRoster, type StoredRoster } from './publish.js';

const LEASE = 'publish';
const LEASE_TTL_MS = 30_000;
const FEED_BATCH = 500;

export interface PublishResult extends Publication {
  feedsRefreshed: { cadres: number; villages: number };
  /** False when the solve was already the current version: publishing again changes nothing. */
  created: boolean;
}

export interface PublishOptions {
  /**
   * Publish only if this is still the plan's live version (checked under the lease): a
   * worker that built the roster from one version must not publish over a newer one.
   */
  ifVersion?: number | null;
  /**
   * Runs once the new version is committed, before tidying: whoever waits for it (a claim's
   * answer) need not wait for the housekeeping. A failure is thrown after the lease is released.
   */
  afterCommit?: (version: number) => Promise<void>;
  /**
   * What the caller holds already, so it is not read again: the roster of `solveId` (as
   * stored), and the plan's live roster it was built on (used only while that is still live).
   */
  known?: { roster: StoredRoster; base: PublishedRoster | null };
}

/** Thrown (as a 409) when `ifVersion` is no longer the live version. */
export class StaleVersionError extends AppError {
  constructor(planId: string, expected: number | null, live: number | null) {
    super('conflict', `plan "${planId}" is at version ${live ?? 'none'}, not ${expected ?? 'none'}: build the roster again from the live version`);
    this.name = 'StaleVersionError';
  }
}

export async function publishPlan(models: Models, planId: string, solveId: string, publishedBy: string, options: PublishOptions = {}): Promise<PublishResult> {
  await getPlan(models, planId); // 404 for an unknown plan
  const roster = options.known?.roster.solveId === solveId ? options.known.roster : await loadRoster(models, solveId);
  if (roster.planId !== planId) throw new AppError('validation_failed', `solve "${solveId}" belongs to another plan`);

  const taken = await acquireLease(models, LEASE, { ttlMs: LEASE_TTL_MS });
  if (!taken.ok) throw new AppError('conflict', 'another publish is being written right now; try again in a moment');
  const { lease } = taken;
  lease.keepAlive();
  let staging: Promise<void> | undefined;
  try {
    if (taken.abandoned) await repairPublishState(models);
    faultPoint('publish:after-lease');
    const live = await liveState(models);
    const liveVersion = live.versions[planId] ?? null;
    const base = options.known?.base;
    const previous = base !== undefined && (base?.publication.version ?? null) === liveVersion ? base : await publishedRosterAt(models, planId, liveVersion);
    if (options.ifVersion !== undefined && (live.versions[planId] ?? null) !== options.ifVersion && previous?.solveId !== solveId) {
      throw new StaleVersionError(planId, options.ifVersion, live.versions[planId] ?? null);
    }
    if (previous?.solveId === solveId) {
      await lease.release();
      return { ...previous.publication, feedsRefreshed: { cadres: 0, villages: 0 }, created: false };
    }
    const version = (live.versions[planId] ?? 0) + 1;
    const publication: Publication = { planId, version, solveId, publishedAt: new Date(), publishedBy };
    // A leftover of an interrupted publish at this version is replaced (one write when there is none).
    await insertReplacing(models.Publication, [{ _id: `${planId}:${version}`, ...publication }]);
    faultPoint('publish:after-publication');

    const next: LiveState = { gen: live.gen + 1, versions: { ...live.versions, [planId]: version } };
    const current: PublishedRoster = { ...roster, publication };
    const rosters = await rostersOf(models, next, current);
    refuseDoubleBookings(current, rosters);
    const rendered = await renderNextGeneration(models, { previous, current, rosters, liveGen: live.gen, nextGen: next.gen });
    const { rows, map, counts, superseded } = rendered;
    // The participants stage while the feeds are written: both are uncommitted until step 4,
    // and their reads need not wait for the feeds' writes.
    staging = (async () => {
      for (const participant of publishParticipantsOf(models)) await participant.stage(models, { previous, current, nextGen: next.gen });
    })();
    staging.catch(() => undefined); // awaited below, or on failure before the lease goes
    // Leftovers of an interrupted publish under this publish's own ids are replaced (by id: on
    // the embedded FerretDB a filter on `gen` reads every feed document, src/db/by-ids.ts).
    // Leftovers under other keys are never pointed at; recovery drops them.
    for (let i = 0; i < rows.length; i += FEED_BATCH) {
      await insertReplacing(models.Feed, rows.slice(i, i + FEED_BATCH) as { _id: string }[]);
      faultPoint('publish:after-feeds-batch');
    }
    await insertReplacing(models.FeedMap, [{ _id: next.gen, feedKeys: [...map.keys()], feedGens: [...map.values()] }]);
    await staging;
    faultPoint('publish:after-outbox');

    await models.Generation.create({ _id: next.gen, versions: next.versions, committedAt: new Date() });
    faultPoint('publish:after-commit');
    rememberGeneration(models, next.gen, rendered);
    rememberPublished(models, current);
    const failed = await options.afterCommit?.(version).then(
      () => null,
      (error: unknown) => ({ error }),
    );
    await cachePlanVersions(models, next);
    await lease.release();
    dropRetired(models, next, superseded);
    if (failed) throw failed.error;
    return { ...publication, feedsRefreshed: counts, created: true };
  } catch (error) {
    // Staging still under way must end before the lease goes: the next publish of this
    // generation drops what was staged, and must not find it arriving afterwards.
    await staging?.catch(() => undefined);
    // Left held, the lease would block publishing until it expires; what was written is
    // either committed or dropped by the next publish's recovery.
    await lease.release().catch(() => undefined);
    if ((error as { code?: number }).code === 11000) throw new AppError('conflict', 'another publish happened at the same time; try again');
    throw error;
  }
}

/**
 * Makes an earlier version's roster current again, as a new version (history is never
 * rewritten). Event UIDs depend on what a shift is, not on the version, so calendars update
 * the same events in place with a higher SEQUENCE.
 */
export async function rollbackPlan(models: Models, planId: string, toVersion: number, publishedBy: string): Promise<PublishResult> {
  const earlier = await models.Publication.findOne({ _id: `${planId}:${toVersion}` }).lean<{ solveId: string; version: number }>();
  const live = await liveState(models);
  if (!earlier || toVersion > (live.versions[planId] ?? 0)) throw new AppError('not_found', `plan "${planId}" has no version ${toVersion}`);
  return publishPlan(models, planId, earlier.solveId, publishedBy);
}

/** Undoes what a crashed publish left uncommitted and finishes what it committed. */
export async function recoverPublishing(models: Models): Promise<boolean> {
  if (!isAbandoned(await currentLease(models, LEASE))) {
    // What a stopped process had not dropped yet after its last publish (step 6): nobody
    // reads it, and dropping it needs no lease (no later generation points at it either).
    await dropUnused(models, await liveState(models));
    return false;
  }
  const taken = await acquireLease(models, LEASE, { ttlMs: LEASE_TTL_MS });
  if (!taken.ok) return false;
  try {
    await repairPublishState(models);
  } finally {
    await taken.lease.release();
  }
  return true;
}

async function repairPublishState(models: Models): Promise<void> {
  await adoptLegacyPointers(models);
  const live = await liveState(models);
  await models.Feed.deleteMany({ gen: { $gt: live.gen } });
  await models.FeedMap.deleteMany({ _id: { $gt: live.gen } });
  for (const participant of publishParticipantsOf(models)) await participant.dropUncommitted(models, live.gen);
  const publications = await models.Publication.find({}, { planId: 1, version: 1 }).lean<{ _id: string; planId: string; version: number }[]>();
  const uncommitted = publications.filter((p) => p.version > (live.versions[p.planId] ?? 0)).map((p) => p._id);
  if (uncommitted.length) await models.Publication.deleteMany({ _id: { $in: uncommitted } });
  await cachePlanVersions(models, live);
  await dropUnused(models, live);
}

/** Step 5: the plans' cached versions follow the live state. */
async function cachePlanVersions(models: Models, live: LiveState): Promise<void> {
  const stale = await models.Plan.find({}, { publishedVersion: 1 }).lean<{ _id: string; publishedVersion: number | null }[]>();
  for (const plan of stale) {
    const version = live.versions[plan._id] ?? null;
    if (plan.publishedVersion === version) continue;
    await withDocLock(`plan:${plan._id}`, () => models.Plan.updateOne({ _id: plan._id }, { $set: { publishedVersion: version } }));
    faultPoint('publish:after-plan-cache');
  }
}

const retiring = new WeakMap<Models, Promise<void>>();

/** Step 6, after the lease: one process drops what its publishes retired one publish at a time. */
function dropRetired(models: Models, live: LiveState, superseded: string[]): void {
  const previous = retiring.get(models) ?? Promise.resolve();
  // A failure (the database gone, the process stopping) leaves unread documents for recovery.
  const next = previous.then(() => dropUnused(models, live, superseded)).catch(() => undefined);
  retiring.set(models, next);
}

/**
 * Older generations go, and the feed documents no generation from `live` on points at. A
 * publish knows the documents its feeds replaced (`superseded`); recovery, which does not,
 * looks at every feed document.
 */
async function dropUnused(models: Models, live: LiveState, superseded?: string[]): Promise<void> {
  // Feeds of older generations stay while the live map points at them.
  const unused = superseded ?? (await staleFeedIds(models, await liveMapOf(models, live.gen), live.gen));
  await deleteByIds(models.Feed, unused, FEED_BATCH);
  await models.Generation.deleteMany({ _id: { $lt: live.gen } });
  await models.FeedMap.deleteMany({ _id: { $lt: live.gen } });
}

/**
 * Databases written before generation documents existed kept the pointers in
 * `plan.publishedVersion` and `meta.feeds.gen`: turn them into the first generation.
 */
async function adoptLegacyPointers(models: Models): Promise<void> {
  if (await models.Generation.exists({})) return;
  const plans = await models.Plan.find({ publishedVersion: { $ne: null } }, { publishedVersion: 1 }).lean<{ _id: string; publishedVersion: number }[]>();
  if (!plans.length) return;
  const meta = await models.Meta.collection.findOne({ _id: 'feeds' as never });
  const gen = typeof meta?.gen === 'number' ? meta.gen : 0;
  const versions = Object.fromEntries(plans.map((p) => [p._id, p.publishedVersion]));
  await models.Generation.create({ _id: gen, versions, committedAt: new Date() }).catch(() => undefined);
}

function refuseDoubleBookings(current: PublishedRoster, rosters: PublishedRoster[]): void {
  const clashes = doubleBookings(
    current.assignments,
    rosters.filter((r) => r.planId !== current.planId),
  );
  if (clashes.length === 0) return;
  throw new AppError(
    'conflict',
    `${clashes.length} shift(s) of this roster put people on duty who already stand duty then in another published plan; solve this plan again (it counts those hours as busy) and publish the new roster`,
    { doubleBooked: clashes.slice(0, 100), total: clashes.length },
  );
}

async function rostersOf(models: Models, state: LiveState, current: PublishedRoster): Promise<PublishedRoster[]> {
  const others = Object.entries(state.versions).filter(([planId]) => planId !== current.planId);
  const rosters = await Promise.all(others.map(([planId, version]) => publishedRosterAt(models, planId, version)));
  return [current, ...rosters.filter((r): r is PublishedRoster => r !== null)];
}
