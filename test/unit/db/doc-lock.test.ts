import { describe, expect, it } from 'vitest';
import { withDocLock } from '../../../src/db/doc-lock.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('withDocLock', () => {
  it('when two writes to one document start together, then the second starts only after the first ends', async () => {
    const events: string[] = [];
    const write = (name: string, ms: number) =>
      withDocLock('plan:p1', async () => {
        events.push(`${name} start`);
        await tick(ms);
        events.push(`${name} end`);
      });

    await Promise.all([write('progress', 30), write('finish', 1)]);

    expect(events).toEqual(['progress start', 'progress end', 'finish start', 'finish end']);
  });

  it('when writes go to different documents, then they run at the same time', async () => {
    const events: string[] = [];
    const write = (key: string, ms: number) =>
      withDocLock(key, async () => {
        events.push(`${key} start`);
        await tick(ms);
        events.push(`${key} end`);
      });

    await Promise.all([write('plan:a', 30), write('plan:b', 1)]);

    expect(events).toEqual(['plan:a start', 'plan:b start', 'plan:b end', 'plan:a end']);
  });

  it('when a write fails, then its caller sees the error and the next write still runs', async () => {
    const failing = withDocLock('solve:s1', () => Promise.reject(new Error('boom')));
    const next = withDocLock('solve:s1', () => Promise.resolve('ran'));

    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
  });
});
