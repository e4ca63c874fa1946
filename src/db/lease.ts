/**
 * Leases: exclusive, expiring hold of a named resource, safe across processes on MongoDB and
 * on FerretDB (whose conditional updates are not compare-and-set).
 *
 * Protocol
 * - Each taking of a lease inserts a new document `_id = name#epoch` with the next epoch.
 *   Inserting a unique `_id` is atomic on both databases, so of two processes that race for
 *   the same epoch exactly one wins; the loser sees the winner as holder.
 * - The holder is the document with the highest epoch. It is free when that document is
 *   released, expired, or names a process on this host that no longer exists (a kill -9
 *   leaves a lease that a restart can take at once instead of waiting for expiry).
 * - Only the holder writes its own document (renew, data, release), so those plain updates
 *   cannot be lost to a concurrent writer.
 * - Taking over a lease that was not released hands the caller the previous document: its
 *   `data` says what the dead holder was doing, and the caller must finish or undo that
 *   before going on (see each protocol's `recover`). Until it has, the new document carries
 *   the same `data`, so a crash during recovery hands the same work to the next taker.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Models } from './models.js';
import { isProcessAlive } from './process-alive.js';

/** This process incarnation; a restarted process with a recycled pid is still a new owner. */
const INSTANCE = randomBytes(6).toString('hex');
const HOST = hostname();

export interface LeaseDoc<D = unknown> {
  _id: string;
  name: string;
  epoch: number;
  owner: string;
  host: string;
  pid: number;
  instance: string;
  expiresAt: Date;
  releasedAt: Date | null;
  data: D | null;
}

export type Acquired<D> = { ok: true; lease: Lease<D>; abandoned: LeaseDoc<D> | null } | { ok: false; holder: LeaseDoc<D> };

export class Lease<D = unknown> {
  private timer: NodeJS.Timeout | undefined;
  private lost = false;

  constructor(
    private readonly models: Models,
    readonly doc: LeaseDoc<D>,
    private readonly ttlMs: number,
  ) {}

  get id(): string {
    return this.doc._id;
  }

  /** Records what the holder is doing (a journal), for recovery after a crash. */
  async setData(data: D | null): Promise<void> {
    await this.models.Lease.updateOne({ _id: this.doc._id }, { $set: { data } });
    this.doc.data = data;
  }

  /** Renews the lease every third of its time until released. */
  keepAlive(): this {
    this.timer ??= setInterval(
      () => {
        void this.renew().catch(() => undefined);
      },
      Math.max(50, Math.floor(this.ttlMs / 3)),
    );
    this.timer.unref();
    return this;
  }

  /** Extends the expiry; false when another process has taken the lease meanwhile. */
  async renew(): Promise<boolean> {
    if (this.lost) return false;
    const newer = await this.models.Lease.exists({ name: this.doc.name, epoch: { $gt: this.doc.epoch } });
    if (newer) {
      this.lost = true;
      return false;
    }
    await this.models.Lease.updateOne({ _id: this.doc._id }, { $set: { expiresAt: new Date(Date.now() + this.ttlMs) } });
    return true;
  }

  /** True while no other process has taken this lease over. */
  async stillHeld(): Promise<boolean> {
    if (this.lost) return false;
    this.lost = !!(await this.models.Lease.exists({ name: this.doc.name, epoch: { $gt: this.doc.epoch } }));
    return !this.lost;
  }

  async release(): Promise<void> {
    this.stop();
    await this.models.Lease.updateOne({ _id: this.doc._id }, { $set: { releasedAt: new Date(), data: null } });
  }

  /** Stops renewing without releasing (the lease then expires on its own). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** The current holder document of a lease name, or null if it was never taken. */
export async function currentLease<D = unknown>(models: Models, name: string): Promise<LeaseDoc<D> | null> {
  const [latest] = await models.Lease.find({ name }).sort({ epoch: -1 }).limit(1).lean<LeaseDoc<D>[]>();
  return latest ?? null;
}

/** True when nobody holds this lease document any more. */
export function isFree(doc: LeaseDoc | null, now = Date.now()): boolean {
  if (!doc || doc.releasedAt) return true;
  if (new Date(doc.expiresAt).getTime() <= now) return true;
  return doc.host === HOST && !isHolderAlive(doc.pid, doc.instance);
}

/** Held by a process that died (or let it expire) before releasing it. */
export function isAbandoned(doc: LeaseDoc | null, now = Date.now()): boolean {
  return !!doc && !doc.releasedAt && isFree(doc, now);
}

export async function acquireLease<D = unknown>(models: Models, name: string, options: { ttlMs: number; owner?: string; data?: D }): Promise<Acquired<D>> {
  const latest = await currentLease<D>(models, name);
  if (latest && !isFree(latest)) return { ok: false, holder: latest };
  const epoch = (latest?.epoch ?? 0) + 1;
  const abandoned = latest && !latest.releasedAt ? latest : null;
  const doc: LeaseDoc<D> = {
    _id: `${name}#${epoch}`,
    name,
    epoch,
    owner: options.owner ?? `${HOST}:${process.pid}`,
    host: HOST,
    pid: process.pid,
    instance: INSTANCE,
    expiresAt: new Date(Date.now() + options.ttlMs),
    releasedAt: null,
    // An abandoned journal moves to the new holder, so a crash during recovery loses nothing.
    data: abandoned?.data ?? options.data ?? null,
  };
  try {
    await models.Lease.create(doc);
  } catch (error) {
    if ((error as { code?: number }).code !== 11000) throw error;
    const winner = await currentLease<D>(models, name);
    return { ok: false, holder: winner ?? doc };
  }
  // Older epochs are history; the newest one is all any reader needs.
  await models.Lease.deleteMany({ name, epoch: { $lt: epoch - 1 } });
  return { ok: true, lease: new Lease(models, doc, options.ttlMs), abandoned };
}

/** The holder on this host is alive: this very process incarnation, or another live pid. */
function isHolderAlive(pid: number, instance: string): boolean {
  if (pid === process.pid) return instance === INSTANCE;
  return isProcessAlive(pid);
}
