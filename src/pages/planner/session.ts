/**
 * The planner console's session. Design (one mechanism per threat, all server-side):
 *
 * - The cookie holds the planner's API token itself (verified on every request with
 *   `verifyToken`, so revoking the token ends the session at once). It is HttpOnly (no script
 *   can read it), SameSite=Strict (no other site's page can make the browser send it), scoped
 *   to Path=/planner (the API never sees it: the API keeps Bearer auth only) and Secure when
 *   the request came over https.
 * - CSRF: SameSite=Strict already keeps cross-site requests cookie-less in current browsers;
 *   as a second, browser-independent layer every POST/PUT must carry a synchronizer token
 *   (hidden `_csrf` field, or `X-CSRF-Token` header from the upload script). It is an HMAC
 *   of a fixed label keyed by the session's secret: unguessable without the cookie, the same
 *   for the whole session (no server state), compared in constant time.
 * - Sign-in has no session yet, so it checks that the form was posted from this site
 *   (Sec-Fetch-Site, else Origin), which stops another site from signing a browser in with
 *   the attacker's token.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { parseCookie, stringifySetCookie } from 'cookie';
import { verifyToken, type Principal } from '../../auth/tokens.js';
import type { Models } from '../../db/models.js';
import { countAsFailedLookup } from '../../http/rate-limit.js';

export const SESSION_COOKIE = 'gd_planner';
const COOKIE_PATH = '/planner';
const MAX_AGE_S = 12 * 3600;

export interface PlannerSession {
  principal: Principal;
  csrf: string;
}

/** The signed-in planner, or null (no cookie, unknown or revoked token, or not a planner). */
export async function plannerSession(models: Models, req: Request): Promise<PlannerSession | null> {
  const token = parseCookie(req.get('cookie') ?? '')[SESSION_COOKIE];
  if (!token) return null;
  const principal = await verifyToken(models, token);
  // A cookie that is no token is a guess like a bad bearer token, but it answers with the
  // sign-in page or a redirect, not a 401: count it for the failed-auth limit explicitly.
  if (!principal) countAsFailedLookup(req);
  if (!principal || principal.role !== 'planner') return null;
  return { principal, csrf: csrfTokenOf(token) };
}

export function setSessionCookie(req: Request, res: Response, token: string): void {
  res.append(
    'Set-Cookie',
    stringifySetCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: COOKIE_PATH, maxAge: MAX_AGE_S }),
  );
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.append('Set-Cookie', stringifySetCookie(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', secure: req.secure, path: COOKIE_PATH, maxAge: 0 }));
}

/** True when the request carries this session's CSRF token (form field or header). */
export function csrfOk(req: Request, session: PlannerSession): boolean {
  const body = req.body as Record<string, unknown> | undefined;
  const sent = req.get('x-csrf-token') ?? (body && typeof body === 'object' && !Buffer.isBuffer(body) ? body._csrf : undefined);
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(session.csrf);
  return a.length === b.length && timingSafeEqual(a, b);
}

function csrfTokenOf(sessionSecret: string): string {
  return createHmac('sha256', sessionSecret).update('gate-duty planner console csrf v1').digest('base64url');
}
