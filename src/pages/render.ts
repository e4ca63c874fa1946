/**
 * Server-side rendering: one Eta instance over ./views with auto-escaping on. Templates get
 * `it.t` (the translator), `it.lang` and the link that switches language.
 */
import { fileURLToPath } from 'node:url';
import type { Request, Response } from 'express';
import { Eta } from 'eta';
import { langOf, translator, type Lang, type Translate } from './i18n.js';

const eta = new Eta({
  views: fileURLToPath(new URL('./views', import.meta.url)),
  autoEscape: true,
  // Templates are files shipped with the code: cache them once read.
  cache: true,
});

export interface PageContext {
  lang: Lang;
  t: Translate;
  /** The current URL with `lang` switched to the other language. */
  otherLangHref: string;
  /** Appends `lang=en` when the page is English, so links and redirects keep the language. */
  href: (path: string) => string;
}

export function pageContext(req: Request): PageContext {
  const lang = langOf(req);
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  const url = new URL(req.originalUrl, 'http://page.invalid');
  url.searchParams.set('lang', other);
  return {
    lang,
    t: translator(lang),
    otherLangHref: `${url.pathname}${url.search}`,
    href: (path) => (lang === 'en' && !/[?&]lang=/.test(path) ? `${path}${path.includes('?') ? '&' : '?'}lang=en` : path),
  };
}

/** Renders a page (a template under views/, without extension) and sends it, never cached. */
export function sendPage(res: Response, ctx: PageContext, view: string, data: object, status = 200): void {
  const html = eta.render(`./${view}`, { ...ctx, ...data });
  // A handler that notes when it started (`res.locals.pageStarted`) gets its whole server time,
  // reads and rendering, as Server-Timing (the review pages: district scale must stay under 1 s).
  const started = res.locals.pageStarted as unknown;
  if (typeof started === 'number') res.set('Server-Timing', `page;dur=${Math.round(performance.now() - started)}`);
  // Pages carry secrets in their URL or show per-person data: keep them out of shared caches.
  res.status(status).set('Cache-Control', 'no-store').type('html').send(html);
}

/** Renders a template to a string (fragments returned to the console's small scripts). */
export function renderFragment(ctx: PageContext, view: string, data: object): string {
  return eta.render(`./${view}`, { ...ctx, ...data });
}
