/**
 * The phone remembers whose it is for the gate pages: visiting one's own `/me` page stores
 * the person's link secret in a cookie that only `/gate/…` pages receive.
 *
 * - HttpOnly (no script reads it), Path=/gate (no other page or API gets it), Secure when the
 *   request came over https (a LAN box serves plain http, where a Secure cookie would vanish).
 * - SameSite=Lax, not Strict: the gate page is opened by scanning a QR code, a top-level
 *   navigation from the camera or chat app, which Strict would send without the cookie. Lax
 *   still keeps it off other sites' POSTs, and the check-in POST checks its origin too.
 * - It is the same secret as the person's calendar link: whoever holds the phone can check
 *   its owner in, as whoever holds the link can read their shifts.
 */
import type { Request, Response } from 'express';
import { parseCookie, stringifySetCookie } from 'cookie';
import { GATE_PREFIX } from '../../http/secret-urls.js';

export const PERSON_COOKIE = 'gd_person';
const MAX_AGE_S = 90 * 86_400;

export function rememberPerson(req: Request, res: Response, feedSecret: string): void {
  res.append(
    'Set-Cookie',
    stringifySetCookie(PERSON_COOKIE, feedSecret, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: GATE_PREFIX, maxAge: MAX_AGE_S }),
  );
}

export function rememberedPerson(req: Request): string | null {
  const secret = parseCookie(req.get('cookie') ?? '')[PERSON_COOKIE];
  return secret && /^[A-Za-z0-9_-]{20,200}$/.test(secret) ? secret : null;
}
