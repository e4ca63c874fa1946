/**
 * RFC 5545 line folding (3.1): content lines longer than 75 octets are split with CRLF and
 * a space, and never inside a UTF-8 character, so Chinese text survives.
 *
 * ical-generator 10.2.0 folds correctly too, but allocates a TextEncoder per character,
 * which made a week's personal feed cost ~20 ms; this counts octets from code points.
 */
const MAX_OCTETS = 75;

/** Fold every line of CRLF-separated `text`. */
export function foldContentLines(text: string): string {
  return text.split('\r\n').map(foldLine).join('\r\n');
}

function foldLine(line: string): string {
  if (Buffer.byteLength(line, 'utf8') <= MAX_OCTETS) return line;
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  // Continuation lines start with a space, which counts towards their 75 octets.
  let limit = MAX_OCTETS;
  for (const ch of line) {
    const size = utf8Octets(ch.codePointAt(0) ?? 0);
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
      limit = MAX_OCTETS - 1;
    }
    current += ch;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

function utf8Octets(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}
