/**
 * A seqlock over the directory (gates, people, availability), so a solve reads one
 * consistent snapshot without multi-document transactions (FerretDB has none).
 *
 * Writers bump `rev` and `writing` before and after they write. A reader reads `rev`, reads
 * the data, reads `rev` again: if no write was in flight and `rev` did not move, what it read
 * is exactly the state between two uploads. Otherwise it waits and reads again.
 */
import { withDocLock } from './doc-lock.js';
import type { Models } from './models.js';

const ID = 'directory';

export async function withDirectoryWrite<T>(models: Models, write: () => Promise<T>): Promise<T> {
  await bump(models, 1);
  try {
    return await write();
  } finally {
    await bump(models, -1);
  }
}

export async function readDirectoryConsistently<T>(models: Models, read: () => Promise<T>, options = { attempts: 50, waitMs: 200 }): Promise<T> {
  for (let attempt = 0; attempt < options.attempts; attempt++) {
    const before = await revision(models);
    if (before.writing === 0) {
      const value = await read();
      const after = await revision(models);
      if (after.rev === before.rev && after.writing === 0) return value;
    }
    await new Promise((r) => setTimeout(r, options.waitMs));
  }
  throw new Error('the directory kept changing while a solve tried to read it');
}

/** `$inc` through the document lock: a lost update here would block every later solve. */
function bump(models: Models, writing: 1 | -1): Promise<unknown> {
  return withDocLock(`meta:${ID}`, () => models.Meta.updateOne({ _id: ID }, { $inc: { rev: 1, writing } }, { upsert: true }));
}

async function revision(models: Models): Promise<{ rev: number; writing: number }> {
  const doc = await models.Meta.findOne({ _id: ID }).lean<{ rev: number; writing: number }>();
  return { rev: doc?.rev ?? 0, writing: doc?.writing ?? 0 };
}
