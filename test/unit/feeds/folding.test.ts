import { describe, expect, it } from 'vitest';
import type { Cadre } from '../../../src/domain/types.js';
import { cadresById, duty, gatesById } from '../roster-views/fixtures.js';
import { cadreContent, FIRST_PUBLISH, publishCadreFeed, publishVillageFeed, villageContent } from './feed-setup.js';
import { parseFeed } from './parse-ics.js';

/** 40 people on one shift: a description several hundred bytes long, all Chinese. */
function crowdedShift() {
  const names = Array.from({ length: 40 }, (_, i) => `值守员${'甲乙丙丁戊己庚辛壬癸'[i % 10]}${i}号`);
  const people = new Map<string, Cadre>(cadresById);
  const assignments = names.map((name, i) => {
    people.set(`P${i}`, { ...cadresById.get('C1')!, id: `P${i}`, name });
    return duty(`P${i}`, 'G1', '2021-12-13 08:00', '2021-12-13 16:00');
  });
  return { names, people, assignments };
}

describe('line folding of Chinese text', () => {
  const { names, people, assignments } = crowdedShift();
  const longGate = { ...gatesById.get('G1')!, name: '镇海区蛟川街道俞范村东门外侧临时值守卡口（靠近菜市场与公交站）' };
  const gates = new Map(gatesById).set('G1', longGate);
  const content = { ...villageContent('俞范村', assignments), cadresById: people, gatesById: gates };
  const { ics } = publishVillageFeed(content, new Map(), FIRST_PUBLISH);

  it('when a line is long, then every physical line is at most 75 octets and is whole UTF-8', () => {
    const lines = Buffer.from(ics, 'utf8').toString('latin1').split('\r\n');
    const strict = new TextDecoder('utf-8', { fatal: true });
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      const bytes = Buffer.from(line, 'latin1');
      expect(bytes.length).toBeLessThanOrEqual(75);
      // A fold inside a multi-byte character would make this line invalid UTF-8 on its own.
      expect(() => strict.decode(bytes)).not.toThrow();
    }
  });

  it('when parsed back, then the Chinese description, title and location are intact', () => {
    const [event] = parseFeed(ics).events;
    expect(event?.description.startsWith('在岗 / On duty: ')).toBe(true);
    for (const name of names) expect(event?.description).toContain(name);
    expect(event?.summary).toBe(`值守 ${longGate.name} · 俞范村`);
    expect(event?.location).toBe(`蛟川街道 俞范村 ${longGate.name}`);
  });

  it("when a person's feed lists many partners, then their names read back intact too", () => {
    const personal = {
      ...cadreContent('C1', assignments),
      assignments: assignments.slice(0, 1),
      cadre: people.get('P0')!,
      partnersOf: () => names.slice(1),
      gatesById: gates,
    };
    const { ics: mine } = publishCadreFeed(personal, new Map(), FIRST_PUBLISH);
    const [event] = parseFeed(mine).events;
    expect(event?.description.split('\n')[0]).toBe(`同班 / On duty with: ${[...names.slice(1)].sort((a, b) => a.localeCompare(b, 'zh-Hans-CN')).join('、')}`);
  });
});
