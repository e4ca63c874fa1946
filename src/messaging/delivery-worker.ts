/**
 * The delivery worker: sends what the outbox holds, once, in order per channel.
 *
 * Protocol, per channel (a group robot, a webhook, a mailbox):
 * 1. Only a holder of the lease `deliver:<channelId>` (src/db/lease.ts) posts to the channel,
 *    so two processes never send one message at the same time, and one process's rate count
 *    is the channel's.
 * 2. A message is sendable when its generation is live (publish committed it) and its next
 *    attempt is due. Its parts go in order; before each POST the message is marked `sending`
 *    under the lease [deliver:after-mark-sending]; the robot answers [deliver:after-post]; a
 *    success moves `partsSent` on and, after the last part, marks it `sent`.
 * 3. A refusal or no connection: `retrying`, after DELIVERY_RETRY_BASE_MS doubling up to
 *    DELIVERY_RETRY_MAX_MS; after DELIVERY_MAX_ATTEMPTS, `failed` (kept in the delivery log
 *    with the robot's answer). A rate-limit answer (WeCom 45009 …) holds the whole channel
 *    back, doubling, and costs no attempt.
 *
 * The one duplicate left: a message found `sending` was being posted when its sender died (or
 * lost its answer to a timeout), so nobody knows whether the group saw it. It is sent again,
 * saying so (`（补发：如已收到请忽略）`). A webhook receiver can drop the copy by its
 * idempotency key; a group robot cannot, so a group may see that one message twice. A crash
 * anywhere else sends every message exactly once.
 */
import type { Logger } from '../logger.js';
import { acquireLease, type Lease } from '../db/lease.js';
import type { Models } from '../db/models.js';
import { liveState } from '../roster/live-state.js';
import { loadChannel } from './channels.js';
import { deliveryFaultPoint } from './faults.js';
import { archiveFinished, type OutboxDoc } from './outbox.js';
import { sendPart } from './send.js';
import type { MailSettings } from './email.js';
import type { Channel, ChannelKind } from './types.js';

export interface DeliveryOptions {
  pollMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxAttempts: number;
  /** Posts a minute to one WeCom or DingTalk robot. */
  robotRatePerMin: number;
  mail: MailSettings;
  /** Longest wait for a robot's answer. */
  timeoutMs?: number;
  /** Work that runs once per poll after sending (gap alerts, daily reports). */
  onTick?: () => Promise<void>;
}

const LEASE_TTL_MS = 30_000;
const OPEN: OutboxDoc['status'][] = ['pending', 'sending', 'retrying'];
/** Sent and failed messages are kept this long in the delivery log (and as de-duplication keys). */
const KEEP_MS = 14 * 86_400_000;
/**
 * Finished messages leave the outbox (which every pass scans, and FerretDB scans on every
 * update) for the delivery log after this long. A re-staging of the same key checks the log.
 */
const ARCHIVE_AFTER_MS = 3_600_000;

export class DeliveryWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  private readonly leases = new Map<string, Lease>();
  /** Per channel: instants of recent posts (the rate window) and a rate-limit hold. */
  private readonly recent = new Map<string, number[]>();
  private readonly heldUntil = new Map<string, { until: number; backoff: number }>();
  private lastPrune = 0;

  constructor(
    private readonly models: Models,
    private readonly logger: Logger,
    private readonly options: DeliveryOptions,
  ) {}

  start(): void {
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.runOnce().catch((error: unknown) => this.logger.warn({ err: errorSummary(error) }, 'message delivery pass failed; trying again'));
      await this.running;
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.options.pollMs);
    };
    this.timer = setTimeout(() => void loop(), 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await Promise.all([...this.leases.values()].map((l) => l.release().catch(() => undefined)));
    this.leases.clear();
  }

  /** One pass: every channel with a due message sends what it may. Returns parts delivered. */
  async runOnce(now = Date.now()): Promise<number> {
    // A failing sweep (gap alerts, daily report) must not stop messages already written.
    await this.options
      .onTick?.()
      .catch((error: unknown) => this.logger.warn({ err: errorSummary(error) }, 'gap alerts or daily report could not be prepared; trying again'));
    const live = await liveState(this.models);
    // One scan of the (small) outbox: what to send, and what finished long enough ago to archive.
    const all = await this.models.Outbox.find({}, { parts: 0 }).lean<Omit<OutboxDoc, 'parts'>[]>();
    const open = all.filter((d) => OPEN.includes(d.status));
    const finished = all.filter((d) => !OPEN.includes(d.status) && new Date(d.updatedAt).getTime() < now - ARCHIVE_AFTER_MS).map((d) => d._id);
    if (finished.length) await archiveFinished(this.models, finished);
    const due = open.filter((d) => d.gen <= live.gen && new Date(d.nextAttemptAt).getTime() <= now).sort((a, b) => a.order - b.order);
    const byChannel = new Map<string, string[]>();
    for (const d of due) byChannel.set(d.channelId, [...(byChannel.get(d.channelId) ?? []), d._id]);
    const counts = await Promise.all([...byChannel].map(([channelId, ids]) => this.deliverChannel(channelId, ids)));
    // A channel with nothing due lets another process take it.
    for (const [channelId, lease] of this.leases) {
      if (byChannel.has(channelId)) continue;
      this.leases.delete(channelId);
      await lease.release().catch(() => undefined);
    }
    if (now - this.lastPrune > 3_600_000) {
      this.lastPrune = now;
      await this.models.DeliveryLog.deleteMany({ updatedAt: { $lt: new Date(now - KEEP_MS) } });
    }
    return counts.reduce((s, n) => s + n, 0);
  }

  /** True when nothing sendable is left (tests and the bench wait for this). */
  async idle(): Promise<boolean> {
    const live = await liveState(this.models);
    const open = await this.models.Outbox.find({ status: { $in: OPEN } }, { gen: 1 }).lean<{ gen: number }[]>();
    return open.every((d) => d.gen > live.gen);
  }

  private async deliverChannel(channelId: string, ids: string[]): Promise<number> {
    const hold = this.heldUntil.get(channelId);
    if (hold && hold.until > Date.now()) return 0;
    const lease = await this.leaseOf(channelId);
    if (!lease) return 0;
    const channel = await loadChannel(this.models, channelId);
    let delivered = 0;
    for (const id of ids) {
      if (!(await lease.stillHeld())) {
        lease.stop();
        this.leases.delete(channelId);
        return delivered;
      }
      const doc = await this.models.Outbox.findOne({ _id: id }).lean<OutboxDoc>();
      if (!doc || !OPEN.includes(doc.status)) continue;
      if (!channel) {
        await this.update(id, { status: 'failed', lastAnswer: 'the channel was removed' });
        continue;
      }
      const outcome = await this.deliverMessage(channel, doc, lease);
      delivered += outcome.delivered;
      if (outcome.holdChannel) break;
    }
    return delivered;
  }

  private async leaseOf(channelId: string): Promise<Lease | null> {
    const held = this.leases.get(channelId);
    if (held) return held;
    const taken = await acquireLease(this.models, `deliver:${channelId}`, { ttlMs: LEASE_TTL_MS });
    if (!taken.ok) return null;
    taken.lease.keepAlive();
    this.leases.set(channelId, taken.lease);
    return taken.lease;
  }

  /** Sends the remaining parts of one message. */
  private async deliverMessage(channel: Channel, doc: OutboxDoc, lease: Lease): Promise<{ delivered: number; holdChannel: boolean }> {
    let delivered = 0;
    // `sending` at this point: a post whose outcome nobody recorded (its sender died, or the
    // answer timed out). Say so in the copy.
    let resent = doc.status === 'sending' || doc.uncertain;
    for (let i = doc.partsSent; i < doc.parts.length; i++) {
      if (!this.mayPost(channel)) return { delivered, holdChannel: true };
      await this.update(doc._id, { status: 'sending', sendingLease: lease.id });
      deliveryFaultPoint('deliver:after-mark-sending');
      const now = new Date();
      this.recordPost(channel.id, now.getTime());
      const outcome = await sendPart(channel, doc.parts[i]!, {
        key: doc.key,
        event: doc.event,
        partIndex: i,
        partCount: doc.parts.length,
        resent,
        now,
        timeoutMs: this.options.timeoutMs ?? 15_000,
        mail: this.options.mail,
      });
      if (outcome.result === 'delivered') deliveryFaultPoint('deliver:after-post');
      const answer = outcome.answer;
      if (outcome.result === 'delivered') {
        delivered += 1;
        const last = i === doc.parts.length - 1;
        await this.update(
          doc._id,
          last
            ? { status: 'sent', partsSent: i + 1, uncertain: false, lastAnswer: answer, sentAt: new Date(), sendingLease: null }
            : { status: 'pending', partsSent: i + 1, uncertain: false, lastAnswer: answer },
        );
        this.heldUntil.delete(channel.id);
        resent = false;
        continue;
      }
      if (outcome.result === 'rate_limited') {
        const backoff = Math.min((this.heldUntil.get(channel.id)?.backoff ?? this.options.retryBaseMs / 2) * 2, 60_000);
        this.heldUntil.set(channel.id, { until: Date.now() + backoff, backoff });
        // The channel's hold alone says when: a message due later than the hold's end would
        // let the messages after it overtake it.
        await this.update(doc._id, { status: 'retrying', nextAttemptAt: now, lastAnswer: answer, sendingLease: null });
        this.logger.info({ channel: channel.id, waitMs: backoff }, 'robot asked to slow down; holding its messages back');
        return { delivered, holdChannel: true };
      }
      const attempts = doc.attempts + 1;
      const failed = attempts >= this.options.maxAttempts;
      const wait = Math.min(this.options.retryBaseMs * 2 ** (attempts - 1), this.options.retryMaxMs);
      await this.update(doc._id, {
        status: failed ? 'failed' : 'retrying',
        attempts,
        nextAttemptAt: new Date(Date.now() + wait),
        uncertain: outcome.result === 'unknown',
        lastAnswer: answer,
        sendingLease: null,
      });
      this.logger.warn({ channel: channel.id, message: doc._id, attempts, answer }, failed ? 'message failed for good' : 'message not delivered; will retry');
      return { delivered, holdChannel: false };
    }
    return { delivered, holdChannel: false };
  }

  /** The robot's own limit, counted here so the worker rarely hears 45009 at all. */
  private mayPost(channel: Channel): boolean {
    const perMin = ratePerMinute(channel.kind, this.options.robotRatePerMin);
    if (perMin === null) return true;
    const since = Date.now() - 60_000;
    const recent = (this.recent.get(channel.id) ?? []).filter((t) => t > since);
    this.recent.set(channel.id, recent);
    return recent.length < perMin;
  }

  private recordPost(channelId: string, at: number): void {
    this.recent.set(channelId, [...(this.recent.get(channelId) ?? []), at]);
  }

  private async update(id: string, set: Partial<OutboxDoc>): Promise<void> {
    await this.models.Outbox.updateOne({ _id: id }, { $set: set });
  }
}

/** Posts a minute a channel kind takes (null: no limit of its own). */
function ratePerMinute(kind: ChannelKind, robotRatePerMin: number): number | null {
  if (kind === 'wecom' || kind === 'dingtalk') return robotRatePerMin;
  if (kind === 'feishu') return 100;
  return null;
}

/** An error for the log without its message (driver and fetch messages can quote urls). */
function errorSummary(error: unknown): { name: string; code?: unknown } {
  const e = error as { name?: string; code?: unknown };
  return { name: e?.name ?? 'Error', code: e?.code };
}
