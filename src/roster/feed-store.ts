/**
 * Calendar feeds as stored documents. Every publish re-renders the feeds it touches and
 * stores the bytes with their ETag and per-event states (SEQUENCE, LAST-MODIFIED), so a
 * request is three lookups by `_id` (secret, live generation, feed) and the same roster
 * always gives the same bytes.
 *
 * A person's feed holds their shifts from the published version of every plan; a village
 * feed holds every gate-shift of the village's gates, gaps included.
 */
import type { Models } from '../db/models.js';
import type { Gap } from '../domain/roster.js';
import type { Gate } from '../domain/types.js';
import { hashSecret, newSecret } from '../auth/tokens.js';
import { AppError } from '../errors.js';
import {
  cadreFeedEvents,
  nextEventStates,
  nextFeedState,
  partnerNames,
  renderCadreFeed,
  renderCalendar,
  renderVillageFeed,
  villageFeedEvents,
  type EventState,
  type FeedState,
} from '../feeds/index.js';
import { feedCacheFor } from './feed-cache.js';
import { liveState } from './live-state.js';
import type { PublishedRoster } from './publish.js';

export type FeedKind = 'cadre' | 'village';

export interface StoredFeed extends FeedState {
  ics: string;
}

/** Issues (or rotates) the secret of a feed; the old secret stops working at once. */
export async function issueFeedToken(models: Models, kind: FeedKind, subject: string): Promise<string> {
  if (kind === 'cadre' && !(await models.Cadre.exists({ _id: subject }))) throw new AppError('not_found', `no person "${subject}"`);
  if (kind === 'village' && !(await models.Gate.exists({ village: subject }))) throw new AppError('not_found', `no village "${subject}"`);
  await models.FeedToken.updateMany({ kind, subject, revokedAt: null }, { $set: { revokedAt: new Date() } });
  feedCacheFor(models).forgetSubject(kind, subject);
  const token = newSecret('f');
  await models.FeedToken.create({ _id: hashSecret(token), kind, subject });
  return token;
}

export async function revokeFeedTokens(models: Models, kind: FeedKind, subject: string): Promise<void> {
  const result = await models.FeedToken.updateMany({ kind, subject, revokedAt: null }, { $set: { revokedAt: new Date() } });
  feedCacheFor(models).forgetSubject(kind, subject);
  if (result.modifiedCount === 0) throw new AppError('not_found', 'no active feed link to revoke');
}

/** Who a feed secret belongs to, or null when unknown or revoked. */
export async function feedSubject(models: Models, token: string): Promise<{ kind: FeedKind; subject: string } | null> {
  const hash = hashSecret(token);
  return feedCacheFor(models).secret(hash, async () => {
    const doc = await models.FeedToken.findOne({ _id: hash, revokedAt: null }).lean<{ kind: FeedKind; subject: string }>();
    return doc ? { kind: doc.kind, subject: doc.subject } : null;
  });
}

/** The stored feed; an empty calendar for someone who has never been rostered. */
export async function readFeed(models: Models, kind: FeedKind, subject: string): Promise<StoredFeed> {
  // A publish may retire the generation between reading the pointer and the feed: re-read.
  const cache = feedCacheFor(models);
  for (let attempt = 0; attempt < 3; attempt++) {
    const gen = await cache.liveGeneration(async () => (await liveState(models)).gen);
    const id = feedId(gen, `${kind}:${subject}`);
    const doc = await cache.feed(id, async () => {
      const found = await models.Feed.findOne({ _id: id }, { ics: 1, etag: 1, lastModified: 1 }).lean<StoredFeed>();
      return found ? { ics: found.ics, etag: found.etag, lastModified: found.lastModified } : null;
    });
    if (doc) return doc;
    const live = (await liveState(models)).gen;
    if (live === gen) break;
    cache.setGeneration(live);
  }
  const ics = renderCalendar([], new Map(), 'UTC', { calendarName: kind === 'village' ? `${subject} 门岗值守` : '值守排班' });
  return { ics, ...nextFeedState(undefined, ics, new Date(0)) };
}

/** What a publish renders its next feed generation from. */
export interface GenerationInput {
  /** The plan's published roster before this publish (null on its first) and after it. */
  previous: PublishedRoster | null;
  current: PublishedRoster;
  /** Every plan's published roster in the new state (the current one included). */
  rosters: PublishedRoster[];
  liveGen: number;
  nextGen: number;
}

/**
 * The documents of the next feed generation: the feeds this publish touched (everyone and
 * every village in the plan's previous or new roster) re-rendered, every other live feed
 * carried over unchanged. Nothing is written here.
 */
export async function renderNextGeneration(models: Models, input: GenerationInput): Promise<{ rows: object[]; counts: { cadres: number; villages: number } }> {
  const { previous, current, rosters, nextGen } = input;
  const publishedAt = current.publication.publishedAt;
  // Each plan's assignments carry the plan: one person may stand duty in several plans.
  const assignments = rosters.flatMap((r) => r.assignments.map((a) => ({ ...a, planId: r.planId })));
  const gaps = rosters.flatMap((r) => r.gaps);
  const gatesById = new Map<string, Gate>(rosters.flatMap((r) => r.gates.map((g) => [g.id, g] as const)));
  const cadresById = new Map(rosters.flatMap((r) => r.cadres.map((c) => [c.id, c] as const)));
  const timeZone = current.timezone;

  const touched = [previous, current].filter((r): r is PublishedRoster => r !== null);
  const cadreIds = new Set(touched.flatMap((r) => r.assignments.map((a) => a.cadreId)));
  const villages = new Set(touched.flatMap((r) => [...r.assignments, ...r.gaps].map((x) => gatesById.get(x.gateId)?.village).filter((v): v is string => !!v)));

  const partnersOf = partnerNames(assignments, cadresById);
  const byCadre = groupBy(assignments, (a) => a.cadreId);
  const byVillage = groupBy(assignments, (a) => gatesById.get(a.gateId)?.village ?? '');
  const gapsByVillage = groupBy(gaps, (g: Gap) => gatesById.get(g.gateId)?.village ?? '');
  const live = await liveFeeds(models, input.liveGen);

  const docs = new Map<string, object>();
  for (const cadreId of cadreIds) {
    const cadre = cadresById.get(cadreId) ?? { id: cadreId, name: cadreId };
    const content = { cadre, assignments: byCadre.get(cadreId) ?? [], partnersOf, gatesById, timeZone };
    const key = `cadre:${cadreId}`;
    const states = nextEventStates(live.get(key)?.states ?? new Map(), cadreFeedEvents(content), publishedAt);
    const ics = renderCadreFeed({ ...content, states, calendarName: `值守排班 · ${cadre.name}` });
    docs.set(key, feedDoc(nextGen, key, ics, states, live.get(key), publishedAt));
  }
  for (const village of villages) {
    const content = { village, assignments: byVillage.get(village) ?? [], gaps: gapsByVillage.get(village) ?? [], cadresById, gatesById, timeZone };
    const key = `village:${village}`;
    const states = nextEventStates(live.get(key)?.states ?? new Map(), villageFeedEvents(content), publishedAt);
    const ics = renderVillageFeed({ ...content, states, calendarName: `${village} 门岗值守` });
    docs.set(key, feedDoc(nextGen, key, ics, states, live.get(key), publishedAt));
  }
  for (const [key, feed] of live) {
    if (!docs.has(key)) docs.set(key, { ...feed.doc, _id: feedId(nextGen, key), gen: nextGen });
  }
  return { rows: [...docs.values()], counts: { cadres: cadreIds.size, villages: villages.size } };
}

/** After a generation committed: this process serves it at once, from memory. */
export function rememberGeneration(models: Models, gen: number, rows: object[]): void {
  const cache = feedCacheFor(models);
  for (const row of rows as { _id: string; ics: string; etag: string; lastModified: Date }[]) {
    cache.remember(row._id, { ics: row.ics, etag: row.etag, lastModified: row.lastModified });
  }
  cache.setGeneration(gen);
}

function feedId(gen: number, key: string): string {
  return `${gen}|${key}`;
}

interface LiveFeed extends FeedState {
  states: Map<string, EventState>;
  doc: Record<string, unknown>;
}

async function liveFeeds(models: Models, gen: number): Promise<Map<string, LiveFeed>> {
  const docs = await models.Feed.find({ gen }).lean<Record<string, any>[]>();
  return new Map(
    docs.map((d) => {
      const states = (JSON.parse(d.states as string) as EventState[]).map((e) => ({ ...e, created: new Date(e.created), lastModified: new Date(e.lastModified) }));
      const key = String(d._id).slice(String(d._id).indexOf('|') + 1);
      return [key, { etag: d.etag, lastModified: d.lastModified, states: new Map(states.map((e) => [e.uid, e])), doc: d }];
    }),
  );
}

function feedDoc(gen: number, key: string, ics: string, states: Map<string, EventState>, previous: FeedState | undefined, publishedAt: Date): object {
  const { etag, lastModified } = nextFeedState(previous, ics, publishedAt);
  return { _id: feedId(gen, key), gen, ics, etag, lastModified, states: JSON.stringify([...states.values()]) };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
