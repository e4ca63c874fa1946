/**
 * Problem messages in both languages: English for the API and English pages, Chinese for the
 * district offices. Every problem intake reports is built from a `Bilingual`, so neither
 * language can be left out.
 */
import { AppError, type RowProblem } from '../errors.js';
import { ECHO_MAX, MAX_PROBLEMS } from './limits.js';
import type { Refusal } from './types.js';

/** One message, said in English and in Chinese. */
export interface Bilingual {
  en: string;
  zh: string;
}

/** The column and value are echoed clipped: a 17 MB cell must not come back whole. */
export function problem(row: number, column: string, value: string, message: Bilingual): RowProblem {
  return { row, column: clip(column), value: clip(value), message: message.en, messageZh: message.zh };
}

/** A refused upload: the first MAX_PROBLEMS problems (in the order given) and how many there are in all. */
export function refusal(problems: RowProblem[]): Refusal {
  return { ok: false, problems: problems.slice(0, MAX_PROBLEMS), total: problems.length };
}

/** A file-level problem (unreadable, empty, wrong encoding): row 1, no column. */
export function fileProblem(message: Bilingual): Refusal {
  return refusal([problem(1, '', '', message)]);
}

/**
 * An upload refused for what reading it would cost (rows, unpacked size, time, memory): a 413
 * whose reason is also a row-1 problem, so the planner console shows it in Chinese too.
 */
export function tooLarge(message: Bilingual, details: Record<string, unknown> = {}): AppError {
  return new AppError('payload_too_large', message.en, { problems: [problem(1, '', '', message)], total: 1, ...details });
}

/** At most `max` characters of `text`, then '…'; never half a surrogate pair. */
export function clip(text: string, max = ECHO_MAX): string {
  if (text.length <= max) return text;
  const end = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return `${text.slice(0, end)}…`;
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/** `['a', 'b', 'c']` -> `a、b 或 c`, as a Chinese list of choices reads. */
export function zhChoices(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join('、')} 或 ${items.at(-1)}`;
}

/** Names quoted the Chinese way for a message: `"东村"、"西村"`. */
export const zhQuoted = (items: readonly string[]): string => items.map((s) => `"${s}"`).join('、');
