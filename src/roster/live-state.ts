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
  // Generations committed before the feed map had its own document still carry it: leave it out.
  const [doc] = await models.Generation.find({}, { feedKeys: 0, feedGens: 0 })
    .sort({ _id: -1 })
    .limit(1)
    .lean<{ _id: number; versions: Record<string, number> }[]>();
  return doc ? { gen: doc._id, versions: doc.versions ?? {} } : { gen: 0, versions: {} };
}

/**
 * Which generation holds each feed of generation `gen`: a publish writes only the feeds it
 * touches, and the generation's feed map (src/db/models.ts) points every feed key at the
 * generation of its current document. Older generations kept the map in the generation
 * document; one written before maps existed holds all its feeds itself (null).
 */
export async function liveFeedMap(models: Models, gen: number): Promise<Map<string, number> | null> {
  type MapDoc = { feedKeys?: string[]; feedGens?: number[] };
  const doc =
    (await models.FeedMap.findOne({ _id: gen }).lean<MapDoc>()) ?? (await models.Generation.findOne({ _id: gen }, { feedKeys: 1, feedGens: 1 }).lean<MapDoc>());
  if (!doc?.feedKeys || !doc.feedGens) return null;
  const gens = doc.feedGens;
  return new Map(doc.feedKeys.map((key, i) => [key, gens[i]!]));
}

export async function livePublishedVersion(models: Models, planId: string): Promise<number | null> {
  return (await liveState(models)).versions[planId] ?? null;
}
