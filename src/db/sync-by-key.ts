/**
 * Works out what an upload changes: which records are new, changed or unchanged, and (for
 * a replacing upload) how many stored ones it drops. Only new and changed records are
 * written; the write itself goes through the directory write protocol
 * (src/directory/write-protocol.ts), which makes it all-or-nothing across a crash.
 */
import type { AnyModel } from './models.js';

export interface SyncCounts {
  created: number;
  updated: number;
  unchanged: number;
  removed: number;
}

export interface SyncPlan {
  counts: SyncCounts;
  /** New and changed records as whole documents, keyed by `_id`. */
  put: Record<string, unknown>[];
  /** For a replacing upload: every `_id` the upload names (all others go). */
  keepOnly?: string[];
}

export async function diffByKey<T extends object>(
  model: AnyModel,
  key: keyof T & string,
  records: readonly T[],
  options: { replace: boolean },
): Promise<SyncPlan> {
  const ids = records.map((r) => String(r[key]));
  const existing = await model.find({ _id: { $in: ids } }).lean<Record<string, unknown>[]>();
  const stored = new Map(existing.map((doc) => [String(doc._id), doc]));
  const counts: SyncCounts = { created: 0, updated: 0, unchanged: 0, removed: 0 };
  const put: Record<string, unknown>[] = [];
  for (const record of records) {
    const _id = String(record[key]);
    const current = stored.get(_id);
    if (current && sameFields(record, current)) {
      counts.unchanged++;
      continue;
    }
    if (current) counts.updated++;
    else counts.created++;
    put.push({ _id, ...record });
  }
  if (!options.replace) return { counts, put };
  counts.removed = await model.countDocuments({ _id: { $nin: ids } });
  return { counts, put, keepOnly: ids };
}

/** True when every field of `record` equals the stored document's (Dates by instant). */
function sameFields(record: object, stored: Record<string, unknown>): boolean {
  return Object.entries(record).every(([field, value]) => canonical(value) === canonical(stored[field]));
}

function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_k, v: unknown) => (v instanceof Date ? v.toISOString() : v));
}
