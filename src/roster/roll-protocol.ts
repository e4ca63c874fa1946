/**
 * Rolling a plan's horizon forward (plan the next days every morning, keep what is published
 * for the next hours), safe across crashes and processes with leases and one-document writes.
 *
 * A roll moves the plan's days: whole days are added at the end and the days that have ended
 * drop from the front. Dropped days are not lost: they are the plan's history, which every
 * later roster carries unchanged (./solve-context.ts), so feeds keep ended shifts and reports
 * of past days still read them, and the rules and the campaign's fairness count them.
 * Published shifts starting within the freeze window (the plan's rollPolicy.freezeHours from
 * the roll) are kept as they are, as pins; the rest of the horizon is re-planned from the
 * published roster by the solver's re-plan stage, which moves nobody unless that fills more
 * places. Open places inside the window may still be filled by people free then, as after an
 * absence.
 *
 * One round per plan, in the plan's `Roll` document, written only under the lease
 * `roll:<planId>` (src/db/lease.ts). Steps, fault points in brackets (./roll-faults.ts):
 * 1. Record the round: the new days, the freeze instant, the solve id to come, the version it
 *    starts from and the plan's publish policy. [roll:after-round]
 * 2. Move the plan's days (a plan edit; repeated after a crash it changes nothing).
 *    [roll:after-extend]
 * 3. Request the solve under the recorded id (a plan busy with a planner's solve is asked again
 *    at the next pass); wait while it runs.
 * 4. When it is done: policy `draft` ends the round with the solve left for a planner. Policy
 *    `publish`: if another version was published meanwhile (an absence's fill-ins, a planner),
 *    the round solves again from that version under a new id; else it publishes through the
 *    publish protocol (./publish-protocol.ts). [roll:after-publish]
 * 5. End the round (`idle`) with its result.
 *
 * A crash leaves the round in its document and the lease abandoned; whoever takes the lease
 * next (the same process after a restart, another one, or the next roll request) resumes at
 * the recorded phase. A roll asked for while one is open is refused (409).
 *
 * The daily roll (rollPolicy.dailyAt) is a round like any other, started by the worker once a
 * local day at or after that time, keeping the plan's length.
 */
import { randomBytes } from 'node:crypto';
import { withDocLock } from '../db/doc-lock.js';
import { acquireLease } from '../db/lease.js';
import type { Models } from '../db/models.js';
import { addDays, localDate, formatClock, localInstant, parseClock } from '../domain/time.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { daysBetween } from '../solver/edges.js';
import { liveState } from './live-state.js';
import { getPlan, listPlans, type Plan } from './plans.js';
import { publishPlan } from './publish-protocol.js';
import { rollFaultPoint } from './roll-faults.js';
import { newSolveId, requestSolve } from './solves.js';

const LEASE_TTL_MS = 30_000;
/** Shifts starting this soon are history for any solve of the round, even past the freeze window. */
const KEEP_MARGIN_MS = 2 * 60_000;
/** A round re-solves at most this often when other versions keep being published under it. */
const MAX_RESOLVES = 3;
export const ROLL_PUBLISHER = 'roll';

export interface Horizon {
  start: string;
  days: number;
}

export interface RollResult {
  /** The version the roll published; null for a draft or a failure. */
  publishedVersion: number | null;
  /** The roll's solve when it waits as a draft (policy `draft`). */
  draftSolveId: string | null;
  error: string | null;
}

export interface RollRound {
  planId: string;
  phase: 'solving' | 'publishing' | 'idle';
  solveId: string | null;
  baseVersion: number | null;
  from: Horizon | null;
  to: Horizon | null;
  freezeUntil: Date | null;
  publish: 'publish' | 'draft';
  requestedBy: string | null;
  resolves: number;
  result: RollResult | null;
  /** Local date of the last daily roll (rollPolicy.dailyAt), so it runs once a day. */
  dailyOn: string | null;
  updatedAt: Date | null;
}

/** A plan's Roll document as stored (src/db/models.ts rollSchema; `_id` = plan id). */
interface RollDoc extends Omit<RollRound, 'planId' | 'resolves' | 'dailyOn' | 'updatedAt'> {
  _id: string;
  // Absent from rounds stored before rollSchema had them (mongoose's strict mode had dropped them).
  resolves?: number;
  dailyOn?: string | null;
  updatedAt: Date;
}

/**
 * The new days of a roll at `now`: `extend` whole days added at the end, every ended day
 * (local dates before today) dropped from the front. `keepLength` instead ends the horizon
 * the plan's length after its new start (the daily roll).
 */
export function rolledHorizon(spec: Plan['spec'], now: Date, how: { extend: number } | { keepLength: true }): Horizon {
  const today = localDate(now, spec.timezone);
  const start = spec.start > today ? spec.start : today;
  const end = 'extend' in how ? addDays(spec.start, spec.days + how.extend) : addDays(start, spec.days);
  const days = daysBetween(start, end);
  if (days < 1)
    throw new AppError(
      'validation_failed',
      `the plan ended on ${addDays(spec.start, spec.days - 1)}: roll it by at least ${daysBetween(addDays(spec.start, spec.days), today) + 1} days`,
      { problems: [{ field: 'days', message: 'too few to reach today' }] },
    );
  if (days > 31)
    throw new AppError('validation_failed', `a plan covers at most 31 days; this roll would make it ${days} (from ${start})`, {
      problems: [{ field: 'days', message: 'more than 31 days from today' }],
    });
  return { start, days };
}

/** Starts a roll (steps 1-3); the worker (or the next request) carries it on. */
export async function requestRoll(
  models: Models,
  planId: string,
  how: { extend: number } | { keepLength: true },
  now: Date,
  requestedBy: string,
  onSolveRequested?: () => void,
): Promise<RollRound> {
  const plan = await getPlan(models, planId);
  const to = rolledHorizon(plan.spec, now, how);
  const baseVersion = (await liveState(models)).versions[planId] ?? null;
  if (baseVersion === null) throw new AppError('conflict', 'publish a first version of the plan before rolling it');
  const taken = await acquireLease(models, `roll:${planId}`, { ttlMs: LEASE_TTL_MS, owner: ownerName() });
  if (!taken.ok) throw new AppError('conflict', 'a roll of this plan is being started right now; try again in a moment');
  const { lease } = taken;
  lease.keepAlive();
  try {
    const open = await getRoll(models, planId);
    if (open && open.phase !== 'idle') {
      // Whoever crashed while starting it left it to us; it is still the plan's roll.
      if (taken.abandoned) await stepRound(models, open, now, onSolveRequested);
      throw new AppError('conflict', 'this plan is already rolling; wait for that roll to finish', { solveId: open.solveId });
    }
    const round: RollRound = {
      planId,
      phase: 'solving',
      solveId: newSolveId(),
      baseVersion,
      from: { start: plan.spec.start, days: plan.spec.days },
      to,
      freezeUntil: new Date(now.getTime() + plan.spec.rollPolicy.freezeHours * 3_600_000),
      publish: plan.spec.rollPolicy.publish,
      requestedBy,
      resolves: 0,
      result: null,
      dailyOn: open?.dailyOn ?? null,
      updatedAt: now,
    };
    await writeRound(models, round);
    rollFaultPoint('roll:after-round');
    return await stepRound(models, round, now, onSolveRequested);
  } finally {
    await lease.release().catch(() => undefined);
  }
}

export async function getRoll(models: Models, planId: string): Promise<RollRound | null> {
  const doc = await models.Roll.findOne({ _id: planId }).lean<RollDoc>();
  if (!doc) return null;
  return {
    planId: doc._id,
    phase: doc.phase,
    solveId: doc.solveId ?? null,
    baseVersion: doc.baseVersion ?? null,
    from: doc.from ?? null,
    to: doc.to ?? null,
    freezeUntil: doc.freezeUntil ? new Date(doc.freezeUntil) : null,
    publish: doc.publish ?? 'publish',
    requestedBy: doc.requestedBy ?? null,
    resolves: doc.resolves ?? 0,
    result: doc.result ?? null,
    dailyOn: doc.dailyOn ?? null,
    updatedAt: doc.updatedAt ?? null,
  };
}

/** Moves one round on as far as it can go now (steps 2-5); the caller holds the lease. */
async function stepRound(models: Models, round: RollRound, now: Date, onSolveRequested?: () => void): Promise<RollRound> {
  let current = round;
  if (current.phase === 'solving') current = await solving(models, current, now, onSolveRequested);
  if (current.phase === 'publishing') current = await publishing(models, current);
  return current;
}

/** Steps 2-4 up to the publish: the plan's days moved, the solve asked for and, once done, judged. */
async function solving(models: Models, round: RollRound, now: Date, onSolveRequested?: () => void): Promise<RollRound> {
  const plan = await getPlan(models, round.planId);
  if (round.to && (plan.spec.start !== round.to.start || plan.spec.days !== round.to.days)) {
    const to = round.to;
    await withDocLock(`plan:${round.planId}`, () => models.Plan.updateOne({ _id: round.planId }, { $set: { 'spec.start': to.start, 'spec.days': to.days } }));
  }
  rollFaultPoint('roll:after-extend');
  const solveId = round.solveId as string;
  const job = await models.Solve.findOne({ _id: solveId }, { status: 1, error: 1 }).lean<{ status: string; error: string | null }>();
  if (!job) {
    const keepBefore = new Date(Math.max(round.freezeUntil?.getTime() ?? 0, now.getTime() + KEEP_MARGIN_MS));
    try {
      await requestSolve(models, round.planId, { keepBefore }, ROLL_PUBLISHER, solveId);
      onSolveRequested?.();
    } catch (error) {
      // The planner's own solve runs: ask again at the next pass.
      if (!(error instanceof AppError && error.code === 'conflict')) throw error;
    }
    return round;
  }
  if (job.status === 'queued' || job.status === 'running') return round;
  if (job.status === 'failed') return end(models, round, { publishedVersion: null, draftSolveId: null, error: job.error ?? 'the roll’s solve failed' });
  if (round.publish === 'draft') return end(models, round, { publishedVersion: null, draftSolveId: solveId, error: null });
  const next: RollRound = { ...round, phase: 'publishing' };
  await writeRound(models, next);
  return next;
}

/** Step 4's publish and step 5. */
async function publishing(models: Models, round: RollRound): Promise<RollRound> {
  const solveId = round.solveId as string;
  const current = (await liveState(models)).versions[round.planId] ?? null;
  const live = current === null ? null : await models.Publication.findOne({ _id: `${round.planId}:${current}` }, { solveId: 1 }).lean<{ solveId: string }>();
  if (live?.solveId === solveId) return end(models, round, { publishedVersion: current, draftSolveId: null, error: null });
  if (current !== round.baseVersion) {
    if (round.resolves >= MAX_RESOLVES)
      return end(models, round, {
        publishedVersion: null,
        draftSolveId: solveId,
        error: 'other versions kept being published while rolling; the roll waits as a draft',
      });
    // Solve again from what is published now, so the roll never undoes it.
    const again: RollRound = { ...round, phase: 'solving', solveId: newSolveId(), baseVersion: current, resolves: round.resolves + 1 };
    await writeRound(models, again);
    return again;
  }
  let version: number;
  try {
    version = (await publishPlan(models, round.planId, solveId, ROLL_PUBLISHER)).version;
  } catch (error) {
    if (error instanceof AppError && error.code === 'conflict') return round; // another publish is being written (or double-booked): next pass
    throw error;
  }
  rollFaultPoint('roll:after-publish');
  return end(models, round, { publishedVersion: version, draftSolveId: null, error: null });
}

async function end(models: Models, round: RollRound, result: RollResult): Promise<RollRound> {
  const done: RollRound = { ...round, phase: 'idle', result };
  await writeRound(models, done);
  return done;
}

async function writeRound(models: Models, round: RollRound): Promise<void> {
  const { planId, updatedAt: _updatedAt, ...fields } = round;
  await models.Roll.updateOne({ _id: planId }, { $set: fields }, { upsert: true });
}

function ownerName(): string {
  return `roll_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export interface RollWorkerOptions {
  pollMs?: number;
  onSolveRequested?: () => void;
  /** What time it is (tests pass their own). */
  clock?: () => Date;
}

/** Carries open rolls on and starts each plan's daily roll; one pass at a time. */
export class RollWorker {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly models: Models,
    private readonly logger: Logger,
    private readonly options: RollWorkerOptions = {},
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.poll();
  }

  nudge(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** One pass; true while a roll is open. */
  async runOnce(now = this.options.clock?.() ?? new Date()): Promise<boolean> {
    const { models } = this;
    await this.startDailyRolls(now);
    const open = await models.Roll.find({ phase: { $ne: 'idle' } }, { _id: 1 }).lean<{ _id: string }[]>();
    for (const { _id: planId } of open) {
      await this.step(planId, now).catch((error: unknown) => this.logger.error({ err: error, planId }, 'roll step failed'));
    }
    return open.length > 0;
  }

  private async step(planId: string, now: Date): Promise<void> {
    const taken = await acquireLease(this.models, `roll:${planId}`, { ttlMs: LEASE_TTL_MS, owner: ownerName() });
    if (!taken.ok) return;
    taken.lease.keepAlive();
    try {
      const round = await getRoll(this.models, planId);
      if (!round || round.phase === 'idle') return;
      const after = await stepRound(this.models, round, now, this.options.onSolveRequested);
      if (after.phase === 'idle') this.logger.info({ planId, result: after.result, to: after.to }, 'roll done');
    } finally {
      await taken.lease.release().catch(() => undefined);
    }
  }

  /** Plans whose daily roll time has come today and that have not rolled by it yet. */
  private async startDailyRolls(now: Date): Promise<void> {
    const { models } = this;
    const { versions } = await liveState(models);
    for (const plan of await listPlans(models)) {
      const at = plan.spec.rollPolicy.dailyAt;
      if (at === null || versions[plan.id] === undefined) continue;
      const tz = plan.spec.timezone;
      const today = localDate(now, tz);
      if (now < localInstant(today, parseClock(at) ?? 0, tz)) continue;
      const last = await getRoll(models, plan.id);
      if (last?.dailyOn === today || (last && last.phase !== 'idle')) continue;
      const keep = rolledHorizon(plan.spec, now, { keepLength: true });
      // Record the day first: a roll that cannot start (nothing to move, a conflict) is not retried all day.
      await models.Roll.updateOne(
        { _id: plan.id },
        { $set: last ? { dailyOn: today } : { dailyOn: today, phase: 'idle', publish: plan.spec.rollPolicy.publish } },
        { upsert: true },
      );
      if (keep.start === plan.spec.start && keep.days === plan.spec.days) continue;
      await requestRoll(models, plan.id, { keepLength: true }, now, `daily at ${formatClock(parseClock(at) ?? 0)}`, this.options.onSolveRequested).catch(
        (error: unknown) => {
          this.logger.warn({ err: error, planId: plan.id }, 'daily roll could not start');
        },
      );
    }
  }

  private async poll(): Promise<void> {
    while (this.running) {
      const busy = await this.runOnce().catch((error: unknown) => {
        this.logger.error({ err: error }, 'roll pass failed');
        return false;
      });
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, busy ? 300 : (this.options.pollMs ?? 30_000));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}
