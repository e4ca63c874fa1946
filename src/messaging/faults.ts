/**
 * Crash points of message delivery, for test/crash/messaging.test.ts. They use the same
 * `FAULT_AT` switch as src/faults.ts but are kept out of its list: the general crash harness
 * runs every point there against uploads, publishes and solves, while these need a robot to
 * send to, which the messaging crash test provides.
 */
import { crashAt } from '../faults.js';

export const DELIVERY_FAULT_POINTS = [
  /** A part is marked `sending` under the channel's lease; nothing is posted yet. */
  'deliver:after-mark-sending',
  /** The robot has answered errcode 0; the part is not yet marked sent. */
  'deliver:after-post',
] as const;

export type DeliveryFaultPoint = (typeof DELIVERY_FAULT_POINTS)[number];

export function deliveryFaultPoint(point: DeliveryFaultPoint): void {
  crashAt(point);
}
