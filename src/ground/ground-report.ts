/**
 * The ground's part of the daily report (一日一报), per village, town and district. Pure.
 *
 * Counting rules (gate-shifts belong to the local day they start on, as in the report):
 * - `placesPlanned`: rostered places; `checkedIn`: of those, with a check-in (late ones too);
 *   `noShows`: of those, no-shows now (./presence.ts: only at gates with a check-in code,
 *   from NO_SHOW_AFTER_MIN after the start); `walkIns`: check-ins by people not rostered there.
 * - `inspections` and `problemsFound`: spot checks made that day and their problems;
 *   `problemsFixed`: of those, fixed (on the spot or marked since); `problemsOpen`: problems
 *   of inspections up to the day's end still open when the report is read, whatever day they
 *   were found, since an open problem is followed until fixed.
 */
import type { Gate } from '../domain/types.js';
import type { DailyReport, TownReport, VillageReport } from '../roster/views/daily-report.js';
import type { Inspection } from './inspections.js';
import type { GateShiftPresence } from './presence.js';

export interface GroundFigures {
  placesPlanned: number;
  checkedIn: number;
  noShows: number;
  walkIns: number;
  inspections: number;
  problemsFound: number;
  problemsFixed: number;
  problemsOpen: number;
}

type WithGround<T> = T & { ground: GroundFigures };

/** The daily report with the ground's figures beside the roster's. */
export interface GroundedDailyReport extends Omit<DailyReport, 'towns' | 'district'> {
  towns: (WithGround<Omit<TownReport, 'villages'>> & { villages: WithGround<VillageReport>[] })[];
  district: WithGround<DailyReport['district']>;
}

export function emptyGround(): GroundFigures {
  return { placesPlanned: 0, checkedIn: 0, noShows: 0, walkIns: 0, inspections: 0, problemsFound: 0, problemsFixed: 0, problemsOpen: 0 };
}

export function groundReport(
  report: DailyReport,
  gates: readonly Gate[],
  presence: Iterable<GateShiftPresence>,
  inspections: readonly Inspection[],
): GroundedDailyReport {
  const villageOf = new Map(gates.map((g) => [g.id, g.village]));
  const byVillage = new Map<string, GroundFigures>();
  const of = (village: string | undefined): GroundFigures | undefined => {
    if (village === undefined) return undefined;
    let figures = byVillage.get(village);
    if (!figures) byVillage.set(village, (figures = emptyGround()));
    return figures;
  };
  const start = report.dayStart.getTime();
  const end = report.dayEnd.getTime();
  const today = (d: Date) => d.getTime() >= start && d.getTime() < end;
  for (const shift of presence) {
    const figures = of(villageOf.get(shift.gateId));
    if (!figures || !today(shift.start)) continue;
    figures.placesPlanned += shift.rostered.length;
    figures.checkedIn += shift.rostered.filter((r) => r.state === 'checked_in').length;
    figures.noShows += shift.rostered.filter((r) => r.state === 'no_show').length;
    figures.walkIns += shift.walkIns.length;
  }
  for (const inspection of inspections) {
    const figures = of(inspection.village);
    if (!figures || inspection.at.getTime() >= end) continue;
    figures.problemsOpen += inspection.problems.filter((p) => p.open).length;
    if (!today(inspection.at)) continue;
    figures.inspections += 1;
    figures.problemsFound += inspection.problems.length;
    figures.problemsFixed += inspection.problems.filter((p) => !p.open).length;
  }
  const sum = (list: readonly GroundFigures[]): GroundFigures =>
    list.reduce(
      (a, b) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v + b[k as keyof GroundFigures]])) as unknown as GroundFigures,
      emptyGround(),
    );
  const towns = report.towns.map((town) => {
    const villages = town.villages.map((v) => ({ ...v, ground: byVillage.get(v.village) ?? emptyGround() }));
    return { ...town, ground: sum(villages.map((v) => v.ground)), villages };
  });
  return { ...report, towns, district: { ...report.district, ground: sum(towns.map((t) => t.ground)) } };
}
