/**
 * Claims become published versions here, safe across crashes and processes with nothing but
 * leases and single-document writes (as the absence re-plan, src/replan/replan-protocol.ts).
 *
 * One round per plan, under the lease `claims:<planId>`, in the plan's `ClaimRound`
 * document (only the lease holder writes it). Fault points in brackets (./faults.ts):
 * 1. Take the plan's pending claims, oldest first (and again those that came in while the board
 *    was read), its accepted (and, where the policy asks, approved) swaps (./swaps.ts), and a
 *    fresh board of its live version (./board.ts). Each
 *    claim that still fits (its place open, every rule holding with the claims accepted
 *    before it) is placed; then each swap that keeps both people's rosters legal is applied;
 *    the others are refused with the reason. With none accepted the refusals are written and
 *    the round ends.
 * 2. Store the roster that carries them: the live roster plus the accepted shifts, their gaps
 *    filled (its id names the base version and the claims, so a repeat stores the same). Record
 *    the round: base version, roster, accepted, refused. [claim:after-round]
 * 3. Publish it through the publish protocol, only if the base version is still live (the
 *    feeds of the people and villages touched, and the village groups' shift-changed
 *    messages, staged with the commit). A roster already live is not published again; a
 *    newer version ends the round without a result, its claims still pending, to be decided
 *    against that version. [claim:after-publish, as soon as the version is committed]
 * 4. Write each claim's and swap's outcome (published with the version, or refused): right
 *    after the commit, before the publish tidies up, so the answers do not wait for that.
 *    Then end the round.
 *
 * A crash anywhere leaves the claims pending or the round recorded; the next taker resumes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { acquireLease } from '../db/lease.js';
import type { Models } from '../db/models.js';
import type { Assignment, Gap } from '../domain/roster.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { liveState } from '../roster/live-state.js';
import { publishPlan, StaleVersionError, type PublishOptions } from '../roster/publish-protocol.js';
import { storeRoster, type StoredRoster } from '../roster/publish.js';
import { buildBoard, cachedBoard, whyNot, type ClaimBoard } from './board.js';
import type { ClaimDoc } from './claims.js';
import { claimFaultPoint } from './faults.js';
import { refusal, type ClaimRefusal } from './refusals.js';
import { readySwaps, trySwap, type SwapFacts, type SwapMove } from './swaps.js';
import { onClaim, signalClaimsChanged } from './signal.js';

const LEASE_TTL_MS = 30_000;
/**
 * A round looks again for claims that came in while it read its board, as long as more keep
 * coming, up to this long: a burst then goes out as one version, and a lone claim waits
 * QUIET_MS at most.
 */
const LATE_CLAIMS_MS = 750;
/** Claims still come in while the newest is younger than this. */
const QUIET_MS = 300;
/** Who published, in the plan's versions list and the publish summary. */
export const CLAIMS_PUBLISHER = 'open-shift-claims';

interface RoundDoc {
  _id: string;
  phase: 'publishing' | 'idle';
  baseVersion: number | null;
  rosterId: string | null;
  accepted: string[];
  refused: { id: string; refusal: ClaimRefusal }[];
  /** Swaps that fit, and those that no longer did (./swaps.ts). */
  swaps: string[];
  swapsRefused: { id: string; refusal: ClaimRefusal }[];
}

export interface ClaimWorkerOptions {
  /** How often to look for pending claims when nothing woke the worker. */
  pollMs?: number;
  /**
   * How often, when idle, to make sure every live plan's board is built for what stands now
   * (0: never). After any publish the first claim or open-shift list in each process would
   * otherwise wait for the board's read of the roster and the directory (seconds at
   * district scale on a busy machine).
   */
  warmBoardsEveryMs?: number;
}

export class ClaimWorker {
  private readonly owner = `c_${process.pid}_${randomBytes(4).toString('hex')}`;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly models: Models,
    private readonly logger: Logger,
    private readonly options: ClaimWorkerOptions = {},
  ) {}

  start(): void {
    this.running = true;
    this.unsubscribe = onClaim(() => this.wake?.());
    this.loop = this.poll();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.wake?.();
    await this.loop;
  }

  /** Builds the board of every live plan whose inputs moved (a cached one costs its key's read). */
  private async warmBoards(): Promise<void> {
    try {
      for (const planId of Object.keys((await liveState(this.models)).versions)) await cachedBoard(this.models, planId);
    } catch (error) {
      this.logger.warn({ err: error }, 'warming the claim boards failed');
    }
  }

  /** One pass over the plans with pending claims or an open round; true while work remains. */
  async runOnce(now = new Date()): Promise<boolean> {
    const { models } = this;
    const [pending, open, swaps] = await Promise.all([
      models.Claim.find({ status: 'pending' }, { planId: 1 }).lean<{ planId: string }[]>(),
      models.ClaimRound.find({ phase: { $ne: 'idle' } }, { _id: 1 }).lean<{ _id: string }[]>(),
      readySwaps(models, now),
    ]);
    const plans = new Set([...pending.map((c) => c.planId), ...open.map((r) => r._id), ...swaps.map((f) => f.doc.planId)]);
    for (const planId of plans) {
      await this.step(planId, now).catch((error: unknown) => this.logger.error({ err: error, planId }, 'claims round failed'));
    }
    return plans.size > 0;
  }

  private async step(planId: string, now: Date): Promise<void> {
    const { models } = this;
    const taken = await acquireLease(models, `claims:${planId}`, { ttlMs: LEASE_TTL_MS, owner: this.owner });
    if (!taken.ok) return;
    const { lease } = taken;
    lease.keepAlive();
    try {
      let round = await models.ClaimRound.findOne({ _id: planId }).lean<RoundDoc>();
      let known: Known | undefined;
      if (!round || round.phase === 'idle') ({ round, known } = (await this.startRound(planId, now)) ?? { round: null });
      if (round?.phase === 'publishing') await this.publish(round, known);
    } finally {
      await lease.release().catch(() => undefined);
    }
  }

  /** Steps 1 and 2. */
  private async startRound(planId: string, now: Date): Promise<{ round: RoundDoc; known: Known } | null> {
    const { models } = this;
    const pendingClaims = () => models.Claim.find({ planId, status: 'pending' }).sort({ createdAt: 1, _id: 1 }).lean<ClaimDoc[]>();
    const [firstClaims, swaps] = await Promise.all([
      pendingClaims(),
      readySwaps(models, now, planId).then((ready) => ready.map(swapMoveOf).sort((a, b) => a.acceptedAt - b.acceptedAt || a.id.localeCompare(b.id))),
    ]);
    let claims = firstClaims;
    if (!claims.length && !swaps.length) return null;
    const boardFor = (of: readonly ClaimDoc[]) =>
      buildBoard(models, planId, {
        cadreIds: [...new Set([...of.map((c) => c.cadreId), ...swaps.flatMap((m) => [m.fromCadreId, m.takerCadreId])])],
        gateIds: [...new Set([...of.map((c) => c.gateId), ...swaps.flatMap((m) => [m.gateId, ...(m.inReturn ? [m.inReturn.gateId] : [])])])],
      });
    let board = await boardFor(claims);
    // Claims come in bursts (an open night posted to a village group). Those that arrive while
    // the board is read, or while claims keep coming, join this round rather than wait for the
    // next one, a second publish.
    for (const started = Date.now(); board && Date.now() - started < LATE_CLAIMS_MS;) {
      const newest = Math.max(...claims.map((c) => new Date(c.createdAt ?? 0).getTime()));
      if (Date.now() - newest < QUIET_MS) await new Promise((r) => setTimeout(r, QUIET_MS / 3));
      const seen = new Set(claims.map((c) => c._id));
      const again = await pendingClaims();
      if (again.every((c) => seen.has(c._id))) {
        if (Date.now() - newest >= QUIET_MS) break;
        continue;
      }
      claims = again;
      board = await boardFor(claims);
    }
    if (!board) {
      await this.decide(
        {
          refused: claims.map((c) => ({ id: c._id, refusal: refusal('not_offered') })),
          accepted: [],
          swaps: [],
          swapsRefused: swaps.map((m) => ({ id: m.id, refusal: refusal('swap_changed') })),
        },
        null,
      );
      return null;
    }
    const accepted: ClaimDoc[] = [];
    const refused: RoundDoc['refused'] = [];
    for (const claim of claims) {
      const why = fitOf(board, claim, now);
      if (why) refused.push({ id: claim._id, refusal: why });
      else accepted.push(claim);
    }
    // Swaps on top of the claims, each on top of the ones before it: both rosters must stay legal.
    const swapped: SwapChange[] = [];
    const swapsRefused: RoundDoc['swapsRefused'] = [];
    for (const move of swaps) {
      const why = trySwap(board, move, { keep: true });
      if (why) swapsRefused.push({ id: move.id, refusal: why });
      else swapped.push(move);
    }
    if (!accepted.length && !swapped.length) {
      await this.decide({ refused, accepted: [], swaps: [], swapsRefused }, null);
      return null;
    }
    const roster = withChanges(board, accepted, swapped);
    await storeRoster(models, roster).catch((error: { code?: number }) => {
      if (error.code !== 11000) throw error; // the same claims on the same version: the same roster
    });
    const round: RoundDoc = {
      _id: planId,
      phase: 'publishing',
      baseVersion: board.roster.publication.version,
      rosterId: roster.solveId,
      accepted: accepted.map((c) => c._id),
      refused,
      swaps: swapped.map((m) => m.id),
      swapsRefused,
    };
    const { _id, ...fields } = round;
    await models.ClaimRound.updateOne({ _id }, { $set: fields }, { upsert: true });
    claimFaultPoint('claim:after-round');
    return { round, known: { roster, base: board.roster } };
  }

  /** Steps 3 and 4 (`known`: what step 2 of this pass holds, not read again). */
  private async publish(round: RoundDoc, known?: Known): Promise<void> {
    const { models } = this;
    // A round this pass built stands on the version it just read: the publish checks that
    // under its lease. A round resumed from an earlier pass looks first: it may be published
    // already, or stand on a version no longer live.
    let version: number | null = null;
    let published = false;
    if (!known) {
      version = (await liveState(models)).versions[round._id] ?? null;
      const live = version === null ? null : await models.Publication.findOne({ _id: `${round._id}:${version}` }, { solveId: 1 }).lean<{ solveId: string }>();
      published = live?.solveId === round.rosterId;
      if (!published && version !== round.baseVersion) return this.endRound(round._id);
    }
    let decided = false;
    if (!published) {
      // The outcomes are written as soon as the version is committed: the people waiting for
      // their answer do not wait for the publish's tidying.
      const afterCommit = async (committed: number): Promise<void> => {
        claimFaultPoint('claim:after-publish');
        await this.decide(round, committed);
        decided = true;
      };
      try {
        version = (
          await publishPlan(models, round._id, round.rosterId as string, CLAIMS_PUBLISHER, {
            ifVersion: round.baseVersion,
            afterCommit,
            ...(known ? { known } : {}),
          })
        ).version;
      } catch (error) {
        if (error instanceof StaleVersionError) return this.endRound(round._id); // its claims wait for the next round
        if (error instanceof AppError && error.code === 'conflict') return; // another publish: next pass
        throw error;
      }
    }
    if (!decided) await this.decide(round, version);
    await this.endRound(round._id);
    this.logger.info(
      { planId: round._id, claims: round.accepted.length, refused: round.refused.length, swaps: round.swaps?.length ?? 0, version },
      'open-shift claims and swaps published',
    );
  }

  /** Step 4: each claim's and swap's outcome. A round recorded before swaps existed has none. */
  private async decide(outcome: Pick<RoundDoc, 'refused' | 'accepted' | 'swaps' | 'swapsRefused'>, version: number | null): Promise<void> {
    const { models } = this;
    const decidedAt = new Date();
    for (const { id, refusal } of outcome.refused)
      await models.Claim.updateOne({ _id: id, status: 'pending' }, { $set: { status: 'refused', refusal, decidedAt } });
    if (outcome.accepted.length)
      await models.Claim.updateMany(
        { _id: { $in: outcome.accepted }, status: 'pending' },
        { $set: { status: 'published', publishedVersion: version, decidedAt } },
      );
    for (const { id, refusal } of outcome.swapsRefused ?? [])
      await models.Swap.updateOne({ _id: id, outcome: null }, { $set: { outcome: { status: 'refused', refusal }, decidedAt } });
    if (outcome.swaps?.length)
      await models.Swap.updateMany({ _id: { $in: outcome.swaps }, outcome: null }, { $set: { outcome: { status: 'published', version }, decidedAt } });
    signalClaimsChanged();
  }

  private async endRound(planId: string): Promise<void> {
    await this.models.ClaimRound.updateOne({ _id: planId }, { $set: { phase: 'idle' } });
  }

  private async poll(): Promise<void> {
    let warmedAt = 0;
    while (this.running) {
      const busy = await this.runOnce().catch((error: unknown) => {
        this.logger.error({ err: error }, 'claims pass failed');
        return false;
      });
      if (!this.running) break;
      const warmEvery = this.options.warmBoardsEveryMs ?? 2000;
      if (!busy && warmEvery > 0 && Date.now() - warmedAt >= warmEvery) {
        warmedAt = Date.now();
        await this.warmBoards();
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, busy ? 50 : (this.options.pollMs ?? 500));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

/** The roster a round stored and the live one it was built on. */
type Known = NonNullable<PublishOptions['known']>;

/** Why a pending claim no longer fits the board (with the claims accepted before it placed), or null, placing it. */
function fitOf(board: ClaimBoard, claim: ClaimDoc, now: Date): ClaimRefusal | null {
  const g = board.inst.gateIndex.get(claim.gateId);
  const s = board.slotOf.get(new Date(claim.start).getTime());
  if (g === undefined || s === undefined || new Date(claim.start).getTime() <= now.getTime()) return refusal('not_offered');
  const why = whyNot(board, claim.cadreId, g, s);
  if (why) return why;
  board.state.place(board.inst.personIndex.get(claim.cadreId) as number, g, s);
  return null;
}

/** A swap the round takes: who gives which shift to whom, and what comes back. */
interface SwapChange extends SwapMove {
  id: string;
  end: Date;
  acceptedAt: number;
  inReturn: (SwapMove['inReturn'] & { end: Date }) | null;
}

function swapMoveOf(facts: SwapFacts): SwapChange {
  const { doc, taker } = facts;
  const back = taker?.inReturn;
  return {
    id: doc._id,
    fromCadreId: doc.fromCadreId,
    gateId: doc.gateId,
    start: new Date(doc.start),
    end: new Date(doc.end),
    takerCadreId: taker?.by ?? '',
    inReturn: back ? { gateId: back.gateId, start: new Date(back.start), end: new Date(back.end) } : null,
    acceptedAt: new Date((taker as { createdAt?: Date } | null)?.createdAt ?? 0).getTime(),
  };
}

/** The live roster with the accepted claims and swaps on it, as a roster of its own. */
function withChanges(board: ClaimBoard, accepted: ClaimDoc[], swaps: SwapChange[]): StoredRoster {
  const { roster } = board;
  const digest = createHash('sha256')
    .update([...accepted.map((c) => c._id), ...swaps.map((m) => m.id)].sort().join('\n'))
    .digest('hex')
    .slice(0, 16);
  const added: Assignment[] = accepted.map((c) => ({ cadreId: c.cadreId, gateId: c.gateId, start: new Date(c.start), end: new Date(c.end), pinned: false }));
  const byShift = new Map<string, number>();
  for (const c of accepted) byShift.set(`${c.gateId}|${new Date(c.start).getTime()}`, (byShift.get(`${c.gateId}|${new Date(c.start).getTime()}`) ?? 0) + 1);
  const gaps: Gap[] = roster.gaps.flatMap((gap) => {
    const more = byShift.get(`${gap.gateId}|${new Date(gap.start).getTime()}`) ?? 0;
    if (!more) return [gap];
    return gap.filled + more >= gap.needed ? [] : [{ ...gap, filled: gap.filled + more }];
  });
  // A swap takes a shift off one person and gives it to the other (and back, where one is given in return).
  const given = new Set<string>();
  const swapped: Assignment[] = [];
  for (const m of swaps) {
    given.add(`${m.fromCadreId}|${m.gateId}|${m.start.getTime()}`);
    swapped.push({ cadreId: m.takerCadreId, gateId: m.gateId, start: m.start, end: m.end, pinned: false });
    if (m.inReturn) {
      given.add(`${m.takerCadreId}|${m.inReturn.gateId}|${new Date(m.inReturn.start).getTime()}`);
      swapped.push({ cadreId: m.fromCadreId, gateId: m.inReturn.gateId, start: new Date(m.inReturn.start), end: m.inReturn.end, pinned: false });
    }
  }
  const kept = roster.assignments.filter((a) => !given.has(`${a.cadreId}|${a.gateId}|${new Date(a.start).getTime()}`));
  const known = new Set(roster.cadres.map((c) => c.id));
  const newcomers = [...accepted.map((c) => c.cadreId), ...swaps.map((m) => m.takerCadreId)];
  const joining = [...new Set(newcomers)]
    .filter((id) => !known.has(id))
    .map((id) => board.people.get(id))
    .filter((c) => c !== undefined);
  const { publication: _publication, ...stored } = roster;
  const notes = [
    ...(added.length ? [`${added.length} open place(s) claimed on version ${roster.publication.version}`] : []),
    ...(swaps.length ? [`${swaps.length} swap(s) between people on version ${roster.publication.version}`] : []),
  ];
  return {
    ...stored,
    solveId: `claims_${roster.planId}_v${roster.publication.version}_${digest}`,
    assignments: [...kept, ...added, ...swapped],
    gaps,
    cadres: [...roster.cadres, ...joining],
    metrics: {
      ...roster.metrics,
      placesFilled: roster.metrics.placesFilled + added.length,
      optimalityGap: Math.max(0, (roster.metrics.upperBound.value - roster.metrics.placesFilled - added.length) / Math.max(1, roster.metrics.upperBound.value)),
      // Hours and fairness figures stay the solve's: a claim or a swap is people's own choice on top of it.
      notes: [...(roster.metrics.notes ?? []), ...notes],
    },
  };
}
