/**
 * Duty sheets (值班表) to post at a gate: for one village (every gate, or one), the week's
 * shifts with the names on duty, one table per gate (days down, shifts across), from the
 * current published version (or `?version=`). A print view (A4 landscape, `@media print`)
 * and an xlsx (one sheet per gate, A4 landscape, fitted to the page width, title and header
 * rows repeated on every printed page).
 */
import { Router } from 'express';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import type { PageDeps } from '../../http/page-port.js';
import { AppError } from '../../errors.js';
import { getPlan, shiftClockTimes, shiftStarts, type Plan } from '../../roster/plans.js';
import { readPublishedRoster, type RosterView } from '../../roster/read.js';
import { localDate } from '../../domain/time.js';
import { pageContext, sendPage } from '../render.js';
import { shiftLabel } from '../time-labels.js';
import { sessionOf } from './request-session.js';
import { gateQr, type GateQr } from '../gate/gate-qr.js';
import { translator } from '../i18n.js';

// Printed sheets stay Chinese whatever the page's language: they are posted at gates and handed to village staff.
const printed = translator('zh');

const sheetQuery = z.object({
  village: z.string().min(1).max(100),
  gateId: z
    .string()
    .max(100)
    .optional()
    .transform((v) => v || undefined),
  version: z.coerce.number().int().min(1).optional().catch(undefined),
});

export interface DutySheet {
  gateId: string;
  gateName: string;
  village: string;
  /** Shift column headings, e.g. `00:00–08:00`. */
  shifts: string[];
  /** One row per day: the date and, per shift, the names on duty (empty = a gap or not covered). */
  days: { date: string; cells: { names: string[]; missing: number }[] }[];
}

/** One table per gate of `village` (or only `gateId`). Pure. */
export function dutySheets(plan: Plan, view: RosterView, village: string, gateId?: string): DutySheet[] {
  const tz = plan.spec.timezone;
  const ms = plan.spec.shiftHours * 3_600_000;
  const starts = shiftStarts(plan.spec);
  const perDay = 24 / plan.spec.shiftHours;
  const headings = starts.slice(0, perDay).map((s) => shiftLabel(s, new Date(s.getTime() + ms), tz).hours);
  const gates = new Map<string, string>();
  for (const row of [...view.assignments, ...view.gaps]) if (row.village === village && (!gateId || row.gateId === gateId)) gates.set(row.gateId, row.gateName);
  return [...gates]
    .sort(([, a], [, b]) => a.localeCompare(b, 'zh'))
    .map(([id, name]) => {
      const days: DutySheet['days'] = [];
      for (let d = 0; d < plan.spec.days; d++) {
        const cells = starts.slice(d * perDay, (d + 1) * perDay).map((start) => {
          const at = start.getTime();
          const names = view.assignments.filter((a) => a.gateId === id && Date.parse(a.start) === at).map((a) => a.cadreName);
          const missing = view.gaps.filter((g) => g.gateId === id && Date.parse(g.start) === at).reduce((m, g) => Math.max(m, g.needed - g.filled), 0);
          return { names, missing };
        });
        days.push({ date: localDate(starts[d * perDay] as Date, tz), cells });
      }
      return { gateId: id, gateName: name, village, shifts: headings, days };
    });
}

export function dutySheetRoutes(deps: PageDeps): Router {
  const { models } = deps;
  const router = Router();

  async function load(req: import('express').Request) {
    const plan = await getPlan(models, z.string().min(1).max(100).parse(req.params.id));
    const query = sheetQuery.parse(req.query);
    const roster = await readPublishedRoster(models, sessionOf(req).principal, plan.id, {
      village: query.village,
      gateId: query.gateId,
      version: query.version,
    });
    const sheets = dutySheets(plan, roster.view, query.village, query.gateId);
    if (!sheets.length) throw new AppError('not_found', `no gate of "${query.village}" is in this plan`);
    return { plan, query, sheets, version: roster.view.version };
  }

  router.get('/plans/:id/duty-sheet.xlsx', async (req, res) => {
    const { plan, query, sheets, version } = await load(req);
    const workbook = new ExcelJS.Workbook();
    for (const sheet of sheets) {
      const ws = workbook.addWorksheet(sheetName(sheet.gateName, workbook), {
        pageSetup: {
          paperSize: 9,
          orientation: 'landscape',
          fitToPage: true,
          fitToWidth: 1,
          fitToHeight: 0,
          horizontalCentered: true,
          margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.2, footer: 0.2 },
        },
        headerFooter: { oddFooter: `${printed('dutySheetFooter', { plan: plan.name, version: String(version) })} · &P / &N` },
      });
      ws.addRow([printed('dutySheetHeading', { village: sheet.village, gate: sheet.gateName, plan: plan.name })]).font = { bold: true, size: 14 };
      ws.mergeCells(1, 1, 1, sheet.shifts.length + 1);
      const header = ws.addRow([printed('sheetColDate'), ...sheet.shifts]);
      header.font = { bold: true };
      for (const day of sheet.days) {
        const row = ws.addRow([
          day.date,
          ...day.cells.map((c) => [...c.names, ...(c.missing ? [printed('dutySheetMissing', { n: c.missing })] : [])].join('\n')),
        ]);
        row.alignment = { wrapText: true, vertical: 'top' };
        row.height = 36;
      }
      ws.columns.forEach((c, i) => (c.width = i === 0 ? 12 : 22));
      ws.eachRow((row) =>
        row.eachCell((cell) => (cell.border = { top: { style: 'thin' }, left: { style: 'thin' }, bottom: { style: 'thin' }, right: { style: 'thin' } })),
      );
      // Title and heading repeat on every printed page.
      ws.pageSetup.printTitlesRow = '1:2';
    }
    res.set('Cache-Control', 'no-store');
    res
      .attachment(`duty-${query.village}${query.gateId ? `-${query.gateId}` : ''}-v${version}.xlsx`)
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.send(Buffer.from(await workbook.xlsx.writeBuffer()));
  });

  router.get('/plans/:id/duty-sheet', async (req, res) => {
    const ctx = pageContext(req);
    const { plan, query, sheets, version } = await load(req);
    // Each printed sheet carries its gate's check-in code (src/pages/gate/gate-qr.ts).
    const qrs = new Map<string, GateQr>();
    for (const sheet of sheets) qrs.set(sheet.gateId, await gateQr(models, deps.config, req, sheet.gateId, deps.ground.now(), 240));
    sendPage(res, ctx, 'planner-duty-sheet', {
      qrs,
      postersHref: `/planner/gate-posters?${new URLSearchParams({ village: query.village, ...(query.gateId ? { gateId: query.gateId } : {}) }).toString()}`,
      title: `${query.village} · ${ctx.t('dutySheetTitle')}`,
      csrf: sessionOf(req).csrf,
      script: 'planner.js',
      plan,
      version,
      query,
      sheets,
      clock: shiftClockTimes(plan.spec).join('、'),
      xlsxHref: `/planner/plans/${encodeURIComponent(plan.id)}/duty-sheet.xlsx?${new URLSearchParams({ village: query.village, ...(query.gateId ? { gateId: query.gateId } : {}), ...(query.version ? { version: String(query.version) } : {}) }).toString()}`,
    });
  });

  return router;
}

/** Excel sheet names: at most 31 characters, none of []:*?/\ , unique in the workbook. */
function sheetName(name: string, workbook: ExcelJS.Workbook): string {
  const base = name.replace(/[[\]:*?/\\]/g, ' ').slice(0, 28) || 'gate';
  let candidate = base;
  for (let n = 2; workbook.getWorksheet(candidate); n++) candidate = `${base} ${n}`;
  return candidate;
}
