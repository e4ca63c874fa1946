/**
 * Crash points of the absence re-plan, for test/crash/replan.test.ts. Same `FAULT_AT` switch
 * as src/faults.ts, kept out of its list (as src/messaging/faults.ts is): the general crash
 * harness runs every point there against uploads, publishes and solves, while these need an
 * absence that touches a published roster ahead of now.
 */
import { crashAt } from '../faults.js';

export const REPLAN_FAULT_POINTS = [
  /** The absence is recorded as accepted with a pending re-plan; its window is not written yet. */
  'absence:after-record',
  /** The re-plan round is recorded (solve id, base version); the solve is not requested yet. */
  'replan:after-round',
  /** The re-plan's roster to publish at once is stored; nothing is published yet. */
  'replan:after-split',
  /** The fill-ins are published; the absences do not yet say so. */
  'replan:after-publish',
] as const;

export type ReplanFaultPoint = (typeof REPLAN_FAULT_POINTS)[number];

export function replanFaultPoint(point: ReplanFaultPoint): void {
  crashAt(point);
}
