/**
 * `/village?token=<village head token>`: coverage of the head's own villages, on a phone.
 * The token is checked like an API bearer token and the roster is read through
 * `readPublishedRoster`, which applies the token's village scope; nothing in the query
 * (`plan`, `at`, anything else) can widen it.
 */
import { Router } from 'express';
import { z } from 'zod';
import { instantSchema } from '../../http/schemas.js';
import { verifyToken } from '../../auth/tokens.js';
import type { Models } from '../../db/models.js';
import { readPublishedRoster } from '../../roster/read.js';
import { gapReasonLabel } from '../i18n.js';
import { choosePublishedPlan } from '../published-plan.js';
import { pageContext, sendPage } from '../render.js';
import { localTime } from '../time-labels.js';
import { coverageModel } from './coverage-grid.js';

const querySchema = z.object({
  token: z.string().min(1).max(300).optional(),
  plan: z.string().max(100).optional(),
  /** View the page as of this instant (which shift is current, which gaps are still ahead). */
  at: instantSchema.optional().catch(undefined),
});

export function villageRoutes(models: Models): Router {
  const router = Router();
  router.get('/village', async (req, res) => {
    const ctx = pageContext(req);
    const query = querySchema.parse(req.query);
    const principal = query.token ? await verifyToken(models, query.token) : null;
    if (!principal) return sendPage(res, ctx, 'message', { title: ctx.t('villageTitle'), message: ctx.t('villageNoToken') }, 401);
    if (principal.role !== 'village_head') return sendPage(res, ctx, 'message', { title: ctx.t('villageTitle'), message: ctx.t('villageWrongRole') }, 403);

    const { chosen, all } = await choosePublishedPlan(models, query.plan);
    if (!chosen) return sendPage(res, ctx, 'message', { title: ctx.t('villageTitle'), message: ctx.t('noPublished') });
    const roster = await readPublishedRoster(models, principal, chosen.planId, {});
    const now = query.at ?? new Date();
    const model = coverageModel(roster.view, roster.view.timezone, now);
    sendPage(res, ctx, 'village', {
      title: `${principal.villages.join('、')} · ${ctx.t('villageTitle')}`,
      villages: principal.villages,
      plan: chosen,
      plans: all,
      token: query.token,
      version: roster.view.version,
      publishedAt: roster.view.publishedAt ? localTime(new Date(roster.view.publishedAt), roster.view.timezone) : '',
      renderedAt: localTime(new Date(), roster.view.timezone),
      timezone: roster.view.timezone,
      model,
      reasonLabel: (reason: string) => gapReasonLabel(reason, ctx.lang),
    });
  });
  return router;
}
