import { describe, expect, it } from 'vitest';
import { eventUid, renderCadreFeed } from '../../../src/feeds/index.js';
import { duty, PHONES, sampleRoster } from '../roster-views/fixtures.js';
import { cadreContent, FIRST_PUBLISH, publishCadreFeed, SECOND_PUBLISH } from './feed-setup.js';
import { parseFeed } from './parse-ics.js';

const roster = sampleRoster().assignments;
const mine = roster.filter((a) => a.cadreId === 'C1');

describe('renderCadreFeed', () => {
  const { ics } = publishCadreFeed(cadreContent('C1', roster), new Map(), FIRST_PUBLISH);
  const feed = parseFeed(ics);

  it("when parsed, then there is one event per shift of the person and nobody else's", () => {
    expect(feed.events.map((e) => e.uid)).toEqual(mine.map((a) => eventUid('C1', a.gateId, a.start)));
  });

  it("when parsed, then every event's instants equal the roster's", () => {
    feed.events.forEach((event, i) => {
      expect(event.start).toEqual(mine[i]?.start);
      expect(event.end).toEqual(mine[i]?.end);
    });
  });

  it('when rendered, then times are UTC instants and the plan zone is named', () => {
    expect(ics).toContain('DTSTART:20211213T000000Z'); // 08:00 Shanghai
    expect(ics).toContain('DTEND:20211213T160000Z'); // 24:00 Shanghai
    expect(ics).not.toContain('TZID');
    expect(feed.calendar['x-wr-timezone']).toBe('Asia/Shanghai');
    // Calendar properties come before components (RFC 5545 grammar).
    expect(ics.indexOf('X-WR-TIMEZONE:')).toBeLessThan(ics.indexOf('BEGIN:VEVENT'));
  });

  it('when parsed, then title, location and partners match the gate-shift', () => {
    const [first, second] = feed.events;
    expect(first?.summary).toBe('值守 东门 · 俞范村');
    expect(first?.location).toBe('蛟川街道 俞范村 东门');
    expect(first?.description).toBe('同班 / On duty with: 李四\n时间 / Time: 2021-12-13 08:00–16:00 (Asia/Shanghai)');
    expect(second?.description).toBe('同班 / On duty with: 无 / none\n时间 / Time: 2021-12-13 16:00–24:00 (Asia/Shanghai)');
    expect(feed.events[2]?.description).toContain('王五');
  });

  it('when rendered, then no phone number appears anywhere in the feed', () => {
    for (const phone of PHONES) expect(ics).not.toContain(phone);
  });

  it('when first published, then every event has sequence 0 and stamps from the publish time', () => {
    for (const event of feed.events) {
      expect(event).toMatchObject({ sequence: 0, dtstamp: FIRST_PUBLISH, lastModified: FIRST_PUBLISH, created: FIRST_PUBLISH });
    }
  });

  it('when parsed, then the calendar carries its name, refresh hints and product id', () => {
    expect(feed.calendar['x-wr-calname']).toBe('值守 · 张三');
    expect(feed.calendar['prodid']).toBe('-//gate-duty//roster feeds//ZH');
    expect(ics).toContain('\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n');
    expect(ics).toContain('\r\nX-PUBLISHED-TTL:PT1H\r\n');
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
  });

  it('when rendered twice from the same states, then the bytes are identical', () => {
    const again = publishCadreFeed(cadreContent('C1', roster), new Map(), FIRST_PUBLISH);
    const states = publishCadreFeed(cadreContent('C1', roster), new Map(), FIRST_PUBLISH).states;
    // Re-publishing an unchanged roster later keeps every state, so the bytes do not move.
    const later = publishCadreFeed(cadreContent('C1', roster), states, SECOND_PUBLISH);
    expect(again.ics).toBe(ics);
    expect(later.ics).toBe(ics);
  });

  it('when the calendar name holds a comma or line break, then it stays one escaped line and reads back', () => {
    const content = { ...cadreContent('C1', roster), cadre: { id: 'C1', name: '张三,\nX-INJECTED:1' } };
    const { ics: odd } = publishCadreFeed(content, new Map(), FIRST_PUBLISH);
    expect(odd).toContain('\r\nX-WR-CALNAME:值守 · 张三\\, X-INJECTED:1\r\n');
    expect(odd).not.toContain('\r\nX-INJECTED');
    // ical.js keeps unknown properties (NAME, X-WR-*) raw, so it shows the TEXT escape as written.
    expect(parseFeed(odd).calendar['x-wr-calname']).toBe('值守 · 张三\\, X-INJECTED:1');
    expect(parseFeed(odd).calendar['x-injected']).toBeUndefined();
  });

  it('when states are missing or stale, then rendering refuses instead of hiding a change', () => {
    const { states } = publishCadreFeed(cadreContent('C1', roster), new Map(), FIRST_PUBLISH);
    const shortened = roster.map((a) => (a === mine[1] ? { ...a, end: new Date(a.end.getTime() - 3_600_000) } : a));
    const content = cadreContent('C1', shortened);
    // Rendering with the previous publish's states (skipping nextEventStates) must fail.
    expect(() => renderCadreFeed({ ...content, states, calendarName: 'x' })).toThrow(/stale state/);
    expect(() => renderCadreFeed({ ...content, states: new Map(), calendarName: 'x' })).toThrow(/no stored state/);
  });
});

describe("re-publishing a person's feed", () => {
  it('when one shift changes, one loses its partner and one is removed, then only those events change', () => {
    // Arrange: 李四 falls ill; 王五 takes the 12-13 08:00 place; 张三's 12-14 shift is cancelled
    // and their 16:00 shift is shortened to 20:00.
    const first = publishCadreFeed(cadreContent('C1', roster), new Map(), FIRST_PUBLISH);
    const replanned = [
      duty('C1', 'G1', '2021-12-13 08:00', '2021-12-13 16:00'),
      duty('C3', 'G1', '2021-12-13 08:00', '2021-12-13 16:00'),
      duty('C1', 'G1', '2021-12-13 16:00', '2021-12-13 20:00'),
      duty('C1', 'G2', '2021-12-15 00:00', '2021-12-15 08:00'),
    ];

    // Act
    const second = publishCadreFeed(cadreContent('C1', replanned), first.states, SECOND_PUBLISH);
    const before = parseFeed(first.ics).events;
    const after = parseFeed(second.ics).events;

    // Assert: same UIDs for the same shifts, sequence up where the event shows something new.
    expect(after.map((e) => e.uid)).toEqual([before[0]?.uid, before[1]?.uid, eventUid('C1', 'G2', replanned[3]!.start)]);
    expect(after[0]).toMatchObject({ sequence: 1, lastModified: SECOND_PUBLISH, dtstamp: SECOND_PUBLISH, created: FIRST_PUBLISH });
    expect(after[0]?.description).toContain('王五');
    expect(after[1]).toMatchObject({ sequence: 1, end: replanned[2]!.end, created: FIRST_PUBLISH });
    expect(after[2]).toMatchObject({ sequence: 0, created: SECOND_PUBLISH });
    expect(after.some((e) => e.uid === before[2]?.uid)).toBe(false);
  });

  it("when all of a person's shifts are taken away, then their feed is a valid empty calendar", () => {
    const first = publishCadreFeed(cadreContent('C2', roster), new Map(), FIRST_PUBLISH);
    const second = publishCadreFeed(cadreContent('C2', []), first.states, SECOND_PUBLISH);
    expect(parseFeed(first.ics).events).toHaveLength(2);
    expect(
      [...second.states.values()].every((s) => s.removed),
      'only tombstones remain',
    ).toBe(true);
    expect(parseFeed(second.ics)).toMatchObject({ events: [], calendar: { 'x-wr-calname': '值守 · 李四' } });
  });

  it('when nothing about an event changed, then its sequence and stamps stay put', () => {
    const first = publishCadreFeed(cadreContent('C4', roster), new Map(), FIRST_PUBLISH);
    const changed = [...roster.filter((a) => a.cadreId === 'C4').slice(0, 1), duty('C4', 'G3', '2021-12-16 08:00', '2021-12-16 20:00')];
    const second = publishCadreFeed(cadreContent('C4', changed), first.states, SECOND_PUBLISH);
    const kept = parseFeed(second.ics).events[0];
    expect(kept).toMatchObject({ sequence: 0, dtstamp: FIRST_PUBLISH, lastModified: FIRST_PUBLISH });
  });
});
