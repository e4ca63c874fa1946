/**
 * The committed publish state: which version of each plan is published and which feed
 * generation serves them. It is the newest generation document (src/db/models.ts); a
 * publish commits by inserting the next one (src/roster/publish-protocol.ts), so every
 * reader sees one whole state, never a plan on a new version with feeds of the old.
 */
import type { Models } from '../db/models.js';

export interface LiveState {
  gen: number;
  /** Published version per plan id. */
  versions: Record<string, number>;
}

export async function liveState(models: Models): Promise<LiveState> {
  const [doc] = await models.Generation.find({}).sort({ _id: -1 }).limit(1).lean<{ _id: number; versions: Record<string, number> }[]>();
  return doc ? { gen: doc._id, versions: doc.versions ?? {} } : { gen: 0, versions: {} };
}

export async function livePublishedVersion(models: Models, planId: string): Promise<number | null> {
  return (await liveState(models)).versions[planId] ?? null;
}
