/**
 * Reads and deletes by `_id` that stay cheap on the embedded FerretDB too. Its SQLite backend
 * uses the primary key only for a filter that is exactly `{ _id: <string> }`; any other
 * filter, `$in` included, reads and decodes every document of the collection (measured: the
 * feed documents of a whole district, a fifth of a second, for the few feeds a claim touches).
 * So a few ids are looked up (or deleted) one by one; many take one `$in`, which reads the
 * collection once there and uses the index on MongoDB. Each write is a transaction of its
 * own there (a sync to disk), so documents that usually do not exist yet are inserted and
 * only those found to exist are replaced, instead of deleted first.
 */
import type { AnyModel } from './models.js';

/** Up to this many ids, one lookup each. */
const ONE_BY_ONE = 200;

export async function findByIds<T>(model: AnyModel, ids: readonly string[], projection?: Record<string, 0 | 1>): Promise<T[]> {
  const unique = [...new Set(ids)];
  if (unique.length > ONE_BY_ONE) return model.find({ _id: { $in: unique } }, projection).lean<T[]>();
  const found = await Promise.all(unique.map((id) => model.findOne({ _id: id }, projection).lean<T>()));
  return found.filter((doc): doc is NonNullable<typeof doc> => doc !== null);
}

/**
 * Deletes the documents of `ids`: a few one after another (each a small write, so the reads of
 * the moment pass between them), many with `$in` in batches.
 */
export async function deleteByIds(model: AnyModel, ids: readonly string[], batch = ONE_BY_ONE): Promise<void> {
  const unique = [...new Set(ids)];
  if (unique.length <= ONE_BY_ONE) {
    for (const id of unique) await model.deleteOne({ _id: id });
    return;
  }
  for (let i = 0; i < unique.length; i += batch) await model.deleteMany({ _id: { $in: unique.slice(i, i + batch) } });
}

/** Inserts `docs`, replacing any stored document of the same `_id` (one insert when there is none). */
export async function insertReplacing<T extends { _id: string | number }>(model: AnyModel, docs: readonly T[]): Promise<void> {
  try {
    await model.insertMany(docs, { ordered: false });
  } catch (error) {
    const writeErrors = (error as { writeErrors?: { index: number; code?: number }[] }).writeErrors;
    if (!writeErrors?.length || writeErrors.some((w) => w.code !== 11000)) throw error;
    for (const { index } of writeErrors) {
      const doc = docs[index] as { _id: string | number };
      await model.replaceOne({ _id: doc._id }, doc);
    }
  }
}

/** Inserts one document and returns it as stored, with what the schema adds (timestamps, defaults). */
export async function insertReturning<T extends object>(model: AnyModel, doc: T): Promise<T> {
  const created = (await model.create(doc)) as unknown as { toObject(): T };
  return created.toObject();
}
