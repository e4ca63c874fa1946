/**
 * Reviewing a roster in the console, for a draft (`?solve=`) or a published version
 * (`?version=`, default the current one): the grid (village → gate → shift, names in the
 * cells, gaps marked) with filters by town, village, gate and a person search; one person's
 * week; every gap, paged; and CSV / xlsx downloads of what the filters show. Read-only.
 *
 * The grid is paged by village (VILLAGES_PER_PAGE) so a district (375 gates x 21 shifts)
 * is a few pages of a few hundred cells, not one page of 8,000.
 */
import { Router, type Request } from 'express';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import type { PageDeps } from '../../http/page-port.js';
import type { Models } from '../../db/models.js';
import { AppError } from '../../errors.js';
import { getPlan, shiftStarts, type Plan } from '../../roster/plans.js';
import { readDraftRoster, readPublishedRoster, type AssignmentView, type GapView, type RosterView } from '../../roster/read.js';
import { gapReasonLabel, translator } from '../i18n.js';
import { pageContext, sendPage } from '../render.js';
import { localTime, shiftLabel } from '../time-labels.js';
import { sessionOf } from './request-session.js';

// Downloaded roster and gap sheets stay Chinese whatever the page's language, as every printed sheet: they go to village staff.
const printed = translator('zh');

const VILLAGES_PER_PAGE = 12;
/** One collator for every sort: `localeCompare(x, 'zh')` builds one per call, which a district's sorts feel. */
const collator = new Intl.Collator('zh');
const GAPS_PER_PAGE = 100;

const reviewQuery = z.object({
  solve: z.string().max(100).optional(),
  version: z.coerce.number().int().min(1).optional().catch(undefined),
  town: z
    .string()
    .max(100)
    .optional()
    .transform((v) => v || undefined),
  village: z
    .string()
    .max(100)
    .optional()
    .transform((v) => v || undefined),
  gateId: z
    .string()
    .max(100)
    .optional()
    .transform((v) => v || undefined),
  q: z
    .string()
    .trim()
    .max(100)
    .optional()
    .transform((v) => v || undefined),
  page: z.coerce.number().int().min(1).catch(1).default(1),
});
type ReviewQuery = z.infer<typeof reviewQuery>;

export function reviewRoutes(deps: PageDeps): Router {
  const { models } = deps;
  const router = Router();

  router.get('/plans/:id/review', async (req, res) => {
    res.locals.pageStarted = performance.now();
    const ctx = pageContext(req);
    const { plan, query, gates } = await planAndGates(models, req);
    const villageNames = [...new Set(gates.filter((g) => inPlace(g, query)).map((g) => g.village))].sort(collator.compare);
    // Without a search, read only the villages of this page (a district is ~10 pages); a
    // search reads them all and shows the villages where the people found are on duty.
    const paged = (names: string[]) => {
      const pages = Math.max(1, Math.ceil(names.length / VILLAGES_PER_PAGE));
      const page = Math.min(query.page, pages);
      return { pages, page, names: names.slice((page - 1) * VILLAGES_PER_PAGE, page * VILLAGES_PER_PAGE) };
    };
    const first = query.q ? null : paged(villageNames);
    const { view } = await readRoster(models, req, plan, query, first?.names);
    const rows = filtered(view, query);
    const { pages, page, names: pageVillages } = first ?? paged(villageNames.filter((v) => rows.assignments.some((a) => a.village === v)));
    const shifts = shiftStarts(plan.spec).map((start) => ({
      start: start.getTime(),
      label: shiftLabel(start, new Date(start.getTime() + plan.spec.shiftHours * 3_600_000), plan.spec.timezone),
    }));
    const byCell = new Map<string, AssignmentView[]>();
    for (const a of query.q ? view.assignments.filter((x) => pageVillages.includes(x.village)) : rows.assignments) {
      const key = `${a.gateId}|${Date.parse(a.start)}`;
      byCell.set(key, [...(byCell.get(key) ?? []), a]);
    }
    const gapAt = new Map(view.gaps.map((g) => [`${g.gateId}|${Date.parse(g.start)}`, g]));
    const found = new Set(rows.assignments.map((a) => a.cadreId));
    const grid = pageVillages.map((village) => ({
      village,
      town: gates.find((g) => g.village === village)?.town ?? '',
      rows: gates
        .filter((g) => g.village === village && (!query.gateId || g.id === query.gateId))
        .map((g) => ({
          gate: g,
          cells: shifts.map((s) => {
            const people = byCell.get(`${g.id}|${s.start}`) ?? [];
            const gap = gapAt.get(`${g.id}|${s.start}`);
            return {
              names: people.map((p) => ({ id: p.cadreId, name: p.cadreName, hit: found.has(p.cadreId) && !!query.q })),
              gap: gap ? gap.needed - gap.filled : 0,
            };
          }),
        })),
    }));
    const people = query.q ? [...new Map(rows.assignments.map((a) => [a.cadreId, a])).values()].slice(0, 50) : [];
    sendPage(res, ctx, 'planner-review', {
      title: `${plan.name} · ${ctx.t('reviewTitle')}`,
      csrf: sessionOf(req).csrf,
      plan,
      view,
      query,
      source: sourceLabel(ctx.t, view),
      sourceQuery: sourceQuery(query),
      filterQuery: filterQuery(query),
      towns: [...new Set(gates.map((g) => g.town))].sort(collator.compare),
      villages: [...new Set(gates.filter((g) => !query.town || g.town === query.town).map((g) => g.village))].sort(collator.compare),
      gateChoices: gates.filter((g) => (!query.village || g.village === query.village) && (!query.town || g.town === query.town)),
      shifts,
      grid,
      page,
      pages,
      people,
      counts: { assignments: rows.assignments.length, gaps: rows.gaps.length },
    });
  });

  router.get('/plans/:id/review/person/:cadreId', async (req, res) => {
    const ctx = pageContext(req);
    const { plan, query, view } = await load(models, req);
    const cadreId = z.string().min(1).max(100).parse(req.params.cadreId);
    const own = view.assignments.filter((a) => a.cadreId === cadreId).sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
    const cadre = await models.Cadre.findOne({ _id: cadreId }, { _id: 0, id: 1, name: 1, village: 1, role: 1, phone: 1 }).lean<{
      id: string;
      name: string;
      village: string;
      role: string;
      phone: string | null;
    }>();
    if (!cadre && own.length === 0) throw new AppError('not_found', `no person "${cadreId}"`);
    const shifts = own.map((a) => {
      const start = new Date(a.start);
      const end = new Date(a.end);
      const partners = view.assignments.filter((b) => b.gateId === a.gateId && b.start === a.start && b.cadreId !== cadreId).map((b) => b.cadreName);
      return {
        ...a,
        label: shiftLabel(start, end, plan.spec.timezone),
        hours: (end.getTime() - start.getTime()) / 3_600_000,
        night: isNight(start, end, plan.spec.timezone),
        partners,
      };
    });
    sendPage(res, ctx, 'planner-person', {
      title: `${cadre?.name ?? own[0]?.cadreName ?? cadreId} · ${ctx.t('reviewTitle')}`,
      csrf: sessionOf(req).csrf,
      plan,
      cadre: cadre ?? { id: cadreId, name: own[0]?.cadreName ?? '', village: own[0]?.village ?? '', role: own[0]?.role ?? '', phone: null },
      source: sourceLabel(ctx.t, view),
      sourceQuery: sourceQuery(query),
      shifts,
      totals: {
        shifts: shifts.length,
        hours: shifts.reduce((s, x) => s + x.hours, 0),
        nights: shifts.filter((s) => s.night).length,
        partners: [...new Set(shifts.flatMap((s) => s.partners))],
      },
    });
  });

  router.get('/plans/:id/review/gaps', async (req, res) => {
    res.locals.pageStarted = performance.now();
    const ctx = pageContext(req);
    const { plan, query, view } = await load(models, req);
    const gaps = filtered(view, { ...query, q: undefined }).gaps;
    const pages = Math.max(1, Math.ceil(gaps.length / GAPS_PER_PAGE));
    const page = Math.min(query.page, pages);
    sendPage(res, ctx, 'planner-gaps', {
      title: `${plan.name} · ${ctx.t('allGaps')}`,
      csrf: sessionOf(req).csrf,
      plan,
      source: sourceLabel(ctx.t, view),
      sourceQuery: sourceQuery(query),
      filterQuery: filterQuery({ ...query, q: undefined }),
      total: gaps.length,
      missing: gaps.reduce((s, g) => s + g.needed - g.filled, 0),
      page,
      pages,
      gaps: gaps.slice((page - 1) * GAPS_PER_PAGE, page * GAPS_PER_PAGE).map((g) => ({
        ...g,
        label: shiftLabel(new Date(g.start), new Date(g.end), plan.spec.timezone),
        reasonText: gapReasonLabel(g.reason, ctx.lang),
        why: ctx.lang === 'zh' ? g.detailZh : g.detail,
      })),
    });
  });

  // Downloads of what the filters show: the roster rows, or the gaps (`?what=gaps`).
  router.get('/plans/:id/review.:format', async (req, res) => {
    const format = z.enum(['csv', 'xlsx']).parse(req.params.format);
    const { plan, query, view, csv } = await load(models, req);
    const what = req.query.what === 'gaps' ? 'gaps' : 'roster';
    const rows = filtered(view, what === 'gaps' ? { ...query, q: undefined } : query);
    const name = `${plan.id}-${view.version !== null ? `v${view.version}` : (view.solveId ?? 'draft')}-${what}`;
    res.set('Cache-Control', 'no-store');
    if (format === 'csv' && !query.q) {
      res
        .attachment(`${name}.csv`)
        .type('text/csv; charset=utf-8')
        .send(what === 'gaps' ? csv.gaps() : csv.roster());
      return;
    }
    const { header, body } = what === 'gaps' ? gapTable(rows.gaps, plan) : rosterTable(rows.assignments, plan);
    if (format === 'csv') {
      const quote = (v: unknown) => (/[",\r\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
      res
        .attachment(`${name}.csv`)
        .type('text/csv; charset=utf-8')
        .send(`\uFEFF${[header, ...body].map((r) => r.map(quote).join(',')).join('\r\n')}\r\n`);
      return;
    }
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet(printed(what === 'gaps' ? 'sheetGaps' : 'sheetRoster'), { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.addRow(header).font = { bold: true };
    for (const r of body) sheet.addRow(r);
    sheet.columns.forEach((c) => (c.width = 14));
    res.attachment(`${name}.xlsx`).type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.send(Buffer.from(await workbook.xlsx.writeBuffer()));
  });

  return router;
}

interface Loaded {
  plan: Plan;
  query: ReviewQuery;
  view: RosterView;
  gates: { id: string; name: string; village: string; town: string }[];
  csv: { roster: () => string; gaps: () => string };
}

/** The plan, the query and the gates the plan covers (sorted by village, then name). */
async function planAndGates(models: Models, req: Request): Promise<Pick<Loaded, 'plan' | 'query' | 'gates'>> {
  const plan = await getPlan(models, z.string().min(1).max(100).parse(req.params.id));
  const query = reviewQuery.parse(req.query);
  const filter = plan.spec.gateIds ? { _id: { $in: plan.spec.gateIds } } : {};
  const gates = (await models.Gate.find(filter, { _id: 0, id: 1, name: 1, village: 1, town: 1 }).lean<Loaded['gates']>()).sort(
    (a, b) => collator.compare(a.village, b.village) || collator.compare(a.name, b.name),
  );
  return { plan, query, gates };
}

/** The roster asked for (a draft or a version), narrowed by place and, if given, to `villages`. */
async function readRoster(models: Models, req: Request, plan: Plan, query: ReviewQuery, villages?: string[]): Promise<Pick<Loaded, 'view' | 'csv'>> {
  const place = { town: query.town, village: query.village, gateId: query.gateId, ...(villages ? { villages } : {}) };
  const roster = query.solve
    ? await readDraftRoster(models, query.solve, place)
    : await readPublishedRoster(models, sessionOf(req).principal, plan.id, { ...place, version: query.version });
  if (roster.view.planId !== plan.id) throw new AppError('not_found', 'that solve belongs to another plan');
  return { view: roster.view, csv: { roster: roster.csv, gaps: roster.gapsCsv } };
}

/** The plan, the roster asked for (filtered by place), and the gates it covers. */
async function load(models: Models, req: Request): Promise<Loaded> {
  const { plan, query, gates } = await planAndGates(models, req);
  return { plan, query, gates, ...(await readRoster(models, req, plan, query)) };
}

/** Rows matching the person search (name or id, substring); gaps name nobody, so a search keeps none. */
function filtered(view: RosterView, query: Pick<ReviewQuery, 'q'>): { assignments: AssignmentView[]; gaps: GapView[] } {
  if (!query.q) return { assignments: view.assignments, gaps: view.gaps };
  const q = query.q.toLowerCase();
  return { assignments: view.assignments.filter((a) => a.cadreName.toLowerCase().includes(q) || a.cadreId.toLowerCase() === q), gaps: [] };
}

function inPlace(g: { id: string; village: string; town: string }, query: ReviewQuery): boolean {
  return (!query.town || g.town === query.town) && (!query.village || g.village === query.village) && (!query.gateId || g.id === query.gateId);
}

function sourceLabel(t: (key: 'draftTitle' | 'version') => string, view: RosterView): string {
  return view.version !== null ? `${t('version')} ${view.version}` : t('draftTitle');
}

function sourceQuery(query: ReviewQuery): string {
  return query.solve ? `solve=${encodeURIComponent(query.solve)}` : query.version ? `version=${query.version}` : '';
}

function filterQuery(query: ReviewQuery): string {
  const params = new URLSearchParams();
  if (query.solve) params.set('solve', query.solve);
  else if (query.version) params.set('version', String(query.version));
  for (const key of ['town', 'village', 'gateId', 'q'] as const) if (query[key]) params.set(key, query[key]);
  return params.toString();
}

function rosterTable(rows: AssignmentView[], plan: Plan): { header: string[]; body: (string | number)[][] } {
  const at = (iso: string) => localTime(new Date(iso), plan.spec.timezone);
  return {
    header: (
      ['sheetColCadreId', 'sheetColName', 'sheetColTown', 'sheetColVillage', 'sheetColGateId', 'sheetColGate', 'sheetColStart', 'sheetColEnd'] as const
    ).map((key) => printed(key)),
    body: rows.map((a) => [a.cadreId, a.cadreName, a.town, a.village, a.gateId, a.gateName, at(a.start), at(a.end)]),
  };
}

function gapTable(rows: GapView[], plan: Plan): { header: string[]; body: (string | number)[][] } {
  const at = (iso: string) => localTime(new Date(iso), plan.spec.timezone);
  return {
    header: (
      [
        'sheetColTown',
        'sheetColVillage',
        'sheetColGateId',
        'sheetColGate',
        'sheetColStart',
        'sheetColEnd',
        'sheetColNeeded',
        'sheetColFilled',
        'sheetColReason',
      ] as const
    ).map((key) => printed(key)),
    body: rows.map((g) => [g.town, g.village, g.gateId, g.gateName, at(g.start), at(g.end), g.needed, g.filled, g.detailZh || g.reason]),
  };
}

/** A night shift overlaps 00:00-06:00 local (as the solver counts nights). */
function isNight(start: Date, end: Date, timeZone: string): boolean {
  for (let t = start.getTime(); t < end.getTime(); t += 3_600_000) {
    const hour = Number(localTime(new Date(t), timeZone).slice(11, 13));
    if (hour < 6) return true;
  }
  return false;
}
