/**
 * Bearer-token authentication and the role gates. Routes ask `principalOf(req)` who is calling
 * and use the scope helpers (src/auth/scope.ts, src/auth/act-for.ts); no route decides access
 * on its own.
 */
import type { Request, RequestHandler } from 'express';
import type { Models, TokenRole } from '../db/models.js';
import { verifyToken, type Principal } from '../auth/tokens.js';
import { AppError } from '../errors.js';

const PRINCIPAL = Symbol('principal');
type WithPrincipal = Request & { [PRINCIPAL]?: Principal };

export function authenticate(models: Models): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new AppError('unauthorized', 'send "Authorization: Bearer <token>"');
    const principal = await verifyToken(models, match[1]);
    if (!principal) throw new AppError('unauthorized', 'the token is unknown or revoked');
    attachPrincipal(req, principal);
    next();
  };
}

/** Records who is calling; the console's session check uses it too, so per-token limits see both. */
export function attachPrincipal(req: Request, principal: Principal): void {
  (req as WithPrincipal)[PRINCIPAL] = principal;
}

export function principalOf(req: Request): Principal {
  const principal = (req as WithPrincipal)[PRINCIPAL];
  if (!principal) throw new Error('principalOf called on a route without authenticate()');
  return principal;
}

export function requireRole(...roles: TokenRole[]): RequestHandler {
  return (req, _res, next) => {
    const { role } = principalOf(req);
    if (!roles.includes(role)) throw new AppError('forbidden', `this needs a ${roles.join(' or ')} token`);
    next();
  };
}

/**
 * Inspection squads (inspector tokens) reach only what their work needs: inspections, their
 * visit list, and the plan list to name a plan. Every other API route was written for the
 * other roles (several read "not a village head" as "the whole district"), so this one gate
 * keeps an inspector out of them all, whatever is added later.
 */
const INSPECTOR_PATHS = [/^\/inspections(\/|$)/, /^\/visits(\/|$)/, /^\/plans\/?$/, /^\/plans\/[^/]+\/?$/];

export const confineInspectors: RequestHandler = (req, _res, next) => {
  const principal = principalOf(req);
  if (principal.role !== 'inspector') return next();
  const allowed = INSPECTOR_PATHS.some((p) => p.test(req.path)) && (req.method === 'GET' || req.path.startsWith('/inspections'));
  if (!allowed) throw new AppError('forbidden', 'an inspector token reaches only inspections, visit lists and the plan list');
  next();
};

/** The person a cadre token belongs to (403 for any other token). */
export function selfOf(principal: Principal): string {
  if (!principal.cadreId) throw new AppError('forbidden', 'this needs a cadre token');
  return principal.cadreId;
}
