/**
 * The rosters of every plan's live version, as the ground modules read them on each check-in
 * and page view. A published version never changes, so each is unpacked once per process
 * and kept while it is live (keyed by plan and version, dropped when the plan moves on).
 */
import type { Models } from '../db/models.js';
import { perDatabase } from '../db/per-database.js';
import { liveState } from '../roster/live-state.js';
import { publishedRosterAt, type PublishedRoster } from '../roster/publish.js';

const cacheOf = perDatabase(() => new Map<string, PublishedRoster>());

export async function liveRosters(models: Models): Promise<PublishedRoster[]> {
  const cache = cacheOf(models);
  const { versions } = await liveState(models);
  const out: PublishedRoster[] = [];
  for (const [planId, version] of Object.entries(versions)) {
    const key = `${planId}:${version}`;
    let roster = cache.get(key);
    if (!roster) {
      roster = (await publishedRosterAt(models, planId, version)) ?? undefined;
      for (const k of cache.keys()) if (k.startsWith(`${planId}:`)) cache.delete(k);
      if (roster) cache.set(key, roster);
    }
    if (roster) out.push(roster);
  }
  return out;
}
