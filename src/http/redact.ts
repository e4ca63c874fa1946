/**
 * Secrets out of logged URLs. A request reaches the same handler whatever the case of its
 * path (Express routes are case-insensitive) and with any part percent-encoded (route params
 * and query names are decoded before the handler sees them), so matching the URL as sent is
 * not enough: `/FEEDS/<secret>.ics` or `?tok%65n=<secret>` would slip through. Redaction
 * therefore decides on the decoded, lower-cased form, decoding repeatedly (double encoding,
 * `%2566eeds`) and never throwing on malformed `%` sequences.
 */
import { SECRET_URL_PREFIXES, isSecretParamName } from './secret-urls.js';

const REDACTED = '[redacted]';
/** `%2566` takes two rounds; more than a few rounds is no realistic client, only an attacker. */
const MAX_DECODE_ROUNDS = 5;

/**
 * A secret-bearing prefix as a whole path segment, followed by anything. Backslashes count
 * as separators too: nothing routes them, but a client that sends them still sent a secret.
 */
const SECRET_PATH = new RegExp(`(?:^|[/\\\\])(?:${SECRET_URL_PREFIXES.map((p) => p.slice(1)).join('|')})(?=[/\\\\])`, 'i');

/** Replaces secrets in a request URL (path after a secret prefix; secret-named query values). */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return redactPath(url);
  return `${redactPath(url.slice(0, q))}?${redactQuery(url.slice(q + 1))}`;
}

/** Everything after a secret prefix goes; a path without one is logged as sent. */
function redactPath(raw: string): string {
  const decoded = decodeFully(raw);
  const match = SECRET_PATH.exec(decoded);
  if (!match) return raw;
  return `${decoded.slice(0, match.index + match[0].length)}/${REDACTED}`;
}

function redactQuery(raw: string): string {
  return raw
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      // `+` is a space in query strings, as the query parser reads it.
      return isSecretParamName(decodeFully(name.replaceAll('+', ' '))) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
}

/** Percent-decodes until nothing changes (or the round limit). Never throws. */
export function decodeFully(text: string): string {
  let current = text;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round++) {
    const next = decodeOnce(current);
    if (next === current) break;
    current = next;
  }
  return current;
}

/**
 * One round of percent-decoding. Runs of `%XX` become their UTF-8 text, invalid bytes U+FFFD,
 * where `decodeURIComponent` would throw; a `%` not followed by two hex digits stays as is.
 */
function decodeOnce(text: string): string {
  return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => Buffer.from(run.replaceAll('%', ''), 'hex').toString('utf8'));
}
