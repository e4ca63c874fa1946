/**
 * The daily report (一日一报) as an office sends it upward: an xlsx with a summary sheet (a
 * row per town and the district) and a sheet per town (a row per village and the town's
 * total), and the same rows as CSV. The columns are one list, so both say the same.
 */
import ExcelJS from 'exceljs';
import type { DailyReportView } from './grounded-read.js';
import { toCsv, type CsvCell } from '../roster/views/csv.js';

type Figures = DailyReportView['district'];
type Row = Omit<Figures, 'hoursByRole'>;

const COLUMNS: { title: string; value: (r: Row) => CsvCell }[] = [
  { title: '需要人次', value: (r) => r.placesNeeded },
  { title: '已排人次', value: (r) => r.placesFilled },
  { title: '排班覆盖率%', value: (r) => r.percentCovered },
  { title: '缺口班次', value: (r) => r.gaps },
  { title: '缺口工时', value: (r) => r.gapHours },
  { title: '值守工时', value: (r) => r.hoursWorked },
  { title: '应到人次', value: (r) => r.ground.placesPlanned },
  { title: '已签到', value: (r) => r.ground.checkedIn },
  { title: '未到岗', value: (r) => r.ground.noShows },
  { title: '临时到岗', value: (r) => r.ground.walkIns },
  { title: '督查次数', value: (r) => r.ground.inspections },
  { title: '发现问题', value: (r) => r.ground.problemsFound },
  { title: '已整改', value: (r) => r.ground.problemsFixed },
  { title: '未整改', value: (r) => r.ground.problemsOpen },
];

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export async function reportXlsx(report: DailyReportView): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = (name: string, title: string, firstColumn: string, rows: [string, Row][]) => {
    const ws = book.addWorksheet(name, { pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
    ws.addRow([title]).font = { bold: true, size: 14 };
    ws.mergeCells(1, 1, 1, COLUMNS.length + 1);
    ws.addRow([firstColumn, ...COLUMNS.map((c) => c.title)]).font = { bold: true };
    for (const [label, row] of rows) ws.addRow([label, ...COLUMNS.map((c) => c.value(row))]);
    ws.lastRow!.font = { bold: true };
    ws.columns.forEach((c, i) => (c.width = i === 0 ? 14 : 10));
    ws.pageSetup.printTitlesRow = '1:2';
  };
  sheet('汇总', `一日一报 ${report.date}（全区汇总）`, '镇街', [...report.towns.map((t): [string, Row] => [t.town, t]), ['全区合计', report.district]]);
  for (const town of report.towns) {
    sheet(sheetName(town.town), `一日一报 ${report.date} · ${town.town}`, '村社', [
      ...town.villages.map((v): [string, Row] => [v.village, v]),
      [`${town.town}合计`, town],
    ]);
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** One row per village, then per town, then the district (UTF-8 with BOM, as the other CSVs). */
export function reportCsv(report: DailyReportView): string {
  const rows: CsvCell[][] = [];
  for (const town of report.towns) {
    for (const v of town.villages) rows.push([report.date, town.town, v.village, ...COLUMNS.map((c) => c.value(v))]);
    rows.push([report.date, town.town, '', ...COLUMNS.map((c) => c.value(town))]);
  }
  rows.push([report.date, '', '', ...COLUMNS.map((c) => c.value(report.district))]);
  return toCsv(['日期', '镇街', '村社', ...COLUMNS.map((c) => c.title)], rows);
}

/** Excel sheet names: at most 31 characters, none of []:*?/\ . */
function sheetName(name: string): string {
  return name.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31) || 'town';
}
