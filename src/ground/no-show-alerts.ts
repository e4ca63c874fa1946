/**
 * No-shows told to the village group: NO_SHOW_AFTER_MIN after a shift starts, the groups that
 * take `gap` messages for a village get one message per shift start naming each gate and who
 * has not checked in (their mobiles mentioned, so the robot pings them).
 *
 * Staged like the gap alerts (src/messaging/alerts.ts): an outbox message of generation 0
 * whose key names the plan, village and shift start, so every later sweep, in this process or
 * another, inserts the same `_id` and changes nothing. A late check-in needs no message: the
 * page and the gaps API stop showing the no-show at once.
 */
import type { Models } from '../db/models.js';
import { channelsFor, loadChannels } from '../messaging/channels.js';
import { stageMessages } from '../messaging/outbox.js';
import { mobileOf, shiftSpan } from '../messaging/texts.js';
import type { Block, Channel, Message } from '../messaging/types.js';
import { groundRoster, type GroundSettings } from './grounded-roster.js';
import { liveRosters } from './live-rosters.js';

const SWEEP_EVERY_MS = 60_000;

interface NoShowLine {
  gateName: string;
  names: string[];
  mobiles: string[];
}

export class NoShowSweep {
  private lastRun = 0;

  constructor(
    private readonly models: Models,
    private readonly settings: GroundSettings,
  ) {}

  /** Runs at most once a minute (the delivery worker calls it on every tick). */
  async maybeRun(now = this.settings.now()): Promise<void> {
    if (now.getTime() - this.lastRun < SWEEP_EVERY_MS) return;
    this.lastRun = now.getTime();
    await this.run(now);
  }

  /** Stages a message per village and shift start with no-shows on a shift still running. */
  async run(now = this.settings.now()): Promise<number> {
    const channels = channelsFor(await loadChannels(this.models), 'gap');
    if (!channels.length) return 0;
    const routed: { channel: Channel; message: Message }[] = [];
    for (const roster of await liveRosters(this.models)) {
      const { presence } = await groundRoster(this.models, roster, { ...this.settings, now: () => now });
      const gates = new Map(roster.gates.map((g) => [g.id, g]));
      const groups = new Map<string, { village: string; town: string; start: Date; end: Date; lines: NoShowLine[]; ids: string[] }>();
      for (const shift of presence.values()) {
        const gate = gates.get(shift.gateId);
        if (!gate || shift.uncoveredNoShows === 0 || shift.end.getTime() <= now.getTime()) continue;
        const key = `${gate.village}|${shift.start.getTime()}`;
        const group = groups.get(key) ?? { village: gate.village, town: gate.town, start: shift.start, end: shift.end, lines: [], ids: [] };
        const absent = shift.rostered.filter((r) => r.state === 'no_show').map((r) => r.cadreId);
        group.lines.push({ gateName: gate.name, names: absent, mobiles: [] });
        group.ids.push(...absent);
        groups.set(key, group);
      }
      if (!groups.size) continue;
      const people = await this.people([...groups.values()].flatMap((g) => g.ids));
      for (const group of groups.values()) {
        for (const line of group.lines) {
          line.mobiles = line.names.map((id) => people.get(id)?.mobile ?? null).filter((m): m is string => m !== null);
          line.names = line.names.map((id) => people.get(id)?.name ?? id);
        }
        const message = noShowMessage(
          `noshow:${roster.planId}|${group.village}|${group.start.getTime()}`,
          group.village,
          shiftSpan(group.start, group.end, roster.timezone),
          group.lines,
          Math.round(this.settings.noShowAfterMs / 60_000),
        );
        for (const channel of channelsFor(channels, 'gap', { village: group.village, town: group.town })) routed.push({ channel, message });
      }
    }
    return stageMessages(this.models, 0, routed, now);
  }

  private async people(ids: string[]): Promise<Map<string, { name: string; mobile: string | null }>> {
    const docs = await this.models.Cadre.find({ _id: { $in: [...new Set(ids)] } }, { _id: 1, name: 1, phone: 1 }).lean<
      { _id: string; name: string; phone: string | null }[]
    >();
    return new Map(docs.map((d) => [d._id, { name: d.name, mobile: mobileOf(d.phone) }]));
  }
}

/** `未到岗提醒：东村 12月13日 08:00–16:00`, a line per gate naming who has not checked in. */
export function noShowMessage(key: string, village: string, span: string, lines: readonly NoShowLine[], minutes: number): Message {
  const blocks: Block[] = [{ text: `开班${minutes}分钟后仍有人未签到，请村社负责人核实、安排补位：`, mentions: [] }];
  for (const line of lines) blocks.push({ text: `⚠ ${line.gateName}：${line.names.join('、')} 未到岗`, mentions: line.mobiles });
  return { event: 'gap', key, title: `未到岗提醒：${village} ${span}`, blocks };
}
