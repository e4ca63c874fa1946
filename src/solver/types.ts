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
  /** What lies outside this solve and binds it: duty elsewhere, weekly blocks, the campaign to date. */
  context?: SolveContext;
}

/** A shift a person stands outside this solve (another plan, or this plan's ended days). */
export interface FixedDuty {
  cadreId: string;
  start: Date;
  end: Date;
}

/** What a person already carried in the campaign (before or beside this solve), for cumulative fairness. */
export interface PriorLoad {
  cadreId: string;
  hours: number;
  nights: number;
  /**
   * Hours offered over the same period (available where a gate they may serve needed someone),
   * per 7-day block as the week anchor counts them, block 0 being the plan's first. A block the
   * plan shares is capped by the person's weekly cap together with the plan's own offered time.
   */
  offeredByWeek: { week: number; hours: number }[];
}

/**
 * The edges of a solve. Fixed duty holds every per-person rule across the edge: nobody at two
 * places at once, minimum rest, the 24 h cap, the weekly cap and consecutive nights count it as
 * if it were part of the roster. `prior` makes fairness cumulative: loads are compared as
 * prior + this roster, in proportion to prior + this plan's offered time in proportional mode.
 */
export interface SolveContext {
  fixedDuty?: FixedDuty[];
  /** Local date from which the 7-day blocks of the weekly cap are counted (a campaign's start); default the plan's start. */
  weekAnchor?: string;
  prior?: PriorLoad[];
}

/** The LP engines the solver can use. */
export type EngineName = 'highs' | 'jslp';

/** Progress of a solve, for a job's status page. */
export interface SolveProgress {
  phase: string;
  fraction: number;
}

/** How to run one solve. */
export interface SolveOptions {
  /** Overrides `plan.engine`; default HiGHS. */
  engine?: EngineName;
  /** Wall-clock budget (default plan.deadlineSeconds, else 60 s); on expiry the best roster so far comes back with status `deadline`. */
  deadlineMs?: number;
  onProgress?: (p: SolveProgress) => void;
  /** Solve the whole district as one model (benchmark comparison only). */
  monolithic?: boolean;
  /**
   * On a re-plan, how long the MILP that moves others to fill more places may take (default:
   * up to the deadline; 0 = direct fills only). Absence re-plans give it 500 ms: their
   * fill-ins are published at once, and at district scale the MILP ran 1.4-2.8 s (once 60 s)
   * for a place or two; past the budget the direct fills stand. With a budget, plans too large
   * to be one model get direct fills only, and a plan small enough to be one model runs its
   * MILP to the deadline (a wall-clock cut made its roster depend on the machine's load; see
   * stages/replan.ts).
   */
  moveBudgetMs?: number;
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
  /** Hours offered in this plan (available where an eligible gate needs someone, within weekly caps). */
  offeredHours: number;
  /** With a campaign: this plan added to what the person already carried (context.prior). */
  toDate?: { hours: number; nights: number; offeredHours: number };
}

/** Spread of load per offered hour, over people who offered at least 24 h. */
export interface LoadSpread {
  people: number;
  /** Hours worked per hour offered. */
  hoursPerOffered: { min: number; median: number; max: number };
  /** max / min of hoursPerOffered (1 = perfectly proportional; null when min is 0). */
  ratio: number | null;
}

/** How the upper bound on fillable places was obtained. */
export interface UpperBound {
  value: number;
  /** e.g. `per-village coverage MILP + max-flow of people spanning villages`. */
  method: string;
}

/** How the lower bound on lead shortfalls was obtained: no roster has fewer. */
export interface LowerBound {
  value: number;
  method: string;
}

/** Wall time of one stage of a solve. */
export interface StageTiming {
  name: string;
  ms: number;
}

/** Figures about one roster; JSON-friendly. Counts are places (person-shifts) unless named hours. */
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
  /** Shifts worked inside a person's preferred windows, of all preferred person-shifts offered. */
  preferencesMet: { preferredShiftsWorked: number; preferredShiftsOffered: number };
  /** Re-plan only: against `input.previous`; otherPeopleChanged counts people who lost or moved a shift they could have kept. */
  changesVsPrevious: { kept: number; removed: number; added: number; otherPeopleChanged: number } | null;
  /** Single shifts that could move from someone 2+ shifts heavier to an eligible colleague (with a campaign: heavier to date). */
  fixableImbalances: number;
  /** This plan's hours per offered hour. */
  loadSpread?: LoadSpread;
  /** With a campaign (context.prior): the same figures for the campaign to date, this plan included. */
  campaign?: { loadSpread: LoadSpread; hours: { min: number; median: number; max: number }; nights: { min: number; median: number; max: number } };
  /** Gate-shifts needing a lead (village cadre) that have none. */
  leadShortfalls: number;
  /** Proven: no roster of maximum cover has fewer lead shortfalls than this (equal to leadShortfalls = fewest possible given maximum cover). */
  leadBound?: LowerBound;
  solveMs: number;
  engine: EngineName;
  /** Number of independent subproblems solved. */
  subproblems: number;
  /** Wall time per stage (index, villages, towns, district, leads, fairness, report). */
  stages?: StageTiming[];
  /** What a planner should know about how the solve went (e.g. a block refused by the engine). */
  notes?: string[];
}

/**
 * A solve's answer. `optimal`: filled places equal the proven upper bound; `feasible`: a
 * valid roster whose coverage is not proven maximal; `deadline`: time ran out, this is the
 * best roster found so far. Every status carries a complete, rule-abiding roster.
 */
export interface SolveResult {
  status: 'optimal' | 'feasible' | 'deadline';
  assignments: Assignment[];
  gaps: Gap[];
  pinConflicts: PinConflict[];
  metrics: SolveMetrics;
  /** Hours each person offered per day of the plan: what a campaign's later plans count as offered to date. */
  offered: OfferedLedger;
}

/**
 * Hours offered per person and local day (available where a gate they may serve needed
 * someone; before weekly caps, which whoever sums days applies per block).
 */
export interface OfferedLedger {
  /** Local date of index 0. */
  start: string;
  byPerson: Record<string, number[]>;
}
