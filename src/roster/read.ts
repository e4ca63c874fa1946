/**
 * Reading rosters: published versions, drafts, gaps, the daily report and diffs. The
 * caller's scope is applied here, once: a village head sees only their villages, a person
 * only their own shifts, and drafts and metrics are for planners. What the ground adds (live
 * gaps, its report figures) is read one floor up, in src/ground/grounded-read.ts.
 */
import type { Principal } from '../auth/tokens.js';
import type { Models } from '../db/models.js';
import type { Assignment, Gap, GapReason } from '../domain/roster.js';
import type { Cadre, Gate, Role } from '../domain/types.js';
import { isoWithOffset } from '../domain/time.js';
import type { SolveMetrics } from '../solver/index.js';
import { AppError } from '../errors.js';
import { dailyReport, filterRoster, gapsToCsv, rosterDiff, rosterToCsv, type RosterDiff, type RosterFilter } from './views/index.js';
import { loadRoster, publishedRoster, requirePublished, type PublishedRoster, type StoredRoster } from './publish.js';
import type { DailyReport } from './views/daily-report.js';

export type RosterQuery = Omit<RosterFilter, 'villages'> & { version?: number };

/**
 * A roster query that may also narrow to several villages (the console's review pages, a
 * page of villages at a time). A village head's scope still replaces it (see `scoped`).
 */
export type VillagesQuery = RosterQuery & { villages?: readonly string[] };

/** One assignment as clients read it: instants as ISO 8601 with the plan's offset, names attached. */
export interface AssignmentView {
  cadreId: string;
  cadreName: string;
  /** Empty when the person is no longer known. */
  role: Role | '';
  gateId: string;
  gateName: string;
  village: string;
  town: string;
  start: string;
  end: string;
  pinned: boolean;
}

export interface GapView {
  gateId: string;
  gateName: string;
  village: string;
  town: string;
  start: string;
  end: string;
  needed: number;
  filled: number;
  reason: GapReason;
  detail: string;
  detailZh: string;
}

/** A pin the solver could not keep, with its instant as text. */
export interface PinConflictView {
  pin: { cadreId: string; gateId: string; start: string };
  rule: string;
  message: string;
}

/** A roster as clients read it; every instant carries the plan's offset. */
export interface RosterView {
  planId: string;
  version: number | null;
  /** Planners only. */
  solveId?: string;
  publishedAt: string | null;
  timezone: string;
  assignments: AssignmentView[];
  gaps: GapView[];
  /** Planners only. */
  metrics?: SolveMetrics;
  /** Planners only. */
  pinConflicts?: PinConflictView[];
}

/** A published version as the caller may read it. The ground's live view: src/ground/grounded-read.ts. */
export async function readPublishedRoster(models: Models, principal: Principal, planId: string, query: VillagesQuery): Promise<ScopedRosterView> {
  return scopedRosterView(await requirePublished(models, planId, query.version), principal, planId, query);
}

export interface ScopedRosterView {
  view: RosterView;
  csv: () => string;
  gapsCsv: () => string;
}

/** A roster (as published, or as a higher layer decorated it) read in the caller's scope. */
export function scopedRosterView(roster: PublishedRoster, principal: Principal, planId: string, query: VillagesQuery): ScopedRosterView {
  const rows = scoped(roster, principal, query);
  const view: RosterView = {
    planId,
    version: roster.publication.version,
    ...(principal.role === 'planner' ? { solveId: roster.solveId } : {}),
    publishedAt: isoWithOffset(new Date(roster.publication.publishedAt), roster.timezone),
    timezone: roster.timezone,
    ...toViews(roster, rows),
    ...(principal.role === 'planner' ? plannerFigures(roster) : {}),
  };
  return { view, ...csvOf(roster, rows) };
}

/** A solve's draft roster: planners only (checked by the route). */
export async function readDraftRoster(
  models: Models,
  solveId: string,
  query: VillagesQuery,
): Promise<{ view: RosterView; csv: () => string; gapsCsv: () => string }> {
  const roster = await loadRoster(models, solveId);
  const rows = filterRoster(roster, gateIndex(roster), query);
  const view: RosterView = {
    planId: roster.planId,
    version: null,
    solveId,
    publishedAt: null,
    timezone: roster.timezone,
    ...toViews(roster, rows),
    ...plannerFigures(roster),
  };
  return { view, ...csvOf(roster, rows) };
}

/**
 * The daily report of a published version in the caller's scope, with the roster and gates it
 * counted (src/ground/grounded-read.ts adds the ground's figures).
 */
export async function readDailyReport(
  models: Models,
  principal: Principal,
  planId: string,
  date: string,
  version?: number,
): Promise<{ roster: PublishedRoster; gates: Gate[]; report: DailyReport }> {
  if (principal.role !== 'planner' && principal.role !== 'village_head') throw new AppError('forbidden', 'the daily report is for planners and village heads');
  const roster = await requirePublished(models, planId, version);
  const rows = scoped(roster, principal, {});
  const gates = principal.role === 'village_head' ? roster.gates.filter((g) => principal.villages.includes(g.village)) : roster.gates;
  return { roster, gates, report: dailyReport(rows, gates, roster.cadres as Cadre[], date, roster.timezone) };
}

/** A diff as clients read it: shifts shown like roster rows (offset instants, names). */
export interface DiffView {
  from: number;
  to: number;
  people: { cadreId: string; gained: AssignmentView[]; lost: AssignmentView[]; unchanged: number }[];
  totals: RosterDiff['totals'];
}

export async function readDiff(models: Models, principal: Principal, planId: string, from: number, to: number): Promise<DiffView> {
  const [a, b] = await Promise.all([requirePublished(models, planId, from), requirePublished(models, planId, to)]);
  const diff = rosterDiff(scoped(a, principal, {}).assignments, scoped(b, principal, {}).assignments);
  // Gained shifts are named as in `to`, lost ones as in `from` (a person or gate may be gone).
  const people = diff.people.map((p) => ({
    ...p,
    gained: toViews(b, { assignments: p.gained, gaps: [] }).assignments,
    lost: toViews(a, { assignments: p.lost, gaps: [] }).assignments,
  }));
  return { from, to, people, totals: diff.totals };
}

function scoped(roster: StoredRoster, principal: Principal, query: RosterQuery): { assignments: Assignment[]; gaps: Gap[] } {
  const filter: RosterFilter = { ...query };
  // Filters only narrow what the token may see: one naming a village or person outside it
  // matches nothing (as for the directory's lists), it is not refused.
  if (principal.role === 'village_head') filter.villages = principal.villages;
  if (principal.role === 'cadre') {
    filter.cadreId = query.cadreId === undefined || query.cadreId === principal.cadreId ? (principal.cadreId ?? '\u0000') : '\u0000';
  }
  return filterRoster(roster, gateIndex(roster), filter);
}

function toViews(roster: StoredRoster, rows: { assignments: Assignment[]; gaps: Gap[] }): Pick<RosterView, 'assignments' | 'gaps'> {
  const gates = gateIndex(roster);
  const cadres = new Map(roster.cadres.map((c) => [c.id, c]));
  const at = (d: Date) => isoWithOffset(new Date(d), roster.timezone);
  return {
    assignments: rows.assignments.map((a) => {
      const gate = gates.get(a.gateId);
      const cadre = cadres.get(a.cadreId);
      return {
        cadreId: a.cadreId,
        cadreName: cadre?.name ?? '',
        role: cadre?.role ?? '',
        gateId: a.gateId,
        gateName: gate?.name ?? '',
        village: gate?.village ?? '',
        town: gate?.town ?? '',
        start: at(a.start),
        end: at(a.end),
        pinned: a.pinned,
      };
    }),
    gaps: rows.gaps.map((g) => {
      const gate = gates.get(g.gateId);
      return {
        gateId: g.gateId,
        gateName: gate?.name ?? '',
        village: gate?.village ?? '',
        town: gate?.town ?? '',
        start: at(g.start),
        end: at(g.end),
        needed: g.needed,
        filled: g.filled,
        reason: g.reason,
        detail: g.detail,
        detailZh: g.detailZh,
      };
    }),
  };
}

/** Metrics and pin conflicts, for planners; instants in the plan's offset. */
function plannerFigures(roster: StoredRoster): Pick<RosterView, 'metrics' | 'pinConflicts'> {
  return {
    metrics: roster.metrics,
    pinConflicts: roster.pinConflicts.map((c) => ({
      pin: { cadreId: c.pin.cadreId, gateId: c.pin.gateId, start: isoWithOffset(new Date(c.pin.start), roster.timezone) },
      rule: c.rule,
      message: c.message,
    })),
  };
}

function csvOf(roster: StoredRoster, rows: { assignments: Assignment[]; gaps: Gap[] }): { csv: () => string; gapsCsv: () => string } {
  const gates = gateIndex(roster);
  const cadres = new Map(roster.cadres.map((c) => [c.id, { ...c, phone: null }]));
  return { csv: () => rosterToCsv(rows.assignments, gates, cadres, roster.timezone), gapsCsv: () => gapsToCsv(rows.gaps, gates, roster.timezone) };
}

function gateIndex(roster: StoredRoster): Map<string, Gate> {
  return new Map(roster.gates.map((g) => [g.id, g]));
}

/** What publishing a draft would change against the current version (planners; the console's confirmation). */
export interface DraftDiffView {
  /** The current version, or null when nothing is published yet (then everything is gained). */
  published: number | null;
  /** The draft is the current version's own solve: publishing it again changes nothing. */
  alreadyCurrent: boolean;
  people: DiffView['people'];
  totals: RosterDiff['totals'];
}

export async function readDraftDiff(models: Models, planId: string, solveId: string): Promise<DraftDiffView> {
  const [draft, current] = await Promise.all([loadRoster(models, solveId), publishedRoster(models, planId)]);
  if (draft.planId !== planId) throw new AppError('not_found', 'that solve belongs to another plan');
  const diff = rosterDiff(current?.assignments ?? [], draft.assignments);
  const people = diff.people.map((p) => ({
    ...p,
    gained: toViews(draft, { assignments: p.gained, gaps: [] }).assignments,
    lost: current ? toViews(current, { assignments: p.lost, gaps: [] }).assignments : [],
  }));
  return { published: current?.publication.version ?? null, alreadyCurrent: current?.solveId === solveId, people, totals: diff.totals };
}
