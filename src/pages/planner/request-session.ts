/** Per-request helpers shared by the console's routers. */
import type { Request, Response } from 'express';
import { attachPrincipal } from '../../http/auth.js';
import type { PageContext } from '../render.js';
import type { PlannerSession } from './session.js';

const SESSION = Symbol('planner session');

export function attachSession(req: Request, session: PlannerSession): void {
  (req as Request & { [SESSION]?: PlannerSession })[SESSION] = session;
  // The signed-in planner is the caller, as a bearer token is on the API (upload limits count per token).
  attachPrincipal(req, session.principal);
}

/** The signed-in planner of a request that passed the console's session check. */
export function sessionOf(req: Request): PlannerSession {
  const session = (req as Request & { [SESSION]?: PlannerSession })[SESSION];
  if (!session) throw new Error('sessionOf called outside the session check');
  return session;
}

/** Redirects after a POST (303: the browser follows with GET) keep the page language. */
export function redirectTo(res: Response, ctx: PageContext, path: string): void {
  res.redirect(303, ctx.href(path));
}
