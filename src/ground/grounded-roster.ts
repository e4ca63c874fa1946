/**
 * A published roster as it stands on the ground now: its gaps with walk-ins counted and
 * no-shows added (./presence.ts), for the live version of a plan. Readers of earlier
 * versions get the roster as published: check-ins belong to the roster that is live.
 */
import type { Config } from '../config.js';
import type { Models } from '../db/models.js';
import type { StoredRoster } from '../roster/publish.js';
import { checkInsOfPlan } from './checkins.js';
import { trackedSince } from './gate-keys.js';
import { liveGaps, presenceOf, type GateShiftPresence } from './presence.js';

/** The clock and the no-show rule, from the configuration (tests pass their own clock). */
export interface GroundSettings {
  now: () => Date;
  /** NO_SHOW_AFTER_MIN in milliseconds. */
  noShowAfterMs: number;
}

export function groundSettings(config: Pick<Config, 'NO_SHOW_AFTER_MIN'>, clock: () => Date = () => new Date()): GroundSettings {
  return { now: clock, noShowAfterMs: config.NO_SHOW_AFTER_MIN * 60_000 };
}

export interface GroundedRoster<R extends StoredRoster> {
  roster: R;
  presence: Map<string, GateShiftPresence>;
}

export async function groundRoster<R extends StoredRoster>(models: Models, roster: R, settings: GroundSettings): Promise<GroundedRoster<R>> {
  const [checkIns, since] = await Promise.all([
    checkInsOfPlan(models, roster.planId),
    trackedSince(
      models,
      roster.gates.map((g) => g.id),
    ),
  ]);
  const presence = presenceOf(roster, checkIns, { now: settings.now(), noShowAfterMs: settings.noShowAfterMs, trackedSince: since });
  if (!checkIns.length && !since.size) return { roster, presence };
  const names = new Map(roster.cadres.map((c) => [c.id, c.name]));
  const gaps = liveGaps(roster, presence, (id) => names.get(id) ?? id, settings.noShowAfterMs);
  return { roster: { ...roster, gaps }, presence };
}
