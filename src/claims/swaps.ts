/**
 * Swaps: a person offers one of their published shifts, to anyone who could take it or to a
 * named colleague; someone accepts (optionally giving one of their own shifts in return);
 * the claims round (./rounds.ts) publishes it only if both rosters stay legal, after the
 * head's approval where the plan's policy asks for it.
 *
 * Writes, all single documents: the offer (a random id: nothing contests it), then steps
 * whose `_id` names what they decide, so the first insert wins with no read-then-write: the
 * taker (`<id>:taker`, an acceptance or the offerer's withdrawal) and the head's word
 * (`<id>:decision`). The offer's outcome is written by the round under its lease. Everything
 * else a swap is (awaiting approval, expired at shift start, expired because the shift
 * changed) is read from these, never stored, so no crash can leave it half-true.
 */
import { randomBytes } from 'node:crypto';
import { insertReturning } from '../db/by-ids.js';
import type { Models } from '../db/models.js';
import type { Principal } from '../auth/tokens.js';
import { AppError } from '../errors.js';
import { getPlan } from '../roster/plans.js';
import { cachedBoard, ruleRefusal, type ClaimBoard } from './board.js';
import { ClaimRefused } from './claims.js';
import { claimFaultPoint } from './faults.js';
import { forOfferer, refusal, type ClaimRefusal } from './refusals.js';
import { signalClaim, waitWhilePending } from './signal.js';

export type SwapStatus = 'open' | 'awaiting_approval' | 'pending' | 'published' | 'refused' | 'withdrawn' | 'declined' | 'expired';

export interface ShiftRef {
  gateId: string;
  start: Date;
  end: Date;
}

export interface SwapRecord {
  id: string;
  planId: string;
  offeredVersion: number;
  gateId: string;
  start: Date;
  end: Date;
  village: string;
  fromCadreId: string;
  toCadreId: string | null;
  status: SwapStatus;
  takerCadreId: string | null;
  inReturn: ShiftRef | null;
  /** Who approved or declined it, where the policy asks for it. */
  decidedBy: string | null;
  publishedVersion: number | null;
  /** Why it was refused or expired. */
  refusal: ClaimRefusal | null;
  createdAt: Date;
  decidedAt: Date | null;
}

export interface SwapDoc {
  _id: string;
  planId: string;
  offeredVersion: number;
  gateId: string;
  start: Date;
  end: Date;
  village: string;
  fromCadreId: string;
  toCadreId: string | null;
  outcome: { status: 'published'; version: number } | { status: 'refused'; refusal: ClaimRefusal } | null;
  decidedAt: Date | null;
  createdAt?: Date;
}

export interface SwapStepDoc {
  _id: string;
  swapId: string;
  kind: 'accept' | 'withdraw' | 'approve' | 'decline';
  by: string;
  inReturn: { gateId: string; start: Date; end: Date } | null;
}

/** An offer, its steps and its plan's policy: all a swap's state is read from. */
export interface SwapFacts {
  doc: SwapDoc;
  taker: SwapStepDoc | null;
  decision: SwapStepDoc | null;
  needsApproval: boolean;
}

export async function offerSwap(
  models: Models,
  cadreId: string,
  request: { planId: string; gateId: string; start: Date; toCadreId?: string | undefined },
  now = new Date(),
): Promise<SwapRecord> {
  const board = await liveBoard(models, request.planId);
  const mine = board.roster.assignments.find(
    (a) => a.cadreId === cadreId && a.gateId === request.gateId && new Date(a.start).getTime() === request.start.getTime(),
  );
  if (!mine) throw new AppError('conflict', `你在"${request.planId}"的当前版本中没有这个班次 / you are not on this shift in the live version`);
  if (request.start.getTime() <= now.getTime()) throw new ClaimRefused(refusal('swap_expired'));
  if (request.toCadreId !== undefined) {
    if (request.toCadreId === cadreId) throw new ClaimRefused(refusal('swap_own'));
    const why = trySwap(
      board,
      { fromCadreId: cadreId, gateId: request.gateId, start: request.start, takerCadreId: request.toCadreId, inReturn: null },
      { keep: false },
    );
    if (why) throw new ClaimRefused(why);
  }
  // Tapped twice: the open offer of this shift stands.
  const earlier = await swapFactsOf(
    models,
    await models.Swap.find({ planId: request.planId, gateId: request.gateId, start: request.start, fromCadreId: cadreId, outcome: null }).lean<SwapDoc[]>(),
  );
  const open = earlier.find((f) => statusOf(f, board, now).status === 'open' && f.doc.toCadreId === (request.toCadreId ?? null));
  if (open) return toRecord(open, board, now);
  const doc: SwapDoc = {
    _id: `sw_${randomBytes(9).toString('base64url')}`,
    planId: request.planId,
    offeredVersion: board.roster.publication.version,
    gateId: request.gateId,
    start: request.start,
    end: new Date(mine.end),
    village: board.roster.gates.find((g) => g.id === request.gateId)?.village ?? '',
    fromCadreId: cadreId,
    toCadreId: request.toCadreId ?? null,
    outcome: null,
    decidedAt: null,
  };
  const created = await insertReturning<SwapDoc>(models.Swap, doc);
  return toRecord({ doc: created, taker: null, decision: null, needsApproval: board.spec.openShiftPolicy.swapsNeedApproval }, board, now);
}

/** Accepts an open offer (nothing written when it does not fit), then waits up to `waitMs` for its publish. */
export async function acceptSwap(
  models: Models,
  cadreId: string,
  swapId: string,
  request: { inReturn?: { gateId: string; start: Date } | undefined },
  options: { now?: Date; waitMs?: number } = {},
): Promise<SwapRecord> {
  const now = options.now ?? new Date();
  const facts = await factsOf(models, swapId);
  const board = await liveBoard(models, facts.doc.planId);
  const { status, refusal: why } = statusOf(facts, board, now);
  if (status !== 'open') throw new ClaimRefused(why ?? refusal('swap_taken'));
  if (facts.doc.fromCadreId === cadreId) throw new ClaimRefused(refusal('swap_own'));
  if (facts.doc.toCadreId !== null && facts.doc.toCadreId !== cadreId) throw new ClaimRefused(refusal('swap_not_for_you'));
  let inReturn: ShiftRef | null = null;
  if (request.inReturn) {
    const given = request.inReturn;
    const own = board.roster.assignments.find(
      (a) => a.cadreId === cadreId && a.gateId === given.gateId && new Date(a.start).getTime() === given.start.getTime(),
    );
    if (!own || given.start.getTime() <= now.getTime())
      throw new AppError('conflict', '你在当前版本中没有这个班次，不能拿来交换 / you hold no such upcoming shift to give in return');
    inReturn = { gateId: own.gateId, start: new Date(own.start), end: new Date(own.end) };
  }
  const fit = trySwap(board, { ...facts.doc, takerCadreId: cadreId, inReturn }, { keep: false });
  if (fit) throw new ClaimRefused(fit);
  const step: SwapStepDoc = { _id: `${swapId}:taker`, swapId, kind: 'accept', by: cadreId, inReturn };
  try {
    await models.SwapStep.create(step);
  } catch (error) {
    if ((error as { code?: number }).code === 11000) throw new ClaimRefused(refusal('swap_taken'));
    throw error;
  }
  claimFaultPoint('swap:after-accept');
  signalClaim();
  return waitForSwap(models, swapId, options.waitMs ?? 0, now);
}

/** The offerer takes their offer back; an offer already accepted stays accepted. */
export async function withdrawSwap(models: Models, cadreId: string, swapId: string, now = new Date()): Promise<SwapRecord> {
  const facts = await factsOf(models, swapId);
  if (facts.doc.fromCadreId !== cadreId) throw new AppError('forbidden', 'only the person who offered a swap may withdraw it');
  try {
    await models.SwapStep.create({ _id: `${swapId}:taker`, swapId, kind: 'withdraw', by: cadreId, inReturn: null } satisfies SwapStepDoc);
  } catch (error) {
    if ((error as { code?: number }).code === 11000) throw new ClaimRefused(refusal('swap_taken'));
    throw error;
  }
  return getSwap(models, swapId, now);
}

/** A head of the offered shift's village (or a planner) approves or declines an accepted swap; the first word stands. */
export async function decideSwap(models: Models, principal: Principal, swapId: string, approve: boolean, now = new Date()): Promise<SwapRecord> {
  const facts = await factsOf(models, swapId);
  if (principal.role !== 'planner' && !(principal.role === 'village_head' && principal.villages.includes(facts.doc.village))) {
    throw new AppError('forbidden', `only a head of ${facts.doc.village} or a planner decides this swap`);
  }
  const board = await cachedBoard(models, facts.doc.planId);
  if (statusOf(facts, board, now).status !== 'awaiting_approval')
    throw new AppError('conflict', `swap "${swapId}" is not waiting for approval (${statusOf(facts, board, now).status})`);
  try {
    await models.SwapStep.create({
      _id: `${swapId}:decision`,
      swapId,
      kind: approve ? 'approve' : 'decline',
      by: `${principal.role}:${principal.tokenId}`,
      inReturn: null,
    } satisfies SwapStepDoc);
  } catch (error) {
    if ((error as { code?: number }).code === 11000) throw new AppError('conflict', `swap "${swapId}" was decided already`);
    throw error;
  }
  if (approve) signalClaim();
  return getSwap(models, swapId, now);
}

export async function getSwap(models: Models, swapId: string, now = new Date()): Promise<SwapRecord> {
  const facts = await factsOf(models, swapId);
  return toRecord(facts, await cachedBoard(models, facts.doc.planId), now);
}

/** Swaps of these villages (all when null), or of one person (offered, taken or offered to them by name), soonest first. */
export async function listSwaps(
  models: Models,
  query: { villages: string[] | null; cadreId?: string; status?: SwapStatus },
  now = new Date(),
): Promise<SwapRecord[]> {
  const filter: Record<string, unknown> = {};
  if (query.villages) filter.village = { $in: query.villages };
  const docs = await models.Swap.find(filter).sort({ start: 1, _id: 1 }).limit(2000).lean<SwapDoc[]>();
  const who = query.cadreId;
  const facts = (await swapFactsOf(models, docs)).filter((f) => !who || f.doc.fromCadreId === who || f.doc.toCadreId === who || f.taker?.by === who);
  const records = await recordsOf(models, facts, now);
  return query.status ? records.filter((r) => r.status === query.status) : records;
}

/** Open offers this person could accept now (named to them or to anyone), soonest first. */
export async function swapsOpenTo(models: Models, cadreId: string, now = new Date()): Promise<SwapRecord[]> {
  const docs = await models.Swap.find({ outcome: null, start: { $gt: now }, fromCadreId: { $ne: cadreId } })
    .sort({ start: 1, _id: 1 })
    .limit(2000)
    .lean<SwapDoc[]>();
  const facts = (await swapFactsOf(models, docs)).filter((f) => f.taker === null && (f.doc.toCadreId === null || f.doc.toCadreId === cadreId));
  const out: SwapRecord[] = [];
  for (const f of facts) {
    const board = await cachedBoard(models, f.doc.planId);
    if (!board || statusOf(f, board, now).status !== 'open') continue;
    if (trySwap(board, { ...f.doc, takerCadreId: cadreId, inReturn: null }, { keep: false }) === null) out.push(toRecord(f, board, now));
  }
  return out;
}

/** Accepted swaps the round may publish now (approved where the policy asks), by plan. */
export async function readySwaps(models: Models, now: Date, planId?: string): Promise<SwapFacts[]> {
  const docs = await models.Swap.find({ outcome: null, start: { $gt: now }, ...(planId ? { planId } : {}) }).lean<SwapDoc[]>();
  if (!docs.length) return [];
  return (await swapFactsOf(models, docs)).filter((f) => f.taker?.kind === 'accept' && (f.decision ? f.decision.kind === 'approve' : !f.needsApproval));
}

/** Waits until the round publishes or refuses the swap (or `waitMs` passes). */
export async function waitForSwap(models: Models, swapId: string, waitMs: number, now = new Date()): Promise<SwapRecord> {
  const read = () => getSwap(models, swapId, now);
  return waitWhilePending(read, (swap) => swap.status === 'pending', await read(), waitMs);
}

export interface SwapMove {
  fromCadreId: string;
  gateId: string;
  start: Date;
  takerCadreId: string;
  inReturn: Pick<ShiftRef, 'gateId' | 'start'> | null;
}

/**
 * Why the swap does not fit the board, or null. With `keep` the board is left with the swap
 * applied when it fits (the round goes on to the next change on top of it); otherwise, and
 * whenever it does not fit, the board is left as it was.
 */
export function trySwap(board: ClaimBoard, move: SwapMove, { keep }: { keep: boolean }): ClaimRefusal | null {
  const { inst, state } = board;
  const S = inst.slotCount;
  const a = inst.personIndex.get(move.fromCadreId);
  const b = inst.personIndex.get(move.takerCadreId);
  const g = inst.gateIndex.get(move.gateId);
  const s = board.slotOf.get(new Date(move.start).getTime());
  if (b === undefined || !board.people.has(move.takerCadreId)) return refusal('unknown_person');
  if (a === undefined || g === undefined || s === undefined || state.gateAt[a * S + s] !== g + 1) return refusal('swap_changed');
  const back = move.inReturn ? { g: inst.gateIndex.get(move.inReturn.gateId), s: board.slotOf.get(new Date(move.inReturn.start).getTime()) } : null;
  if (back && (back.g === undefined || back.s === undefined || state.gateAt[b * S + back.s] !== back.g + 1)) return refusal('swap_changed');
  const undo: (() => void)[] = [];
  const step = (apply: () => void, revert: () => void) => {
    apply();
    undo.push(revert);
  };
  step(
    () => state.remove(a, s),
    () => state.place(a, g, s),
  );
  if (back)
    step(
      () => state.remove(b, back.s as number),
      () => state.place(b, back.g as number, back.s as number),
    );
  let why = ruleRefusal(board, b, g, s) ?? (leadLost(board, a, b, g, s) ? refusal('swap_lead') : null);
  if (!why)
    step(
      () => state.place(b, g, s),
      () => state.remove(b, s),
    );
  if (!why && back) {
    const [bg, bs] = [back.g as number, back.s as number];
    const theirs = ruleRefusal(board, a, bg, bs) ?? (leadLost(board, b, a, bg, bs) ? refusal('swap_lead') : null);
    if (theirs) why = forOfferer(theirs);
    else
      step(
        () => state.place(a, bg, bs),
        () => state.remove(a, bs),
      );
  }
  if (why || !keep) for (const revert of undo.reverse()) revert();
  return why;
}

/** Taking `out` (a lead) off a lead-requiring gate-shift for `inn` (not one) leaves it without its only lead. */
function leadLost(board: ClaimBoard, out: number, inn: number, g: number, s: number): boolean {
  const { inst, state } = board;
  return inst.gates[g]?.leadRequired === true && inst.isLead[out] === true && !inst.isLead[inn] && (state.leads[g * inst.slotCount + s] ?? 0) === 0;
}

/** What the swap is now, and why where it was refused or expired. */
export function statusOf(facts: SwapFacts, board: ClaimBoard | null, now: Date): { status: SwapStatus; refusal: ClaimRefusal | null } {
  const { doc, taker, decision } = facts;
  if (doc.outcome?.status === 'published') return { status: 'published', refusal: null };
  if (doc.outcome?.status === 'refused') return { status: 'refused', refusal: doc.outcome.refusal };
  if (taker?.kind === 'withdraw') return { status: 'withdrawn', refusal: null };
  if (decision?.kind === 'decline') return { status: 'declined', refusal: null };
  if (new Date(doc.start).getTime() <= now.getTime()) return { status: 'expired', refusal: refusal('swap_expired') };
  // The shift changed since it was offered (a re-plan moved it): the offer lapses.
  const holds = (cadreId: string | undefined) =>
    board?.roster.assignments.some((a) => a.cadreId === cadreId && a.gateId === doc.gateId && new Date(a.start).getTime() === new Date(doc.start).getTime());
  // Between its round's commit and the outcome written right after, the board already shows
  // the shift with the taker: that is this swap being published, not a change.
  if (board && !holds(doc.fromCadreId) && !(taker?.kind === 'accept' && holds(taker.by))) return { status: 'expired', refusal: refusal('swap_changed') };
  if (taker?.kind === 'accept') return { status: facts.needsApproval && decision?.kind !== 'approve' ? 'awaiting_approval' : 'pending', refusal: null };
  return { status: 'open', refusal: null };
}

async function liveBoard(models: Models, planId: string): Promise<ClaimBoard> {
  const board = await cachedBoard(models, planId);
  if (!board) throw new AppError('not_found', `plan "${planId}" has no published roster`);
  return board;
}

async function factsOf(models: Models, swapId: string): Promise<SwapFacts> {
  const doc = await models.Swap.findOne({ _id: swapId }).lean<SwapDoc>();
  if (!doc) throw new AppError('not_found', `no swap "${swapId}"`);
  return (await swapFactsOf(models, [doc]))[0] as SwapFacts;
}

/** The steps and plan policy of these offers, read in two queries. */
export async function swapFactsOf(models: Models, docs: SwapDoc[]): Promise<SwapFacts[]> {
  if (!docs.length) return [];
  const steps = await models.SwapStep.find({ swapId: { $in: docs.map((d) => d._id) } }).lean<SwapStepDoc[]>();
  const byId = new Map(steps.map((s) => [s._id, s] as const));
  const policies = new Map<string, boolean>();
  for (const planId of new Set(docs.map((d) => d.planId))) {
    policies.set(
      planId,
      await getPlan(models, planId).then(
        (p) => p.spec.openShiftPolicy.swapsNeedApproval,
        () => false,
      ),
    );
  }
  return docs.map((doc) => ({
    doc,
    taker: byId.get(`${doc._id}:taker`) ?? null,
    decision: byId.get(`${doc._id}:decision`) ?? null,
    needsApproval: policies.get(doc.planId) ?? false,
  }));
}

async function recordsOf(models: Models, facts: SwapFacts[], now: Date): Promise<SwapRecord[]> {
  const boards = new Map<string, ClaimBoard | null>();
  for (const planId of new Set(facts.map((f) => f.doc.planId))) boards.set(planId, await cachedBoard(models, planId));
  return facts.map((f) => toRecord(f, boards.get(f.doc.planId) ?? null, now));
}

function toRecord(facts: SwapFacts, board: ClaimBoard | null, now: Date): SwapRecord {
  const { doc, taker, decision } = facts;
  const { status, refusal: why } = statusOf(facts, board, now);
  const inReturn =
    taker?.kind === 'accept' && taker.inReturn
      ? { gateId: taker.inReturn.gateId, start: new Date(taker.inReturn.start), end: new Date(taker.inReturn.end) }
      : null;
  return {
    id: doc._id,
    planId: doc.planId,
    offeredVersion: doc.offeredVersion,
    gateId: doc.gateId,
    start: new Date(doc.start),
    end: new Date(doc.end),
    village: doc.village,
    fromCadreId: doc.fromCadreId,
    toCadreId: doc.toCadreId ?? null,
    status,
    takerCadreId: taker?.kind === 'accept' ? taker.by : null,
    inReturn,
    decidedBy: decision?.by ?? null,
    publishedVersion: doc.outcome?.status === 'published' ? doc.outcome.version : null,
    refusal: why,
    createdAt: new Date(doc.createdAt ?? 0),
    decidedAt: doc.decidedAt ? new Date(doc.decidedAt) : null,
  };
}
