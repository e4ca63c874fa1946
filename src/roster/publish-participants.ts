/**
 * The port through which rooms above the roster take part in a publish without the roster
 * naming them (docs/architecture.md). A participant stages what must go out with a version
 * (messaging: the publish summary and the shift changes) under the coming generation, before
 * the commit, and drops what it staged for generations that never committed.
 *
 * The composition wires the participants per database (`src/wiring.ts`); a publish on a
 * database nobody wired fails loudly instead of publishing without its messages.
 */
import type { Models } from '../db/models.js';
import type { PublishedRoster } from './publish.js';

export interface PublishStep {
  /** The plan's published roster before this publish (null on its first) and after it. */
  previous: PublishedRoster | null;
  current: PublishedRoster;
  /** The generation the publish is about to commit. */
  nextGen: number;
}

export interface PublishParticipant {
  /** Stages, under `step.nextGen`, what goes out with this version; an earlier attempt's leftovers at that generation first go. */
  stage(models: Models, step: PublishStep): Promise<unknown>;
  /** Drops what was staged for generations above `liveGen`: they never committed. */
  dropUncommitted(models: Models, liveGen: number): Promise<void>;
}

/** By connection: every set of models registered on one database shares its participants. */
const wired = new WeakMap<object, readonly PublishParticipant[]>();

export function wirePublishParticipants(models: Models, participants: readonly PublishParticipant[]): void {
  wired.set(models.Meta.db, participants);
}

export function publishParticipantsOf(models: Models): readonly PublishParticipant[] {
  const participants = wired.get(models.Meta.db);
  if (!participants) throw new Error('no publish participants wired for this database: build its models with wireModels (src/wiring.ts)');
  return participants;
}
