/**
 * Crash points of the roll (./roll-protocol.ts), for test/crash/roll.test.ts. Same `FAULT_AT`
 * switch as src/faults.ts, kept out of its list: they need a published plan to roll.
 */
import { crashAt } from '../faults.js';

export const ROLL_FAULT_POINTS = [
  /** The round is recorded (new days, freeze instant, solve id); the plan's days are not moved yet. */
  'roll:after-round',
  /** The plan's days are moved; the solve may not be requested yet. */
  'roll:after-extend',
  /** The roll's roster is published; the round does not say so yet. */
  'roll:after-publish',
] as const;

export type RollFaultPoint = (typeof ROLL_FAULT_POINTS)[number];

export function rollFaultPoint(point: RollFaultPoint): void {
  crashAt(point);
}
