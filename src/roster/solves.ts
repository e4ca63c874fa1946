/**
 * Solve jobs, safe with several processes on one database and across crashes.
 *
 * - Single-flight per plan: requesting a solve inserts the plan's `ActiveSolve` document
 *   (`_id` = plan id). Only one insert can win; a stale one (its solve finished, the process
 *   died before removing it) is cleared and the insert tried again.
 * - Exactly-once running: a worker takes a job by taking the lease `solve:<id>` (see
 *   src/db/lease.ts) and renews it while the solver runs. A job whose worker died (lease
 *   expired, or its process gone from this host) is taken over by the next worker that
 *   looks, and run again from the start. [solve:after-claim]
 * - Results: the roster is inserted under the solve's id (immutable, once) [solve:after-roster],
 *   then the job is marked done [solve:after-finish], then the plan's ActiveSolve is removed
 *   and the lease released. A takeover that finds the roster already stored only marks the
 *   job done from it.
 */
import { randomBytes } from 'node:crypto';
import { withDocLock } from '../db/doc-lock.js';
import { acquireLease, type Lease } from '../db/lease.js';
import { faultPoint } from '../faults.js';
import type { Models } from '../db/models.js';
import type { Logger } from '../logger.js';
import { AppError } from '../errors.js';
import { DirectoryBusyError } from '../directory/write-protocol.js';
import type { EngineName, Pin, SolveResult } from '../solver/index.js';
import type { Assignment } from '../domain/roster.js';
import { getPlan } from './plans.js';
import { loadRoster, storeRoster } from './publish.js';
import { horizonStart, joinLedgers, solveSurroundings } from './solve-context.js';
import { currentSnapshot } from './snapshot.js';
import { prepareSolveThreads, solveInThread, type ThreadTimings } from './solve-thread.js';

export type SolveStatus = 'queued' | 'running' | 'done' | 'failed';

export interface SolveJob {
  id: string;
  planId: string;
  status: SolveStatus;
  progress: { phase: string; fraction: number };
  outcome: SolveResult['status'] | null;
  metrics: Record<string, unknown> | null;
  snapshot: { gates: number; cadres: number; windows: number; pins: number; previousAssignments: number } | null;
  timings: SolveTimings | null;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/**
 * Where a solve's time went, kept so a slow solve can be explained after the fact. The
 * top-level parts follow one another and add up to at most `totalMs` (the rest is the
 * worker's own bookkeeping writes); `solver` splits `solverMs` and `store` splits `storeMs`.
 */
export interface SolveTimings {
  /** Requested -> taken by a worker. */
  queuedMs: number;
  /** Reading the directory (gates, people, availability). */
  snapshotMs: number;
  /** Reading the published rosters around the plan (other plans, history, campaign). */
  contextMs: number;
  /** Handing the input to the solve thread -> its result back. */
  solverMs: number;
  /** Writing the roster and its gaps. */
  storeMs: number;
  /** Requested -> roster and gaps stored (the write marking the job done, which carries these figures, not counted). */
  totalMs: number;
  solver: {
    /** Starting the solve thread: its loader, the solver's modules, the input copied in. */
    threadStartMs: number;
    /** The model build (the solver's `index` stage: slots, needs, availability, pins). */
    modelMs: number;
    /** Each solver stage by name (villages, towns, district, leads, fairness; re-plan or monolithic instead), as in metrics.stages. */
    stages: Record<string, number>;
    /** The whole-district bounds (max-flow of places and of leads); the villages' and towns' own certificates are in their stages. */
    boundsMs: number;
    /** Gaps with reasons, metrics, the fixable-imbalance count. */
    reportMs: number;
    /** The result copied back from the thread. */
    resultMs: number;
  };
  store: {
    /** Serialising and compressing the roster and its gaps into one packed document. */
    packMs: number;
    /** Writing that document. */
    writeMs: number;
  };
}

/** The solver's stages, split into the parts the timings name. */
export function solverTimings(stages: { name: string; ms: number }[], thread: ThreadTimings): SolveTimings['solver'] {
  const named = new Set(['index', 'bounds', 'report']);
  const ms = (name: string): number => stages.filter((s) => s.name === name).reduce((n, s) => n + s.ms, 0);
  const rest: Record<string, number> = {};
  for (const s of stages) if (!named.has(s.name)) rest[s.name] = (rest[s.name] ?? 0) + s.ms;
  return { threadStartMs: thread.startMs, modelMs: ms('index'), stages: rest, boundsMs: ms('bounds'), reportMs: ms('report'), resultMs: thread.resultMs };
}

export interface SolveRequest {
  engine?: EngineName;
  deadlineSeconds?: number;
  /**
   * A re-plan from now on (src/replan/): published shifts starting before this instant are
   * kept as they are, as pins, so the solve never rewrites what has started.
   */
  keepBefore?: Date | string;
  /** On a re-plan, the time the moves of others may take (the solver's SolveOptions.moveBudgetMs). */
  moveBudgetMs?: number;
}

/** A solve job as stored (src/db/models.ts solveSchema). */
interface SolveDoc {
  _id: string;
  planId: string;
  status: SolveStatus;
  progress: SolveJob['progress'];
  requestedBy: string | null;
  workerId: string | null;
  /** Absent, as `workers`, on jobs stored before takeovers were counted. */
  attempt?: number;
  workers?: string[];
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
  outcome: SolveJob['outcome'];
  metrics: SolveJob['metrics'];
  snapshot: SolveJob['snapshot'];
  timings: StoredTimings | null;
  options: SolveRequest;
  createdAt: Date;
}

/** Solves recorded before the timings were split into parts have the top-level figures only. */
type StoredTimings = SolveTimings | (Omit<SolveTimings, 'totalMs' | 'solver' | 'store'> & { totalMs?: undefined; solver?: undefined; store?: undefined });

/**
 * Queues a solve of the plan. `id` is for callers that record the id before asking (the
 * absence re-plan, src/replan/): asking again with an id that exists returns that job.
 */
export async function requestSolve(models: Models, planId: string, request: SolveRequest, requestedBy: string, id = newSolveId()): Promise<SolveJob> {
  await getPlan(models, planId); // 404 when the plan does not exist
  if (await models.Solve.exists({ _id: id })) return getSolve(models, id);
  await claimPlan(models, planId, id);
  try {
    await models.Solve.create({ _id: id, planId, status: 'queued', requestedBy, options: request });
  } catch (error) {
    await releasePlan(models, planId, id);
    throw error;
  }
  return getSolve(models, id);
}

export function newSolveId(): string {
  return `s_${randomBytes(6).toString('hex')}`;
}

/** Inserts the plan's ActiveSolve; clears one whose solve has ended and tries once more. */
async function claimPlan(models: Models, planId: string, solveId: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await models.ActiveSolve.create({ _id: planId, solveId });
      return;
    } catch (error) {
      if ((error as { code?: number }).code !== 11000) throw error;
    }
    const active = await models.ActiveSolve.findOne({ _id: planId }).lean<{ solveId: string }>();
    const job = active && (await models.Solve.findOne({ _id: active.solveId }, { status: 1 }).lean<{ status: SolveStatus }>());
    if (active && job && (job.status === 'queued' || job.status === 'running')) {
      throw new AppError('conflict', `plan "${planId}" already has a solve in progress`, { solveId: active.solveId });
    }
    if (active) await models.ActiveSolve.deleteOne({ _id: planId, solveId: active.solveId });
  }
  throw new AppError('conflict', `plan "${planId}" already has a solve in progress`);
}

export async function getSolve(models: Models, id: string): Promise<SolveJob> {
  const doc = await models.Solve.findOne({ _id: id }).lean<SolveDoc>();
  if (!doc) throw new AppError('not_found', `no solve "${id}"`);
  return toJob(doc);
}

/** A plan's solves, newest first. */
export async function listSolves(models: Models, planId: string): Promise<SolveJob[]> {
  await getPlan(models, planId); // 404 for an unknown plan
  const docs = await models.Solve.find({ planId }).sort({ createdAt: -1 }).lean<SolveDoc[]>();
  return docs.map(toJob);
}

function toJob(doc: SolveDoc): SolveJob {
  return {
    id: doc._id,
    planId: doc.planId,
    status: doc.status,
    progress: doc.progress,
    outcome: doc.outcome ?? null,
    metrics: doc.metrics ?? null,
    snapshot: doc.snapshot ?? null,
    // Solves recorded before the split (no totalMs, no parts) have no timings in this shape.
    timings: doc.timings?.solver && doc.timings?.store ? doc.timings : null,
    error: doc.error ?? null,
    createdAt: doc.createdAt,
    startedAt: doc.startedAt ?? null,
    finishedAt: doc.finishedAt ?? null,
  };
}

/** A running solve renews its lease every 10 s; a worker silent for 30 s is taken as dead. */
const SOLVE_LEASE_TTL_MS = 30_000;

export interface WorkerOptions {
  engine: EngineName;
  deadlineSeconds: number;
  pollMs?: number;
}

/** Takes and runs solves one at a time until stopped: queued ones, and those whose worker died. */
export class SolveWorker {
  /** Names the process, so a job's `workers` history says where each attempt ran. */
  private readonly id = `w_${process.pid}_${randomBytes(4).toString('hex')}`;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly models: Models,
    private readonly logger: Logger,
    private readonly options: WorkerOptions,
  ) {}

  start(): Promise<void> {
    this.running = true;
    // The first solve's thread loads, and HiGHS is primed, before anyone asks for a solve.
    prepareSolveThreads();
    this.loop = this.poll();
    return Promise.resolve();
  }

  /** Runs queued work now instead of at the next poll. */
  nudge(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Takes one solve and runs it; false when there was none to take. */
  async runOnce(): Promise<boolean> {
    const taken = await this.take();
    if (!taken) return false;
    const { job, lease } = taken;
    try {
      if (await this.models.Roster.exists({ _id: job._id })) {
        // A worker died after storing the roster: the job only needs marking done.
        const roster = await loadRoster(this.models, job._id);
        const { perPerson: _perPerson, ...summary } = roster.metrics;
        await this.finish(job._id, job.planId, { status: 'done', outcome: job.outcome ?? 'optimal', metrics: job.metrics ?? summary });
      } else {
        await this.run(job._id, job.planId, job.options ?? {}, lease, new Date(job.createdAt));
      }
    } catch (error) {
      // A burst of directory writes is retried by whoever asked (e.g. the absence re-plan).
      if (error instanceof DirectoryBusyError) this.logger.warn({ solveId: job._id, reason: error.message }, 'solve failed: the directory is being written');
      else this.logger.error({ err: error, solveId: job._id }, 'solve failed');
      if (await lease.stillHeld().catch(() => false)) {
        await this.finish(job._id, job.planId, { status: 'failed', error: error instanceof Error ? error.message : String(error) });
      }
    } finally {
      await lease.release().catch(() => undefined);
    }
    return true;
  }

  /** The oldest solve that is queued, or running under a lease nobody holds any more. */
  private async take(): Promise<{ job: SolveDoc; lease: Lease } | null> {
    const candidates = await this.models.Solve.find({ status: { $in: ['queued', 'running'] } }, { _id: 1 })
      .sort({ createdAt: 1 })
      .lean<{ _id: string }[]>();
    for (const { _id } of candidates) {
      const taken = await acquireLease(this.models, `solve:${_id}`, { ttlMs: SOLVE_LEASE_TTL_MS, owner: this.id });
      if (!taken.ok) continue;
      // Another worker may have finished it between the list and the lease.
      const job = await this.models.Solve.findOne({ _id }).lean<SolveDoc>();
      if (!job || (job.status !== 'queued' && job.status !== 'running')) {
        await taken.lease.release();
        continue;
      }
      taken.lease.keepAlive();
      if (taken.abandoned) this.logger.warn({ solveId: _id, previousWorker: taken.abandoned.owner }, 'taking over a solve whose worker stopped');
      await withDocLock(`solve:${_id}`, () =>
        this.models.Solve.updateOne(
          { _id },
          {
            $set: {
              status: 'running',
              startedAt: new Date(),
              workerId: this.id,
              attempt: (job.attempt ?? 0) + 1,
              workers: [...(job.workers ?? []), this.id],
              progress: { phase: 'snapshot', fraction: 0 },
            },
          },
        ),
      );
      faultPoint('solve:after-claim');
      return { job, lease: taken.lease };
    }
    return null;
  }

  private async poll(): Promise<void> {
    while (this.running) {
      const worked = await this.runOnce().catch((error: unknown) => {
        this.logger.error({ err: error }, 'solve worker poll failed');
        return false;
      });
      if (!worked && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.pollMs ?? 500);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  private async run(solveId: string, planId: string, request: SolveRequest, lease: Lease, requestedAt: Date): Promise<void> {
    const { models } = this;
    const started = Date.now();
    const plan = await getPlan(models, planId);
    const snapshot = await currentSnapshot(models);
    const snapshotRead = Date.now();
    const { context, previous, history } = await solveSurroundings(models, plan);
    const contextRead = Date.now();
    await withDocLock(`solve:${solveId}`, () =>
      models.Solve.updateOne(
        { _id: solveId },
        {
          $set: {
            snapshot: {
              gates: snapshot.gates.length,
              cadres: snapshot.cadres.length,
              windows: snapshot.availability.length,
              pins: plan.pins.length,
              previousAssignments: previous?.length ?? 0,
            },
            progress: { phase: 'solving', fraction: 0.05 },
          },
        },
      ),
    );
    let lastWrite = 0;
    let solved = false;
    // Pins before the horizon (a roll moved it) are history, kept as published.
    const first = horizonStart(plan.spec).getTime();
    const pins = plan.pins.filter((p) => p.start.getTime() >= first);
    const input = { plan: plan.spec, ...snapshot, pins: [...pins, ...startedShifts(previous, request.keepBefore, pins)], previous, context };
    const threadFrom = Date.now();
    const { result, thread } = await solveInThread(
      input,
      {
        engine: request.engine ?? plan.spec.engine ?? this.options.engine,
        deadlineMs: (request.deadlineSeconds ?? plan.spec.deadlineSeconds ?? this.options.deadlineSeconds) * 1000,
        ...(request.moveBudgetMs !== undefined ? { moveBudgetMs: request.moveBudgetMs } : {}),
      },
      (progress) => {
        if (solved || Date.now() - lastWrite < 300) return;
        lastWrite = Date.now();
        void withDocLock(`solve:${solveId}`, () => models.Solve.updateOne({ _id: solveId, status: 'running' }, { $set: { progress } })).catch(() => undefined);
      },
    );
    solved = true;
    const solvedAt = Date.now();
    // Taken over meanwhile (this process was thought dead): the new worker owns the result.
    if (!(await lease.stillHeld())) return;
    const storeFrom = Date.now();
    const store = await storeRoster(models, {
      solveId,
      planId,
      timezone: plan.spec.timezone,
      // The plan's history (days a roll moved past) goes on unchanged in every later roster.
      assignments: [...history.assignments, ...result.assignments],
      gaps: [...history.gaps, ...result.gaps],
      pinConflicts: result.pinConflicts,
      metrics: result.metrics,
      offered: joinLedgers(history.offered, result.offered),
      // Names as the solve saw them; phone numbers are never copied into a roster.
      gates: snapshot.gates,
      cadres: snapshot.cadres.map(({ phone: _phone, ...cadre }) => cadre),
    });
    faultPoint('solve:after-roster');
    const stored = Date.now();
    const timings: SolveTimings = {
      queuedMs: Math.max(0, started - requestedAt.getTime()),
      snapshotMs: snapshotRead - started,
      contextMs: contextRead - snapshotRead,
      solverMs: solvedAt - threadFrom,
      storeMs: stored - storeFrom,
      totalMs: Math.max(0, stored - requestedAt.getTime()),
      solver: solverTimings(result.metrics.stages ?? [], thread),
      store,
    };
    const { perPerson: _perPerson, ...summary } = result.metrics;
    await this.finish(solveId, planId, { status: 'done', outcome: result.status, metrics: summary, timings });
  }

  private async finish(solveId: string, planId: string, fields: Record<string, unknown>): Promise<void> {
    const progress = fields.status === 'done' ? { phase: 'done', fraction: 1 } : { phase: 'failed', fraction: 1 };
    await withDocLock(`solve:${solveId}`, () => this.models.Solve.updateOne({ _id: solveId }, { $set: { ...fields, progress, finishedAt: new Date() } }));
    faultPoint('solve:after-finish');
    await releasePlan(this.models, planId, solveId);
  }
}

/** Published shifts starting before `keepBefore`, as pins (those the planner pinned already left out). */
function startedShifts(previous: Assignment[] | undefined, keepBefore: Date | string | undefined, pins: Pin[]): Pin[] {
  if (!previous || keepBefore === undefined) return [];
  const until = new Date(keepBefore).getTime();
  const pinned = new Set(pins.map((p) => `${p.cadreId}|${p.gateId}|${p.start.getTime()}`));
  return previous
    .filter((a) => new Date(a.start).getTime() < until)
    .map((a) => ({ cadreId: a.cadreId, gateId: a.gateId, start: new Date(a.start) }))
    .filter((p) => !pinned.has(`${p.cadreId}|${p.gateId}|${p.start.getTime()}`));
}

/** Removes the plan's ActiveSolve if it is still this solve's. */
async function releasePlan(models: Models, planId: string, solveId: string): Promise<void> {
  await models.ActiveSolve.deleteOne({ _id: planId, solveId });
}

/** Clears ActiveSolve documents whose solve has ended (a crash between finish and release). */
export async function recoverSolves(models: Models): Promise<number> {
  const actives = await models.ActiveSolve.find({}).lean<{ _id: string; solveId: string }[]>();
  let cleared = 0;
  for (const active of actives) {
    const job = await models.Solve.findOne({ _id: active.solveId }, { status: 1 }).lean<{ status: SolveStatus }>();
    if (job && (job.status === 'queued' || job.status === 'running')) continue;
    await releasePlan(models, active._id, active.solveId);
    cleared++;
  }
  return cleared;
}
