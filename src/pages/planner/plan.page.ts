/**
 * One plan in the console: solve it, follow the solve, read the draft (coverage, gaps by
 * village, hours against fair share, nights, changes), publish, and manage pins.
 */
import { Router } from 'express';
import { z } from 'zod';
import { instantSchema } from '../../http/schemas.js';
import type { PageDeps } from '../index.js';
import { parseLocalDateTime } from '../../domain/time.js';
import { AppError } from '../../errors.js';
import { addPin, getPlan, removePin } from '../../roster/plans.js';
import { publishPlan } from '../../roster/publish-protocol.js';
import { readDraftRoster, readPublishedRoster } from '../../roster/read.js';
import { getSolve, requestSolve } from '../../roster/solves.js';
import { gapReasonLabel } from '../i18n.js';
import { pageContext, sendPage } from '../render.js';
import { localTime } from '../time-labels.js';
import { gapsByVillage, hoursChart, metricsOf, nightsSpread } from './draft-figures.js';
import { redirectTo, sessionOf } from './request-session.js';

const idSchema = z.object({ id: z.string().min(1).max(100) });
const planQuery = z.object({ solve: z.string().max(100).optional(), published: z.coerce.number().int().optional().catch(undefined) });
const pinForm = z.object({ cadreId: z.string().trim().min(1), gateId: z.string().trim().min(1), start: z.string().trim().min(1) });

export function planPageRoutes(deps: PageDeps): Router {
  const { models } = deps;
  const router = Router();

  router.get('/plans/:id', async (req, res) => {
    const ctx = pageContext(req);
    const session = sessionOf(req);
    const plan = await getPlan(models, idSchema.parse(req.params).id);
    const query = planQuery.parse(req.query);
    // The draft asked for, else the published roster (planners see its metrics too).
    const roster = query.solve
      ? await readDraftRoster(models, query.solve, {})
      : plan.publishedVersion !== null
        ? await readPublishedRoster(models, session.principal, plan.id, {})
        : null;
    if (roster && roster.view.planId !== plan.id) throw new AppError('not_found', 'that solve belongs to another plan');
    const metrics = roster ? metricsOf(roster.view.metrics) : null;
    const solve = query.solve ? await getSolve(models, query.solve) : null;
    sendPage(res, ctx, 'planner-plan', {
      title: plan.name,
      csrf: session.csrf,
      script: 'planner.js',
      plan,
      solve,
      publishedFlash: query.published,
      view: roster?.view ?? null,
      metrics,
      villages: roster ? gapsByVillage(roster.view.gaps) : [],
      chart: metrics ? hoursChart(metrics.perPerson) : null,
      nights: metrics ? nightsSpread(metrics.perPerson) : [],
      pins: plan.pins.map((p) => ({ ...p, iso: p.start.toISOString(), local: localTime(p.start, plan.spec.timezone) })),
      pinConflicts: (roster?.view.pinConflicts as { pin: { cadreId: string; gateId: string; start: string }; message: string }[] | undefined) ?? [],
      reasonLabel: (reason: string) => gapReasonLabel(reason, ctx.lang),
      at: (iso: string) => localTime(new Date(iso), plan.spec.timezone),
    });
  });

  router.post('/plans/:id/solve', async (req, res) => {
    const job = await requestSolve(models, idSchema.parse(req.params).id, {}, sessionOf(req).principal.tokenId);
    deps.onSolveRequested?.();
    redirectTo(res, pageContext(req), `/planner/solves/${encodeURIComponent(job.id)}`);
  });

  router.get('/solves/:id', async (req, res) => {
    const ctx = pageContext(req);
    const solve = await getSolve(models, idSchema.parse(req.params).id);
    if (solve.status === 'done') return redirectTo(res, ctx, `/planner/plans/${encodeURIComponent(solve.planId)}?solve=${encodeURIComponent(solve.id)}`);
    sendPage(res, ctx, 'planner-solve', { title: ctx.t('solveStatus'), csrf: sessionOf(req).csrf, script: 'planner.js', solve, percent: Math.round(100 * (solve.progress?.fraction ?? 0)) });
  });

  // Polled by the progress page's script.
  router.get('/solves/:id/status', async (req, res) => {
    const solve = await getSolve(models, idSchema.parse(req.params).id);
    res.set('Cache-Control', 'no-store').json({ status: solve.status, progress: solve.progress, planId: solve.planId, error: solve.error });
  });

  router.post('/plans/:id/publish', async (req, res) => {
    const { id } = idSchema.parse(req.params);
    const { solveId } = z.object({ solveId: z.string().min(1) }).parse(req.body);
    const publication = await publishPlan(models, id, solveId, sessionOf(req).principal.tokenId);
    redirectTo(res, pageContext(req), `/planner/plans/${encodeURIComponent(id)}?published=${publication.version}`);
  });

  router.post('/plans/:id/pins', async (req, res) => {
    const { id } = idSchema.parse(req.params);
    const form = pinForm.parse(req.body);
    const plan = await getPlan(models, id);
    // The planner types local time (datetime-local); the pin stores the shift's instant.
    const start = parseLocalDateTime(form.start, plan.spec.timezone);
    if (!start) throw new AppError('validation_failed', `not a local date and time: "${form.start}"`);
    await addPin(models, id, { cadreId: form.cadreId, gateId: form.gateId, start });
    redirectTo(res, pageContext(req), `/planner/plans/${encodeURIComponent(id)}#pins`);
  });

  router.post('/plans/:id/pins/remove', async (req, res) => {
    const { id } = idSchema.parse(req.params);
    const form = z.object({ cadreId: z.string().min(1), gateId: z.string().min(1), start: instantSchema }).parse(req.body);
    await removePin(models, id, form);
    redirectTo(res, pageContext(req), `/planner/plans/${encodeURIComponent(id)}#pins`);
  });

  return router;
}

