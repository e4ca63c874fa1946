/**
 * One pass over the bytes of a JSON upload, before JSON.parse: how deep it nests and how many
 * items the top-level array holds. JSON.parse itself copes with deep nesting, but every
 * recursive step after it (stringify, schema checks) overflows the stack; and a file of a
 * million tiny rows should be refused before a million objects are built.
 */

export type JsonShape = { tooDeep: true; offset: number } | { tooDeep: false; topLevelItems: number };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const isOpener = (b: number): boolean => b === 0x5b || b === 0x7b; // [ {
const isCloser = (b: number): boolean => b === 0x5d || b === 0x7d; // ] }

/**
 * Bytes are scanned as they are: every byte of a multi-byte UTF-8 character is >= 0x80, so it
 * can never be mistaken for a bracket, comma or quote. `topLevelItems` counts commas at depth
 * 1 plus one: exact for a non-empty array, and only ever used to say "more than".
 */
export function scanJson(bytes: Uint8Array, maxDepth: number): JsonShape {
  let depth = 0;
  let commas = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (inString) {
      if (escaped) escaped = false;
      else if (b === BACKSLASH) escaped = true;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) {
      inString = true;
    } else if (isOpener(b)) {
      if (++depth > maxDepth) return { tooDeep: true, offset: i };
    } else if (isCloser(b)) {
      depth--;
    } else if (b === COMMA && depth === 1) {
      commas++;
    }
  }
  return { tooDeep: false, topLevelItems: commas + 1 };
}
