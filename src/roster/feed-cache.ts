/**
 * In-process cache for calendar feeds: phones poll every feed about hourly, and each poll
 * would otherwise cost three database round trips. Rendered feeds are immutable within a
 * generation, so they are cached by generation id without expiry (bounded in size). The live
 * generation and the secret -> subject mapping are cached briefly: a publish or revocation in
 * this process updates the cache at once; another process sees it within those TTLs.
 */
import { databaseDownError } from '../db/database-down.js';
import { healthOf } from '../db/health.js';
import type { Models } from '../db/models.js';
import { perDatabase } from '../db/per-database.js';

// The generation is one small document (the feed map is read only when it moves): another
// process's publish reaches this process's feeds within a tenth of a second, at ten small
// reads a second at most while feeds are asked for.
export const GENERATION_TTL_MS = 100;
export const SECRET_TTL_MS = 5000;
const MAX_FEEDS = 20_000;

interface Cached<T> {
  value: T;
  until: number;
}

/** The live feed generation and where each of its feeds is stored (null map: all in `gen`). */
export interface LiveFeeds {
  gen: number;
  map: ReadonlyMap<string, number> | null;
}

/** A feed document's id: the generation holding it, and the feed's key (`cadre:…`, `village:…`). */
export function feedId(gen: number, key: string): string {
  return `${gen}|${key}`;
}

/** The feed key of a feed document's id. */
export function feedKeyOf(id: string): string {
  return id.slice(id.indexOf('|') + 1);
}

/** The document id of a feed in the live generation. */
export function feedDocId(live: LiveFeeds, key: string): string {
  return feedId(live.map?.get(key) ?? live.gen, key);
}

export class FeedCache {
  /** While the database is down, what is cached is served however old, and nothing is loaded. */
  constructor(private readonly databaseDown: () => boolean = () => false) {}

  private generation: Cached<LiveFeeds> | undefined;
  private looking: Promise<LiveFeeds> | undefined;
  private readonly secrets = new Map<string, Cached<{ kind: string; subject: string } | null>>();
  private readonly feeds = new Map<string, unknown>();
  private readonly states = new Map<string, unknown>();

  /** The live generation; its feed map is loaded again only when the generation changed. */
  async liveGeneration(loadGen: () => Promise<number>, loadMap: (gen: number) => Promise<LiveFeeds['map']>): Promise<LiveFeeds> {
    const now = Date.now();
    if (this.generation && (this.generation.until > now || this.databaseDown())) return this.generation.value;
    // Every feed request of the moment waits for one look (a poll burst after a publish would
    // otherwise read the generation, and its map, once per request).
    this.looking ??= (async () => {
      const gen = await this.load(loadGen);
      const value = this.generation?.value.gen === gen ? this.generation.value : { gen, map: await this.load(() => loadMap(gen)) };
      // A publish of this process may have set a newer one meanwhile: it stands.
      if (this.generation && this.generation.value.gen > gen) return this.generation.value;
      this.generation = { value, until: now + GENERATION_TTL_MS };
      return value;
    })().finally(() => (this.looking = undefined));
    return this.looking;
  }

  /** A publish in this process switched generations: serve the new one at once. */
  setGeneration(value: LiveFeeds): void {
    this.generation = { value, until: Date.now() + GENERATION_TTL_MS };
  }

  /** The feed map of generation `gen` if it is the one cached (a publish renders on top of it). */
  mapAt(gen: number): ReadonlyMap<string, number> | null {
    return this.generation?.value.gen === gen ? this.generation.value.map : null;
  }

  /** Forget the live generation, so the next read loads it. */
  dropGeneration(): void {
    this.generation = undefined;
  }

  async secret<T extends { kind: string; subject: string }>(hash: string, load: () => Promise<T | null>): Promise<T | null> {
    const now = Date.now();
    const hit = this.secrets.get(hash);
    if (hit && (hit.until > now || this.databaseDown())) return hit.value as T | null;
    const value = await this.load(load);
    this.secrets.set(hash, { value, until: now + SECRET_TTL_MS });
    if (this.secrets.size > MAX_FEEDS) this.secrets.delete(this.secrets.keys().next().value as string);
    return value;
  }

  /** A secret was revoked or rotated: forget every cached secret of that subject. */
  forgetSubject(kind: string, subject: string): void {
    for (const [hash, entry] of this.secrets) {
      if (entry.value?.kind === kind && entry.value.subject === subject) this.secrets.delete(hash);
    }
  }

  /** A publish in this process rendered this feed: keep it, so no poll has to read it back. */
  remember(id: string, value: unknown): void {
    this.feeds.set(id, value);
    if (this.feeds.size > MAX_FEEDS) this.feeds.delete(this.feeds.keys().next().value as string);
  }

  /** A publish in this process rendered this feed's event states: the next publish renders on them. */
  rememberStates(id: string, value: unknown): void {
    this.states.set(id, value);
    if (this.states.size > MAX_FEEDS) this.states.delete(this.states.keys().next().value as string);
  }

  statesOf<T>(id: string): T | undefined {
    return this.states.get(id) as T | undefined;
  }

  async feed<T>(id: string, load: () => Promise<T | null>): Promise<T | null> {
    if (this.feeds.has(id)) return this.feeds.get(id) as T;
    const value = await this.load(load);
    if (value === null) return null; // absent may become present in a later generation
    this.remember(id, value);
    return value;
  }

  private load<T>(load: () => Promise<T>): Promise<T> {
    if (this.databaseDown()) return Promise.reject(databaseDownError());
    return load();
  }
}

/** One cache per database (tests run several apps, each on its own database, in one process). */
export const feedCacheFor: (models: Models) => FeedCache = perDatabase((models) => {
  const health = healthOf(models.Meta.db);
  return new FeedCache(() => health.isDown());
});
