/**
 * Upserts validated records by their key and reports what changed. Each record is one
 * document, so every write is atomic on its own; validation has already passed for all of
 * them before this runs, so a bad row can never leave a half-written upload.
 *
 * The key is stored as `_id` (see models.ts). New records go in with one insertMany. Changed
 * records are replaced by one deleteMany and one insertMany rather than a replaceOne each:
 * FerretDB's SQLite backend scans the whole collection for every single-document update
 * (300 changed people took minutes). The price is a moment in which a changed record is
 * absent: callers wrap this in the directory seqlock (withDirectoryWrite), so solves never
 * read that moment, and an interrupted upload is repaired by sending the same file again,
 * since writing a file is idempotent.
 */
import type { Model } from 'mongoose';

export interface SyncCounts {
  created: number;
  updated: number;
  unchanged: number;
  removed: number;
}

const CHUNK = 1000;

export async function syncByKey<T extends object>(
  model: Model<any>,
  key: keyof T & string,
  records: readonly T[],
  options: { replace: boolean },
): Promise<SyncCounts> {
  const ids = records.map((r) => String(r[key]));
  const existing = await model.find({ _id: { $in: ids } }).lean<Record<string, unknown>[]>();
  const stored = new Map(existing.map((doc) => [String(doc._id), doc]));
  const counts: SyncCounts = { created: 0, updated: 0, unchanged: 0, removed: 0 };
  const inserts: object[] = [];
  const replaced: string[] = [];
  for (const record of records) {
    const _id = String(record[key]);
    const current = stored.get(_id);
    if (!current) {
      counts.created++;
      inserts.push({ _id, ...record });
    } else if (sameFields(record, current)) {
      counts.unchanged++;
    } else {
      counts.updated++;
      replaced.push(_id);
      inserts.push({ _id, ...record });
    }
  }
  if (replaced.length) await model.deleteMany({ _id: { $in: replaced } });
  for (let i = 0; i < inserts.length; i += CHUNK) await model.insertMany(inserts.slice(i, i + CHUNK), { ordered: false });
  if (options.replace) {
    const result = await model.deleteMany({ _id: { $nin: ids } });
    counts.removed = result.deletedCount ?? 0;
  }
  return counts;
}

/** True when every field of `record` equals the stored document's (Dates by instant). */
function sameFields(record: object, stored: Record<string, unknown>): boolean {
  return Object.entries(record).every(([field, value]) => canonical(value) === canonical(stored[field]));
}

function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_k, v: unknown) => (v instanceof Date ? v.toISOString() : v));
}
