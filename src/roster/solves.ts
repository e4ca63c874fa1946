/**
 * Solve jobs. A plan holds at most one active solve: the claim is an atomic update of the
 * plan document (`activeSolveId` from null to the new id), so two requests can never both
 * start one. A worker claims queued jobs with findOneAndUpdate, runs the solver in a thread,
 * and stores the result as an immutable roster.
 */
import { randomBytes } from 'node:crypto';
import { withDocLock } from '../db/doc-lock.js';
import type { Models } from '../db/models.js';
import type { Logger } from '../logger.js';
import { AppError } from '../errors.js';
import type { EngineName, SolveResult } from '../solver/index.js';
import { getPlan } from './plans.js';
import { publishedRoster, storeRoster } from './publish.js';
import { readSnapshot } from './snapshot.js';
import { solveInThread } from './solve-thread.js';

export type SolveStatus = 'queued' | 'running' | 'done' | 'failed';

export interface SolveJob {
  id: string;
  planId: string;
  status: SolveStatus;
  progress: { phase: string; fraction: number };
  outcome: SolveResult['status'] | null;
  metrics: Record<string, unknown> | null;
  snapshot: { gates: number; cadres: number; windows: number; pins: number; previousAssignments: number } | null;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface SolveRequest {
  engine?: EngineName;
  deadlineSeconds?: number;
}

export async function requestSolve(models: Models, planId: string, request: SolveRequest, requestedBy: string): Promise<SolveJob> {
  const id = `s_${randomBytes(6).toString('hex')}`;
  const claimed = await withDocLock(`plan:${planId}`, () => models.Plan.findOneAndUpdate({ _id: planId, activeSolveId: null }, { $set: { activeSolveId: id } }));
  if (!claimed) {
    const plan = await getPlan(models, planId); // 404 when the plan does not exist
    throw new AppError('conflict', `plan "${planId}" already has a solve in progress`, { solveId: plan.activeSolveId });
  }
  try {
    await models.Solve.create({ _id: id, planId, status: 'queued', requestedBy, options: request });
  } catch (error) {
    await releasePlan(models, planId, id);
    throw error;
  }
  return getSolve(models, id);
}

export async function getSolve(models: Models, id: string): Promise<SolveJob> {
  const doc = await models.Solve.findOne({ _id: id }).lean<Record<string, any>>();
  if (!doc) throw new AppError('not_found', `no solve "${id}"`);
  return toJob(doc);
}

/** A plan's solves, newest first. */
export async function listSolves(models: Models, planId: string): Promise<SolveJob[]> {
  await getPlan(models, planId); // 404 for an unknown plan
  const docs = await models.Solve.find({ planId }).sort({ createdAt: -1 }).lean<Record<string, any>[]>();
  return docs.map(toJob);
}

function toJob(doc: Record<string, any>): SolveJob {
  return {
    id: doc._id,
    planId: doc.planId,
    status: doc.status,
    progress: doc.progress,
    outcome: doc.outcome ?? null,
    metrics: doc.metrics ?? null,
    snapshot: doc.snapshot ?? null,
    error: doc.error ?? null,
    createdAt: doc.createdAt,
    startedAt: doc.startedAt ?? null,
    finishedAt: doc.finishedAt ?? null,
  };
}

export interface WorkerOptions {
  engine: EngineName;
  deadlineSeconds: number;
  pollMs?: number;
}

/** Claims and runs queued solves one at a time until stopped. */
export class SolveWorker {
  private readonly id = `w_${randomBytes(4).toString('hex')}`;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly models: Models,
    private readonly logger: Logger,
    private readonly options: WorkerOptions,
  ) {}

  /** Fails solves a previous process left running (it died mid-solve), then starts polling. */
  async start(): Promise<void> {
    const orphans = await this.models.Solve.find({ status: 'running' }).lean<Record<string, any>[]>();
    for (const orphan of orphans) {
      await this.finish(orphan._id, orphan.planId, { status: 'failed', error: 'interrupted: the service stopped during this solve; run it again' });
    }
    this.running = true;
    this.loop = this.poll();
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

  /** Claims one queued solve and runs it; false when none was queued. */
  async runOnce(): Promise<boolean> {
    const job = await withDocLock('solve-queue', () =>
      this.models.Solve.findOneAndUpdate(
        { status: 'queued' },
        { $set: { status: 'running', startedAt: new Date(), workerId: this.id, progress: { phase: 'snapshot', fraction: 0 } } },
        { sort: { createdAt: 1 }, returnDocument: 'after' },
      ).lean<Record<string, any>>(),
    );
    if (!job) return false;
    try {
      await this.run(job._id, job.planId, job.options ?? {});
    } catch (error) {
      this.logger.error({ err: error, solveId: job._id }, 'solve failed');
      await this.finish(job._id, job.planId, { status: 'failed', error: error instanceof Error ? error.message : String(error) });
    }
    return true;
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

  private async run(solveId: string, planId: string, request: SolveRequest): Promise<void> {
    const { models } = this;
    const plan = await getPlan(models, planId);
    const snapshot = await readSnapshot(models);
    const previous = (await publishedRoster(models, planId))?.assignments;
    await withDocLock(`solve:${solveId}`, () => models.Solve.updateOne(
      { _id: solveId },
      {
        $set: {
          snapshot: { gates: snapshot.gates.length, cadres: snapshot.cadres.length, windows: snapshot.availability.length, pins: plan.pins.length, previousAssignments: previous?.length ?? 0 },
          progress: { phase: 'solving', fraction: 0.05 },
        },
      },
    ));
    let lastWrite = 0;
    let solved = false;
    const result = await solveInThread(
      { plan: plan.spec, ...snapshot, pins: plan.pins, previous },
      {
        engine: request.engine ?? plan.spec.engine ?? this.options.engine,
        deadlineMs: (request.deadlineSeconds ?? plan.spec.deadlineSeconds ?? this.options.deadlineSeconds) * 1000,
      },
      (progress) => {
        if (solved || Date.now() - lastWrite < 300) return;
        lastWrite = Date.now();
        void withDocLock(`solve:${solveId}`, () => models.Solve.updateOne({ _id: solveId, status: 'running' }, { $set: { progress } })).catch(() => undefined);
      },
    );
    solved = true;
    await storeRoster(models, {
      solveId,
      planId,
      timezone: plan.spec.timezone,
      assignments: result.assignments,
      gaps: result.gaps,
      pinConflicts: result.pinConflicts,
      metrics: result.metrics,
      // Names as the solve saw them; phone numbers are never copied into a roster.
      gates: snapshot.gates,
      cadres: snapshot.cadres.map(({ phone: _phone, ...cadre }) => cadre),
    });
    const { perPerson: _perPerson, ...summary } = result.metrics;
    await this.finish(solveId, planId, { status: 'done', outcome: result.status, metrics: summary });
  }

  private async finish(solveId: string, planId: string, fields: Record<string, unknown>): Promise<void> {
    const progress = fields.status === 'done' ? { phase: 'done', fraction: 1 } : { phase: 'failed', fraction: 1 };
    await withDocLock(`solve:${solveId}`, () => this.models.Solve.updateOne({ _id: solveId }, { $set: { ...fields, progress, finishedAt: new Date() } }));
    await releasePlan(this.models, planId, solveId);
  }
}

async function releasePlan(models: Models, planId: string, solveId: string): Promise<void> {
  await withDocLock(`plan:${planId}`, () => models.Plan.updateOne({ _id: planId, activeSolveId: solveId }, { $set: { activeSolveId: null } }));
}
