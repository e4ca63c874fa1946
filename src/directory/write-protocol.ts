/**
 * How the directory (gates, people, availability) is changed so that a crash at any moment
 * leaves either the whole change or none of it, without transactions.
 *
 * Steps of one write (fault points in brackets; see src/faults.ts):
 * 1. Take the `directory` lease; a live holder means another upload is being written (409).
 *    If the previous holder died with a committed journal, finish its write first. [upload:after-lease]
 * 2. Work out the change against what is stored (under the lease, so nothing moves meanwhile)
 *    and stage it: the records to put and the ids to keep, as packed chunks under a new write
 *    id. Staged chunks are invisible to readers. [upload:after-stage]
 * 3. Commit: the lease's data becomes the journal `{ writeId, ops }`. From here the write
 *    will happen, now or by whoever recovers it. [upload:after-journal]
 * 4. Apply each op: for every staged chunk delete its ids then insert its records, then
 *    delete what a replace does not keep, then the single deletes. Each step is idempotent,
 *    so applying a journal twice gives the same result. [upload:after-delete, upload:after-insert]
 * 5. Set the directory revision to the write id. [upload:after-rev]
 * 6. Release the lease and drop the staged chunks.
 *
 * Recovery (at start-up, on the next write, or when a solve finds it): an abandoned lease
 * whose data is a journal is applied again from step 4; staged chunks of any write id that
 * is not the current journal are dropped (their write never committed).
 *
 * Readers (a solve's snapshot) read the revision, the data, then the revision again, and
 * accept what they read only if no journal was in flight and the revision did not move.
 */
import { randomBytes } from 'node:crypto';
import { acquireLease, currentLease, isAbandoned, type Lease, type LeaseDoc } from '../db/lease.js';
import type { AnyModel, Models } from '../db/models.js';
import { packJson, unpackJson } from '../db/packed-json.js';
import { AppError } from '../errors.js';
import { faultPoint } from '../faults.js';

export type DirectoryCollection = 'Gate' | 'Cadre' | 'Availability';

/** One collection's part of a write, as the caller plans it. */
export interface DirectoryOp {
  collection: DirectoryCollection;
  /** Whole documents (with `_id`) to write, replacing any stored ones with the same `_id`. */
  put?: Record<string, unknown>[];
  /** Afterwards keep only these `_id`s (a replacing upload). */
  keepOnly?: string[];
  /** `_id`s to delete. */
  remove?: string[];
}

/** The committed intent, as stored in the lease: staged chunk ids instead of the data. */
interface Journal {
  writeId: string;
  ops: { collection: DirectoryCollection; put: string[]; keepOnly: string[] | null; remove: string[] }[];
}

const LEASE = 'directory';
const LEASE_TTL_MS = 30_000;
const CHUNK = 1000;
const REVISION_ID = 'directory';

/**
 * Runs `plan` under the directory lease and writes the ops it returns, crash-safely.
 * `plan` may read the directory and throw (nothing is written then).
 */
export async function writeDirectory<T>(models: Models, plan: () => Promise<{ ops: DirectoryOp[]; result: T }>): Promise<T> {
  const lease = await takeDirectoryLease(models);
  try {
    faultPoint('upload:after-lease');
    const { ops, result } = await plan();
    const journal = await stage(models, ops);
    faultPoint('upload:after-stage');
    await lease.setData(journal);
    faultPoint('upload:after-journal');
    await apply(models, journal);
    await lease.release();
    await models.Staged.deleteMany({ writeId: journal.writeId });
    return result;
  } catch (error) {
    // A journal that committed is finished by recovery; anything before is simply dropped.
    if (!lease.doc.data) await lease.release().catch(() => undefined);
    else lease.stop();
    throw error;
  }
}

/** Finishes a write a dead process left half done; true when there was one. */
export async function recoverDirectory(models: Models): Promise<boolean> {
  const current = await currentLease<Journal>(models, LEASE);
  if (!isAbandoned(current)) {
    await dropUncommittedStages(models, current);
    return false;
  }
  const lease = await takeDirectoryLease(models).catch(() => null);
  if (lease) await lease.release();
  return lease !== null;
}

export interface DirectoryState {
  revision: string;
  /** A committed write is being applied right now: what a reader sees may be half of it. */
  writing: boolean;
}

export async function directoryState(models: Models): Promise<DirectoryState> {
  const [lease, meta] = await Promise.all([currentLease<Journal>(models, LEASE), models.Meta.findOne({ _id: REVISION_ID }).lean<{ revId?: string }>()]);
  if (lease?.data && isAbandoned(lease)) {
    await recoverDirectory(models);
    return directoryState(models);
  }
  return { revision: meta?.revId ?? '', writing: !!lease?.data && !lease.releasedAt };
}

/** Writes kept coming while a solve tried to read the directory: a passing state, not a fault. */
export class DirectoryBusyError extends Error {
  constructor() {
    super('the directory kept changing while a solve tried to read it');
    this.name = 'DirectoryBusyError';
  }
}

/**
 * Reads the directory as it stands between two writes (see the header). `read` is given the
 * revision it reads at: unchanged before and after it, with no write in flight.
 */
export async function readDirectoryConsistently<T>(
  models: Models,
  read: (revision: string) => Promise<T>,
  options = { attempts: 150, waitMs: 200 },
): Promise<T> {
  for (let attempt = 0; attempt < options.attempts; attempt++) {
    const before = await directoryState(models);
    if (!before.writing) {
      const value = await read(before.revision);
      const after = await directoryState(models);
      if (!after.writing && after.revision === before.revision) return value;
    }
    await new Promise((r) => setTimeout(r, options.waitMs));
  }
  throw new DirectoryBusyError();
}

async function takeDirectoryLease(models: Models): Promise<Lease<Journal>> {
  const taken = await acquireLease<Journal>(models, LEASE, { ttlMs: LEASE_TTL_MS });
  if (!taken.ok) throw new AppError('conflict', 'another upload is being written right now; send this one again in a moment');
  const { lease, abandoned } = taken;
  lease.keepAlive();
  if (abandoned?.data) {
    await apply(models, abandoned.data);
    await models.Staged.deleteMany({ writeId: abandoned.data.writeId });
    await lease.setData(null);
  }
  await dropUncommittedStages(models, lease.doc);
  return lease;
}

/** Staged chunks whose write never committed (the writer died before step 3). */
async function dropUncommittedStages(models: Models, current: LeaseDoc<Journal> | null): Promise<void> {
  const keep = current?.data && !current.releasedAt ? current.data.writeId : null;
  const writeIds = (await models.Staged.distinct('writeId')) as string[];
  const stale = writeIds.filter((id) => id !== keep);
  if (stale.length) await models.Staged.deleteMany({ writeId: { $in: stale } });
}

async function stage(models: Models, ops: DirectoryOp[]): Promise<Journal> {
  const writeId = `w_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const docs: { _id: string; writeId: string; payload: Buffer }[] = [];
  const chunkIds = (name: string, items: readonly unknown[]): string[] => {
    const ids: string[] = [];
    for (let i = 0; i < items.length; i += CHUNK) {
      const _id = `${writeId}:${docs.length}:${name}`;
      docs.push({ _id, writeId, payload: packJson(items.slice(i, i + CHUNK)) });
      ids.push(_id);
    }
    return ids;
  };
  const journal: Journal = {
    writeId,
    ops: ops.map((op) => ({
      collection: op.collection,
      put: chunkIds('put', op.put ?? []),
      keepOnly: op.keepOnly ? chunkIds('keep', op.keepOnly) : null,
      remove: op.remove ?? [],
    })),
  };
  for (let i = 0; i < docs.length; i += 20) await models.Staged.insertMany(docs.slice(i, i + 20), { ordered: false });
  return journal;
}

async function apply(models: Models, journal: Journal): Promise<void> {
  for (const op of journal.ops) {
    const model = models[op.collection] as AnyModel;
    for (const chunkId of op.put) {
      const records = await stagedChunk<Record<string, unknown>>(models, chunkId);
      await model.deleteMany({ _id: { $in: records.map((r) => r._id) } });
      faultPoint('upload:after-delete');
      await insertIgnoringDuplicates(model, records);
      faultPoint('upload:after-insert');
    }
    if (op.keepOnly) {
      const keep = (await Promise.all(op.keepOnly.map((id) => stagedChunk<string>(models, id)))).flat();
      await model.deleteMany({ _id: { $nin: keep } });
    }
    if (op.remove.length) await model.deleteMany({ _id: { $in: op.remove } });
  }
  await models.Meta.updateOne({ _id: REVISION_ID }, { $set: { revId: journal.writeId } }, { upsert: true });
  faultPoint('upload:after-rev');
}

async function stagedChunk<T>(models: Models, id: string): Promise<T[]> {
  const doc = await models.Staged.findOne({ _id: id }).lean<{ payload: Buffer }>();
  if (!doc) throw new Error(`directory journal names staged chunk "${id}", which is missing`);
  return unpackJson<T[]>(doc.payload);
}

/** A recovery may find part of a chunk already inserted by the process that died. */
async function insertIgnoringDuplicates(model: AnyModel, records: Record<string, unknown>[]): Promise<void> {
  try {
    await model.insertMany(records, { ordered: false });
  } catch (error) {
    const writeErrors = (error as { writeErrors?: { code?: number; err?: { code?: number } }[] }).writeErrors;
    const onlyDuplicates = writeErrors?.every((e) => (e.code ?? e.err?.code) === 11000);
    if (!onlyDuplicates) throw error;
  }
}
