/**
 * Messages derived from the committed state rather than from one change: gap alerts (a place
 * in the next 24 h is empty; and when it is filled again) and the daily report (一日一报) at
 * DAILY_REPORT_AT. The delivery worker runs the sweep before each pass; it does real work
 * when the live generation changed, a minute has gone by, or the report hour has come.
 *
 * Each alert is an outbox message of generation 0 whose key is derived from what it tells, so
 * a second sweep (this process after a crash, or another process) inserts the same `_id` and
 * fails; then the gaps it told of are recorded as announced. A crash between the two makes the
 * next sweep stage the same key again (a no-op) and record them. Should a new gap appear in
 * that moment, the next alert names the earlier gaps again: a repeat, never a loss.
 */
import { createHash } from 'node:crypto';
import type { Models } from '../db/models.js';
import { addDays, localDate, localInstant, parseClock } from '../domain/time.js';
import { liveState } from '../roster/live-state.js';
import { listPlans } from '../roster/plans.js';
import { publishedRosterAt, type PublishedRoster } from '../roster/publish.js';
import { campaignFigures, townToDate, type CampaignFigures } from '../roster/views/campaign-figures.js';
import { channelsFor, loadChannels } from './channels.js';
import { stageMessages } from './outbox.js';
import { dailyReportMessage, gapAlertMessage, type CampaignToDate, type DayFigures, type GapLine, type TownFigures } from './texts.js';
import type { Channel, Message } from './types.js';

const HORIZON_MS = 24 * 3_600_000;
const SWEEP_EVERY_MS = 60_000;

export interface AlertOptions {
  timeZone: string;
  /** `HH:mm` local. */
  dailyReportAt: string;
}

interface AnnouncedDoc {
  _id: string;
  channelId: string;
  planId: string;
  gateId: string;
  start: Date;
  end: Date;
  missing: number;
}

export class AlertSweep {
  private lastGen = -1;
  private lastRun = 0;
  /** The local date whose report this process has staged (other processes' stagings are no-ops). */
  private reportedDate = '';
  private readonly rosters = new Map<string, PublishedRoster>();

  constructor(
    private readonly models: Models,
    private readonly options: AlertOptions,
  ) {}

  /** Runs when something may have changed; cheap otherwise. */
  async maybeRun(now = new Date()): Promise<void> {
    const live = await liveState(this.models);
    if (live.gen === this.lastGen && now.getTime() - this.lastRun < SWEEP_EVERY_MS && !this.reportDue(now)) return;
    this.lastGen = live.gen;
    this.lastRun = now.getTime();
    await this.run(now);
  }

  async run(now = new Date()): Promise<void> {
    const channels = await loadChannels(this.models);
    if (!channels.length) return;
    const rosters = await this.liveRosters();
    if (channelsFor(channels, 'gap').length) await this.gapAlerts(channels, rosters, now);
    if (this.reportDue(now)) {
      if (channelsFor(channels, 'daily_report').length) await this.dailyReport(channels, rosters, now);
      this.reportedDate = localDate(now, this.options.timeZone);
    }
  }

  private reportDue(now: Date): boolean {
    const today = localDate(now, this.options.timeZone);
    if (this.reportedDate === today) return false;
    return now.getTime() >= localInstant(today, parseClock(this.options.dailyReportAt) ?? 20 * 60, this.options.timeZone).getTime();
  }

  private async liveRosters(): Promise<PublishedRoster[]> {
    const live = await liveState(this.models);
    const out: PublishedRoster[] = [];
    for (const [planId, version] of Object.entries(live.versions)) {
      const cacheKey = `${planId}:${version}`;
      let roster = this.rosters.get(cacheKey);
      if (!roster) {
        roster = (await publishedRosterAt(this.models, planId, version)) ?? undefined;
        for (const k of this.rosters.keys()) if (k.startsWith(`${planId}:`)) this.rosters.delete(k);
        if (roster) this.rosters.set(cacheKey, roster);
      }
      if (roster) out.push(roster);
    }
    return out;
  }

  private async gapAlerts(channels: Channel[], rosters: PublishedRoster[], now: Date): Promise<void> {
    const soon = (g: { start: Date; end: Date }) => g.end.getTime() > now.getTime() && g.start.getTime() < now.getTime() + HORIZON_MS;
    const lines: { planId: string; gateId: string; line: GapLine; town: string }[] = [];
    for (const roster of rosters) {
      const gates = new Map(roster.gates.map((g) => [g.id, g]));
      for (const gap of roster.gaps.filter(soon)) {
        const gate = gates.get(gap.gateId);
        if (!gate) continue;
        lines.push({
          planId: roster.planId,
          gateId: gap.gateId,
          town: gate.town,
          line: {
            gateName: gate.name,
            village: gate.village,
            start: gap.start,
            end: gap.end,
            missing: gap.needed - gap.filled,
            needed: gap.needed,
            reasonZh: gap.detailZh,
          },
        });
      }
    }
    const announced = await this.models.Announced.find({}).lean<AnnouncedDoc[]>();
    const told = new Set(announced.map((a) => a._id));
    const openIds = new Set(lines.map((l) => placeId(l.planId, l.gateId, l.line.start)));
    const livePlans = new Set(rosters.map((r) => r.planId));

    const markers: AnnouncedDoc[] = [];
    const routed: { channel: Channel; message: Message }[] = [];
    for (const channel of channelsFor(channels, 'gap')) {
      const mine = lines.filter((l) => channelsFor([channel], 'gap', { village: l.line.village, town: l.town }).length);
      const fresh = mine.filter((l) => !told.has(`gap@${channel.id}|${placeId(l.planId, l.gateId, l.line.start)}`));
      // Told as a gap, not yet told filled, no longer a gap, still ahead, in a live plan.
      const filled = announced.filter(
        (a) =>
          a._id.startsWith(`gap@${channel.id}|`) &&
          livePlans.has(a.planId) &&
          new Date(a.end).getTime() > now.getTime() &&
          !openIds.has(placeId(a.planId, a.gateId, new Date(a.start))) &&
          !told.has(`filled@${channel.id}|${placeId(a.planId, a.gateId, new Date(a.start))}`),
      );
      if (!fresh.length && !filled.length) continue;
      const ids = [
        ...fresh.map((l) => `gap@${channel.id}|${placeId(l.planId, l.gateId, l.line.start)}`),
        ...filled.map((a) => a._id.replace(/^gap@/, 'filled@')),
      ].sort();
      const key = `gap:${createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 24)}`;
      const scope = channel.villages.join('、') || channel.towns.join('、') || '全区';
      const filledLines = filled.map((a) => ({
        gateName: gateNameOf(rosters, a.planId, a.gateId),
        village: villageOf(rosters, a.planId, a.gateId),
        start: new Date(a.start),
        end: new Date(a.end),
        missing: 0,
        needed: 0,
        reasonZh: '',
      }));
      routed.push({
        channel,
        message: gapAlertMessage(
          key,
          scope,
          fresh.map((l) => l.line),
          filledLines,
          this.options.timeZone,
        ),
      });
      for (const l of fresh)
        markers.push({
          _id: `gap@${channel.id}|${placeId(l.planId, l.gateId, l.line.start)}`,
          channelId: channel.id,
          planId: l.planId,
          gateId: l.gateId,
          start: l.line.start,
          end: l.line.end,
          missing: l.line.missing,
        });
      for (const a of filled) markers.push({ ...a, _id: a._id.replace(/^gap@/, 'filled@') });
    }
    await stageMessages(this.models, 0, routed, now);
    if (markers.length)
      await this.models.Announced.insertMany(markers, { ordered: false }).catch((e: { code?: number; writeErrors?: unknown[] }) => {
        if (e.code !== 11000 && !e.writeErrors) throw e;
      });
    // A gap told and since past is history. A filled place can open again: then it is a new gap.
    const past = announced.filter((a) => new Date(a.end).getTime() < now.getTime() - HORIZON_MS).map((a) => a._id);
    const reopened = announced
      .filter((a) => a._id.startsWith('filled@') && openIds.has(placeId(a.planId, a.gateId, new Date(a.start))))
      .flatMap((a) => [a._id, a._id.replace(/^filled@/, 'gap@')]);
    if (past.length || reopened.length) await this.models.Announced.deleteMany({ _id: { $in: [...past, ...reopened] } });
  }

  private async dailyReport(channels: Channel[], rosters: PublishedRoster[], now: Date): Promise<void> {
    const tz = this.options.timeZone;
    const today = localDate(now, tz);
    const tomorrow = addDays(today, 1);
    const townOfVillage = new Map(rosters.flatMap((r) => r.gates.map((g) => [g.village, g.town] as const)));
    const allTowns = [...new Set(townOfVillage.values())].sort();
    const absences = await this.absentPeopleByTownAndDay(townOfVillage, [today, tomorrow]);
    const figures = (town: string, date: string): DayFigures => {
      const from = localInstant(date, 0, tz).getTime();
      const to = localInstant(addDays(date, 1), 0, tz).getTime();
      const onDay = (s: Date) => s.getTime() >= from && s.getTime() < to;
      let filled = 0;
      let missing = 0;
      let gapShifts = 0;
      for (const r of rosters) {
        const townOf = new Map(r.gates.map((g) => [g.id, g.town]));
        filled += r.assignments.filter((a) => townOf.get(a.gateId) === town && onDay(a.start)).length;
        for (const g of r.gaps) {
          if (townOf.get(g.gateId) !== town || !onDay(g.start)) continue;
          gapShifts += 1;
          missing += g.needed - g.filled;
        }
      }
      return { date, needed: filled + missing, filled, gapShifts, absentPeople: absences.get(`${town}|${date}`) ?? 0 };
    };
    const dayStart = localInstant(today, 0, tz);
    const publishesToday = await this.models.Publication.countDocuments({ publishedAt: { $gte: dayStart } });
    const campaigns = await this.campaignsOf(rosters);
    const toDate = (town: string): CampaignToDate[] =>
      campaigns.flatMap((c) => {
        const t = townToDate(c, town);
        return t ? [{ name: c.name, from: c.from, to: c.to, ...t }] : [];
      });
    const routed: { channel: Channel; message: Message }[] = [];
    for (const channel of channelsFor(channels, 'daily_report')) {
      const towns = channel.towns.length
        ? channel.towns
        : channel.villages.length
          ? [...new Set(channel.villages.map((v) => townOfVillage.get(v) ?? ''))].filter(Boolean)
          : allTowns;
      const per: TownFigures[] = towns.map((town) => ({ town, today: figures(town, today), tomorrow: figures(town, tomorrow), campaigns: toDate(town) }));
      routed.push({ channel, message: dailyReportMessage(`daily:${today}`, today, per, publishesToday) });
    }
    await stageMessages(this.models, 0, routed, now);
  }

  /** The campaigns to date of the plans whose rosters are live (the report goes to planners' and towns' groups, who see them all). */
  private async campaignsOf(rosters: PublishedRoster[]): Promise<CampaignFigures[]> {
    const live = new Set(rosters.map((r) => r.planId));
    const ids = [...new Set((await listPlans(this.models)).filter((p) => live.has(p.id) && p.spec.campaignId).map((p) => p.spec.campaignId as string))].sort();
    return Promise.all(ids.map((id) => campaignFigures(this.models, id, () => true)));
  }

  /** People with an unavailable window overlapping each date, per town of their village. */
  private async absentPeopleByTownAndDay(townOfVillage: Map<string, string>, dates: string[]): Promise<Map<string, number>> {
    const tz = this.options.timeZone;
    const docs = await this.models.Availability.find({ 'windows.kind': 'unavailable' }).lean<
      { _id: string; windows: { start: Date; end: Date; kind: string }[] }[]
    >();
    const people = await this.models.Cadre.find({ _id: { $in: docs.map((d) => d._id) } }, { village: 1 }).lean<{ _id: string; village: string }[]>();
    const villageOf = new Map(people.map((p) => [p._id, p.village]));
    const counts = new Map<string, number>();
    for (const doc of docs) {
      const town = townOfVillage.get(villageOf.get(doc._id) ?? '');
      if (!town) continue;
      for (const date of dates) {
        const from = localInstant(date, 0, tz).getTime();
        const to = localInstant(addDays(date, 1), 0, tz).getTime();
        if (doc.windows.some((w) => w.kind === 'unavailable' && new Date(w.start).getTime() < to && new Date(w.end).getTime() > from)) {
          counts.set(`${town}|${date}`, (counts.get(`${town}|${date}`) ?? 0) + 1);
        }
      }
    }
    return counts;
  }
}

function placeId(planId: string, gateId: string, start: Date): string {
  return `${planId}|${gateId}|${start.getTime()}`;
}

function gateNameOf(rosters: PublishedRoster[], planId: string, gateId: string): string {
  return rosters.find((r) => r.planId === planId)?.gates.find((g) => g.id === gateId)?.name ?? gateId;
}

function villageOf(rosters: PublishedRoster[], planId: string, gateId: string): string {
  return rosters.find((r) => r.planId === planId)?.gates.find((g) => g.id === gateId)?.village ?? '';
}
