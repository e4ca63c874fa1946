/**
 * The checks every cell passes before its column's own rule: not longer than the column
 * allows, and no control characters. Every field is one line of text that ends up on a roster
 * page, in a calendar feed or in a file name: NUL, ESC, BEL and friends (and line breaks or tabs
 * inside a name) only ever arrive by accident or by attack, and break what they flow into.
 */
import type { Bilingual } from './problem.js';

/** C0 controls (incl. tab and line breaks), DEL, and the C1 controls. */
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's job
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const CONTROL_NAMES: Record<number, string> = { 0x00: 'NUL', 0x07: 'BEL', 0x08: 'BS', 0x09: 'TAB', 0x0a: 'LF', 0x0d: 'CR', 0x1b: 'ESC', 0x7f: 'DEL' };

/** Why `text` (a trimmed cell) may not stand in a column of at most `max` characters, or null. */
export function textProblem(text: string, max: number): Bilingual | null {
  // UTF-16 length bounds the character count from above: count exactly only when it might pass.
  if (text.length > max) {
    const length = characterCount(text);
    if (length > max) return { en: `too long: ${length} characters, at most ${max} (内容过长)`, zh: `内容过长：共 ${length} 个字符，最多 ${max} 个` };
  }
  const found = CONTROL.exec(text);
  if (found) {
    const code = found[0].charCodeAt(0);
    const name = `U+${code.toString(16).toUpperCase().padStart(4, '0')}${CONTROL_NAMES[code] ? ` ${CONTROL_NAMES[code]}` : ''}`;
    const at = characterCount(text.slice(0, found.index)) + 1;
    return {
      en: `contains a control character (${name}) at character ${at}; remove it, and keep the cell on one line (控制字符)`,
      zh: `第 ${at} 个字符是不可见的控制字符（${name}），请删除；单元格内容不能换行`,
    };
  }
  return null;
}

/** Characters as people count them: code points, so an emoji is one. */
function characterCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) i++;
    n++;
  }
  return n;
}

/**
 * Why `text` may not be an id, or null. An id becomes a document key (`_id`) and a key in the
 * maps built from it; one starting with `$` or holding a `.` would read as an operator or a
 * path there, so it is refused rather than stored.
 */
export function idProblem(text: string): Bilingual | null {
  if (text.startsWith('$')) return { en: 'an id may not start with "$" (编号不能以 $ 开头)', zh: '编号不能以 $ 开头' };
  if (text.includes('.')) return { en: 'an id may not contain "." (编号不能含有 .)', zh: '编号不能含有英文句点 .' };
  return null;
}

/** Why a JSON value of this type may not stand in a column of type `json`, or null (a string always may). */
export function jsonTypeProblem(cell: unknown, json: 'string' | 'number' | 'boolean'): Bilingual | null {
  if (cell === null || typeof cell === 'string' || typeof cell === json) return null;
  const expected = {
    string: { en: 'text (a JSON string)', zh: '文字（JSON 字符串）' },
    number: { en: 'a number', zh: '数字' },
    boolean: { en: 'true or false', zh: 'true 或 false' },
  }[json];
  return { en: `expected ${expected.en}, not the ${typeof cell} ${JSON.stringify(cell)}`, zh: `此列应为${expected.zh}，不能是 ${JSON.stringify(cell)}` };
}
