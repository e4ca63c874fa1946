/**
 * The solver's contract with the rest of the system: plain data in, plain data out.
 */
import type { PlanSpec } from '../domain/plan.js';
import type { Assignment, Gap } from '../domain/roster.js';
import type { AvailabilityWindow, Cadre, Gate } from '../domain/types.js';

/** A planner's pin: this person stands this gate-shift (start = the shift's start instant). */
export interface Pin {
  cadreId: string;
  gateId: string;
  start: Date;
}

/** Everything one solve reads. */
export interface SolveInput {
  plan: PlanSpec;
  gates: Gate[];
  cadres: Cadre[];
  availability: AvailabilityWindow[];
  pins: Pin[];
  /** The currently published roster; a re-plan changes as little of it as it can. */
  previous?: Assignment[];
}

export type EngineName = 'highs' | 'jslp';

/** Progress of a solve, for a job's status page. */
export interface SolveProgress {
  phase: string;
  fraction: number;
}

export interface SolveOptions {
  engine?: EngineName;
  /** Wall-clock budget; on expiry the best roster so far comes back with status `deadline`. */
  deadlineMs?: number;
  onProgress?: (p: SolveProgress) => void;
  /** Solve the whole district as one model (benchmark comparison only). */
  monolithic?: boolean;
}

/** A pin the solver could not keep, and the rule it breaks. */
export interface PinConflict {
  pin: Pin;
  /** Machine name of the rule, e.g. `availability`, `minRest`, `locality`. */
  rule: string;
  message: string;
}

/** Per-person load against their fair share. */
export interface PersonLoad {
  cadreId: string;
  hours: number;
  nights: number;
  /** Hours this person would work if the filled hours were spread by the plan's fairness mode. */
  fairShareHours: number;
}

/** How the upper bound on fillable places was obtained. */
export interface UpperBound {
  value: number;
  /** e.g. `per-village coverage MILP + max-flow of people spanning villages`. */
  method: string;
}

export interface SolveMetrics {
  placesNeeded: number;
  placesFilled: number;
  upperBound: UpperBound;
  /** (upperBound - filled) / upperBound; 0 = coverage proven optimal. */
  optimalityGap: number;
  perPerson: PersonLoad[];
  /** Over people who could have worked at least one shift. */
  hours: { min: number; median: number; max: number; gini: number };
  nights: { min: number; median: number; max: number };
  preferencesMet: { preferredShiftsWorked: number; preferredShiftsOffered: number };
  changesVsPrevious: { kept: number; removed: number; added: number; otherPeopleChanged: number } | null;
  /** Single shifts that could move from someone 2+ shifts heavier to an eligible colleague. */
  fixableImbalances: number;
  leadShortfalls: number;
  solveMs: number;
  engine: EngineName;
  /** Number of independent subproblems solved. */
  subproblems: number;
}

export interface SolveResult {
  status: 'optimal' | 'feasible' | 'deadline';
  assignments: Assignment[];
  gaps: Gap[];
  pinConflicts: PinConflict[];
  metrics: SolveMetrics;
}
