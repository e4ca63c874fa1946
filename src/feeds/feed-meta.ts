/**
 * What HTTP needs around a feed body: validators for conditional requests and the
 * `webcal://` form of its address.
 */
import type { EventState } from './event-state.js';
import { sha256Hex } from './hash.js';

/** Strong ETag: the quoted SHA-256 of the feed's bytes (same roster, same bytes, same tag). */
export function feedEtag(ics: string): string {
  return `"${sha256Hex(ics)}"`;
}

/**
 * Last-Modified from the feed's event states: the latest event change, or `publishedAt` for
 * an empty feed. A feed whose only change is a *removed* event keeps its old value, so answer
 * If-None-Match first (RFC 9110 13.2.2) or, better, store {@link nextFeedState} per publish.
 */
export function feedLastModified(states: Iterable<EventState>, publishedAt: Date): Date {
  let latest: Date | undefined;
  for (const s of states) if (latest === undefined || s.lastModified > latest) latest = s.lastModified;
  return latest ?? publishedAt;
}

/** What is remembered of a whole feed between publishes. */
export interface FeedState {
  etag: string;
  lastModified: Date;
}

/**
 * The feed's validators after a publish: unchanged bytes keep the previous state, any change
 * (including a removed event or a renamed calendar) moves Last-Modified to `publishedAt`.
 */
export function nextFeedState(previous: FeedState | undefined, ics: string, publishedAt: Date): FeedState {
  const etag = feedEtag(ics);
  return previous !== undefined && previous.etag === etag ? previous : { etag, lastModified: publishedAt };
}

/** The `webcal://` address of an `http(s)://` feed URL, which phones open as "subscribe". */
export function webcalUrl(httpUrl: string): string {
  const url = new URL(httpUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`not an http(s) URL: ${httpUrl}`);
  return `webcal://${url.href.slice(url.protocol.length + 2)}`;
}
