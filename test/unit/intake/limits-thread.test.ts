/**
 * Parsing in worker threads: the same answers as on the main thread (refusals included), the
 * main event loop free while a 20 MB file is read, shared memory left alone, and a parse
 * that runs out of time or memory refused with a 413 instead of taking the process down.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import { DEFAULT_LIMITS, parseAvailabilityUpload, parseInThread } from '../../../src/intake/index.js';
import { ParsePool } from '../../../src/intake/parse-thread.js';
import { context, csv, csvText, json } from './helpers.js';

const WINDOWS = 'cadre_id,start,end,kind';

/** ~`mb` MB of valid availability rows (with a `note` column no one reads, to reach the size). */
function bigAvailability(mb: number): { text: string; rows: number } {
  const note = 'x'.repeat(400); // ~460 bytes a row: 20 MB stays under 50,000 rows
  const line = (i: number) =>
    `P${(i % 2) + 1},2021-12-${String((i % 28) + 1).padStart(2, '0')} 08:00,2021-12-${String((i % 28) + 1).padStart(2, '0')} 17:00,available,${note}`;
  const rows = Math.floor((mb * 1024 * 1024) / (line(0).length + 2));
  return { text: csvText(`${WINDOWS},note`, ...Array.from({ length: rows }, (_, i) => line(i))), rows };
}

describe('parseInThread', () => {
  it('when a file is parsed in a thread, then the result equals the main-thread one, dates included', async () => {
    const text = csvText(WINDOWS, 'P1,2021-12-13 08:00,2021-12-13 16:00,可值班', 'P2,2021-12-14 20:00,2021-12-15 08:00,preferred');

    const inThread = await parseInThread('availability', csv(text), context());

    expect(inThread).toEqual(await parseAvailabilityUpload(csv(text), context()));
    expect(inThread.ok && inThread.records[0]?.start).toBeInstanceOf(Date);
  });

  it('when the thread refuses a file (415, 413), then the same AppError is thrown here', async () => {
    const unsupported = parseInThread('gates', { body: Buffer.from('x'), contentType: 'text/plain' }, context());
    const tooMany = parseInThread('gates', json([{ id: 'G1' }, { id: 'G2' }]), context(), { ...DEFAULT_LIMITS, maxRows: 1 });

    await expect(unsupported).rejects.toBeInstanceOf(AppError);
    await expect(unsupported).rejects.toMatchObject({ code: 'unsupported_media_type', status: 415 });
    await expect(tooMany).rejects.toMatchObject({ code: 'payload_too_large', status: 413, details: { maxRows: 1, total: 1 } });
  });

  it('when the body shares memory with other Buffers (a small pooled one), then it is copied, not taken from them', async () => {
    const neighbour = Buffer.from('neighbour');
    const body = Buffer.from(csvText('id,name,village,town', 'G1,东门,东村,庄市街道'));
    expect(body.byteOffset > 0 || body.buffer === neighbour.buffer).toBe(true);

    const result = await parseInThread('gates', { body, contentType: 'text/csv' }, context());

    expect(result.ok).toBe(true);
    expect(neighbour.toString()).toBe('neighbour');
    expect(body.toString()).toContain('G1');
  });

  it('when a ~20 MB CSV is parsed, then the main event loop stays idle', async () => {
    const { text, rows } = bigAvailability(20);
    const body = Buffer.from(text);
    await parseInThread('gates', csv(csvText('id,name,village,town', 'G1,东门,东村,庄市街道')), context()); // a warm thread, as in service
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const [started, busyBefore] = [performance.now(), performance.eventLoopUtilization()];

    const result = await parseInThread('availability', { body, contentType: 'text/csv' }, context());

    delay.disable();
    const [ms, maxDelay, busy] = [performance.now() - started, delay.max / 1e6, performance.eventLoopUtilization(busyBefore).utilization];
    console.log(
      `[limits] ${(text.length / 1024 / 1024).toFixed(1)} MB availability CSV (${rows} rows) parsed in a thread in ${ms.toFixed(0)} ms; ` +
        `main event loop: delay max ${maxDelay.toFixed(1)} ms, busy ${(busy * 100).toFixed(1)}% of the time`,
    );
    expect(!result.ok && result.problems).toEqual([expect.objectContaining({ row: 1, column: 'note', message: expect.stringContaining('unknown column') })]);
    // The share of time the loop spent running code: a parse here would make it ~100%. (The
    // delay figure also counts the OS scheduling other processes, so it is printed, not asserted.)
    expect(busy).toBeLessThan(0.25);
  });
});

describe('a parse that costs too much', () => {
  it('when a parse passes its deadline, then the thread is ended and the upload refused with a 413; the next one runs', async () => {
    const pool = new ParsePool({ threads: 1, timeoutMs: 50, heapMb: 256, idleMs: 1000 });

    const attempt = pool.parse('availability', csv(bigAvailability(5).text), context());

    await expect(attempt).rejects.toMatchObject({ code: 'payload_too_large', message: expect.stringContaining('took longer than 0.05 s') });
  });

  it('when a parse needs more heap than a thread has, then the upload is refused with a 413 and the process lives on', async () => {
    const pool = new ParsePool({ threads: 1, timeoutMs: 60_000, heapMb: 64, idleMs: 1000 });
    // 400,000 small objects: far more than 64 MB of heap once parsed.
    const rows = Array.from({ length: 400_000 }, (_, i) => ({ cadre_id: `P${i}`, start: '2021-12-13 08:00', end: '2021-12-13 16:00', kind: 'available' }));

    const attempt = pool.parse('availability', json(rows), context(), { ...DEFAULT_LIMITS, maxRows: 1_000_000 });

    await expect(attempt).rejects.toMatchObject({ code: 'payload_too_large', message: expect.stringContaining('needs more than the 64 MB') });
    const after = await pool.parse('gates', csv(csvText('id,name,village,town', 'G1,东门,东村,庄市街道')), context());
    expect(after.ok).toBe(true);
  });
});
