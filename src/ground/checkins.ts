/**
 * Checking in and out at a gate: one document per person per gate-shift (see the CheckIn
 * schema), so a second tap, a retried request or a second device changes nothing. Which
 * gate-shift a tap belongs to is ./slots.ts; whether it was a walk-in is answered from the
 * roster live at the time (a later re-plan may turn it into a rostered check-in or back).
 */
import type { Models } from '../db/models.js';
import { AppError } from '../errors.js';
import type { CheckIn } from './presence.js';
import { liveRosters } from './live-rosters.js';
import { checkOutCandidates, slotFor, type Slot } from './checkin-slots.js';

export interface CheckInResult {
  checkIn: CheckIn;
  walkIn: boolean;
  /** False when this person was already checked in for that gate-shift. */
  created: boolean;
  /** The gate as the live roster names it, and the plan's zone (answers carry its offset). */
  gate: { name: string; village: string; town: string };
  timezone: string;
}

/** How far back a client may date a check-in (`at`), e.g. one queued while offline. */
export const MAX_BACKDATE_MS = 12 * 3_600_000;

export function checkInId(planId: string, gateId: string, start: Date, cadreId: string): string {
  return JSON.stringify([planId, gateId, start.getTime(), cadreId]);
}

/** Where `cadreId` would check in at `gateId` at `at` (their shift, or a walk-in), or null. */
export async function slotAt(models: Models, gateId: string, cadreId: string, at: Date): Promise<Slot | null> {
  return slotFor(await liveRosters(models), gateId, cadreId, at);
}

/** The gate's name and place and the zone of the plan a slot belongs to. */
export async function placeOf(models: Models, slot: Slot): Promise<Pick<CheckInResult, 'gate' | 'timezone'>> {
  const roster = (await liveRosters(models)).find((r) => r.planId === slot.planId);
  const gate = roster?.gates.find((g) => g.id === slot.gateId);
  return { gate: { name: gate?.name ?? slot.gateId, village: gate?.village ?? '', town: gate?.town ?? '' }, timezone: roster?.timezone ?? 'UTC' };
}

/** The person's check-in for a slot, if any. */
export async function checkInOf(models: Models, slot: Slot, cadreId: string): Promise<CheckIn | null> {
  return toCheckIn(await models.CheckIn.findOne({ _id: checkInId(slot.planId, slot.gateId, slot.start, cadreId) }).lean());
}

export async function checkIn(models: Models, input: { cadreId: string; gateId: string; at: Date; via: CheckIn['via'] }): Promise<CheckInResult> {
  const slot = await slotAt(models, input.gateId, input.cadreId, input.at);
  if (!slot)
    throw new AppError('validation_failed', `no published roster needs anyone at gate "${input.gateId}" at that time`, {
      problems: [{ field: 'at', message: 'no shift at this gate then' }],
    });
  const _id = checkInId(slot.planId, slot.gateId, slot.start, input.cadreId);
  let created = true;
  try {
    await models.CheckIn.create({
      _id,
      planId: slot.planId,
      gateId: slot.gateId,
      cadreId: input.cadreId,
      start: slot.start,
      end: slot.end,
      checkedInAt: input.at,
      checkedOutAt: null,
      via: input.via,
    });
  } catch (error) {
    if ((error as { code?: number }).code !== 11000) throw error;
    created = false;
    // Back after checking out of the same gate-shift: on duty again.
    await models.CheckIn.updateOne({ _id, checkedOutAt: { $ne: null } }, { $set: { checkedOutAt: null } });
  }
  const stored = toCheckIn(await models.CheckIn.findOne({ _id }).lean());
  if (!stored) throw new Error('a check-in just written is missing');
  return { checkIn: stored, walkIn: !slot.rostered, created, ...(await placeOf(models, slot)) };
}

/** Checks out of the latest gate-shift at this gate the person checked in for and has not left. */
export async function checkOut(models: Models, input: { cadreId: string; gateId: string; at: Date }): Promise<CheckInResult> {
  const candidates = checkOutCandidates(await liveRosters(models), input.gateId, input.at);
  const ids = candidates.map((c) => checkInId(c.planId, input.gateId, c.start, input.cadreId));
  const docs = ids.length ? await models.CheckIn.find({ _id: { $in: ids } }).lean() : [];
  const open = docs
    .map(toCheckIn)
    .filter((c): c is CheckIn => c !== null && c.checkedOutAt === null && c.checkedInAt.getTime() <= input.at.getTime())
    .sort((a, b) => b.start.getTime() - a.start.getTime())[0];
  if (!open)
    throw new AppError('validation_failed', 'not checked in at this gate now', { problems: [{ field: 'gateId', message: 'no open check-in at this gate' }] });
  const _id = checkInId(open.planId, open.gateId, open.start, open.cadreId);
  await models.CheckIn.updateOne({ _id }, { $set: { checkedOutAt: input.at } });
  const slot = (await slotAt(models, open.gateId, open.cadreId, open.start)) ?? {
    planId: open.planId,
    gateId: open.gateId,
    start: open.start,
    end: open.end,
    rostered: true,
  };
  return { checkIn: { ...open, checkedOutAt: input.at }, walkIn: !slot.rostered, created: false, ...(await placeOf(models, { ...slot, planId: open.planId })) };
}

/**
 * Every check-in of a plan. FerretDB scans the collection for this (only `_id` filters are
 * pushed down): a district week is ~15,000 documents, read once per gaps answer or page.
 */
export async function checkInsOfPlan(models: Models, planId: string): Promise<CheckIn[]> {
  const docs = await models.CheckIn.find({ planId }).lean();
  return docs.map(toCheckIn).filter((c): c is CheckIn => c !== null);
}

function toCheckIn(doc: unknown): CheckIn | null {
  if (!doc) return null;
  const d = doc as Record<string, unknown>;
  return {
    planId: String(d.planId),
    gateId: String(d.gateId),
    cadreId: String(d.cadreId),
    start: new Date(d.start as Date),
    end: new Date(d.end as Date),
    checkedInAt: new Date(d.checkedInAt as Date),
    checkedOutAt: d.checkedOutAt ? new Date(d.checkedOutAt as Date) : null,
    via: d.via === 'api' ? 'api' : 'gate',
  };
}
