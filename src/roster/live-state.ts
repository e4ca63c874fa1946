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
  // The feed map is large (one pair per feed) and only feed readers need it: see liveFeedMap.
  const [doc] = await models.Generation.find({}, { feedKeys: 0, feedGens: 0 }).sort({ _id: -1 }).limit(1).lean<{ _id: number; versions: Record<string, number> }[]>();
  return doc ? { gen: doc._id, versions: doc.versions ?? {} } : { gen: 0, versions: {} };
}

/**
 * Which generation holds each feed of generation `gen`: a publish writes only the feeds it
 * touches, and the generation document maps every feed key to the generation of its current
 * document. A generation written before the map existed holds all its feeds itself (null).
 */
export async function liveFeedMap(models: Models, gen: number): Promise<Map<string, number> | null> {
  const doc = await models.Generation.findOne({ _id: gen }, { feedKeys: 1, feedGens: 1 }).lean<{ feedKeys?: string[]; feedGens?: number[] }>();
  if (!doc?.feedKeys || !doc.feedGens) return null;
  const gens = doc.feedGens;
  return new Map(doc.feedKeys.map((key, i) => [key, gens[i]!]));
}

export async function livePublishedVersion(models: Models, planId: string): Promise<number | null> {
  return (await liveState(models)).versions[planId] ?? null;
}
