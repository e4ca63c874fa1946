/**
 * Calendar feeds as stored documents. Every publish re-renders the feeds it touches and
 * stores the bytes with their ETag and per-event states (SEQUENCE, LAST-MODIFIED), so a
 * request is three lookups by `_id` (secret, live generation, feed) and the same roster
 * always gives the same bytes.
 *
 * A person's feed holds their shifts from the published version of every plan; a village
 * feed holds every gate-shift of the village's gates, gaps included.
 *
 * A generation holds only the feeds its publish touched; the generation document maps every
 * feed key to the generation whose document serves it, so a publish that changes one shift
 * writes a handful of feeds, not every feed of the district.
 */
import { findByIds } from '../db/by-ids.js';
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
import { gateShiftKey } from './views/index.js';
import { feedCacheFor, feedDocId, feedId, feedKeyOf } from './feed-cache.js';
import { liveFeedMap, liveState } from './live-state.js';
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
    // By `_id` alone (see verifyToken): there is a feed secret per person.
    const doc = await models.FeedToken.findOne({ _id: hash }).lean<{ kind: FeedKind; subject: string; revokedAt?: Date | null }>();
    return doc && !doc.revokedAt ? { kind: doc.kind, subject: doc.subject } : null;
  });
}

/** The stored feed; an empty calendar for someone who has never been rostered. */
export async function readFeed(models: Models, kind: FeedKind, subject: string): Promise<StoredFeed> {
  // A publish may retire the generation between reading the pointer and the feed: re-read.
  const cache = feedCacheFor(models);
  for (let attempt = 0; attempt < 3; attempt++) {
    const live = await cache.liveGeneration(
      async () => (await liveState(models)).gen,
      (gen) => liveFeedMap(models, gen),
    );
    const key = `${kind}:${subject}`;
    if (live.map && !live.map.has(key)) break; // never rendered: nobody rostered it
    const id = feedDocId(live, key);
    const doc = await cache.feed(id, async () => {
      const found = await models.Feed.findOne({ _id: id }, { ics: 1, etag: 1, lastModified: 1 }).lean<StoredFeed>();
      return found ? { ics: found.ics, etag: found.etag, lastModified: found.lastModified } : null;
    });
    if (doc) return doc;
    if ((await liveState(models)).gen === live.gen) break;
    cache.dropGeneration();
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

/** The next generation: the feed documents to write, and where every feed of it is stored. */
export interface NextGeneration {
  rows: object[];
  /** Feed key -> generation holding its document (the next one for every row above). */
  map: Map<string, number>;
  counts: { cadres: number; villages: number };
  /** The documents the rows replace (what tidying after the commit drops). */
  superseded: string[];
  /** Each row's validators and event states, by document id (the next publish renders on them). */
  states: Map<string, LiveFeed>;
}

/**
 * The documents of the next feed generation: the feeds this publish touched re-rendered; every
 * other feed stays where it is (the map points at its document). Touched are the people and
 * villages of every gate-shift whose people or gap changed between the plan's previous and new
 * roster (a person's feed names who else stands with them, so everyone at a changed
 * gate-shift), or everyone in either roster on a plan's first publish or when names changed.
 * Nothing is written here.
 */
export async function renderNextGeneration(models: Models, input: GenerationInput): Promise<NextGeneration> {
  const { previous, current, rosters, nextGen } = input;
  const publishedAt = current.publication.publishedAt;
  // Each plan's assignments carry the plan: one person may stand duty in several plans.
  const assignments = rosters.flatMap((r) => r.assignments.map((a) => ({ ...a, planId: r.planId })));
  const gaps = rosters.flatMap((r) => r.gaps);
  const gatesById = new Map<string, Gate>(rosters.flatMap((r) => r.gates.map((g) => [g.id, g] as const)));
  const cadresById = new Map(rosters.flatMap((r) => r.cadres.map((c) => [c.id, c] as const)));
  const timeZone = current.timezone;
  const { cadreIds, villages } = touchedFeeds(previous, current, gatesById);

  const partnersOf = partnerNames(assignments, cadresById);
  const byCadre = groupBy(assignments, (a) => a.cadreId);
  const byVillage = groupBy(assignments, (a) => gatesById.get(a.gateId)?.village ?? '');
  const gapsByVillage = groupBy(gaps, (g: Gap) => gatesById.get(g.gateId)?.village ?? '');
  const map = feedCacheFor(models).mapAt(input.liveGen) ?? (await liveMapOf(models, input.liveGen));
  const keys = [...[...cadreIds].map((id) => `cadre:${id}`), ...[...villages].map((v) => `village:${v}`)];
  const live = await liveFeedStates(models, map, keys);

  const docs = new Map<string, object>();
  const rendered = new Map<string, LiveFeed>();
  for (const cadreId of cadreIds) {
    const cadre = cadresById.get(cadreId) ?? { id: cadreId, name: cadreId };
    const content = { cadre, assignments: byCadre.get(cadreId) ?? [], partnersOf, gatesById, timeZone };
    const key = `cadre:${cadreId}`;
    const states = nextEventStates(live.get(key)?.states ?? new Map(), cadreFeedEvents(content), publishedAt);
    const ics = renderCadreFeed({ ...content, states, calendarName: `值守排班 · ${cadre.name}` });
    docs.set(key, feedDoc(nextGen, key, ics, states, live.get(key), publishedAt, rendered));
  }
  for (const village of villages) {
    const content = { village, assignments: byVillage.get(village) ?? [], gaps: gapsByVillage.get(village) ?? [], cadresById, gatesById, timeZone };
    const key = `village:${village}`;
    const states = nextEventStates(live.get(key)?.states ?? new Map(), villageFeedEvents(content), publishedAt);
    const ics = renderVillageFeed({ ...content, states, calendarName: `${village} 门岗值守` });
    docs.set(key, feedDoc(nextGen, key, ics, states, live.get(key), publishedAt, rendered));
  }
  const next = new Map(map);
  const superseded: string[] = [];
  for (const key of docs.keys()) {
    const held = map.get(key);
    if (held !== undefined) superseded.push(feedId(held, key));
    next.set(key, nextGen);
  }
  return { rows: [...docs.values()], map: next, counts: { cadres: cadreIds.size, villages: villages.size }, superseded, states: rendered };
}

/** People and villages whose feeds a publish must render again (see renderNextGeneration). */
export function touchedFeeds(
  previous: PublishedRoster | null,
  current: PublishedRoster,
  gatesById: ReadonlyMap<string, Gate>,
): { cadreIds: Set<string>; villages: Set<string> } {
  const both = [previous, current].filter((r): r is PublishedRoster => r !== null);
  const villageOf = (gateId: string): string | undefined => gatesById.get(gateId)?.village;
  if (!previous || namesChanged(previous, current)) {
    return {
      cadreIds: new Set(both.flatMap((r) => r.assignments.map((a) => a.cadreId))),
      villages: new Set(both.flatMap((r) => [...r.assignments, ...r.gaps].map((x) => villageOf(x.gateId)).filter((v): v is string => !!v))),
    };
  }
  const atShift = (r: PublishedRoster): Map<string, string[]> => {
    const out = new Map<string, string[]>();
    for (const a of r.assignments) {
      const key = gateShiftKey(a.gateId, new Date(a.start));
      out.set(key, [...(out.get(key) ?? []), a.cadreId]);
    }
    return out;
  };
  const gapsAt = (r: PublishedRoster): Map<string, string> => {
    const out = new Map<string, string>();
    for (const g of r.gaps) {
      const key = gateShiftKey(g.gateId, new Date(g.start));
      out.set(key, `${out.get(key) ?? ''}${g.needed}/${g.filled}/${g.reason}/${g.detailZh};`);
    }
    return out;
  };
  const [before, after] = [atShift(previous), atShift(current)];
  const [gapsBefore, gapsAfter] = [gapsAt(previous), gapsAt(current)];
  const cadreIds = new Set<string>();
  const villages = new Set<string>();
  for (const key of new Set([...before.keys(), ...after.keys(), ...gapsBefore.keys(), ...gapsAfter.keys()])) {
    const people = [before.get(key) ?? [], after.get(key) ?? []].map((ids) => [...ids].sort().join(','));
    const samePeople = people[0] === people[1];
    if (samePeople && gapsBefore.get(key) === gapsAfter.get(key)) continue;
    const [gateId] = JSON.parse(key) as [string, number];
    const village = villageOf(gateId);
    if (village) villages.add(village);
    if (!samePeople) for (const id of [...(before.get(key) ?? []), ...(after.get(key) ?? [])]) cadreIds.add(id);
  }
  return { cadreIds, villages };
}

/** Gate or person names (or villages) differ between two rosters: every feed may read differently. */
function namesChanged(a: PublishedRoster, b: PublishedRoster): boolean {
  const gates = (r: PublishedRoster) => new Map(r.gates.map((g) => [g.id, `${g.name}|${g.village}|${g.town}`]));
  const cadres = (r: PublishedRoster) => new Map(r.cadres.map((c) => [c.id, `${c.name}|${c.role}`]));
  const differ = (x: Map<string, string>, y: Map<string, string>) => [...x].some(([k, v]) => y.has(k) && y.get(k) !== v);
  return differ(gates(a), gates(b)) || differ(cadres(a), cadres(b));
}

/** After a generation committed: this process serves it at once, from memory. */
export function rememberGeneration(models: Models, gen: number, { rows, map, states }: Pick<NextGeneration, 'rows' | 'map' | 'states'>): void {
  const cache = feedCacheFor(models);
  for (const row of rows as { _id: string; ics: string; etag: string; lastModified: Date }[]) {
    cache.remember(row._id, { ics: row.ics, etag: row.etag, lastModified: row.lastModified });
  }
  for (const [id, live] of states) cache.rememberStates(id, live);
  cache.setGeneration({ gen, map });
}

/** The live generation's feed map; one written before maps existed holds all its feeds itself. */
export async function liveMapOf(models: Models, gen: number): Promise<Map<string, number>> {
  const map = await liveFeedMap(models, gen);
  if (map) return map;
  const ids = await models.Feed.find({ gen }, { _id: 1 }).lean<{ _id: string }[]>();
  return new Map(ids.map(({ _id }) => [feedKeyOf(_id), gen]));
}

/** Feed documents no generation from `map` on points at (older documents of re-rendered feeds, and anything older). */
export async function staleFeedIds(models: Models, map: ReadonlyMap<string, number>, liveGen: number): Promise<string[]> {
  const ids = await models.Feed.find({ gen: { $lte: liveGen } }, { _id: 1 }).lean<{ _id: string }[]>();
  return ids
    .map(({ _id }) => _id)
    .filter((id) => {
      const key = feedKeyOf(id);
      const gen = map.get(key);
      return gen === undefined || id !== feedId(gen, key);
    });
}

interface LiveFeed extends FeedState {
  states: Map<string, EventState>;
}

/** The live documents of `keys` (those that have one), by `_id`. */
async function liveFeedStates(models: Models, map: ReadonlyMap<string, number>, keys: readonly string[]): Promise<Map<string, LiveFeed>> {
  const ids = keys.flatMap((key) => {
    const gen = map.get(key);
    return gen === undefined ? [] : [feedId(gen, key)];
  });
  const out = new Map<string, LiveFeed>();
  // Those this process rendered itself are remembered; reading a feed back costs more than rendering it.
  const cache = feedCacheFor(models);
  const unknown: string[] = [];
  for (const id of ids) {
    const known = cache.statesOf<LiveFeed>(id);
    if (known) out.set(feedKeyOf(id), known);
    else unknown.push(id);
  }
  for (const d of await findByIds<FeedState & { _id: string; states: string }>(models.Feed, unknown, { etag: 1, lastModified: 1, states: 1 })) {
    const states = (JSON.parse(d.states) as EventState[]).map((e) => ({ ...e, created: new Date(e.created), lastModified: new Date(e.lastModified) }));
    const key = feedKeyOf(String(d._id));
    out.set(key, { etag: d.etag, lastModified: d.lastModified, states: new Map(states.map((e) => [e.uid, e])) });
  }
  return out;
}

function feedDoc(
  gen: number,
  key: string,
  ics: string,
  states: Map<string, EventState>,
  previous: FeedState | undefined,
  publishedAt: Date,
  rendered: Map<string, LiveFeed>,
): object {
  const { etag, lastModified } = nextFeedState(previous, ics, publishedAt);
  rendered.set(feedId(gen, key), { etag, lastModified, states });
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
