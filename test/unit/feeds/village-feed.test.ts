import { describe, expect, it } from 'vitest';
import { villageEventUid } from '../../../src/feeds/index.js';
import { duty, gap, PHONES, sampleRoster } from '../roster-views/fixtures.js';
import { FIRST_PUBLISH, publishVillageFeed, SECOND_PUBLISH, villageContent } from './feed-setup.js';
import { parseFeed } from './parse-ics.js';

describe('renderVillageFeed', () => {
  const { assignments, gaps } = sampleRoster();

  it('when rendered without gaps, then there is one event per gate-shift of its gates listing everyone on it', () => {
    const { ics } = publishVillageFeed(villageContent('俞范村', assignments), new Map(), FIRST_PUBLISH);
    const events = parseFeed(ics).events;

    // 俞范村 has G1 and G2; G3 (盛家村) is left out even though its rows were passed in.
    expect(events.map((e) => [e.summary, e.start.toISOString()])).toEqual([
      ['值守 东门 · 俞范村', '2021-12-12T08:00:00.000Z'],
      ['值守 东门 · 俞范村', '2021-12-13T00:00:00.000Z'],
      ['值守 东门 · 俞范村', '2021-12-13T08:00:00.000Z'],
      ['值守 西门 · 俞范村', '2021-12-13T12:00:00.000Z'],
      ['值守 东门 · 俞范村', '2021-12-14T00:00:00.000Z'],
    ]);
    expect(events[1]?.uid).toBe(villageEventUid('俞范村', 'G1', assignments[2]!.start));
    expect(events[1]?.description.split('\n')[0]).toBe('在岗 / On duty: 李四、张三');
    expect(events[3]?.description.split('\n')[0]).toBe('在岗 / On duty: 李四、王五');
    for (const phone of PHONES) expect(ics).not.toContain(phone);
  });

  it('when rendered with gaps, then short gate-shifts are titled as gaps with the reason, empty ones included', () => {
    const { ics } = publishVillageFeed(villageContent('俞范村', assignments, gaps), new Map(), FIRST_PUBLISH);
    const events = parseFeed(ics).events;

    const empty = events.find((e) => e.start.getTime() === gaps[0]!.start.getTime());
    expect(empty?.summary).toBe('缺口 / gap 西门 · 俞范村 (0/2)');
    expect(empty?.description).toBe(
      '在岗 / On duty: 无 / none\n' +
        '缺口 / Gap: 缺 2 人 / 2 missing — 无人有空 / nobody available: 可派驻人员共2人：2人不可值班或不值夜班。\n' +
        '时间 / Time: 2021-12-13 00:00–08:00 (Asia/Shanghai)',
    );
    const half = events.find((e) => e.start.getTime() === gaps[2]!.start.getTime());
    expect(half?.summary).toBe('缺口 / gap 东门 · 俞范村 (1/2)');
    expect(half?.description).toContain('张三');
    expect(events).toHaveLength(6);
  });

  it('when a gap is filled on re-publish, then the same event updates in place with a higher sequence', () => {
    const first = publishVillageFeed(villageContent('俞范村', assignments, gaps), new Map(), FIRST_PUBLISH);
    const filled = [...assignments, duty('C3', 'G1', '2021-12-13 16:00', '2021-12-14 00:00')];
    const remainingGaps = gaps.filter((g) => g !== gaps[2]);

    const second = publishVillageFeed(villageContent('俞范村', filled, remainingGaps), first.states, SECOND_PUBLISH);

    const uid = villageEventUid('俞范村', 'G1', gaps[2]!.start);
    const before = parseFeed(first.ics).events.find((e) => e.uid === uid);
    const after = parseFeed(second.ics).events.find((e) => e.uid === uid);
    expect(before).toMatchObject({ sequence: 0, summary: '缺口 / gap 东门 · 俞范村 (1/2)' });
    expect(after).toMatchObject({ sequence: 1, summary: '值守 东门 · 俞范村', lastModified: SECOND_PUBLISH, created: FIRST_PUBLISH });
    const untouched = parseFeed(second.ics).events.filter((e) => e.uid !== uid);
    expect(untouched.every((e) => e.sequence === 0)).toBe(true);
  });

  it('when a gate-shift has several gap records, then each reason gets its own line and seats count once', () => {
    const twoReasons = [
      gap('G1', '2021-12-15 08:00', '2021-12-15 16:00', 2, 1, 'no_lead_available'),
      gap('G1', '2021-12-15 08:00', '2021-12-15 16:00', 2, 1, 'busy_elsewhere', 'all 4 busy at other gates', '4人均在其他门岗值班'),
    ];
    const { ics } = publishVillageFeed(villageContent('俞范村', [], twoReasons), new Map(), FIRST_PUBLISH);
    const [event] = parseFeed(ics).events;
    expect(event?.summary).toBe('缺口 / gap 东门 · 俞范村 (0/1)');
    expect(event?.description.split('\n').filter((l) => l.startsWith('缺口'))).toEqual([
      '缺口 / Gap: 缺 1 人 / 1 missing — 可派人员均在别处值守 / all busy elsewhere: 4人均在其他门岗值班',
      '缺口 / Gap: 缺 1 人 / 1 missing — 无村干部带班 / no village cadre to lead',
    ]);
  });
});
