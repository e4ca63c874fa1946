/**
 * Every word the pages show, in Chinese (the default: village heads and cadres read it) and
 * English. `en` is typed by `zh`, so a label missing in one language fails the typecheck.
 */
import type { Request } from 'express';
import type { GapReason } from '../domain/roster.js';
import type { AppError, ErrorCode } from '../errors.js';
import { GAP_REASON_LABELS } from '../feeds/index.js';

export type Lang = 'zh' | 'en';

const zh = {
  appName: '门岗值守',
  htmlLang: 'zh-CN',
  switchLang: 'English',
  errorTitle: '出错了',
  back: '返回',
  // village page
  villageTitle: '村社门岗值守情况',
  villageNoToken: '链接缺少或包含无效的令牌，请向排班员索取新的链接。',
  villageWrongRole: '此链接不是村社负责人的链接。',
  noPublished: '还没有发布的排班。',
  placesNeeded: '需要人次',
  placesFilled: '已排人次',
  percentCovered: '覆盖率',
  lastChanged: '排班最后更新',
  version: '版本',
  gapsTitle: '缺口（最近的在前）',
  noGaps: '没有缺口，所有班次都已排满。',
  earlierGaps: '已过去的缺口（{n} 个）',
  moreGaps: '其余 {n} 个缺口',
  missing: '缺 {n} 人',
  gridTitle: '各门岗各班次',
  gridHint: '点按格子查看值班人员或缺口原因。表格可左右滑动。',
  gate: '门岗',
  currentShift: '当前班次',
  onDuty: '值班人员',
  nobody: '无人值班',
  why: '原因',
  filledOf: '已排 {filled} / 需 {needed}',
  cellFull: '已排满',
  cellGap: '有缺口',
  cellEmpty: '无人',
  refreshedAt: '页面更新于 {t}，每分钟自动刷新',
  refreshNow: '立即刷新',
  planLabel: '排班计划',
  // person page
  personTitle: '我的值班',
  personNoToken: '链接无效或已被收回，请向排班员索取新的链接。',
  upcoming: '接下来的班次',
  noUpcoming: '接下来没有排班。',
  latestShifts: '接下来没有排班；以下是已发布的最近班次',
  earlierShifts: '已过去的班次（{n} 个）',
  when: '时间',
  where: '地点',
  partners: '同班',
  none: '无',
  subscribeTitle: '订阅到手机日历',
  subscribe: '一键订阅日历',
  feedUrl: '日历链接',
  qrAlt: '日历链接的二维码',
  qrHint: '用另一部手机扫码，或长按复制上面的链接。',
  howIphone: 'iPhone：点“一键订阅日历”，再点“订阅”。或在“设置 › 日历 › 账户 › 添加账户 › 其他 › 添加已订阅的日历”中粘贴链接。',
  howAndroid: '安卓（谷歌日历）：在电脑上打开 calendar.google.com，“其他日历” › “+” › “通过网址添加”，粘贴链接；手机上的谷歌日历会自动同步。',
  howOutlook: 'Outlook：“添加日历” › “从 Internet 订阅”，粘贴链接。',
  keepSecret: '此链接就是您的钥匙，请勿转发。',
  // planner console
  plannerTitle: '排班员控制台',
  signIn: '登录',
  signOut: '退出',
  signInHint: '粘贴排班员令牌（npm run token 生成）。令牌保存在仅限本网站的安全 Cookie 中。',
  tokenLabel: '排班员令牌',
  badToken: '令牌无效、已被收回，或不是排班员令牌。',
  uploadTitle: '上传名单',
  uploadHint: '按顺序上传：门岗 → 人员 → 可值班时间。支持 CSV（UTF-8 或 GBK）、Excel、JSON。有一处错误则整个文件不写入。',
  uploadGates: '门岗',
  uploadCadres: '人员',
  uploadAvailability: '可值班时间',
  dropHere: '选择文件，或拖到这里',
  replaceAll: '替换全部（未列出的删除）',
  uploading: '上传中…',
  uploaded: '已上传：新增 {created}，更新 {updated}，未变 {unchanged}，删除 {removed}',
  uploadFailed: '文件有问题，未写入任何数据',
  row: '行',
  column: '列',
  value: '值',
  message: '说明',
  problemCount: '共 {n} 处问题',
  plansTitle: '排班计划',
  newPlan: '新建计划',
  planName: '名称',
  startDate: '开始日期',
  days: '天数',
  shiftHours: '每班小时',
  create: '创建',
  noPlans: '还没有计划。',
  published: '已发布版本',
  notPublished: '未发布',
  open: '打开',
  solve: '开始排班',
  solving: '排班中',
  solveStatus: '排班进度',
  phase: '阶段',
  solveFailed: '排班失败',
  draftTitle: '草稿',
  outcome: '结果',
  publish: '发布此草稿',
  publishedOk: '已发布第 {n} 版',
  coverageTitle: '覆盖',
  upperBound: '理论上限',
  gapsByVillage: '各村社缺口',
  village: '村社',
  town: '镇街',
  gapCount: '缺口',
  missingPlaces: '缺人次',
  hoursTitle: '每人工时与公平份额',
  hoursHint: '每条竖线是一个人（按工时排序）；灰色为公平份额。',
  hoursAxis: '小时',
  people: '人',
  nightsTitle: '夜班分布',
  nightsOf: '{n} 个夜班',
  min: '最少',
  median: '中位',
  max: '最多',
  changesTitle: '与已发布版本相比',
  kept: '保留',
  added: '新增',
  removed: '移除',
  otherChanged: '受影响的其他人',
  noPrevious: '没有已发布版本可比较。',
  pinsTitle: '固定班次',
  pinCadre: '人员编号',
  pinGate: '门岗编号',
  pinStart: '班次开始（本地时间）',
  addPin: '添加固定',
  removePin: '移除',
  noPins: '没有固定班次。',
  pinConflicts: '无法保留的固定',
  feedTitle: '个人日历链接',
  feedHint: '重新生成后旧链接立即失效；新链接只显示这一次。',
  rotate: '重新生成链接',
  revoke: '收回链接',
  newLink: '新的日历链接（只显示一次）',
  revoked: '已收回 {id} 的日历链接',
  solves: '排班',
  viewDraft: '查看草稿',
} as const;

type Dictionary = { readonly [K in keyof typeof zh]: string };

const en: Dictionary = {
  appName: 'Gate duty',
  htmlLang: 'en',
  switchLang: '中文',
  errorTitle: 'Something went wrong',
  back: 'Back',
  villageTitle: 'Gate cover in your village',
  villageNoToken: 'The link has no valid token; ask the planner for a new link.',
  villageWrongRole: 'This link is not a village head’s link.',
  noPublished: 'No roster has been published yet.',
  placesNeeded: 'Places needed',
  placesFilled: 'Places filled',
  percentCovered: 'Covered',
  lastChanged: 'Roster last changed',
  version: 'version',
  gapsTitle: 'Gaps (soonest first)',
  noGaps: 'No gaps: every shift is fully staffed.',
  earlierGaps: 'Past gaps ({n})',
  moreGaps: '{n} more gaps',
  missing: '{n} missing',
  gridTitle: 'Every gate, every shift',
  gridHint: 'Tap a cell to see who is on duty or why it is empty. The table scrolls sideways.',
  gate: 'Gate',
  currentShift: 'current shift',
  onDuty: 'On duty',
  nobody: 'nobody on duty',
  why: 'Why',
  filledOf: '{filled} of {needed} filled',
  cellFull: 'full',
  cellGap: 'gap',
  cellEmpty: 'empty',
  refreshedAt: 'Updated {t}; refreshes every minute',
  refreshNow: 'Refresh now',
  planLabel: 'Plan',
  personTitle: 'My duty',
  personNoToken: 'This link is invalid or was revoked; ask the planner for a new one.',
  upcoming: 'Upcoming shifts',
  noUpcoming: 'No upcoming shifts.',
  latestShifts: 'No upcoming shifts; these are the latest published ones',
  earlierShifts: 'Past shifts ({n})',
  when: 'When',
  where: 'Where',
  partners: 'With',
  none: 'nobody',
  subscribeTitle: 'Subscribe in your phone’s calendar',
  subscribe: 'Subscribe to calendar',
  feedUrl: 'Calendar link',
  qrAlt: 'QR code of the calendar link',
  qrHint: 'Scan it with another phone, or long-press the link above to copy it.',
  howIphone: 'iPhone: tap “Subscribe to calendar”, then “Subscribe”. Or Settings › Calendar › Accounts › Add Account › Other › Add Subscribed Calendar, and paste the link.',
  howAndroid: 'Android (Google Calendar): on a computer open calendar.google.com, Other calendars › “+” › From URL, paste the link; the phone app syncs it.',
  howOutlook: 'Outlook: Add calendar › Subscribe from web, paste the link.',
  keepSecret: 'This link is your key: do not forward it.',
  plannerTitle: 'Planner console',
  signIn: 'Sign in',
  signOut: 'Sign out',
  signInHint: 'Paste a planner token (made with npm run token). It is kept in a secure cookie for this site only.',
  tokenLabel: 'Planner token',
  badToken: 'The token is unknown, revoked, or not a planner token.',
  uploadTitle: 'Upload lists',
  uploadHint: 'In this order: gates → people → availability. CSV (UTF-8 or GBK), Excel or JSON. One bad row and nothing from the file is written.',
  uploadGates: 'Gates',
  uploadCadres: 'People',
  uploadAvailability: 'Availability',
  dropHere: 'Pick a file, or drop it here',
  replaceAll: 'Replace all (delete what is not listed)',
  uploading: 'Uploading…',
  uploaded: 'Uploaded: {created} new, {updated} changed, {unchanged} unchanged, {removed} deleted',
  uploadFailed: 'The file has problems; nothing was written',
  row: 'Row',
  column: 'Column',
  value: 'Value',
  message: 'Message',
  problemCount: '{n} problem(s)',
  plansTitle: 'Plans',
  newPlan: 'New plan',
  planName: 'Name',
  startDate: 'Start date',
  days: 'Days',
  shiftHours: 'Hours per shift',
  create: 'Create',
  noPlans: 'No plans yet.',
  published: 'Published version',
  notPublished: 'not published',
  open: 'Open',
  solve: 'Solve',
  solving: 'Solving',
  solveStatus: 'Solve progress',
  phase: 'Phase',
  solveFailed: 'The solve failed',
  draftTitle: 'Draft',
  outcome: 'Outcome',
  publish: 'Publish this draft',
  publishedOk: 'Published version {n}',
  coverageTitle: 'Coverage',
  upperBound: 'Upper bound',
  gapsByVillage: 'Gaps by village',
  village: 'Village',
  town: 'Town',
  gapCount: 'Gaps',
  missingPlaces: 'Missing places',
  hoursTitle: 'Hours per person against fair share',
  hoursHint: 'One bar per person, sorted by hours; grey is the fair share.',
  hoursAxis: 'hours',
  people: 'people',
  nightsTitle: 'Night shifts spread',
  nightsOf: '{n} nights',
  min: 'min',
  median: 'median',
  max: 'max',
  changesTitle: 'Changes against the published version',
  kept: 'kept',
  added: 'added',
  removed: 'removed',
  otherChanged: 'other people changed',
  noPrevious: 'No published version to compare with.',
  pinsTitle: 'Pins',
  pinCadre: 'Person id',
  pinGate: 'Gate id',
  pinStart: 'Shift start (local time)',
  addPin: 'Add pin',
  removePin: 'Remove',
  noPins: 'No pins.',
  pinConflicts: 'Pins that could not be kept',
  feedTitle: 'Personal calendar links',
  feedHint: 'A new link stops the old one at once; it is shown only this once.',
  rotate: 'New link',
  revoke: 'Revoke link',
  newLink: 'New calendar link (shown once)',
  revoked: 'Revoked the calendar link of {id}',
  solves: 'Solves',
  viewDraft: 'View draft',
};

export type LabelKey = keyof typeof zh;
export type Translate = (key: LabelKey, values?: Record<string, string | number>) => string;

const DICTIONARIES: Record<Lang, Dictionary> = { zh, en };

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
const ERROR_CODES_ZH: Record<ErrorCode, string> = {
  validation_failed: '内容有误，未写入任何数据',
  unauthorized: '登录已失效或口令无效，请重新登录',
  forbidden: '无权进行此操作，或页面已过期，请刷新后重试',
  not_found: '找不到所请求的内容',
  conflict: '与正在进行的操作冲突（例如已有排班计算在运行），请稍后重试',
  payload_too_large: '文件太大，超过了上传上限',
  unsupported_media_type: '文件类型不支持，请上传 CSV、Excel (.xlsx) 或 JSON 文件',
  bad_request: '请求有误，请检查填写的内容',
  rate_limited: '请求过于频繁，请稍后再试',
  unavailable: '数据库暂时无法连接，请几秒后重试',
};

export function errorMessage(error: Pick<AppError, 'code' | 'message'>, lang: Lang): string {
  return lang === 'zh' ? ERROR_CODES_ZH[error.code] : error.message;
}

export function translator(lang: Lang): Translate {
  const dictionary = DICTIONARIES[lang];
  return (key, values) => dictionary[key].replace(/\{(\w+)\}/g, (_, name: string) => String(values?.[name] ?? `{${name}}`));
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
