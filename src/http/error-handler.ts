import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { databaseDownError } from '../db/database-down.js';
import { isDatabaseUnreachable } from '../db/health.js';
import { AppError, invalidRequest } from '../errors.js';
import type { PagesPort } from './page-port.js';

/**
 * Maps expected failures to `{ error: { code, message, details } }`, `details` always an
 * object (empty when there is nothing more to say); hides internals of the rest. With the
 * pages, a browser asking for one while the database is down gets a page instead.
 */
export function errorHandler(pages?: Pick<PagesPort, 'databaseDown'>): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appError = toAppError(err);
    if (!appError) {
      req.log?.error({ err }, 'unhandled error');
      res.status(500).json({ error: { code: 'internal', message: 'internal error', details: {} } });
      return;
    }
    const retryAfter = (appError.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    if (typeof retryAfter === 'number' && !res.headersSent) res.set('Retry-After', String(retryAfter));
    // A guard scanning a gate poster, or a head opening their page, gets a page they can read.
    if (appError.code === 'unavailable' && pages && isPageRequest(req)) {
      pages.databaseDown(req, res, appError.status);
      return;
    }
    res.status(appError.status).json({ error: { code: appError.code, message: appError.message, details: appError.details ?? {} } });
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', `no route for ${req.method} ${req.path}`));
};

/** A browser asking for one of the pages (not the API, not a feed). */
function isPageRequest(req: Request): boolean {
  return !/^\/(api|feeds)\//i.test(req.path) && req.accepts(['json', 'html']) === 'html';
}

function toAppError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  if (isDatabaseUnreachable(err)) return databaseDownError();
  // A body, query or path parameter the route's schema refused (an unknown field, a wrong type).
  if (err instanceof ZodError) return invalidRequest(err);
  // body-parser's errors carry a `type`; they are the client's fault, not ours.
  const type = (err as { type?: string }).type;
  if (type === 'entity.too.large') {
    const limit = (err as { limit?: unknown }).limit;
    return new AppError(
      'payload_too_large',
      'the body is larger than allowed (uploads: UPLOAD_LIMIT_MB; other requests: 1 MB)',
      typeof limit === 'number' ? { limitBytes: limit } : {},
    );
  }
  if (type === 'entity.parse.failed') return new AppError('bad_request', 'the request body is not valid JSON');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return new AppError('unsupported_media_type', 'unsupported body encoding');
  if (type === 'request.aborted') return new AppError('bad_request', 'the request was aborted');
  // A path that is not valid percent-encoding (`/api/v1/gates/%E0`) fails in the router.
  if (err instanceof URIError) return new AppError('bad_request', 'the URL is not valid percent-encoding (encode non-ASCII text as UTF-8)');
  return null;
}
