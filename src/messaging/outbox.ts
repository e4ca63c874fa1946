/**
 * The outbox: every message is a document written before (or, for messages derived from the
 * committed state, after) the change it tells of, and sent by the delivery worker
 * (./delivery-worker.ts), which alone changes it afterwards.
 *
 * Identity: `_id` = `<gen>:<key>@<channelId>`. Messages of a publish carry the generation the
 * publish will commit (src/roster/publish-protocol.ts stages them between the feeds and the
 * commit); the worker sends only generations <= the live one, and publish recovery drops the
 * messages of generations that never committed, as it drops their feeds. Messages derived from
 * the committed state (gap alerts, daily reports) carry generation 0: always sendable, and
 * their key alone makes a second insert of the same alert fail, whichever process tries.
 */
import { findByIds } from '../db/by-ids.js';
import type { Models } from '../db/models.js';
import type { Assignment } from '../domain/roster.js';
import type { PublishParticipant, PublishStep } from '../roster/publish-participants.js';
import { getPlan } from '../roster/plans.js';
import { channelsFor, loadChannels } from './channels.js';
import { splitMessage } from './formats.js';
import { mobileOf, publishSummaryMessage, shiftChangeMessages, type GateInfo, type PersonInfo } from './texts.js';
import type { Channel, Message, Part } from './types.js';

export type DeliveryStatus = 'pending' | 'sending' | 'retrying' | 'sent' | 'failed';

export interface OutboxDoc {
  _id: string;
  gen: number;
  key: string;
  channelId: string;
  event: string;
  parts: Part[];
  partsSent: number;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  sendingLease: string | null;
  uncertain: boolean;
  lastAnswer: string | null;
  sentAt: Date | null;
  order: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Writes messages for their channels under `gen`; a message already there is left as it is. */
export async function stageMessages(models: Models, gen: number, routed: readonly { channel: Channel; message: Message }[], now = new Date()): Promise<number> {
  if (!routed.length) return 0;
  const all = routed.map(({ channel, message }, i) => {
    const key = `${message.key}@${channel.id}`;
    return {
      _id: `${gen}:${key}`,
      gen,
      key,
      channelId: channel.id,
      event: message.event,
      parts: splitMessage(channel.kind, message.title, message.blocks),
      partsSent: 0,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      order: now.getTime() * 1000 + i,
    };
  });
  // A message sent long enough ago has moved to the delivery log: it exists already.
  const archived = new Set(
    (
      await findByIds<{ _id: string }>(
        models.DeliveryLog,
        all.map((d) => d._id),
        { _id: 1 },
      )
    ).map((d) => d._id),
  );
  const docs = all.filter((d) => !archived.has(d._id));
  if (!docs.length) return 0;
  try {
    const inserted = await models.Outbox.insertMany(docs, { ordered: false });
    return inserted.length;
  } catch (error) {
    // Duplicate ids are messages already staged (by us before a crash, or another process).
    const e = error as { code?: number; writeErrors?: { code?: number; err?: { code?: number } }[]; insertedDocs?: unknown[] };
    const dupOnly = e.code === 11000 || (e.writeErrors?.length && e.writeErrors.every((w) => (w.code ?? w.err?.code) === 11000));
    if (!dupOnly) throw error;
    return e.insertedDocs?.length ?? 0;
  }
}

export interface PublishMessagesInput extends PublishStep {
  now?: Date;
}

/**
 * Step of a publish (between its feeds and its commit): the summary to planners and, on a
 * re-publish, the shift changes to the village and town groups, under the coming generation.
 * Leftovers of an earlier failed attempt at the same generation go first.
 */
export async function stagePublishMessages(models: Models, input: PublishMessagesInput): Promise<number> {
  const now = input.now ?? new Date();
  const { current, previous } = input;
  const changed = previous ? changedPeople(previous.assignments, current.assignments) : null;
  // The reads at once: each is a round trip, and a publish waits for this step.
  const [, channels, plan, people] = await Promise.all([
    models.Outbox.deleteMany({ gen: input.nextGen }),
    loadChannels(models),
    getPlan(models, current.planId),
    previous && changed?.size ? peopleOf(models, [...changed, ...partnerIds(current.assignments, changed)], [...previous.cadres, ...current.cadres]) : null,
  ]);
  if (!channels.length) return 0;
  const version = current.publication.version;
  const routed: { channel: Channel; message: Message }[] = [];

  const needed = current.assignments.length + current.gaps.reduce((s, g) => s + (g.needed - g.filled), 0);
  const summary = publishSummaryMessage({
    planId: current.planId,
    planName: plan.name,
    version,
    publishedBy: current.publication.publishedBy,
    current: current.assignments,
    gaps: current.gaps,
    needed,
    changedPeople: changed?.size ?? null,
  });
  for (const channel of channelsFor(channels, 'publish_summary')) routed.push({ channel, message: summary });

  // A first version tells everyone everything: that is what the calendar feeds are for.
  if (previous && people && channelsFor(channels, 'shift_changed').length) {
    const gates = new Map<string, GateInfo>([...previous.gates, ...current.gates].map((g) => [g.id, { name: g.name, village: g.village, town: g.town }]));
    const townOf = new Map([...gates.values()].map((g) => [g.village, g.town]));
    const messages = shiftChangeMessages({
      planId: current.planId,
      planName: plan.name,
      version,
      timeZone: current.timezone,
      now,
      previous: previous.assignments,
      current: current.assignments,
      gates,
      people,
    });
    for (const { village, message } of messages) {
      for (const channel of channelsFor(channels, 'shift_changed', { village, town: townOf.get(village) })) routed.push({ channel, message });
    }
  }
  return stageMessages(models, input.nextGen, routed, now);
}

/** Messages staged for generations that never committed (a publish that died before step 4). */
export async function dropUncommittedMessages(models: Models, liveGen: number): Promise<void> {
  await models.Outbox.deleteMany({ gen: { $gt: liveGen } });
}

/** Messaging's part in every publish (src/roster/publish-participants.ts), wired by src/wiring.ts. */
export const publishMessages: PublishParticipant = { stage: stagePublishMessages, dropUncommitted: dropUncommittedMessages };

/** The delivery log (outbox and archive): newest first. */
export async function listDeliveries(models: Models, query: { status?: DeliveryStatus; limit?: number } = {}): Promise<OutboxDoc[]> {
  const filter = query.status ? { status: query.status } : {};
  const limit = query.limit ?? 200;
  const [current, archived] = await Promise.all([
    models.Outbox.find(filter).sort({ order: -1 }).limit(limit).lean<OutboxDoc[]>(),
    models.DeliveryLog.find(filter).sort({ order: -1 }).limit(limit).lean<OutboxDoc[]>(),
  ]);
  const seen = new Set(current.map((d) => d._id));
  return [...current, ...archived.filter((d) => !seen.has(d._id))].sort((a, b) => b.order - a.order).slice(0, limit);
}

/**
 * Moves messages finished before `before` from the outbox to the delivery log (copy, then
 * delete: a crash in between leaves a copy in both, which the next move completes).
 */
export async function archiveFinished(models: Models, ids: readonly string[]): Promise<void> {
  if (!ids.length) return;
  const docs = await models.Outbox.find({ _id: { $in: ids } }).lean<OutboxDoc[]>();
  if (docs.length) {
    // The driver's insert keeps createdAt/updatedAt as they were (mongoose would restamp them).
    await models.DeliveryLog.collection
      .insertMany(docs as never[], { ordered: false })
      .catch((error: { code?: number; writeErrors?: { code?: number; err?: { code?: number } }[] }) => {
        const dupOnly = error.code === 11000 || (error.writeErrors?.length && error.writeErrors.every((w) => (w.code ?? w.err?.code) === 11000));
        if (!dupOnly) throw error;
      });
  }
  await models.Outbox.deleteMany({ _id: { $in: ids } });
}

function changedPeople(before: readonly Assignment[], after: readonly Assignment[]): Set<string> {
  const key = (a: Assignment) => `${a.cadreId}|${a.gateId}|${a.start.getTime()}`;
  const a = new Set(before.map(key));
  const b = new Set(after.map(key));
  const changed = new Set<string>();
  for (const x of before) if (!b.has(key(x))) changed.add(x.cadreId);
  for (const x of after) if (!a.has(key(x))) changed.add(x.cadreId);
  return changed;
}

/** People standing duty beside the changed ones (named as partners). */
function partnerIds(assignments: readonly Assignment[], changed: ReadonlySet<string>): string[] {
  const shifts = new Set(assignments.filter((a) => changed.has(a.cadreId)).map((a) => `${a.gateId}|${a.start.getTime()}`));
  return assignments.filter((a) => shifts.has(`${a.gateId}|${a.start.getTime()}`)).map((a) => a.cadreId);
}

/** Names and villages from the rosters; mobiles from the directory (rosters keep no phones). */
async function peopleOf(models: Models, ids: string[], cadres: readonly { id: string; name: string; village: string }[]): Promise<Map<string, PersonInfo>> {
  const unique = [...new Set(ids)];
  const phones = await findByIds<{ _id: string; phone: string | null }>(models.Cadre, unique, { phone: 1 });
  const phoneOf = new Map(phones.map((p) => [p._id, p.phone]));
  const byId = new Map(cadres.map((c) => [c.id, c]));
  const people = new Map<string, PersonInfo>();
  for (const id of unique) {
    const c = byId.get(id);
    people.set(id, { name: c?.name ?? id, village: c?.village ?? '', mobile: mobileOf(phoneOf.get(id)) });
  }
  return people;
}
