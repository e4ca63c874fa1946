/** Pure views of a roster: filters, CSV, the daily report and version diffs. */
export { filterRoster, type RosterFilter, type RosterRows } from './filter.js';
export { rosterToCsv, gapsToCsv, ROSTER_CSV_COLUMNS, GAPS_CSV_COLUMNS } from './roster-csv.js';
export { csvCell, toCsv, UTF8_BOM, type CsvCell } from './csv.js';
export { dailyReport, type DailyReport, type TownReport, type VillageReport, type CoverageFigures } from './daily-report.js';
export { rosterDiff, type RosterDiff, type PersonDiff } from './roster-diff.js';
export { gateShiftKey, assignmentKey, indexById, missingSeats, gapsByGateShift } from '../../domain/keys.js';
