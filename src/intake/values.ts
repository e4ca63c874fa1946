/**
 * Cell -> typed value, one zod schema per kind of column. A cell may be a string (CSV, JSON),
 * a number or boolean (JSON, Excel) or a Date (an Excel date cell: a UTC Date that holds the
 * wall-clock time the sheet shows). Each message is said in English (with the Chinese term the
 * sheet uses) and in Chinese; the Chinese rides on the zod issue's `params`.
 */
import { z } from 'zod';
import { isLocalDate, parseClock, parseLocalDateTime } from '../domain/time.js';
import type { AvailabilityKind, Role } from '../domain/types.js';
import { zhChoices, type Bilingual } from './problem.js';
import type { Cell } from './types.js';

const pad = (n: number): string => String(n).padStart(2, '0');

/** Wall-clock `YYYY-MM-DD HH:mm` of an Excel date cell. */
function excelWallClock(cell: Date): string {
  // Excel stores days as a float; 08:00 can come back as 07:59:59.999.
  const d = new Date(Math.round(cell.getTime() / 60_000) * 60_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** The cell as the user would read it, trimmed; '' for an empty cell. */
export function cellText(cell: Cell): string {
  if (cell === null) return '';
  if (cell instanceof Date) return excelWallClock(cell);
  // Plain digits for whole numbers: a phone typed into Excel comes back as 13812345678.
  if (typeof cell === 'number') return Number.isInteger(cell) ? cell.toFixed(0) : String(cell);
  return String(cell).trim();
}

/** A zod schema from a converter that either returns the value or an `Invalid` message. */
function cellSchema<T>(convert: (cell: Cell, text: string) => T | Invalid) {
  return z.custom<Cell>().transform((cell, ctx): T => {
    const out = convert(cell, cellText(cell));
    if (out instanceof Invalid) {
      ctx.addIssue({ code: 'custom', message: out.message.en, params: { zh: out.message.zh } });
      return z.NEVER;
    }
    return out;
  });
}

/** Both languages of a cell schema's issue (the Chinese from `params`, where `cellSchema` put it). */
export function issueMessage(issue: z.core.$ZodIssue): Bilingual {
  const zh: unknown = issue.code === 'custom' ? issue.params?.zh : undefined;
  // Only cellSchema's issues reach here; the English is a last resort, never expected.
  return { en: issue.message, zh: typeof zh === 'string' ? zh : issue.message };
}

class Invalid {
  constructor(readonly message: Bilingual) {}
}
const invalid = (en: string, zh: string): Invalid => new Invalid({ en, zh });
const empty = (): Invalid => invalid('required: this cell is empty (必填)', '必填，不能为空');

export const requiredText = cellSchema((_, text) => (text === '' ? empty() : text));
export const optionalText = cellSchema((_, text) => (text === '' ? null : text));

export function integer(min: number, max: number, fallback: number | null) {
  return cellSchema((_, text) => {
    if (text === '') return fallback ?? null;
    const n = Number(text);
    if (!/^\d+$/.test(text) || !Number.isInteger(n) || n < min || n > max)
      return invalid(`expected a whole number from ${min} to ${max}`, `请填写 ${min} 到 ${max} 之间的整数`);
    return n;
  });
}

const TRUE = new Set(['yes', 'true', '1', '是', 'y']);
const FALSE = new Set(['no', 'false', '0', '否', 'n']);

export function boolean(fallback: boolean) {
  return cellSchema((cell, text) => {
    if (typeof cell === 'boolean') return cell;
    if (text === '') return fallback;
    const t = text.toLowerCase();
    if (TRUE.has(t)) return true;
    if (FALSE.has(t)) return false;
    return invalid(`expected yes/是 or no/否 (also true/false, 1/0, y/n)`, '请填写 是 或 否（也可填 yes/no、1/0）');
  });
}

/** Local `HH:mm` (`24:00` allowed) -> minutes since midnight. */
export function clock(fallback: string) {
  return cellSchema((cell, text) => {
    if (text === '') return parseClock(fallback) as number;
    // An Excel time cell is a Date on 1899-12-30; 24:00 rolls over to the 31st.
    if (cell instanceof Date) {
      const minutes = Math.round(cell.getTime() / 60_000) - Date.UTC(1899, 11, 30) / 60_000;
      if (minutes >= 0 && minutes <= 24 * 60) return minutes;
    }
    return parseClock(text) ?? invalid('expected a local time HH:mm, e.g. 06:00 or 24:00', '时间格式应为 时:分，例如 06:00 或 24:00');
  });
}

/** A calendar date `YYYY-MM-DD` (also `2021/12/3`); '' = open-ended. */
export const optionalDate = cellSchema((cell, text) => {
  if (text === '') return null;
  if (cell instanceof Date) return text.slice(0, 10);
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(text);
  const date = m ? `${m[1]}-${pad(Number(m[2]))}-${pad(Number(m[3]))}` : '';
  return isLocalDate(date) ? date : invalid('expected a date YYYY-MM-DD, e.g. 2021-12-13', '日期格式应为 年-月-日，例如 2021-12-13');
});

/** Local wall-clock date and time in `timeZone` -> instant. */
export function localDateTime(timeZone: string) {
  return cellSchema((_, text) => {
    if (text === '') return empty();
    return (
      parseLocalDateTime(text.replaceAll('/', '-'), timeZone) ??
      invalid('expected a local date and time YYYY-MM-DD HH:mm, e.g. 2021-12-13 08:00', '日期时间格式应为 年-月-日 时:分，例如 2021-12-13 08:00')
    );
  });
}

/** Phone numbers as people write them: digits, `+`, `-` and spaces. */
export const optionalPhone = cellSchema((_, text) => {
  if (text === '') return null;
  return /^\+?[\d\s-]{5,20}$/.test(text)
    ? text
    : invalid('expected a phone number: digits, +, - and spaces, e.g. 13812345678', '手机号只能包含数字、+、- 和空格，例如 13812345678');
});

/** One of a fixed set of values, written in English or Chinese; `what` names the column. */
function choice<T extends string>(names: Record<T, string>, what: Bilingual) {
  const lookup = new Map<string, T>();
  for (const [en, zh] of Object.entries(names) as [T, string][]) lookup.set(en.toLowerCase(), en).set(zh, en);
  const list = (Object.entries(names) as [T, string][]).map(([en, zh]) => `${en}/${zh}`);
  const options = `${list.slice(0, -1).join(', ')} or ${list.at(-1) ?? ''}`;
  const optionsZh = zhChoices(Object.values(names));
  return cellSchema((_, text) => {
    if (text === '') return empty();
    return lookup.get(text.toLowerCase()) ?? invalid(`unknown ${what.en} "${text}"; use ${options}`, `${what.zh}"${text}"无法识别，请填写 ${optionsZh}`);
  });
}

export const ROLE_NAMES: Record<Role, string> = { village_cadre: '村干部', dispatched: '下沉干部', volunteer: '志愿者' };
export const KIND_NAMES: Record<AvailabilityKind, string> = { available: '可值班', unavailable: '不可值班', preferred: '优先' };
export const role = choice(ROLE_NAMES, { en: 'role', zh: '身份' });
export const kind = choice(KIND_NAMES, { en: 'kind', zh: '类型' });
