/**
 * A roster: the solver's answer and what gets published. Plain data shared by the solver,
 * the publish workflow, feeds, reports and pages.
 */

/** One person on duty at one gate for one shift. */
export interface Assignment {
  cadreId: string;
  gateId: string;
  start: Date;
  end: Date;
  /** Kept because a planner pinned it. */
  pinned: boolean;
  /** Set where assignments of several plans are mixed (a person's feed spans every plan). */
  planId?: string;
}

/**
 * Why a place at a gate-shift stayed empty, most specific first:
 * - `no_one_eligible`: nobody may serve this gate at all (locality)
 * - `no_one_available`: every eligible person is unavailable (or not night-capable) then
 * - `busy_elsewhere`: those available are all on duty at another gate at that time
 * - `eligible_at_hour_cap`: those free would exceed their weekly or 24 h hour cap
 * - `rest_rule`: those free would break the minimum rest or consecutive-night rule
 * - `no_lead_available`: the gate needs a village cadre and none could be placed
 * - `deadline`: the solve ran out of time before this place was decided
 * - `no_show`: filled in the roster, but nobody checked in a while after the shift started
 *   (never written by the solver: added when a published roster is read live, src/ground/)
 */
export type GapReason =
  'no_one_eligible' | 'no_one_available' | 'busy_elsewhere' | 'eligible_at_hour_cap' | 'rest_rule' | 'no_lead_available' | 'deadline' | 'no_show';

export const GAP_REASONS: readonly GapReason[] = [
  'no_one_eligible',
  'no_one_available',
  'busy_elsewhere',
  'eligible_at_hour_cap',
  'rest_rule',
  'no_lead_available',
  'deadline',
  'no_show',
];

/** A gate-shift with fewer people than it needs (缺口). */
export interface Gap {
  gateId: string;
  start: Date;
  end: Date;
  needed: number;
  filled: number;
  reason: GapReason;
  /** One sentence a planner can act on, e.g. "3 eligible, all at their 48 h weekly cap". */
  detail: string;
  /** The same sentence in Chinese, for village heads (e.g. "可派驻人员共3人：3人已达每周或24小时工时上限。"). */
  detailZh: string;
}
