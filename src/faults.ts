/**
 * Crash injection for the crash harness (test/crash). With `FAULT_AT=<point>` in the
 * environment, the process kills itself with SIGKILL the moment it reaches that named point,
 * exactly as a power cut would stop it there: no finally blocks, no flushing.
 *
 * Every step of a crash-safe protocol that writes calls `faultPoint` with its name; the list
 * below is the set the harness runs, so adding a step means adding its name here.
 */
export const FAULT_POINTS = [
  'upload:after-lease',
  'upload:after-stage',
  'upload:after-journal',
  'upload:after-delete',
  'upload:after-insert',
  'upload:after-rev',
  'publish:after-lease',
  'publish:after-publication',
  'publish:after-feeds-batch',
  'publish:after-outbox',
  'publish:after-commit',
  'publish:after-plan-cache',
  'solve:after-claim',
  'solve:after-roster',
  'solve:after-finish',
] as const;

export type FaultPoint = (typeof FAULT_POINTS)[number];

const armed = process.env.FAULT_AT;

export function faultPoint(point: FaultPoint): void {
  crashAt(point);
}

/**
 * The switch itself, for the lists of crash points kept beside their protocols (delivery,
 * absence re-plan, roll): their points need a scenario of their own, so the general
 * harness above does not run them.
 */
export function crashAt(point: string): void {
  if (armed === point) process.kill(process.pid, 'SIGKILL');
}
