/**
 * Crash points of the claims round (./rounds.ts), for test/crash/claims.test.ts. Same
 * `FAULT_AT` switch as src/faults.ts, kept out of its list: they need a published plan with
 * an open shift and a claim (or a published shift and a swap).
 */
import { crashAt } from '../faults.js';

export const CLAIM_FAULT_POINTS = [
  /** The claim is inserted (pending); no round has taken it yet. */
  'claim:after-insert',
  /** The round's roster is stored and the round recorded; nothing is published yet. */
  'claim:after-round',
  /** The claims are published; the claims do not yet say so. */
  'claim:after-publish',
] as const;

/** A swap passes the same round (./rounds.ts) after its own write. */
export const SWAP_FAULT_POINTS = [
  /** The swap is accepted (its taker step inserted); no round has taken it yet. */
  'swap:after-accept',
  'claim:after-round',
  'claim:after-publish',
] as const;

export type ClaimFaultPoint = (typeof CLAIM_FAULT_POINTS)[number] | (typeof SWAP_FAULT_POINTS)[number];

export function claimFaultPoint(point: ClaimFaultPoint): void {
  crashAt(point);
}
