import { describe, expect, it } from 'vitest';
import { foldContentLines } from '../../../src/feeds/fold.js';

const unfold = (text: string): string => text.replaceAll('\r\n ', '');
const octets = (line: string): number => Buffer.byteLength(line, 'utf8');

describe('foldContentLines', () => {
  it('when a line is at most 75 octets, then it is left alone', () => {
    const line = `SUMMARY:${'a'.repeat(67)}`;
    expect(octets(line)).toBe(75);
    expect(foldContentLines(`${line}\r\n`)).toBe(`${line}\r\n`);
  });

  it.each([
    ['ASCII', 'x'.repeat(400)],
    ['Chinese (3 octets each)', '值守东门俞范村蛟川街道'.repeat(30)],
    ['mixed with emoji (4 octets) and accents (2 octets)', '张三🙂é, 李四;\\n'.repeat(40)],
  ])('when a long %s line is folded, then lines fit 75 octets, no character is split, and unfolding restores it', (_what, text) => {
    const line = `DESCRIPTION:${text}`;
    const folded = foldContentLines(`BEGIN:VEVENT\r\n${line}\r\nEND:VEVENT\r\n`);
    const lines = folded.split('\r\n');
    for (const l of lines) expect(octets(l)).toBeLessThanOrEqual(75);
    // Each physical line is whole characters: re-encoding it loses nothing.
    for (const l of lines) expect(Buffer.from(Buffer.from(l, 'utf8').toString('utf8'), 'utf8').equals(Buffer.from(l, 'utf8'))).toBe(true);
    expect(lines.slice(2, -3).every((l) => l.startsWith(' '))).toBe(true);
    expect(unfold(folded)).toBe(`BEGIN:VEVENT\r\n${line}\r\nEND:VEVENT\r\n`);
  });
});
