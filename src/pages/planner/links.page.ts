/**
 * Handing out links at scale: per village (or for all), issue each person's calendar link
 * (only to those without one, or rotating everyone's), the village head's page link and the
 * village's feed link, after a confirmation; then a printable sheet (HTML with `@media
 * print`, and xlsx) of names with the QR code of each `webcal://` link.
 *
 * Secrets are stored only as hashes, so a link can be shown only when it is issued. The
 * POST keeps the new links in this process's memory as a batch (BATCH_TTL_MS) and redirects
 * to the batch's sheet, so a reload shows the same links again instead of issuing new ones
 * (which would kill the ones just printed). A restart forgets the batch: issue again.
 */
import { randomBytes } from 'node:crypto';
import { Router, type Request } from 'express';
import ExcelJS from 'exceljs';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { PageDeps } from '../../http/page-port.js';
import { issueToken } from '../../auth/tokens.js';
import type { Cadre } from '../../domain/types.js';
import { AppError } from '../../errors.js';
import { webcalUrl } from '../../feeds/index.js';
import { issueFeedToken } from '../../roster/feed-store.js';
import { translator } from '../i18n.js';
import { pageContext, sendPage } from '../render.js';
import { redirectTo, sessionOf } from './request-session.js';

// The Excel link sheet stays Chinese whatever the page's language, as every printed sheet: it is handed to village staff.
const printed = translator('zh');

const BATCH_TTL_MS = 2 * 3600_000;
const MAX_BATCHES = 50;

interface LinkRow {
  kind: 'cadre' | 'head' | 'village';
  village: string;
  name: string;
  id: string;
  /** The calendar feed (https or http) for cadres and villages; the page for heads. */
  url: string;
  /** What the QR code holds and the copy button copies: webcal:// for feeds, the page for heads. */
  link: string;
  page: string;
}

interface Batch {
  createdAt: number;
  village: string | null;
  rows: LinkRow[];
}

const batches = new Map<string, Batch>();

function keepBatch(batch: Batch): string {
  const now = Date.now();
  for (const [id, b] of batches) if (now - b.createdAt > BATCH_TTL_MS) batches.delete(id);
  while (batches.size >= MAX_BATCHES) batches.delete(batches.keys().next().value as string);
  const id = randomBytes(12).toString('base64url');
  batches.set(id, batch);
  return id;
}

function batchOf(id: string): Batch {
  const batch = batches.get(id);
  if (!batch || Date.now() - batch.createdAt > BATCH_TTL_MS)
    throw new AppError('not_found', 'this sheet of links has expired (links are shown only when issued); issue them again');
  return batch;
}

const scopeQuery = z.object({
  village: z
    .string()
    .max(100)
    .optional()
    .transform((v) => v || undefined),
});
const issueForm = z.object({
  village: z
    .string()
    .max(100)
    .optional()
    .transform((v) => v || undefined),
  /** missing: people without a link; all: rotate everyone's (old links stop working). */
  mode: z.enum(['missing', 'all']),
  heads: z.enum(['0', '1']).default('0'),
});

export function linkRoutes(deps: PageDeps): Router {
  const { models, config } = deps;
  const router = Router();
  const baseOf = (req: Request) => config.PUBLIC_BASE_URL ?? `${req.protocol}://${req.get('host')}`;

  async function scope(village: string | undefined) {
    const villages = (await models.Gate.distinct('village')).map(String).sort((a, b) => a.localeCompare(b, 'zh'));
    if (village && !villages.includes(village)) throw new AppError('not_found', `no village "${village}"`);
    const people = await models.Cadre.find(village ? { village } : {}, { _id: 0, id: 1, name: 1, village: 1 }).lean<Pick<Cadre, 'id' | 'name' | 'village'>[]>();
    const linked = new Set(
      (await models.FeedToken.distinct('subject', { kind: 'cadre', revokedAt: null, subject: { $in: people.map((p) => p.id) } })).map(String),
    );
    people.sort((a, b) => a.village.localeCompare(b.village, 'zh') || a.name.localeCompare(b.name, 'zh'));
    return { villages, people, linked };
  }

  router.get('/links', async (req, res) => {
    const ctx = pageContext(req);
    const { village } = scopeQuery.parse(req.query);
    const { villages, people, linked } = await scope(village);
    sendPage(res, ctx, 'planner-links', {
      title: ctx.t('linksTitle'),
      csrf: sessionOf(req).csrf,
      villages,
      village: village ?? '',
      total: people.length,
      withLink: people.filter((p) => linked.has(p.id)).length,
    });
  });

  // The confirmation: what will be issued, and what stops working.
  router.get('/links/issue', async (req, res) => {
    const ctx = pageContext(req);
    const form = issueForm.parse(req.query);
    const { people, linked } = await scope(form.village);
    const count = form.mode === 'all' ? people.length : people.filter((p) => !linked.has(p.id)).length;
    sendPage(res, ctx, 'planner-links-confirm', {
      title: ctx.t('linksConfirmTitle'),
      csrf: sessionOf(req).csrf,
      form,
      count,
      revoked: form.mode === 'all' ? people.filter((p) => linked.has(p.id)).length : 0,
      scopeLabel: form.village ?? ctx.t('allVillages'),
    });
  });

  router.post('/links/issue', async (req, res) => {
    const form = issueForm.parse(req.body);
    const { people, linked } = await scope(form.village);
    const base = baseOf(req);
    const rows: LinkRow[] = [];
    for (const p of people) {
      if (form.mode === 'missing' && linked.has(p.id)) continue;
      const token = await issueFeedToken(models, 'cadre', p.id);
      const url = `${base}/feeds/${token}.ics`;
      rows.push({ kind: 'cadre', village: p.village, name: p.name, id: p.id, url, link: webcalUrl(url), page: `${base}/me?token=${token}` });
    }
    if (form.heads === '1') {
      const villages = form.village ? [form.village] : [...new Set(people.map((p) => p.village))];
      for (const v of villages) {
        const head = await issueToken(models, { role: 'village_head', villages: [v], label: `village head ${v} (console)` });
        const page = `${base}/village?token=${head.token}`;
        rows.push({ kind: 'head', village: v, name: v, id: head.tokenId, url: page, link: page, page });
        const feed = await issueFeedToken(models, 'village', v);
        const url = `${base}/feeds/${feed}.ics`;
        rows.push({ kind: 'village', village: v, name: v, id: v, url, link: webcalUrl(url), page: url });
      }
    }
    const batch = keepBatch({ createdAt: Date.now(), village: form.village ?? null, rows });
    redirectTo(res, pageContext(req), `/planner/links/sheet/${batch}`);
  });

  // Before the page route, which would take `<batch>.xlsx` as a batch id.
  router.get('/links/sheet/:batch.xlsx', async (req, res) => {
    const id = z.string().min(1).max(40).parse(req.params.batch);
    const batch = batchOf(id);
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet(printed('sheetLinks'), {
      pageSetup: { paperSize: 9, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    });
    sheet.columns = [
      { header: printed('sheetColVillage'), key: 'village', width: 14 },
      { header: printed('sheetColName'), key: 'name', width: 12 },
      { header: printed('sheetColId'), key: 'id', width: 12 },
      { header: printed('sheetColKind'), key: 'kind', width: 10 },
      { header: printed('sheetColQr'), key: 'qr', width: 18 },
      { header: printed('sheetColLink'), key: 'link', width: 60 },
    ];
    sheet.getRow(1).font = { bold: true };
    sheet.pageSetup.printTitlesRow = '1:1';
    for (const r of batch.rows) {
      const row = sheet.addRow({ village: r.village, name: r.name, id: r.kind === 'head' ? '' : r.id, kind: printed(`sheetLinkKind_${r.kind}`), link: r.link });
      row.height = 90;
      const png = await QRCode.toBuffer(r.link, { errorCorrectionLevel: 'M', margin: 1, width: 120 });
      const image = workbook.addImage({ base64: png.toString('base64'), extension: 'png' });
      sheet.addImage(image, { tl: { col: 4, row: row.number - 1 }, ext: { width: 115, height: 115 } });
    }
    res.set('Cache-Control', 'no-store');
    res.attachment(`links-${batch.village ?? 'all'}.xlsx`).type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.send(Buffer.from(await workbook.xlsx.writeBuffer()));
  });

  router.get('/links/sheet/:batch', async (req, res) => {
    const ctx = pageContext(req);
    const id = z.string().min(1).max(40).parse(req.params.batch);
    const batch = batchOf(id);
    const rows = await Promise.all(
      batch.rows.map(async (r) => ({ ...r, qr: await QRCode.toDataURL(r.link, { errorCorrectionLevel: 'M', margin: 1, width: 160 }) })),
    );
    sendPage(res, ctx, 'planner-link-sheet', {
      title: `${batch.village ?? ctx.t('allVillages')} · ${ctx.t('linkSheetTitle')}`,
      csrf: sessionOf(req).csrf,
      script: 'planner.js',
      batchId: id,
      village: batch.village ?? ctx.t('allVillages'),
      people: rows.filter((r) => r.kind === 'cadre'),
      heads: rows.filter((r) => r.kind === 'head'),
      villageFeeds: rows.filter((r) => r.kind === 'village'),
    });
  });

  return router;
}
