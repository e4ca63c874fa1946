/**
 * The visit-list generator's input and output: plain data, no HTTP, no database. The route
 * that serves lists (and keeps each squad to its own) maps stored gates, squads and spot
 * checks into {@link VisitInput} and stores the {@link VisitPlan} it gets back.
 */
import type { PlanSpec } from '../domain/plan.js';
import type { Gate } from '../domain/types.js';
import type { RandomSource } from './random.js';

/** What the generator needs of a gate: where it is, and when it is staffed. */
export type VisitGate = Pick<Gate, 'id' | 'village' | 'town' | 'coverFrom' | 'coverTo' | 'activeFrom' | 'activeTo'>;

/** An inspection squad (监督小分队) and where it may go: a list of towns, or the whole district. */
export interface Squad {
  id: string;
  scope: 'district' | readonly string[];
}

/** The plan's shift pattern: visit days start with the first shift, nights are its night shifts. */
export type ShiftLayout = Pick<PlanSpec, 'timezone' | 'shiftHours' | 'firstShiftStart'>;

/** One past visit (a spot check made, or a planned visit the caller counts as made). */
export interface PastVisit {
  gateId: string;
  at: Date;
}

export interface VisitInput {
  /** The visit day, local `YYYY-MM-DD`; it runs from the plan's first shift start for 24 h. */
  date: string;
  gates: readonly VisitGate[];
  squads: readonly Squad[];
  layout: ShiftLayout;
  /** Visits so far; only those before `date` count, only the latest per gate matters. */
  history: readonly PastVisit[];
  /** K: every gate is visited at least once in every K consecutive visit days. Default 3. */
  windowDays?: number;
  /** Share of the day's visits made at night (see {@link VisitPlan.nightHours}). Default 0.25. */
  nightShare?: number;
  /** Default: {@link cryptoRandom}, so no gate can predict its visit; pass a seeded source in tests. */
  random?: RandomSource;
  /**
   * First day of the visiting programme: a gate with no past visit counts as last visited the
   * day before this day (or before its own `activeFrom`, if later), so its first K-day
   * window starts there. Default `date`.
   */
  startedOn?: string;
  /**
   * Optional cap on the district's visits a day, as visits per squad. Unset, the generator
   * makes as many visits as uniformly random intervals need (about 2N/(K+1) a day for N
   * gates); a cap lowers the load at the price of intervals bunching at K (more predictable).
   * Gates at the end of their K-day window are visited even beyond the cap.
   */
  maxVisitsPerSquadDay?: number;
}

/** One gate to visit: arrive some time within [start, end). */
export interface PlannedVisit {
  gateId: string;
  village: string;
  town: string;
  start: Date;
  end: Date;
  /** Local `HH:mm` of start and end, for the printed list. */
  localStart: string;
  localEnd: string;
  /** Inside the plan's night hours ({@link VisitPlan.nightHours}). */
  night: boolean;
  /** True when today is the last day of this gate's K-day window. Tell no one at the gate. */
  due: boolean;
}

/** One squad's list, in the order to visit: by window, gates of one village together. */
export interface SquadVisitList {
  squadId: string;
  visits: PlannedVisit[];
}

/** A gate that had to be visited today but could not be put on any list, and why. */
export interface UnplannedGate {
  gateId: string;
  reason: 'no_squad_in_scope' | 'no_free_window';
}

export interface VisitPlan {
  date: string;
  /** The visit day as instants: the plan's first shift start, and 24 h later. */
  dayStart: Date;
  dayEnd: Date;
  /** Local windows counted as night, e.g. `['00:00-06:00']`. */
  nightHours: string[];
  /** One list per squad, in input order (an idle squad gets an empty list). */
  lists: SquadVisitList[];
  /** Due gates left off every list; empty when every squad scope and cover window allows. */
  unplanned: UnplannedGate[];
}
