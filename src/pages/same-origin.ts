/**
 * Whether a form was posted from this site's own pages: the console's sign-in and a gate's
 * check-in ask it. Here at the pages' root because both page groups use it (./planner/,
 * ./gate/); neither imports the other.
 *
 * Browsers send `Sec-Fetch-Site`; `Origin` is often `null` here because the pages set
 * Referrer-Policy: no-referrer, so it is only a fallback.
 */
import type { Request } from 'express';

export function sameOrigin(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const origin = req.get('origin');
  if (!origin || origin === 'null') return true;
  return origin === `${req.protocol}://${req.get('host')}`;
}
