import { describe, expect, it } from 'vitest';
import { eventFingerprint, nextEventStates, type FeedEventContent } from '../../../src/feeds/index.js';

const T1 = new Date('2021-12-12T10:00:00Z');
const T2 = new Date('2021-12-13T10:00:00Z');
const T3 = new Date('2021-12-14T10:00:00Z');

function content(uid: string, overrides: Partial<FeedEventContent> = {}): FeedEventContent {
  return {
    uid,
    start: new Date('2021-12-13T00:00:00Z'),
    end: new Date('2021-12-13T08:00:00Z'),
    summary: '值守 东门 · 俞范村',
    location: '蛟川街道 俞范村 东门',
    description: '同班 / On duty with: 李四',
    ...overrides,
  };
}

describe('nextEventStates', () => {
  it('when an event is new, then it starts at sequence 0 created and modified at the publish time', () => {
    const states = nextEventStates(new Map(), [content('a')], T1);
    expect(states.get('a')).toEqual({ uid: 'a', sequence: 0, fingerprint: eventFingerprint(content('a')), lastModified: T1, created: T1 });
  });

  it('when an event is unchanged, then its state is kept as it was', () => {
    const first = nextEventStates(new Map(), [content('a')], T1);
    expect(nextEventStates(first, [content('a')], T2).get('a')).toBe(first.get('a'));
  });

  it.each([
    ['end', { end: new Date('2021-12-13T06:00:00Z') }],
    ['summary', { summary: '值守 西门 · 俞范村' }],
    ['location', { location: '蛟川街道 俞范村 西门' }],
    ['partners', { description: '同班 / On duty with: 王五' }],
  ])('when its %s changes, then sequence rises and lastModified moves, created stays', (_what, change) => {
    const first = nextEventStates(new Map(), [content('a')], T1);
    const next = nextEventStates(first, [content('a', change)], T2).get('a');
    expect(next).toMatchObject({ sequence: 1, lastModified: T2, created: T1 });
    expect(next?.fingerprint).toBe(eventFingerprint(content('a', change)));
  });

  it('when an event is gone, then its state is kept as removed', () => {
    const first = nextEventStates(new Map(), [content('a'), content('b')], T1);
    const next = nextEventStates(first, [content('b')], T2);
    expect(next.get('a')).toMatchObject({ sequence: 0, removed: true });
    expect(next.get('b')?.removed).toBeUndefined();
  });

  it('when a removed event comes back unchanged, then its sequence rises above the copy calendars hold', () => {
    const first = nextEventStates(new Map(), [content('a')], T1);
    const gone = nextEventStates(first, [], T2);
    const back = nextEventStates(gone, [content('a')], T3).get('a');
    expect(back).toMatchObject({ sequence: 1, lastModified: T3, created: T1 });
    expect(back?.removed).toBeUndefined();
  });

  it('when two events share a uid, then it throws', () => {
    expect(() => nextEventStates(new Map(), [content('a'), content('a')], T1)).toThrow(/duplicate/);
  });
});
