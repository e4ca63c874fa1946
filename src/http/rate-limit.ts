/**
 * Abuse limits. Secrets are 256 random bits, so guessing one is hopeless at any rate; what
 * the limits stop is a client making the service look up (and log) unknown secrets and
 * tokens as fast as it can, and uploads in a loop. Counts are per process (in memory),
 * in fixed windows; 0 in the config switches a limit off.
 *
 * - Failed lookups (unknown feed/page secret, rejected token) are counted per client address
 *   only when they fail, and checked before the lookup: an address over the limit gets 429
 *   without its guess being tried. Valid secrets never add to the count, so thousands of
 *   phones behind one NAT (or one calendar provider's fetcher) keep fetching their feeds;
 *   only once that address has sent the limit's worth of unknown ones in the window do its
 *   lookups wait.
 * - All requests to secret URLs from one address get a generous cap on top, so a single
 *   valid secret cannot be fetched in a tight loop either.
 * - Uploads are counted per token (a planner behind an office NAT does not share the
 *   budget), for the API and the console together.
 *
 * The client address is `req.ip`, which follows Express's `trust proxy` (TRUST_PROXY).
 * IPv6 addresses count per /56, the block a single customer usually gets.
 */
import type { Request, RequestHandler, Response } from 'express';
import { MemoryStore, ipKeyGenerator, rateLimit, type Options } from 'express-rate-limit';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { principalOf } from './auth.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

export interface RateLimits {
  /** Mount on SECRET_URL_PREFIXES: a cap on all requests, and one on unknown secrets (401/404). */
  secretUrls: RequestHandler[];
  /** Mount where bearer tokens are checked (API, console): rejected tokens (401). */
  failedAuth: RequestHandler;
  /** Mount after authentication (API router, console upload route): PUTs per token. */
  uploads: RequestHandler;
}

export function rateLimits(config: Config): RateLimits {
  const rejected =
    (...statuses: number[]) =>
    (res: Response) =>
      statuses.includes(res.statusCode);
  return {
    secretUrls: [
      requestLimit(
        {
          id: 'secret_url_requests',
          what: 'requests to secret links from this address',
          limit: config.RATE_LIMIT_SECRET_REQUESTS_PER_MIN,
          windowMs: MINUTE_MS,
        },
        clientAddress,
      ),
      failureLimit(
        { id: 'failed_secret_lookups', what: 'unknown secrets from this address', limit: config.RATE_LIMIT_FAILED_SECRETS_PER_MIN, windowMs: MINUTE_MS },
        rejected(401, 404),
      ),
    ],
    failedAuth: failureLimit(
      { id: 'failed_auth', what: 'rejected tokens from this address', limit: config.RATE_LIMIT_FAILED_AUTH_PER_MIN, windowMs: MINUTE_MS },
      rejected(401),
    ),
    // PUT is the upload verb (API and console) and nothing else uses it, so the limit can be
    // mounted on a whole authenticated router and count only uploads.
    uploads: requestLimit(
      { id: 'uploads', what: 'uploads with this token', limit: config.RATE_LIMIT_UPLOADS_PER_HOUR, windowMs: HOUR_MS },
      (req) => `token:${principalOf(req).tokenId}`,
      (req) => req.method === 'PUT',
    ),
  };
}

/** One limit: a stable id (in the 429's details), words for the message, and its size. */
interface Limit {
  id: string;
  what: string;
  limit: number;
  windowMs: number;
}

const FAILED = Symbol('failed lookup');

/**
 * Counts this request as a failed secret lookup whatever its status. For answers that do not
 * say "rejected" by status: the console sends a stale session cookie to the sign-in page.
 */
export function countAsFailedLookup(req: Request): void {
  (req as Request & { [FAILED]?: boolean })[FAILED] = true;
}

function markedFailed(req: Request): boolean {
  return (req as Request & { [FAILED]?: boolean })[FAILED] === true;
}

/** Every request counts; over the limit, 429 until the window ends. */
function requestLimit(spec: Limit, keyOf: (req: Request) => string, counts: (req: Request) => boolean = () => true): RequestHandler {
  if (spec.limit <= 0) return passThrough;
  return rateLimit({
    windowMs: spec.windowMs,
    limit: spec.limit,
    keyGenerator: keyOf,
    skip: (req) => !counts(req),
    // No RateLimit-* headers on every answer: only the 429 says anything (Retry-After).
    standardHeaders: false,
    legacyHeaders: false,
    handler: (req, res, next) => next(rateLimited(res, spec, (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime)),
  });
}

/**
 * Only failures count (decided when the response is finished), and the check comes first.
 * Not express-rate-limit's `skipSuccessfulRequests`: that counts every request while it is in
 * flight, so a burst of valid fetches from one NAT would use up the failure budget. The price:
 * requests already in flight when the limit is reached still finish, so a client with N
 * parallel connections gets up to N - 1 more failures through per window.
 */
function failureLimit(spec: Limit, failedStatus: (res: Response) => boolean): RequestHandler {
  if (spec.limit <= 0) return passThrough;
  const store = new MemoryStore();
  store.init({ windowMs: spec.windowMs } as Options);
  return async (req, res, next) => {
    const key = clientAddress(req);
    const seen = await store.get(key);
    if (seen && seen.totalHits >= spec.limit) return next(rateLimited(res, spec, seen.resetTime));
    res.once('finish', () => {
      if (failedStatus(res) || markedFailed(req)) void store.increment(key);
    });
    next();
  };
}

/** The 429 answer: `Retry-After` in seconds, and the app's error body (via the error handlers). */
function rateLimited(res: Response, spec: Limit, resetTime: Date | undefined): AppError {
  const resetMs = resetTime?.getTime() ?? Date.now() + spec.windowMs;
  const retryAfterSeconds = Math.max(1, Math.ceil((resetMs - Date.now()) / 1000));
  res.set('Retry-After', String(retryAfterSeconds));
  return new AppError('rate_limited', `too many ${spec.what}; try again in ${retryAfterSeconds} s`, {
    limit: spec.id,
    max: spec.limit,
    windowSeconds: spec.windowMs / 1000,
    retryAfterSeconds,
  });
}

function clientAddress(req: Request): string {
  return req.ip ? ipKeyGenerator(req.ip) : 'unknown';
}

const passThrough: RequestHandler = (_req, _res, next) => next();
