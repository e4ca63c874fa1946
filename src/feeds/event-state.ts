/**
 * Event state across publishes. The caller stores the states with each published version
 * and passes the previous ones to the next publish, which gives:
 * - SEQUENCE that rises exactly when what an event shows changes (time, place, partners);
 * - DTSTAMP / LAST-MODIFIED / CREATED from stored instants, so the same roster renders the
 *   same bytes (and the same ETag) however often it is fetched.
 */
import { sha256Hex } from './hash.js';

/** Everything one event shows; the fingerprint covers all of it. */
export interface FeedEventContent {
  uid: string;
  start: Date;
  end: Date;
  summary: string;
  location: string;
  description: string;
}

/** What is remembered of an event between publishes. */
export interface EventState {
  uid: string;
  sequence: number;
  /** {@link eventFingerprint} of the content this state describes. */
  fingerprint: string;
  lastModified: Date;
  created: Date;
  /** The event left the feed; kept so that if it comes back (a rollback) its SEQUENCE rises. */
  removed?: boolean;
}

/** Hash of everything the event shows. */
export function eventFingerprint(event: FeedEventContent): string {
  return sha256Hex(JSON.stringify([event.start.toISOString(), event.end.toISOString(), event.summary, event.location, event.description]));
}

/**
 * States after publishing `events` at `publishedAt`: a new uid starts at sequence 0 with
 * created = lastModified = publishedAt; an unchanged event keeps its state; a changed one
 * gets sequence + 1 and lastModified = publishedAt. Events no longer present are kept as
 * removed, so one that returns (a rollback, a re-plan undone) comes back with a higher
 * SEQUENCE than the copy a calendar may still hold, and the calendar takes it.
 * Throws on a duplicate uid (a programmer error: two events would overwrite each other).
 */
export function nextEventStates(previous: ReadonlyMap<string, EventState>, events: readonly FeedEventContent[], publishedAt: Date): Map<string, EventState> {
  const next = new Map<string, EventState>();
  for (const event of events) {
    if (next.has(event.uid)) throw new Error(`duplicate event uid ${event.uid}`);
    const fingerprint = eventFingerprint(event);
    const before = previous.get(event.uid);
    if (before === undefined) {
      next.set(event.uid, { uid: event.uid, sequence: 0, fingerprint, lastModified: publishedAt, created: publishedAt });
    } else if (before.fingerprint === fingerprint && !before.removed) {
      next.set(event.uid, before);
    } else {
      const { removed: _removed, ...kept } = before;
      next.set(event.uid, { ...kept, sequence: before.sequence + 1, fingerprint, lastModified: publishedAt });
    }
  }
  for (const [uid, state] of previous) {
    if (!next.has(uid)) next.set(uid, state.removed ? state : { ...state, removed: true });
  }
  return next;
}
