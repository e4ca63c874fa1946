/**
 * What each message says, in Chinese, short and actionable. Pure: rosters, names and mobiles
 * in, format-neutral messages out (./formats.ts fits them to each channel).
 */
import type { Assignment, Gap } from '../domain/roster.js';
import { localDate } from '../domain/time.js';
import { TZDate } from '@date-fns/tz';
import type { Block, Message } from './types.js';

export interface GateInfo {
  name: string;
  village: string;
  town: string;
}

export interface PersonInfo {
  name: string;
  village: string;
  /** Mobile as the group robot needs it (11 digits), or null. */
  mobile: string | null;
}

/** `12月14日 08:00–16:00`; a shift that ends at midnight ends at 24:00. */
export function shiftSpan(start: Date, end: Date, timeZone: string): string {
  const s = new TZDate(start.getTime(), timeZone);
  const e = new TZDate(end.getTime(), timeZone);
  const endsAtMidnight = e.getHours() === 0 && e.getMinutes() === 0 && localDate(end, timeZone) !== localDate(start, timeZone);
  const clock = (d: TZDate) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return `${s.getMonth() + 1}月${s.getDate()}日 ${clock(s)}–${endsAtMidnight ? '24:00' : clock(e)}`;
}

/** The 11-digit mainland mobile a robot can mention, or null (landlines, blanks). */
export function mobileOf(phone: string | null | undefined): string | null {
  const digits = (phone ?? '').replace(/\D/g, '');
  const last = digits.slice(-11);
  return /^1\d{10}$/.test(last) ? last : null;
}

export interface ShiftChangeInput {
  planId: string;
  planName: string;
  version: number;
  timeZone: string;
  /** Only changes to shifts that end after this instant are told. */
  now: Date;
  previous: readonly Assignment[];
  current: readonly Assignment[];
  gates: ReadonlyMap<string, GateInfo>;
  people: ReadonlyMap<string, PersonInfo>;
  /** Link to the person's own page or calendar, if one can be given. */
  linkOf?: (cadreId: string) => string | null;
}

/**
 * One message per village whose people had a shift added or removed: a paragraph per person
 * (mentioning their mobile) with the shifts taken away, the shifts given and who stands with
 * them. A person is told in their home village's group.
 */
export function shiftChangeMessages(input: ShiftChangeInput): { village: string; message: Message }[] {
  const key = (a: Assignment) => `${a.cadreId}|${a.gateId}|${a.start.getTime()}`;
  const before = new Set(input.previous.map(key));
  const after = new Set(input.current.map(key));
  const upcoming = (a: Assignment) => a.end.getTime() > input.now.getTime();
  const gained = input.current.filter((a) => upcoming(a) && !before.has(key(a)));
  const lost = input.previous.filter((a) => upcoming(a) && !after.has(key(a)));
  const partners = new Map<string, string[]>();
  for (const a of input.current) {
    const shift = `${a.gateId}|${a.start.getTime()}`;
    partners.set(shift, [...(partners.get(shift) ?? []), a.cadreId]);
  }

  const byPerson = new Map<string, { gained: Assignment[]; lost: Assignment[] }>();
  for (const [list, field] of [
    [gained, 'gained'],
    [lost, 'lost'],
  ] as const) {
    for (const a of list) {
      const entry = byPerson.get(a.cadreId) ?? { gained: [], lost: [] };
      entry[field].push(a);
      byPerson.set(a.cadreId, entry);
    }
  }

  const byVillage = new Map<string, Block[]>();
  for (const cadreId of [...byPerson.keys()].sort()) {
    const change = byPerson.get(cadreId)!;
    const person = input.people.get(cadreId);
    const village = person?.village ?? input.gates.get((change.gained[0] ?? change.lost[0])!.gateId)?.village ?? '';
    const gateName = (a: Assignment) => input.gates.get(a.gateId)?.name ?? a.gateId;
    const lines = [`${person?.name ?? cadreId}${person?.mobile ? ` @${person.mobile}` : ''} 班次有变：`];
    for (const a of sortByStart(change.lost)) lines.push(`× 取消 ${shiftSpan(a.start, a.end, input.timeZone)} ${gateName(a)}`);
    for (const a of sortByStart(change.gained)) {
      const with_ = (partners.get(`${a.gateId}|${a.start.getTime()}`) ?? []).filter((id) => id !== cadreId).map((id) => input.people.get(id)?.name ?? id);
      lines.push(`✓ 新增 ${shiftSpan(a.start, a.end, input.timeZone)} ${gateName(a)}，搭班：${with_.length ? with_.join('、') : '无（单人值守）'}`);
    }
    const link = input.linkOf?.(cadreId);
    lines.push(link ? `日历：${link}` : '已订阅的值班日历会自动更新。');
    const blocks = byVillage.get(village) ?? [];
    blocks.push({ text: lines.join('\n'), mentions: person?.mobile ? [person.mobile] : [] });
    byVillage.set(village, blocks);
  }
  return [...byVillage.entries()].map(([village, blocks]) => ({
    village,
    message: {
      event: 'shift_changed',
      key: `shift:${input.planId}:${input.version}:${village}`,
      title: `排班变动：${village}（${input.planName} 第${input.version}版）`,
      blocks,
    },
  }));
}

export interface SummaryInput {
  planId: string;
  planName: string;
  version: number;
  publishedBy: string;
  current: readonly Assignment[];
  gaps: readonly Gap[];
  /** Places the plan needs in all (filled + empty). */
  needed: number;
  changedPeople: number | null;
}

/** To planners after each publish: places, gaps, people changed. */
export function publishSummaryMessage(input: SummaryInput): Message {
  const empty = input.gaps.reduce((s, g) => s + (g.needed - g.filled), 0);
  const filled = input.current.length;
  const pct = input.needed ? ((100 * filled) / input.needed).toFixed(1) : '100.0';
  const lines = [
    `计划“${input.planName}”已发布第${input.version}版。`,
    `岗位：已排 ${filled} / 需 ${input.needed}（${pct}%），缺口 ${input.gaps.length} 个班次共 ${empty} 人。`,
    input.changedPeople === null ? '首次发布。' : `班次有变的人员：${input.changedPeople} 人。`,
  ];
  return {
    event: 'publish_summary',
    key: `summary:${input.planId}:${input.version}`,
    title: `发布：${input.planName} 第${input.version}版`,
    blocks: [{ text: lines.join('\n'), mentions: [] }],
  };
}

function sortByStart(list: Assignment[]): Assignment[] {
  return [...list].sort((a, b) => a.start.getTime() - b.start.getTime() || a.gateId.localeCompare(b.gateId));
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** One empty place, as a gap alert names it. */
export interface GapLine {
  gateName: string;
  village: string;
  start: Date;
  end: Date;
  missing: number;
  needed: number;
  reasonZh: string;
}

/** Gaps in the next 24 h, and places filled again, for one group. */
export function gapAlertMessage(key: string, scope: string, open: readonly GapLine[], filled: readonly GapLine[], timeZone: string): Message {
  const line = (g: GapLine) => `${shiftSpan(g.start, g.end, timeZone)} ${g.village}${g.gateName}`;
  const blocks: Block[] = [];
  if (open.length) {
    blocks.push({ text: `24小时内缺人 ${open.length} 个班次，请村社负责人安排补位：`, mentions: [] });
    for (const g of open) blocks.push({ text: `⚠ ${line(g)} 缺${g.missing}人（需${g.needed}人）${g.reasonZh ? `\n原因：${g.reasonZh}` : ''}`, mentions: [] });
  }
  if (filled.length) blocks.push({ text: `已补齐：\n${filled.map((g) => `✓ ${line(g)}`).join('\n')}`, mentions: [] });
  const title = open.length ? `缺口提醒：${scope} ${open.length} 个班次缺人` : `缺口已补齐：${scope}`;
  return { event: 'gap', key, title, blocks };
}

export interface DayFigures {
  date: string;
  needed: number;
  filled: number;
  gapShifts: number;
  absentPeople: number;
}

export interface TownFigures {
  town: string;
  today: DayFigures;
  tomorrow: DayFigures;
  /** The campaigns its plans belong to, to date: what each of the town's people carried. */
  campaigns?: CampaignToDate[];
}

export interface CampaignToDate {
  name: string;
  /** First and last local day counted. */
  from: string;
  to: string;
  people: number;
  hours: { min: number; median: number; max: number };
  nights: { min: number; median: number; max: number };
}

/** 一日一报: per town, today's and tomorrow's coverage, gaps, absences; and today's publishes. */
export function dailyReportMessage(key: string, date: string, towns: readonly TownFigures[], publishesToday: number): Message {
  const pct = (d: DayFigures) => (d.needed ? `${((100 * d.filled) / d.needed).toFixed(1)}%` : '—');
  const day = (label: string, d: DayFigures) =>
    `${label}（${d.date.slice(5)}）：在岗 ${d.filled}/${d.needed} 人次（${pct(d)}），缺口 ${d.gapShifts} 个班次，请假/不可值班 ${d.absentPeople} 人`;
  const toDate = (c: CampaignToDate) =>
    `专项「${c.name}」至今（${c.from.slice(5)} 至 ${c.to.slice(5)}，${c.people} 人）：每人工时 最少 ${c.hours.min} / 中位 ${c.hours.median} / 最多 ${c.hours.max} 小时，夜班 最多 ${c.nights.max} 个`;
  const blocks: Block[] = towns.map((t) => ({
    text: [`【${t.town}】`, day('今日', t.today), day('明日', t.tomorrow), ...(t.campaigns ?? []).map(toDate)].join('\n'),
    mentions: [],
  }));
  blocks.push({ text: `今日排班发布 ${publishesToday} 次。`, mentions: [] });
  return { event: 'daily_report', key, title: `一日一报 ${date}`, blocks };
}
