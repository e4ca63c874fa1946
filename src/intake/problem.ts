/**
 * Problem messages in both languages: English for the API and English pages, Chinese for the
 * district offices. Every problem intake reports is built from a `Bilingual`, so neither
 * language can be left out.
 */
import type { RowProblem } from '../errors.js';

/** One message, said in English and in Chinese. */
export interface Bilingual {
  en: string;
  zh: string;
}

export function problem(row: number, column: string, value: string, message: Bilingual): RowProblem {
  return { row, column, value, message: message.en, messageZh: message.zh };
}

/** A file-level problem (unreadable, empty, wrong encoding): row 1, no column. */
export function fileProblem(message: Bilingual): { ok: false; problems: RowProblem[] } {
  return { ok: false, problems: [problem(1, '', '', message)] };
}

/** `['a', 'b', 'c']` -> `a、b 或 c`, as a Chinese list of choices reads. */
export function zhChoices(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join('、')} 或 ${items.at(-1)}`;
}

/** Names quoted the Chinese way for a message: `"东村"、"西村"`. */
export const zhQuoted = (items: readonly string[]): string => items.map((s) => `"${s}"`).join('、');
