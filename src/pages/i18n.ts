/**
 * Every word the pages show, composed from the modules of ./messages/ (one per page or
 * capability): Chinese is the source (the default: village heads and cadres read it), English
 * the other language and the fallback of a lookup.
 */
import type { Request } from 'express';
import type { GapReason } from '../domain/roster.js';
import type { AppError } from '../errors.js';
import { GAP_REASON_LABELS } from '../feeds/index.js';
import type { MessageModule } from './messages/define.js';
import { COMMON_MESSAGES } from './messages/common.js';
import { VILLAGE_MESSAGES } from './messages/village.js';
import { PERSON_MESSAGES } from './messages/person.js';
import { PLANNER_MESSAGES } from './messages/planner.js';
import { PLAN_MESSAGES } from './messages/plan.js';
import { PUBLISH_MESSAGES } from './messages/publish.js';
import { REVIEW_MESSAGES } from './messages/review.js';
import { LINKS_MESSAGES } from './messages/links.js';
import { GROUND_MESSAGES } from './messages/ground.js';
import { REPLAN_MESSAGES } from './messages/replan.js';
import { CLAIMS_MESSAGES } from './messages/claims.js';
import { PRINTED_MESSAGES } from './messages/printed.js';

export type Lang = 'zh' | 'en';

const MODULES = [
  COMMON_MESSAGES,
  VILLAGE_MESSAGES,
  PERSON_MESSAGES,
  PLANNER_MESSAGES,
  PLAN_MESSAGES,
  PUBLISH_MESSAGES,
  REVIEW_MESSAGES,
  LINKS_MESSAGES,
  GROUND_MESSAGES,
  REPLAN_MESSAGES,
  CLAIMS_MESSAGES,
  PRINTED_MESSAGES,
] as const;

export type LabelKey = (typeof MODULES)[number] extends infer M ? (M extends MessageModule<infer K> ? K : never) : never;
export type Translate = (key: LabelKey, values?: Record<string, string | number>) => string;

/** One language's words of every module (a key is in one module only: test/unit/pages/messages.test.ts). */
function dictionary(lang: Lang): ReadonlyMap<string, string> {
  return new Map(MODULES.flatMap((m) => Object.entries(m[lang])));
}

const DICTIONARIES: Record<Lang, ReadonlyMap<string, string>> = { zh: dictionary('zh'), en: dictionary('en') };

/** Whether `key` names a message (for keys built from a code, e.g. a solver's rule name). */
export function isLabelKey(key: string): key is LabelKey {
  return DICTIONARIES.zh.has(key);
}

/** `?lang=` wins; else the browser's preference between Chinese and English; else Chinese. */
export function langOf(req: Request): Lang {
  const asked = req.query.lang;
  if (asked === 'en' || asked === 'zh') return asked;
  const header = req.get('accept-language');
  if (!header) return 'zh';
  return req.acceptsLanguages('zh', 'en') === 'en' ? 'en' : 'zh';
}

/**
 * A validation problem's message in the page's language. Upload problems carry both; others
 * (e.g. a plan form's) have only `message`, which is shown as it is.
 */
export function problemMessage(problem: { message: string; messageZh?: string }, lang: Lang): string {
  return lang === 'zh' && problem.messageZh ? problem.messageZh : problem.message;
}

/**
 * Expected failures in the page's language. The service's own error messages are English and
 * specific; a Chinese page shows what the failure means for the user, by its stable code.
 */
export function errorMessage(error: Pick<AppError, 'code' | 'message'>, lang: Lang): string {
  return lang === 'zh' ? translator('zh')(`error_${error.code}`) : error.message;
}

/** Lookups in `lang`, else in English (the fallback), else the key itself; `{name}` takes `values.name`. */
export function translator(lang: Lang): Translate {
  const asked = DICTIONARIES[lang];
  const fallback = DICTIONARIES.en;
  return (key, values) => (asked.get(key) ?? fallback.get(key) ?? key).replace(/\{(\w+)\}/g, (_, name: string) => String(values?.[name] ?? `{${name}}`));
}

/**
 * A gap reason in one language. The feed labels are the single source of the wording
 * (`中文 / English`), so the pages split them rather than keep a second copy.
 */
export function gapReasonLabel(reason: string, lang: Lang): string {
  const label = GAP_REASON_LABELS[reason as GapReason];
  if (!label) return reason;
  const [chinese, english] = label.split(' / ');
  return (lang === 'zh' ? chinese : english) ?? label;
}
