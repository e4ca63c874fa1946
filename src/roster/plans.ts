/**
 * Plans: what to roster (days, shift pattern, gates, rules) and the pins a planner set.
 * Pins live inside the plan document, so adding or removing one is a single atomic write.
 */
import { randomBytes } from 'node:crypto';
import { withDocLock } from '../db/doc-lock.js';
import type { Models } from '../db/models.js';
import {
  ABSENCE_POLICY_DEFAULTS,
  OPEN_SHIFT_POLICY_DEFAULTS,
  ROLL_POLICY_DEFAULTS,
  planSpecSchema,
  type AbsencePolicy,
  type OpenShiftPolicy,
  type PlanSpec,
  type PlanSpecInput,
  type RollPolicy,
} from '../domain/plan.js';
import { addDays, formatClock, localInstant, parseClock } from '../domain/time.js';
import { AppError, fieldProblemsOf } from '../errors.js';
import { campaignForPlan } from './campaigns.js';
import type { Pin } from '../solver/index.js';

export interface Plan {
  id: string;
  name: string;
  spec: PlanSpec;
  pins: Pin[];
  publishedVersion: number | null;
  /** The first day the plan was created with (a roll moves spec.start; this stays). */
  origin: string;
  activeSolveId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A plan as stored (src/db/models.ts planSchema). */
interface PlanDoc {
  _id: string;
  name: string;
  spec: StoredPlanSpec;
  pins: Pin[];
  publishedVersion: number | null;
  /** Absent on plans stored before the origin was kept. */
  origin?: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A spec as stored: plans stored before a field existed lack it, and their policies lack the newer fields. */
type StoredPlanSpec = Omit<PlanSpec, 'campaignId' | 'absencePolicy' | 'rollPolicy' | 'openShiftPolicy'> & {
  campaignId?: string | null;
  absencePolicy?: Partial<AbsencePolicy>;
  rollPolicy?: Partial<RollPolicy>;
  openShiftPolicy?: Partial<OpenShiftPolicy>;
};

export async function createPlan(models: Models, name: string, input: PlanSpecInput): Promise<Plan> {
  // In a campaign, fairness is in proportion to what each person offered over it, unless asked otherwise.
  const spec = parseSpec(input.campaignId && input.fairness === undefined ? { ...input, fairness: 'proportional' } : input);
  if (spec.campaignId) await campaignForPlan(models, spec.campaignId, spec.start);
  const id = `p_${randomBytes(6).toString('hex')}`;
  await models.Plan.create({ _id: id, name, spec, pins: [], origin: spec.start });
  return getPlan(models, id);
}

export async function getPlan(models: Models, id: string): Promise<Plan> {
  const [doc, active] = await Promise.all([
    models.Plan.findOne({ _id: id }).lean<PlanDoc>(),
    models.ActiveSolve.findOne({ _id: id }).lean<{ solveId: string }>(),
  ]);
  if (!doc) throw new AppError('not_found', `no plan "${id}"`);
  return toPlan(doc, active?.solveId ?? null);
}

export async function listPlans(models: Models): Promise<Plan[]> {
  const [docs, actives] = await Promise.all([
    models.Plan.find({}).sort({ createdAt: -1 }).lean<PlanDoc[]>(),
    models.ActiveSolve.find({}).lean<{ _id: string; solveId: string }[]>(),
  ]);
  const activeOf = new Map(actives.map((a) => [a._id, a.solveId]));
  return docs.map((doc) => toPlan(doc, activeOf.get(doc._id) ?? null));
}

/** Changes the name and/or any spec fields; the merged spec is validated whole. */
export async function updatePlan(models: Models, id: string, change: { name?: string; spec?: Partial<PlanSpecInput> }): Promise<Plan> {
  const plan = await getPlan(models, id);
  const spec = change.spec
    ? parseSpec({
        ...plan.spec,
        ...change.spec,
        rules: merged(plan.spec.rules, change.spec.rules),
        absencePolicy: merged(plan.spec.absencePolicy, change.spec.absencePolicy),
        rollPolicy: merged(plan.spec.rollPolicy, change.spec.rollPolicy),
      })
    : plan.spec;
  // The plan's days so far (from its origin) must lie inside the campaign it joins.
  if (spec.campaignId && (spec.campaignId !== plan.spec.campaignId || spec.start !== plan.spec.start))
    await campaignForPlan(models, spec.campaignId, spec.start < plan.origin ? spec.start : plan.origin);
  await withDocLock(`plan:${id}`, () => models.Plan.updateOne({ _id: id }, { $set: { name: change.name ?? plan.name, spec } }));
  return getPlan(models, id);
}

export async function addPin(models: Models, planId: string, pin: Pin): Promise<Plan> {
  const plan = await getPlan(models, planId);
  const [gate, cadre] = await Promise.all([models.Gate.exists({ _id: pin.gateId }), models.Cadre.exists({ _id: pin.cadreId })]);
  if (!gate) throw new AppError('validation_failed', `no gate "${pin.gateId}"`);
  if (!cadre) throw new AppError('validation_failed', `no person "${pin.cadreId}"`);
  if (!isShiftStart(plan.spec, pin.start)) {
    throw new AppError(
      'validation_failed',
      `the pin's start is not the start of a shift of this plan: shifts start at ${shiftClockTimes(plan.spec).join(', ')} local time (${plan.spec.timezone}) on ${plan.spec.start} and the ${plan.spec.days - 1} days after`,
    );
  }
  if (plan.pins.some((p) => samePin(p, pin))) return plan;
  await withDocLock(`plan:${planId}`, () => models.Plan.updateOne({ _id: planId }, { $push: { pins: pin } }));
  return getPlan(models, planId);
}

export async function removePin(models: Models, planId: string, pin: Pin): Promise<Plan> {
  const plan = await getPlan(models, planId);
  if (!plan.pins.some((p) => samePin(p, pin))) throw new AppError('not_found', 'no such pin on this plan');
  await withDocLock(`plan:${planId}`, () =>
    models.Plan.updateOne({ _id: planId }, { $pull: { pins: { cadreId: pin.cadreId, gateId: pin.gateId, start: pin.start } } }),
  );
  return getPlan(models, planId);
}

/** Every shift start of the plan, as instants (the solver's slot grid). */
export function shiftStarts(spec: PlanSpec): Date[] {
  const first = parseClock(spec.firstShiftStart) ?? 0;
  const starts: Date[] = [];
  for (let s = 0; s < spec.days * (24 / spec.shiftHours); s++) {
    const minutes = first + s * spec.shiftHours * 60;
    starts.push(localInstant(addDays(spec.start, Math.floor(minutes / 1440)), minutes % 1440, spec.timezone));
  }
  return starts;
}

export function isShiftStart(spec: PlanSpec, start: Date): boolean {
  return shiftStarts(spec).some((s) => s.getTime() === start.getTime());
}

/** Local clock times shifts start at, e.g. ['00:00', '08:00', '16:00']. */
export function shiftClockTimes(spec: PlanSpec): string[] {
  const first = parseClock(spec.firstShiftStart) ?? 0;
  return Array.from({ length: 24 / spec.shiftHours }, (_, i) => formatClock((first + i * spec.shiftHours * 60) % 1440)).sort();
}

function samePin(a: Pin, b: Pin): boolean {
  return a.cadreId === b.cadreId && a.gateId === b.gateId && a.start.getTime() === b.start.getTime();
}

/** A nested group of a PATCH is merged field by field; anything but an object is left for zod to refuse by name. */
function merged(current: object, change: unknown): unknown {
  if (change === undefined) return current;
  return change !== null && typeof change === 'object' && !Array.isArray(change) ? { ...current, ...change } : change;
}

function parseSpec(input: unknown): PlanSpec {
  const parsed = planSpecSchema.safeParse(input);
  if (!parsed.success) {
    throw new AppError('validation_failed', 'the plan is not valid', {
      problems: fieldProblemsOf(parsed.error),
    });
  }
  return parsed.data;
}

/** `activeSolveId` comes from the plan's ActiveSolve document (see solves.ts). */
function toPlan(doc: PlanDoc, activeSolveId: string | null): Plan {
  return {
    id: doc._id,
    name: doc.name,
    // Plans stored before a field existed get its default (e.g. absencePolicy).
    spec: {
      campaignId: null,
      ...doc.spec,
      absencePolicy: { ...ABSENCE_POLICY_DEFAULTS, ...doc.spec?.absencePolicy },
      rollPolicy: { ...ROLL_POLICY_DEFAULTS, ...doc.spec?.rollPolicy },
      openShiftPolicy: { ...OPEN_SHIFT_POLICY_DEFAULTS, ...doc.spec?.openShiftPolicy },
    },
    pins: (doc.pins ?? []).map((p) => ({ cadreId: p.cadreId, gateId: p.gateId, start: new Date(p.start) })),
    publishedVersion: doc.publishedVersion ?? null,
    origin: doc.origin ?? doc.spec.start,
    activeSolveId,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}
