/**
 * Which gaps are offered to whom: a gap of a published plan whose shift starts within the
 * plan's `openShiftPolicy.offerWithinHours` is offered to every person who could take it
 * without breaking a rule (./board.ts). Volunteers and dispatched cadres see it first when
 * the policy holds it for them: village cadres carry their village's load already.
 */
import type { Models } from '../db/models.js';
import { liveState } from '../roster/live-state.js';
import { cachedBoard, openPlaces, whyNot, type ClaimBoard, type OpenPlace } from './board.js';
import { refusal, type ClaimRefusal } from './refusals.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

export interface OpenShift {
  planId: string;
  planName: string;
  /** The published version it is offered in: a claim names it. */
  version: number;
  gateId: string;
  gateName: string;
  village: string;
  town: string;
  start: Date;
  end: Date;
  needed: number;
  filled: number;
  /** Why the solver left it open. */
  reason: string;
  /** The seat a claim takes first (the next open place of the gate-shift). */
  seat: number;
  /** When it was first offered (for the hold). */
  offeredSince: Date;
}

/** The offer window of a board at `now`: shifts starting in [now, until). */
export function offerWindow(board: ClaimBoard, now: number): { from: number; until: number } | null {
  const hours = board.spec.openShiftPolicy.offerWithinHours;
  return hours > 0 ? { from: now, until: now + hours * HOUR } : null;
}

/** When a place was first offered: the later of its version's publish and the window reaching its shift. */
export function offeredSince(board: ClaimBoard, place: OpenPlace): Date {
  const windowOpens = new Date(place.gap.start).getTime() - board.spec.openShiftPolicy.offerWithinHours * HOUR;
  return new Date(Math.max(new Date(board.roster.publication.publishedAt).getTime(), windowOpens));
}

/** Held back from this person now (a village cadre during the policy's hold), with why. */
export function heldFrom(board: ClaimBoard, cadreId: string, place: OpenPlace, now: number): ClaimRefusal | null {
  const minutes = board.spec.openShiftPolicy.holdForOutsidersMinutes;
  if (minutes <= 0 || board.people.get(cadreId)?.role !== 'village_cadre') return null;
  return now < offeredSince(board, place).getTime() + minutes * MINUTE ? refusal('held') : null;
}

export function describe(board: ClaimBoard, place: OpenPlace): OpenShift {
  const gate = board.inst.gates[place.g];
  return {
    planId: board.planId,
    planName: board.planName,
    version: board.roster.publication.version,
    gateId: place.gap.gateId,
    gateName: gate?.name ?? place.gap.gateId,
    village: gate?.village ?? '',
    town: gate?.town ?? '',
    start: new Date(place.gap.start),
    end: new Date(place.gap.end),
    needed: place.gap.needed,
    filled: place.seat - 1,
    reason: place.gap.reason,
    seat: place.seat,
    offeredSince: offeredSince(board, place),
  };
}

/** Every open shift this person could claim now, soonest first (one entry per gate-shift). */
export async function openShiftsFor(models: Models, cadreId: string, now = new Date()): Promise<OpenShift[]> {
  const out: OpenShift[] = [];
  for (const planId of Object.keys((await liveState(models)).versions)) {
    const board = await cachedBoard(models, planId);
    const window = board && offerWindow(board, now.getTime());
    if (!board || !window) continue;
    const seen = new Set<string>();
    for (const place of openPlaces(board, window.from, window.until)) {
      const key = `${place.g}:${place.s}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (whyNot(board, cadreId, place.g, place.s) || heldFrom(board, cadreId, place, now.getTime())) continue;
      out.push(describe(board, place));
    }
  }
  return out.sort((a, b) => a.start.getTime() - b.start.getTime() || a.gateId.localeCompare(b.gateId));
}
