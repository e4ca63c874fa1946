/**
 * Rosters as they stand on the ground, read one floor above the roster's read model
 * (src/roster/read.ts): the live version's gaps with no-shows added and places walk-ins
 * filled, and the daily report with the ground's figures. The roster reads; the ground
 * decorates, so the roster never names the ground (docs/architecture.md).
 */
import type { Principal } from '../auth/tokens.js';
import type { Models } from '../db/models.js';
import { instantsAsText, type InstantsAsText } from '../domain/time.js';
import { livePublishedVersion } from '../roster/live-state.js';
import { requirePublished } from '../roster/publish.js';
import { readDailyReport, scopedRosterView, type ScopedRosterView, type VillagesQuery } from '../roster/read.js';
import { groundReport, type GroundedDailyReport } from './ground-report.js';
import { groundRoster, type GroundSettings } from './grounded-roster.js';
import { listInspections } from './inspections.js';
import type { GateShiftPresence } from './presence.js';

/**
 * With `ground`, the live version's gaps are as they stand now: no-shows added and places
 * walk-ins filled; an earlier version is read as it was published.
 */
export async function readGroundedRoster(
  models: Models,
  principal: Principal,
  planId: string,
  query: VillagesQuery,
  ground?: GroundSettings,
): Promise<ScopedRosterView & { presence?: Map<string, GateShiftPresence> }> {
  const published = await requirePublished(models, planId, query.version);
  const live = query.version === undefined || query.version === (await livePublishedVersion(models, planId));
  const grounded = ground && live ? await groundRoster(models, published, ground) : null;
  return { ...scopedRosterView(grounded?.roster ?? published, principal, planId, query), ...(grounded ? { presence: grounded.presence } : {}) };
}

/** The daily report, with the ground's figures (./ground-report.ts), its day's bounds as text in the plan's offset. */
export type DailyReportView = InstantsAsText<GroundedDailyReport>;

export async function readGroundedReport(
  models: Models,
  principal: Principal,
  planId: string,
  date: string,
  version?: number,
  ground?: GroundSettings,
): Promise<DailyReportView> {
  const { roster, gates, report } = await readDailyReport(models, principal, planId, date, version);
  const [grounded, inspections] = await Promise.all([ground ? groundRoster(models, roster, ground) : null, listInspections(models, principal, {})]);
  return instantsAsText(groundReport(report, gates, grounded?.presence.values() ?? [], inspections), roster.timezone);
}
