import { describe, expect, it } from 'vitest';
import { eventUid, feedEtag, feedLastModified, nextFeedState, villageEventUid, webcalUrl, type EventState } from '../../../src/feeds/index.js';

const T1 = new Date('2021-12-12T10:00:00Z');
const T2 = new Date('2021-12-13T10:00:00Z');

describe('eventUid', () => {
  const start = new Date('2021-12-13T00:00:00Z');

  it('when called twice for the same person, gate and shift, then the uid is the same and opaque', () => {
    const uid = eventUid('C1', 'G1', start);
    expect(uid).toBe(eventUid('C1', 'G1', new Date(start.getTime())));
    expect(uid).toMatch(/^[0-9a-f]{32}@gate-duty$/);
    expect(uid).not.toContain('C1');
  });

  it('when person, gate, shift or feed kind differ, then uids differ', () => {
    const uids = new Set([
      eventUid('C1', 'G1', start),
      eventUid('C2', 'G1', start),
      eventUid('C1', 'G2', start),
      eventUid('C1', 'G1', new Date(start.getTime() + 1000)),
      villageEventUid('C1', 'G1', start),
    ]);
    expect(uids.size).toBe(5);
  });
});

describe('feedEtag', () => {
  it('when the bytes are the same, then the tag is the same quoted strong tag; otherwise it differs', () => {
    expect(feedEtag('BEGIN:VCALENDAR')).toBe(feedEtag('BEGIN:VCALENDAR'));
    expect(feedEtag('BEGIN:VCALENDAR')).toMatch(/^"[0-9a-f]{64}"$/);
    expect(feedEtag('BEGIN:VCALENDAR ')).not.toBe(feedEtag('BEGIN:VCALENDAR'));
  });
});

describe('feedLastModified', () => {
  const state = (lastModified: Date): EventState => ({ uid: 'x', sequence: 0, fingerprint: '', lastModified, created: T1 });

  it('when the feed has events, then it is the latest event change', () => {
    expect(feedLastModified([state(T2), state(T1)], new Date('2030-01-01T00:00:00Z'))).toEqual(T2);
  });

  it('when the feed is empty, then it is the publish time', () => {
    expect(feedLastModified([], T1)).toEqual(T1);
  });
});

describe('nextFeedState', () => {
  it('when the bytes are unchanged, then the previous state is kept', () => {
    const first = nextFeedState(undefined, 'A', T1);
    expect(nextFeedState(first, 'A', T2)).toBe(first);
  });

  it('when anything changed (even only a removal), then lastModified moves to the publish time', () => {
    const first = nextFeedState(undefined, 'A', T1);
    expect(nextFeedState(first, 'B', T2)).toEqual({ etag: feedEtag('B'), lastModified: T2 });
  });
});

describe('webcalUrl', () => {
  it('when given an https or http URL, then the scheme becomes webcal and the rest is kept', () => {
    expect(webcalUrl('https://duty.example/feeds/abc.ics')).toBe('webcal://duty.example/feeds/abc.ics');
    expect(webcalUrl('http://localhost:3000/feeds/abc.ics?x=1')).toBe('webcal://localhost:3000/feeds/abc.ics?x=1');
  });

  it('when given another scheme, then it throws', () => {
    expect(() => webcalUrl('ftp://duty.example/a.ics')).toThrow();
  });
});
