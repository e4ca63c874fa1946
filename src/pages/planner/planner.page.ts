/**
 * The planner console under /planner: sign in, upload, plans, solves, drafts, publish, pins,
 * feed links. Every action calls the use-case the API route calls; the cookie session and
 * its CSRF check (see ./session.ts) stand in for the API's bearer token.
 */
import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { z } from 'zod';
import { plainText } from '../../http/schemas.js';
import type { PageDeps } from '../../http/page-port.js';
import { verifyToken } from '../../auth/tokens.js';
import { intakeLimitsOf, uploadAvailability, uploadCadres, uploadGates } from '../../directory/upload.js';
import { AppError, type RowProblem } from '../../errors.js';
import { listPlans, createPlan } from '../../roster/plans.js';
import { acceptAbsence, listAbsenceRecords, recordAbsence, withdrawAbsence } from '../../replan/absence-reports.js';
import { waitingDraft } from '../../replan/replan-protocol.js';
import { deliveryLogRoutes } from './delivery-log.page.js';
import { parseLocalDateTime } from '../../domain/time.js';
import { localTime } from '../time-labels.js';
import { personOptions, resolvePerson } from './pickers.js';
import { issueFeedToken, revokeFeedTokens } from '../../roster/feed-store.js';
import { webcalUrl } from '../../feeds/index.js';
import { errorMessage, problemMessage } from '../i18n.js';
import { pageContext, renderFragment, sendPage } from '../render.js';
import { clearSessionCookie, csrfOk, plannerSession, setSessionCookie, type PlannerSession } from './session.js';
import { sameOrigin } from '../same-origin.js';
import { planPageRoutes } from './plan.page.js';
import { reviewRoutes } from './review.page.js';
import { linkRoutes } from './links.page.js';
import { dutySheetRoutes } from './duty-sheet.page.js';
import { gatePosterRoutes } from './gate-posters.page.js';
import { attachSession, redirectTo, sessionOf } from './request-session.js';

const UPLOADERS = { gates: uploadGates, cadres: uploadCadres, availability: uploadAvailability } as const;

const signInSchema = z.object({ token: z.string().trim().min(1).max(300) });
const createPlanForm = z.object({
  name: plainText(100).trim().min(1),
  start: z.string(),
  days: z.coerce.number().int(),
  shiftHours: z.coerce.number().int(),
});
const absenceForm = z.object({
  cadre: z.string().trim().max(200).default(''),
  from: z.string().trim().max(40).default(''),
  to: z.string().trim().max(40).default(''),
  reason: plainText(500).trim().default(''),
});
const dashboardQuery = z.object({
  added: z.string().max(300).optional(),
  removed: z.string().max(10).optional(),
  accepted: z.string().max(300).optional(),
  absencePage: z.coerce.number().int().min(1).catch(1).default(1),
});
/** Absences listed per page, latest first (uploaded unavailable windows are absences too). */
const ABSENCES_PER_PAGE = 50;
const feedLinkForm = z.object({ cadreId: z.string().trim().min(1).max(100), action: z.enum(['rotate', 'revoke']) });

export function plannerRoutes(deps: PageDeps): Router {
  const { models, config } = deps;
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '64kb' }));

  router.get('/', async (req, res) => {
    const session = await plannerSession(models, req);
    if (!session) return sendPage(res, pageContext(req), 'planner-signin', { title: pageContext(req).t('plannerTitle') });
    await sendDashboard(req, res, session, {});
  });

  router.post('/sign-in', async (req, res) => {
    const ctx = pageContext(req);
    if (!sameOrigin(req)) throw new AppError('forbidden', 'sign in from this site’s own page');
    const parsed = signInSchema.safeParse(req.body);
    const principal = parsed.success ? await verifyToken(models, parsed.data.token) : null;
    if (!parsed.success || !principal || principal.role !== 'planner') {
      return sendPage(res, ctx, 'planner-signin', { title: ctx.t('plannerTitle'), error: ctx.t('badToken') }, 401);
    }
    setSessionCookie(req, res, parsed.data.token);
    redirectTo(res, ctx, '/planner');
  });

  // Everything below needs a signed-in planner; every change needs the CSRF token too.
  router.use(async (req, res, next) => {
    const session = await plannerSession(models, req);
    if (!session) {
      if (req.method === 'GET') return redirectTo(res, pageContext(req), '/planner');
      throw new AppError('unauthorized', 'sign in again: the session ended');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD' && !csrfOk(req, session)) {
      throw new AppError('forbidden', 'the form is stale or came from another site; reload the page and try again');
    }
    attachSession(req, session);
    next();
  });

  router.post('/sign-out', (req, res) => {
    clearSessionCookie(req, res);
    redirectTo(res, pageContext(req), '/planner');
  });

  // The upload script sends the file's bytes as they are, with the file's content type, as
  // the API's PUT does; the intake decides the format from it.
  const rawBody = express.raw({ type: () => true, limit: config.UPLOAD_LIMIT_MB * 1024 * 1024 });
  // The limit comes before the body is read: a refused upload costs no parsing.
  router.put(
    '/upload/:entity',
    deps.uploadLimit,
    rawBody,
    async (req: Request, res: Response) => {
      const ctx = pageContext(req);
      const entity = z.enum(['gates', 'cadres', 'availability']).parse(req.params.entity);
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const counts = await UPLOADERS[entity](
        models,
        { body, contentType: req.get('content-type') ?? '' },
        { replace: req.query.replace === '1', timeZone: config.TIMEZONE, limits: intakeLimitsOf(config) },
      );
      const warnings = (counts.warnings ?? []).map((w) => ({ ...w, message: problemMessage(w, ctx.lang) }));
      res.type('html').send(renderFragment(ctx, 'upload-result', { counts, warnings, entity }));
    },
    uploadRefused,
  );

  router.post('/plans', async (req, res) => {
    const form = createPlanForm.parse(req.body);
    const plan = await createPlan(models, form.name, { start: form.start, days: form.days, shiftHours: form.shiftHours });
    redirectTo(res, pageContext(req), `/planner/plans/${encodeURIComponent(plan.id)}`);
  });

  // Absences: entered in local time (the deployment's zone), answered by a redirect (PRG).
  router.post('/absences', async (req, res) => {
    const ctx = pageContext(req);
    const form = absenceForm.parse(req.body);
    const refuse = (absenceError: string) => sendDashboard(req, res, sessionOf(req), { absenceError, absenceInput: form }, 422);
    const cadre = await resolvePerson(models, form.cadre);
    if (!cadre) return refuse(ctx.t('unknownPerson', { q: form.cadre }));
    const from = parseLocalDateTime(form.from, config.TIMEZONE);
    const to = parseLocalDateTime(form.to, config.TIMEZONE);
    if (!from) return refuse(ctx.t('badLocalTime', { v: form.from }));
    if (!to) return refuse(ctx.t('badLocalTime', { v: form.to }));
    if (!(from < to)) return refuse(ctx.t('toBeforeFrom'));
    const { absence } = await recordAbsence(models, sessionOf(req).principal, { cadreId: cadre.id, from, to, reason: form.reason });
    redirectTo(res, ctx, `/planner?added=${encodeURIComponent(absence.id)}#absences`);
  });

  router.post('/absences/remove', async (req, res) => {
    const { id } = z.object({ id: z.string().min(1).max(300) }).parse(req.body);
    await withdrawAbsence(models, sessionOf(req).principal, id);
    redirectTo(res, pageContext(req), '/planner?removed=1#absences');
  });

  // A self-reported absence waiting for acceptance: accepting it re-plans (src/replan/).
  router.post('/absences/accept', async (req, res) => {
    const { id } = z.object({ id: z.string().min(1).max(300) }).parse(req.body);
    const absence = await acceptAbsence(models, sessionOf(req).principal, id);
    redirectTo(res, pageContext(req), `/planner?accepted=${encodeURIComponent(absence.id)}#absences`);
  });

  router.post('/feed-links', async (req, res) => {
    const ctx = pageContext(req);
    const form = feedLinkForm.parse(req.body);
    if (form.action === 'revoke') {
      await revokeFeedTokens(models, 'cadre', form.cadreId);
      return sendDashboard(req, res, sessionOf(req), { flash: ctx.t('revoked', { id: form.cadreId }) });
    }
    const token = await issueFeedToken(models, 'cadre', form.cadreId);
    const base = config.PUBLIC_BASE_URL ?? `${req.protocol}://${req.get('host')}`;
    const url = `${base}/feeds/${token}.ics`;
    await sendDashboard(req, res, sessionOf(req), { newLink: { cadreId: form.cadreId, url, webcal: webcalUrl(url), page: `${base}/me?token=${token}` } });
  });

  router.use(reviewRoutes(deps));
  router.use(deliveryLogRoutes(deps));
  router.use(linkRoutes(deps));
  router.use(dutySheetRoutes(deps));
  router.use(gatePosterRoutes(deps));
  router.use(planPageRoutes(deps));

  async function sendDashboard(req: Request, res: Response, session: PlannerSession, extra: object, status = 200): Promise<void> {
    const ctx = pageContext(req);
    const query = dashboardQuery.parse(req.query);
    const [plans, people, absences] = await Promise.all([listPlans(models), personOptions(models), listAbsenceRecords(models, session.principal, {})]);
    const at = (d: Date) => localTime(d, config.TIMEZONE);
    const added = query.added ? absences.find((a) => a.id === query.added) : undefined;
    const accepted = query.accepted ? absences.find((a) => a.id === query.accepted) : undefined;
    // Re-plans whose later fill-ins wait for the planner: the draft and the plan's policy hours.
    const drafts = (await Promise.all(plans.map(async (p) => ({ plan: p, draft: await waitingDraft(models, p.id) })))).filter((d) => d.draft !== null);
    sendPage(
      res,
      ctx,
      'planner',
      {
        title: ctx.t('plannerTitle'),
        csrf: session.csrf,
        script: 'planner.js',
        plans,
        people,
        absences: [...absences]
          .reverse()
          .slice((query.absencePage - 1) * ABSENCES_PER_PAGE, query.absencePage * ABSENCES_PER_PAGE)
          .map((a) => ({ ...a, fromLocal: at(a.from), toLocal: at(a.to) })),
        drafts,
        absenceTotal: absences.length,
        absencePage: query.absencePage,
        absencePages: Math.max(1, Math.ceil(absences.length / ABSENCES_PER_PAGE)),
        absenceInput: { cadre: '', from: '', to: '', reason: '' },
        ...(added ? { flash: ctx.t('absenceAdded', { name: added.cadreName, from: at(added.from), to: at(added.to) }) } : {}),
        ...(query.removed ? { flash: ctx.t('absenceRemoved') } : {}),
        ...(accepted ? { flash: ctx.t('absenceAccepted', { name: accepted.cadreName }) } : {}),
        ...extra,
      },
      status,
    );
  }

  return router;
}

/**
 * A refused upload (bad rows, too many uploads) answers with the result fragment the upload
 * script puts on the page, not with a whole error page.
 */
const uploadRefused: ErrorRequestHandler = (error, req, res, next) => {
  if (!(error instanceof AppError)) return next(error);
  const ctx = pageContext(req);
  const found = (error.details as { problems?: RowProblem[] } | undefined)?.problems ?? [];
  const problems = found.map((p) => ({ row: p.row, column: p.column, value: p.value, message: problemMessage(p, ctx.lang) }));
  // A 422 lists at most the first 1,000 problems; `total` counts them all.
  const total = (error.details as { total?: number } | undefined)?.total ?? problems.length;
  res
    .status(error.status)
    .type('html')
    .send(renderFragment(ctx, 'upload-result', { error: errorMessage(error, ctx.lang), problems, total, entity: req.params.entity }));
};
