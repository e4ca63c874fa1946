/**
 * The URLs whose secret is the credential, in one place: log redaction hides what follows
 * them, and the failed-lookup rate limit is mounted on them (feeds in app.ts, pages in
 * src/pages/index.ts, so a refused page still answers as a page). A new secret-carrying URL
 * belongs here, or its secret reaches the logs and can be guessed without limit.
 */

/** Calendar feeds: `/feeds/<secret>.ics`, the secret in the path. */
export const FEED_PREFIX = '/feeds';

/** Gate check-in pages: `/gate/<gate secret>`, the secret in the path (a QR code on the gate's poster). */
export const GATE_PREFIX = '/gate';

/**
 * Pages whose secret travels in the query: `/me?token=<feed secret>` (a person's page) and
 * `/village?token=<village head token>`. Query secrets are redacted by name (see
 * `isSecretParamName`); a client that puts one in the path (`/me/<secret>`) is redacted too.
 */
export const SECRET_PAGE_PATHS = ['/me', '/village', GATE_PREFIX];

export const SECRET_URL_PREFIXES = [FEED_PREFIX, ...SECRET_PAGE_PATHS];

/** Query parameter names that carry secrets, matched on the decoded, lower-cased name. */
const SECRET_PARAM = /token|secret|passw|key|auth|session|csrf/;

export function isSecretParamName(decodedName: string): boolean {
  return SECRET_PARAM.test(decodedName.toLowerCase());
}
