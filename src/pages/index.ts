/**
 * The web pages, served by the same Express app as the API: the village coverage page, the
 * person page and the planner console. Pages call the same use-case functions as the API
 * routes (src/roster, src/directory) and apply the same scope checks.
 */
import { fileURLToPath } from 'node:url';
import express, { Router, type ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import { AppError } from '../errors.js';
import type { PageDeps, PagesPort } from '../http/page-port.js';
import { SECRET_PAGE_PATHS } from '../http/secret-urls.js';
import { personRoutes } from './person/person.page.js';
import { plannerRoutes } from './planner/planner.page.js';
import { errorMessage, problemMessage } from './i18n.js';
import { pageContext, sendPage } from './render.js';
import { villageRoutes } from './village/village.page.js';
import { gateRoutes } from './gate/gate.page.js';

/** The pages as the app takes them (src/http/page-port.ts), handed to it by src/wiring.ts. */
export const servicePages: PagesPort = {
  routes: pageRoutes,
  databaseDown(req, res, status) {
    const ctx = pageContext(req);
    sendPage(res, ctx, 'message', { title: ctx.t('errorTitle'), message: ctx.t('databaseDownPage') }, status);
  },
};

export function pageRoutes(deps: PageDeps): Router {
  const router = Router();
  router.use('/pages-static', express.static(fileURLToPath(new URL('./public', import.meta.url)), { maxAge: '1h', index: false, fallthrough: false }));
  // Here rather than in app.ts so that a refusal answers as a page (pageErrors).
  router.use(SECRET_PAGE_PATHS, deps.secretUrlLimit);
  router.use(villageRoutes(deps.models, deps.config.TIMEZONE, deps.ground));
  router.use(personRoutes(deps.models, deps.config));
  router.use(gateRoutes(deps.models, deps.ground));
  router.use('/planner', plannerRoutes(deps));
  router.use(pageErrors);
  return router;
}

/** Where "back" leads from a failed page: the console page the action belongs to. */
function backFor(req: Parameters<ErrorRequestHandler>[1], ctx: ReturnType<typeof pageContext>): string | undefined {
  const plan = /^\/planner\/plans\/([^/?#]+)/.exec(req.originalUrl)?.[1];
  if (plan) return ctx.href(`/planner/plans/${plan}`);
  if (req.originalUrl.startsWith('/planner')) return ctx.href('/planner');
  return undefined;
}

/** Errors on a page answer as a page (the API's error middleware answers JSON). */
const pageErrors: ErrorRequestHandler = (err, req, res, next) => {
  if (res.headersSent) return next(err);
  // Static files that do not exist are plain 404s.
  if ((err as { status?: number }).status === 404 && req.path.startsWith('/pages-static/')) return next(new AppError('not_found', 'no such file'));
  const ctx = pageContext(req);
  if (err instanceof AppError || err instanceof ZodError) {
    const appError = err instanceof AppError ? err : new AppError('bad_request', 'invalid request');
    const problems = (appError.details as { problems?: { field?: string; message: string; messageZh?: string }[] } | undefined)?.problems ?? [];
    const details = problems.map((p) => (p.field ? `${p.field}: ${problemMessage(p, ctx.lang)}` : problemMessage(p, ctx.lang)));
    // The Chinese page says what the failure means by its code; the service's own specific
    // message follows as secondary text, so nothing about what was wrong is lost.
    if (ctx.lang === 'zh' && !problems.length && appError.message) details.push(appError.message);
    return sendPage(
      res,
      ctx,
      'message',
      {
        title: ctx.t('errorTitle'),
        message: errorMessage(appError, ctx.lang),
        details,
        backHref: backFor(req, ctx),
      },
      appError.status,
    );
  }
  req.log?.error({ err }, 'page failed');
  sendPage(res, ctx, 'message', { title: ctx.t('errorTitle'), message: 'internal error' }, 500);
};
