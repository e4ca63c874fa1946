/**
 * Claiming an open shift. A claim is the insert of a document whose `_id` names the place
 * it takes (plan, the version it was offered in, gate, shift start, seat): the first insert
 * wins, with no read-then-write anywhere. What was checked here (the person could take it
 * under every rule) is checked again by the claims round that publishes it (./rounds.ts),
 * against the roster as it stands then with the claims before it: a claim that no longer
 * fits is refused there, with the reason.
 */
import type { Models } from '../db/models.js';
import { perDatabase } from '../db/per-database.js';
import { insertReturning } from '../db/by-ids.js';
import { withDocLock } from '../db/doc-lock.js';
import { AppError } from '../errors.js';
import { cachedBoard, openPlaces, whyNot, type ClaimBoard } from './board.js';
import { heldFrom, offerWindow } from './open-shifts.js';
import { claimFaultPoint } from './faults.js';
import { refusal, type ClaimRefusal } from './refusals.js';
import { signalClaim, waitWhilePending } from './signal.js';

export interface ClaimRequest {
  planId: string;
  gateId: string;
  start: Date;
}

export interface ClaimRecord {
  id: string;
  planId: string;
  offeredVersion: number;
  gateId: string;
  start: Date;
  end: Date;
  seat: number;
  cadreId: string;
  village: string;
  status: 'pending' | 'published' | 'refused';
  publishedVersion: number | null;
  refusal: ClaimRefusal | null;
  createdAt: Date;
  decidedAt: Date | null;
}

/** A claim refused before anything was written: the place is not open to this person now. */
export class ClaimRefused extends AppError {
  constructor(readonly refusal: ClaimRefusal) {
    super('conflict', `${refusal.messageZh} / ${refusal.message}`, { refusal });
    this.name = 'ClaimRefused';
  }
}

export function claimId(planId: string, version: number, gateId: string, start: Date, seat: number): string {
  return `${planId}|v${version}|${gateId}|${start.getTime()}|${seat}`;
}

/**
 * Claims a place for `cadreId`, then waits up to `waitMs` for a round to publish or refuse it.
 * Throws ClaimRefused when the place is not open to them (nothing written).
 */
export async function claimOpenShift(
  models: Models,
  cadreId: string,
  request: ClaimRequest,
  options: { now?: Date; waitMs?: number } = {},
): Promise<ClaimRecord> {
  const now = options.now ?? new Date();
  // One board per version shared by every request (a claim race asks for the same one many times).
  const board = await cachedBoard(models, request.planId);
  if (!board) throw new AppError('not_found', `plan "${request.planId}" has no published roster`);
  const seats = seatsOpenTo(board, cadreId, request, now.getTime());
  const version = board.roster.publication.version;
  // One claim of a place at a time in this process: the requests after the first read that
  // the seat is taken instead of trying an insert that must fail (on the embedded database
  // every insert, failed or not, waits its turn to write).
  const place = `${request.planId}|${request.gateId}|${request.start.getTime()}`;
  const outcome = await withDocLock(`claim:${place}`, async () => {
    const held = await heldSeats(
      models,
      place,
      request,
      version,
      seats.map((s) => s.seat),
    );
    // Tapped twice: the first claim stands.
    const mine = [...held.values()].flat().find((c) => c.cadreId === cadreId);
    if (mine) return { existing: mine };
    for (const { seat, end, village } of seats) {
      // A refused claim keeps its document (the person reads why) and the place stays open:
      // the next claim of the seat takes the next attempt's id.
      const chain = held.get(seat) ?? [];
      if (chain.length && chain[chain.length - 1]?.status !== 'refused') continue;
      for (let attempt = chain.length + 1; ; attempt++) {
        const doc: ClaimDoc = {
          _id: attemptId(claimId(request.planId, version, request.gateId, request.start, seat), attempt),
          planId: request.planId,
          offeredVersion: version,
          gateId: request.gateId,
          start: request.start,
          end,
          seat,
          cadreId,
          village,
          status: 'pending',
          publishedVersion: null,
          refusal: null,
          decidedAt: null,
        };
        try {
          const created = await insertReturning<ClaimDoc>(models.Claim, doc);
          held.set(seat, [...chain, created]);
          return { created: toRecord(created) };
        } catch (error) {
          recentlyHeldOf(models).delete(place);
          if ((error as { code?: number }).code !== 11000) throw error;
          // Another process was first to this seat: the next seat, if any.
          const holder = await models.Claim.findOne({ _id: doc._id }, { status: 1 }).lean<{ status: string }>();
          if (holder?.status !== 'refused') break;
        }
      }
    }
    return {};
  });
  if (outcome.existing) return waitForDecision(models, toRecord(outcome.existing), options.waitMs ?? 0);
  const record = outcome.created ?? null;
  if (!record) throw new ClaimRefused(refusal('taken'));
  claimFaultPoint('claim:after-insert');
  signalClaim();
  return waitForDecision(models, record, options.waitMs ?? 0);
}

/**
 * What this process last read of a place's seats, and wrote since, under the place's lock: the
 * claims queued behind the first (a race asks for one place dozens of times at once) answer
 * from it instead of each reading every seat again. Another process's insert fails ours and
 * drops the entry; a seat a round refused in the meantime looks taken for at most HELD_TTL_MS.
 */
const HELD_TTL_MS = 500;
type HeldByPlace = Map<string, { at: number; version: number; held: Map<number, ClaimDoc[]> }>;
const recentlyHeldOf = perDatabase((): HeldByPlace => new Map());

async function heldSeats(models: Models, place: string, request: ClaimRequest, version: number, seats: number[]): Promise<Map<number, ClaimDoc[]>> {
  const recentlyHeld = recentlyHeldOf(models);
  const hit = recentlyHeld.get(place);
  if (hit && hit.version === version && Date.now() - hit.at < HELD_TTL_MS && seats.every((seat) => hit.held.has(seat))) return hit.held;
  const held = await claimsOfSeats(models, request, version, seats);
  for (const [key, entry] of recentlyHeld) if (Date.now() - entry.at >= HELD_TTL_MS) recentlyHeld.delete(key);
  recentlyHeld.set(place, { at: Date.now(), version, held });
  return held;
}

function attemptId(base: string, attempt: number): string {
  return attempt === 1 ? base : `${base}~${attempt}`;
}

/**
 * The claims of each seat at this version, oldest attempt first, read by id (the embedded
 * database looks up nothing else without reading every claim, src/db/by-ids.ts).
 */
async function claimsOfSeats(models: Models, request: ClaimRequest, version: number, seats: number[]): Promise<Map<number, ClaimDoc[]>> {
  const chains = await Promise.all(
    seats.map(async (seat) => {
      const base = claimId(request.planId, version, request.gateId, request.start, seat);
      const chain: ClaimDoc[] = [];
      for (let attempt = 1; ; attempt++) {
        const doc = await models.Claim.findOne({ _id: attemptId(base, attempt) }).lean<ClaimDoc>();
        if (!doc) return [seat, chain] as const;
        chain.push(doc);
      }
    }),
  );
  return new Map(chains);
}

/** The open seats of the requested gate-shift this person may take now, or why none. */
function seatsOpenTo(board: ClaimBoard, cadreId: string, request: ClaimRequest, now: number): { seat: number; end: Date; village: string }[] {
  const window = offerWindow(board, now);
  const g = board.inst.gateIndex.get(request.gateId);
  const s = board.slotOf.get(request.start.getTime());
  if (!window || g === undefined || s === undefined) throw new ClaimRefused(refusal('not_offered'));
  const places = openPlaces(board, window.from, window.until).filter((p) => p.g === g && p.s === s);
  if (!places.length) {
    const full = board.state.open(g, s) <= 0 && request.start.getTime() >= now;
    throw new ClaimRefused(refusal(full ? 'taken' : 'not_offered'));
  }
  const why = whyNot(board, cadreId, g, s) ?? heldFrom(board, cadreId, places[0]!, now);
  if (why) throw new ClaimRefused(why);
  const village = board.inst.gates[g]?.village ?? '';
  return places.map((p) => ({ seat: p.seat, end: new Date(p.gap.end), village }));
}

/** Waits until a round decides the claim (or `waitMs` passes) and answers it as it stands then. */
export async function waitForDecision(models: Models, record: ClaimRecord, waitMs: number): Promise<ClaimRecord> {
  const read = async () => {
    const doc = await models.Claim.findOne({ _id: record.id }).lean<ClaimDoc>();
    return doc ? toRecord(doc) : record;
  };
  return waitWhilePending(read, (claim) => claim.status === 'pending', record, waitMs);
}

export async function getClaim(models: Models, id: string): Promise<ClaimRecord> {
  const doc = await models.Claim.findOne({ _id: id }).lean<ClaimDoc>();
  if (!doc) throw new AppError('not_found', `no claim "${id}"`);
  return toRecord(doc);
}

/** Claims of these villages (all when null), soonest shift first. */
export async function listClaims(
  models: Models,
  query: { villages: string[] | null; cadreId?: string; status?: ClaimRecord['status']; limit?: number },
): Promise<ClaimRecord[]> {
  const filter: Record<string, unknown> = {};
  if (query.villages) filter.village = { $in: query.villages };
  if (query.cadreId) filter.cadreId = query.cadreId;
  if (query.status) filter.status = query.status;
  const docs = await models.Claim.find(filter)
    .sort({ start: 1, _id: 1 })
    .limit(query.limit ?? 500)
    .lean<ClaimDoc[]>();
  return docs.map(toRecord);
}

export interface ClaimDoc {
  _id: string;
  planId: string;
  offeredVersion: number;
  gateId: string;
  start: Date;
  end: Date;
  seat: number;
  cadreId: string;
  village: string;
  status: ClaimRecord['status'];
  publishedVersion: number | null;
  refusal: ClaimRefusal | null;
  decidedAt: Date | null;
  createdAt?: Date;
}

export function toRecord(doc: ClaimDoc): ClaimRecord {
  return {
    id: doc._id,
    planId: doc.planId,
    offeredVersion: doc.offeredVersion,
    gateId: doc.gateId,
    start: new Date(doc.start),
    end: new Date(doc.end),
    seat: doc.seat,
    cadreId: doc.cadreId,
    village: doc.village,
    status: doc.status,
    publishedVersion: doc.publishedVersion ?? null,
    refusal: doc.refusal ?? null,
    createdAt: new Date(doc.createdAt ?? 0),
    decidedAt: doc.decidedAt ? new Date(doc.decidedAt) : null,
  };
}
