/**
 * The automatic re-plan after an accepted absence, safe across crashes and processes with
 * nothing but leases and single-document writes (no transactions).
 *
 * An accepted absence is a report with `replan: pending` (./absence-reports.ts). Each pass of
 * the worker looks at every pending absence: the plans whose live roster still has that person
 * on a shift in the absence that has not started, and that have not been re-planned for it,
 * need a re-plan; an absence with no such plan left is `done`.
 *
 * One round per plan, under the lease `replan:<planId>` (src/db/lease.ts), in the plan's
 * `Replan` document (only the lease holder writes it). Fault points in brackets
 * (./faults.ts):
 * 1. Make sure each absence's window is written, then record the round: a new solve id, the
 *    published version it starts from, the absences it covers, and the instant before which
 *    shifts are history (now + 2 min). [replan:after-round]
 * 2. Request that solve (the ordinary solve path: the solve worker re-plans from the
 *    published roster with the solver's re-plan stage, the shifts that are history kept as
 *    pins, within REPLAN_DEADLINE_S); wait while it runs. A solve that
 *    already exists under the id is not asked for again; a plan busy with another solve is
 *    asked again at the next pass. A failed solve ends the round and a new one tries again,
 *    MAX_FAILURES times (a solve that could not read the directory through a burst of writes
 *    does not count) before the absences are marked `failed` for the planner.
 * 3. When it is done: if another version was published meanwhile, the round is dropped and
 *    starts again from that version (its absences are still pending). Otherwise split it
 *    (./fill-in-split.ts): the part within the policy's hours is stored as a roster of its
 *    own (or, when that is all of it, the solve's roster is used), the rest stays the solve's
 *    draft. [replan:after-split]
 * 4. Publish that roster through the publish protocol (src/roster/publish-protocol.ts:
 *    feeds, and the shift-changed messages staged in the same step). A publish found already
 *    current is not repeated. [replan:after-publish]
 * 5. Record the result on each absence, end the round (phase `idle`, with the draft left
 *    for the planner and the version it applies to), release the lease.
 *
 * A crash anywhere leaves the round in its document and the lease abandoned; the next taker
 * (the same process after a restart, or another) resumes at the recorded phase. Every step
 * is idempotent or checked against what is already there, so a repeat is possible (a result
 * recorded twice, a round started again) and a loss is not.
 */
import { randomBytes } from 'node:crypto';
import { acquireLease } from '../db/lease.js';
import type { Models } from '../db/models.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { liveState } from '../roster/live-state.js';
import { getPlan } from '../roster/plans.js';
import { publishPlan } from '../roster/publish-protocol.js';
import { loadRoster, publishedRosterAt, storeRoster } from '../roster/publish.js';
import { newSolveId, requestSolve } from '../roster/solves.js';
import { ensureWindow, type ReplanResult, type ReportDoc } from './absence-reports.js';
import { replanFaultPoint } from './faults.js';
import { splitReplan } from './fill-in-split.js';
import { livePlans, shiftsOf } from './live-shifts.js';
import { onAbsenceAccepted } from './signal.js';

const LEASE_TTL_MS = 30_000;
/** A re-plan whose solve failed is tried again with a new solve this many times before its absences are marked failed. */
const MAX_FAILURES = 3;
/**
 * Deadline of an automatic re-plan solve, seconds (the plan's own is used when shorter). The
 * re-plan stage fills directly in well under a second; only its MILP, tried when direct fills
 * fall short of the bound, can run long (measured: up to the 60 s default at district scale).
 * Past the deadline the solver answers with the best roster found (status `deadline`), which
 * is published: the fill-ins should reach the groups in minutes, not wait for a proof.
 */
const REPLAN_DEADLINE_S = 10;
/**
 * The re-plan's move budget: with one, a plan too large to be one model gets direct fills only
 * (~0.3 s at district scale); a small plan's MILP (well inside half a second on a quiet machine)
 * runs to the deadline, so that its answer does not depend on the machine's load.
 */
const REPLAN_MOVE_BUDGET_MS = 500;
/** Shifts starting this soon after a round starts are kept as published (nobody could reach the gate in time). */
const KEEP_MARGIN_MS = 2 * 60_000;
/**
 * A solve that could not read the directory because writes kept coming (a burst of absences)
 * failed for a passing reason: it is tried again without counting as a failure.
 */
const PASSING = /directory kept changing/;
/** Who published, in the plan's versions list and the publish summary. */
export const REPLAN_PUBLISHER = 'absence-replan';

export interface RoundDoc {
  _id: string;
  phase: 'solving' | 'publishing' | 'idle';
  solveId: string | null;
  baseVersion: number | null;
  absenceIds: string[];
  publishId: string | null;
  draftSolveId: string | null;
  endedAtVersion: number | null;
  note: string | null;
  /** Re-plan solves of these absences that failed in a row (retried up to MAX_FAILURES). */
  failures?: number;
  /** Shifts starting before this are history: the solve keeps them (as pins) and the split never takes them. */
  keepBefore?: Date | null;
}

export interface ReplanWorkerOptions {
  /** How often to look for pending absences when nothing woke the worker. */
  pollMs?: number;
  /** How often to look while a re-plan's solve runs. */
  busyPollMs?: number;
  /** Wakes the solve worker after a re-plan's solve is queued. */
  onSolveRequested?: () => void;
}

export class ReplanWorker {
  private readonly owner = `r_${process.pid}_${randomBytes(4).toString('hex')}`;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly models: Models,
    private readonly logger: Logger,
    private readonly options: ReplanWorkerOptions = {},
  ) {}

  start(): void {
    this.running = true;
    this.unsubscribe = onAbsenceAccepted(() => this.nudge());
    this.loop = this.poll();
  }

  nudge(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.wake?.();
    await this.loop;
  }

  /** One pass over pending absences and open rounds; true while re-plan work remains. */
  async runOnce(now = new Date()): Promise<boolean> {
    const { models } = this;
    const pending = await models.AbsenceReport.find({ status: 'accepted', replan: 'pending' }).lean<ReportDoc[]>();
    const open = await models.Replan.find({ phase: { $ne: 'idle' } }, { _id: 1, absenceIds: 1 }).lean<{ _id: string; absenceIds?: string[] }[]>();
    if (!pending.length && !open.length) return false;
    const plans = await livePlans(models);
    // An absence in a round still open is not done even when its shifts are gone from the
    // live roster: the round published them and has yet to record its result (a crash after
    // the publish, or this very pass).
    const inOpenRound = new Set(open.flatMap((o) => o.absenceIds ?? []));
    const needs = new Map<string, ReportDoc[]>();
    for (const report of pending) {
      const handled = new Set((report.replanResults ?? []).map((r) => r.planId));
      const touched = new Set(
        shiftsOf(plans, report.cadreId, report)
          .filter((s) => s.start >= now)
          .map((s) => s.planId),
      );
      const waiting = [...touched].filter((p) => !handled.has(p));
      if (!waiting.length && !inOpenRound.has(report._id)) {
        await models.AbsenceReport.updateOne({ _id: report._id, replan: 'pending' }, { $set: { replan: 'done' } });
        continue;
      }
      for (const planId of waiting) needs.set(planId, [...(needs.get(planId) ?? []), report]);
    }
    for (const planId of new Set([...open.map((o) => o._id), ...needs.keys()])) {
      await this.step(planId, needs.get(planId) ?? [], now).catch((error: unknown) => this.logger.error({ err: error, planId }, 'absence re-plan step failed'));
    }
    return true;
  }

  /** Moves one plan's round on as far as it can go now. */
  private async step(planId: string, absences: ReportDoc[], now: Date): Promise<void> {
    const { models } = this;
    const taken = await acquireLease(models, `replan:${planId}`, { ttlMs: LEASE_TTL_MS, owner: this.owner });
    if (!taken.ok) return;
    const { lease } = taken;
    lease.keepAlive();
    try {
      let round = await models.Replan.findOne({ _id: planId }).lean<RoundDoc>();
      if (!round || round.phase === 'idle') {
        if (!absences.length) return;
        round = await this.startRound(planId, absences, round, now);
        if (!round) return;
      }
      if (round.phase === 'solving') round = await this.afterSolve(round, now);
      if (round?.phase === 'publishing') await this.publish(round);
    } finally {
      await lease.release().catch(() => undefined);
    }
  }

  /** Step 1. */
  private async startRound(planId: string, absences: ReportDoc[], previous: RoundDoc | null, now: Date): Promise<RoundDoc | null> {
    const { models } = this;
    // The solve must see every absence it covers. A window being written right now (the
    // request that recorded the absence, or an upload) holds the directory: next pass.
    try {
      for (const report of absences) await ensureWindow(models, report);
    } catch (error) {
      if (error instanceof AppError && error.code === 'conflict') return null;
      throw error;
    }
    const baseVersion = (await liveState(models)).versions[planId] ?? null;
    if (baseVersion === null) return null;
    const round: RoundDoc = {
      _id: planId,
      phase: 'solving',
      solveId: newSolveId(),
      baseVersion,
      absenceIds: absences.map((a) => a._id),
      publishId: null,
      // Until this round ends, the draft of the last one is still the newest proposal.
      draftSolveId: previous?.draftSolveId ?? null,
      endedAtVersion: previous?.endedAtVersion ?? null,
      note: null,
      failures: previous?.failures ?? 0,
      keepBefore: new Date(now.getTime() + KEEP_MARGIN_MS),
    };
    const { _id, ...fields } = round;
    await models.Replan.updateOne({ _id }, { $set: fields }, { upsert: true });
    replanFaultPoint('replan:after-round');
    return round;
  }

  /** Steps 2 and 3: null while the solve runs (or could not be queued yet). */
  private async afterSolve(round: RoundDoc, now: Date): Promise<RoundDoc | null> {
    const { models } = this;
    const solveId = round.solveId as string;
    const job = await models.Solve.findOne({ _id: solveId }, { status: 1, error: 1 }).lean<{ status: string; error: string | null }>();
    if (!job) {
      try {
        const plan = await getPlan(models, round._id);
        const deadlineSeconds = Math.min(REPLAN_DEADLINE_S, plan.spec.deadlineSeconds ?? REPLAN_DEADLINE_S);
        await requestSolve(
          models,
          round._id,
          { deadlineSeconds, keepBefore: round.keepBefore ?? now, moveBudgetMs: REPLAN_MOVE_BUDGET_MS },
          REPLAN_PUBLISHER,
          solveId,
        );
        this.options.onSolveRequested?.();
      } catch (error) {
        // The planner's own solve runs: ask again at the next pass.
        if (!(error instanceof AppError && error.code === 'conflict')) throw error;
      }
      return null;
    }
    if (job.status === 'queued' || job.status === 'running') return null;
    if (job.status === 'failed') {
      await this.fail(round, job.error ?? 'the re-plan solve failed');
      return null;
    }
    if (((await liveState(models)).versions[round._id] ?? null) !== round.baseVersion) {
      await this.dropRound(round, 'another version was published while re-planning; re-planning again from it');
      return null;
    }
    const [previous, replanned, plan] = await Promise.all([
      publishedRosterAt(models, round._id, round.baseVersion),
      loadRoster(models, solveId),
      getPlan(models, round._id),
    ]);
    if (!previous) throw new Error(`plan ${round._id} has no version ${round.baseVersion}`);
    const publishBefore = new Date(now.getTime() + plan.spec.absencePolicy.publishFillInsWithinHours * 3_600_000);
    // What the solve kept as history is history for the split too.
    const split = splitReplan({ previous, replanned, now: round.keepBefore ? new Date(round.keepBefore) : now, publishBefore });
    let publishId: string | null = null;
    if (split.applied > 0) {
      // Always a roster of its own, even when it is all of the re-plan: its started shifts keep
      // the published flags (the solve marks the ones it kept as pinned) and its pin conflicts
      // are the planner's pins only.
      publishId = `${solveId}_now`;
      const pinned = new Set(plan.pins.map((p) => `${p.cadreId}|${p.gateId}|${p.start.getTime()}`));
      await storeRoster(models, {
        ...replanned,
        solveId: publishId,
        assignments: split.assignments,
        gaps: split.gaps,
        pinConflicts: replanned.pinConflicts.filter((c) => pinned.has(`${c.pin.cadreId}|${c.pin.gateId}|${new Date(c.pin.start).getTime()}`)),
        metrics: {
          ...replanned.metrics,
          placesFilled: split.assignments.length,
          notes: [
            ...(replanned.metrics.notes ?? []),
            `fill-ins of re-plan ${solveId} for shifts starting before ${publishBefore.toISOString()}${split.heldBack ? '; the rest waits as its draft' : ''}`,
          ],
        },
      }).catch((error: { code?: number }) => {
        if (error.code !== 11000) throw error; // stored before a crash: the same roster
      });
    }
    const next: RoundDoc = { ...round, phase: 'publishing', publishId, draftSolveId: split.heldBack > 0 ? solveId : null, note: split.note };
    await models.Replan.updateOne({ _id: round._id }, { $set: { phase: next.phase, publishId, draftSolveId: next.draftSolveId, note: next.note } });
    replanFaultPoint('replan:after-split');
    return next;
  }

  /** Steps 4 and 5. */
  private async publish(round: RoundDoc): Promise<void> {
    const { models } = this;
    const current = (await liveState(models)).versions[round._id] ?? null;
    let version = current;
    if (round.publishId) {
      const live = current === null ? null : await models.Publication.findOne({ _id: `${round._id}:${current}` }, { solveId: 1 }).lean<{ solveId: string }>();
      if (live?.solveId !== round.publishId) {
        if (current !== round.baseVersion) return this.dropRound(round, 'another version was published before the fill-ins; re-planning again from it');
        try {
          version = (await publishPlan(models, round._id, round.publishId, REPLAN_PUBLISHER, { ifVersion: round.baseVersion })).version;
        } catch (error) {
          if (error instanceof AppError && error.code === 'conflict') return; // another publish is being written: next pass
          throw error;
        }
        replanFaultPoint('replan:after-publish');
      }
    }
    const result: ReplanResult = {
      planId: round._id,
      solveId: round.solveId as string,
      publishedVersion: round.publishId ? version : null,
      draftSolveId: round.draftSolveId,
    };
    for (const id of round.absenceIds) {
      const report = await models.AbsenceReport.findOne({ _id: id }, { replanResults: 1 }).lean<Pick<ReportDoc, 'replanResults'>>();
      if (!report || (report.replanResults ?? []).some((r) => r.solveId === result.solveId)) continue;
      await models.AbsenceReport.updateOne({ _id: id }, { $push: { replanResults: result } });
    }
    await models.Replan.updateOne({ _id: round._id }, { $set: { phase: 'idle', endedAtVersion: version, failures: 0 } });
    this.logger.info(
      { planId: round._id, absences: round.absenceIds.length, version: result.publishedVersion, draft: result.draftSolveId },
      'absence re-plan done',
    );
  }

  /** The round ends without a result; its absences stay pending and start a new one. */
  private async dropRound(round: RoundDoc, note: string): Promise<void> {
    await this.models.Replan.updateOne({ _id: round._id }, { $set: { phase: 'idle', note } });
  }

  private async fail(round: RoundDoc, error: string): Promise<void> {
    const { models } = this;
    const failures = (round.failures ?? 0) + (PASSING.test(error) ? 0 : 1);
    if (failures < MAX_FAILURES) {
      // The absences stay pending: the next pass starts a new round with a new solve.
      await models.Replan.updateOne({ _id: round._id }, { $set: { phase: 'idle', failures, note: `re-plan solve failed, trying again: ${error}` } });
      this.logger.warn({ planId: round._id, error, failures }, 'absence re-plan solve failed; trying again');
      return;
    }
    await models.AbsenceReport.updateMany({ _id: { $in: round.absenceIds }, replan: 'pending' }, { $set: { replan: 'failed', replanError: error } });
    await models.Replan.updateOne({ _id: round._id }, { $set: { phase: 'idle', failures: 0, note: error } });
    this.logger.error({ planId: round._id, error }, 'absence re-plan failed');
  }

  private async poll(): Promise<void> {
    while (this.running) {
      const busy = await this.runOnce().catch((error: unknown) => {
        this.logger.error({ err: error }, 'absence re-plan pass failed');
        return false;
      });
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, busy ? (this.options.busyPollMs ?? 200) : (this.options.pollMs ?? 1000));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

/** The draft a plan's last re-plan left for the planner, while it still applies to the live version. */
export async function waitingDraft(models: Models, planId: string): Promise<{ solveId: string; absenceIds: string[] } | null> {
  const round = await models.Replan.findOne({ _id: planId }).lean<RoundDoc>();
  if (!round?.draftSolveId) return null;
  // Once another version is published (the draft itself, or anything else) it no longer applies.
  if (round.endedAtVersion !== ((await liveState(models)).versions[planId] ?? null)) return null;
  return { solveId: round.draftSolveId, absenceIds: round.absenceIds };
}
