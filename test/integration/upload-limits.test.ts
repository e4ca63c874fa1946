/**
 * Bad input is refused before it costs anything: over HTTP, on the real database, each case
 * measured on the old main (a 17 MB cell gave 500, a 1 MB name and control characters were
 * stored, 100k rows blocked /readyz for 28-65 s, a 3 MB zip bomb took 51 s and 3.4 GB, deep
 * JSON gave 500, 2021-02-30 was rolled to March 2nd) now answers 413 or 422 and writes nothing.
 * Figures (sizes, times, RSS, /readyz latency) are printed with a [limits] prefix.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { createDeflateRaw, crc32, deflateRawSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readZipDirectory, unpackEntry } from '../../src/intake/zip.js';
import {
  AVAILABILITY,
  GATES,
  JSON_TYPE,
  XLSX_TYPE,
  clearDirectory,
  csvUpload,
  jsonUpload,
  put,
  seedDirectory,
  sheetOf,
  xlsxUpload,
  type Entity,
  type Row,
  type Upload,
} from '../helpers/fixtures.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let planner: string;

beforeAll(async () => {
  t = await createTestApp();
  planner = await t.token({ role: 'planner' });
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await clearDirectory(t.models);
  await seedDirectory(t.app, planner);
});

const MB = 1024 * 1024;
const HAN = /\p{Script=Han}/u;
const mb = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`;

/** Everything stored in the directory, to compare before and after a refused upload. */
async function snapshot(): Promise<unknown> {
  const plain = { _id: 0 } as const;
  return {
    gates: await t.models.Gate.find({}, plain).sort({ _id: 1 }).lean(),
    cadres: await t.models.Cadre.find({}, plain).sort({ _id: 1 }).lean(),
    availability: await t.models.Availability.find({}, plain).sort({ _id: 1 }).lean(),
  };
}

/** PUTs the file with ?replace=true (so a write would show), expects `status`, and that nothing changed. */
async function expectRefused(entity: Entity, upload: Upload, status: 413 | 422) {
  const before = await snapshot();
  const res = await put(t.app, planner, entity, upload, '?replace=true');
  expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(status);
  expect(res.body.error.code).toBe(status === 413 ? 'payload_too_large' : 'validation_failed');
  for (const p of res.body.error.details.problems) expect(p.messageZh).toMatch(HAN);
  expect(await snapshot()).toEqual(before);
  return res;
}

const gate = (i: number, name = `门${i}`): Row => ({ id: `N${i}`, name, village: '东村', town: '庄市街道' });

describe('cell limits', () => {
  it('when one cell of a gates upload holds 17 MB, then 422 names its row and column, echoes 100 characters, and nothing is written', async () => {
    const file = csvUpload(sheetOf('gates', [...GATES, gate(1, 'A'.repeat(17 * MB))]));

    const res = await expectRefused('gates', file, 422);

    console.log(`[limits] gates CSV with one 17 MB cell (${mb(file.body.length)}) -> ${res.status}, response ${res.text.length} bytes`);
    expect(res.body.error.details).toEqual({
      total: 1,
      problems: [
        {
          row: 6,
          column: 'name',
          value: `${'A'.repeat(100)}…`,
          message: expect.stringContaining('at most 100'),
          messageZh: expect.stringContaining('最多 100 个'),
        },
      ],
    });
    expect(res.text.length).toBeLessThan(2000);
  });

  it('when a gate name is 1 MB, then 422 and nothing is written', async () => {
    const res = await expectRefused('gates', jsonUpload(sheetOf('gates', [gate(1, '门'.repeat(MB))])), 422);
    expect(res.body.error.details.problems).toEqual([
      expect.objectContaining({ row: 2, column: 'name', message: expect.stringContaining(`${MB} characters, at most 100`) }),
    ]);
  });

  it('when names carry NUL, ESC and BEL, then each row is a 422 problem naming the character, and nothing is written', async () => {
    const rows = [gate(1, '东\u0000门'), gate(2, '\u001b[2J西门'), gate(3, '南门\u0007响铃')];

    const res = await expectRefused('gates', csvUpload(sheetOf('gates', rows, 'zh')), 422);

    expect(
      res.body.error.details.problems.map((p: { row: number; column: string; message: string }) => [p.row, p.column, p.message.match(/U\+\w+ \w+/)?.[0]]),
    ).toEqual([
      [2, '门岗名称', 'U+0000 NUL'],
      [3, '门岗名称', 'U+001B ESC'],
      [4, '门岗名称', 'U+0007 BEL'],
    ]);
  });

  it('when 1,001 good gates come with one huge name, then the whole file is refused and not one gate is written', async () => {
    const rows = Array.from({ length: 1001 }, (_, i) => gate(i, i === 500 ? 'X'.repeat(MB) : `门${i}`));

    const res = await expectRefused('gates', csvUpload(sheetOf('gates', rows)), 422);

    expect(res.body.error.details.problems.map((p: { row: number }) => p.row)).toEqual([502]);
    expect((await request(t.app).get('/api/v1/gates').set('Authorization', `Bearer ${planner}`)).body.total).toBe(GATES.length);
  });
});

describe('problem count', () => {
  it('when 1,500 rows are bad, then the 422 lists the first 1,000 and says 1,500 in all', async () => {
    const rows = Array.from({ length: 1500 }, (_, i) => ({ ...gate(i), staff_per_shift: 0 }));

    const res = await expectRefused('gates', csvUpload(sheetOf('gates', rows)), 422);

    expect(res.body.error.message).toContain('1500 problem(s)');
    expect(res.body.error.details.total).toBe(1500);
    expect(res.body.error.details.problems).toHaveLength(1000);
    expect(res.body.error.details.problems.at(-1).row).toBe(1001);
  });
});

describe('row limit', () => {
  it('when availability has 50,001 rows, then 413 says the most an upload may have, and nothing is written', async () => {
    const rows = Array.from({ length: 50_001 }, () => AVAILABILITY[0] as Row);
    const file = csvUpload(sheetOf('availability', rows));
    const started = performance.now();

    const res = await expectRefused('availability', file, 413);

    console.log(`[limits] availability CSV of 50,001 rows (${mb(file.body.length)}) -> 413 in ${(performance.now() - started).toFixed(0)} ms`);
    expect(res.body.error.message).toContain('more than 50,000 data rows');
    expect(res.body.error.details).toMatchObject({
      maxRows: 50_000,
      total: 1,
      problems: [{ row: 1, column: '', value: '', messageZh: expect.stringContaining('超过 50,000 行') }],
    });
  });

  it('when UPLOAD_MAX_ROWS is set, then that is the limit', async () => {
    const small = await createTestApp({ UPLOAD_MAX_ROWS: '10' });
    try {
      const token = await small.token({ role: 'planner' });
      const rows = (n: number) =>
        csvUpload(
          sheetOf(
            'gates',
            Array.from({ length: n }, (_, i) => gate(i)),
          ),
        );

      const over = await put(small.app, token, 'gates', rows(11));
      const at = await put(small.app, token, 'gates', rows(10));

      expect(over.status).toBe(413);
      expect(over.body.error.message).toContain('more than 10 data rows');
      expect(at.status, JSON.stringify(at.body)).toBe(200);
    } finally {
      await small.close();
    }
  });

  it('when an xlsx holds 100,000 rows, then reading stops at row 50,001 with a 413, in modest memory', async () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => gate(i));
    const file = await xlsxUpload(sheetOf('gates', rows));

    const { result: res, ms, rssPeak, rssBefore } = await measured(() => expectRefused('gates', file, 413));

    console.log(
      `[limits] 100,000-row xlsx (${mb(file.body.length)}) -> ${res.status} in ${ms.toFixed(0)} ms; RSS ${mb(rssBefore)} before, peak ${mb(rssPeak)}`,
    );
    expect(rssPeak - rssBefore).toBeLessThan(400 * MB);
  });
});

describe('xlsx zip bomb', () => {
  it('when an xlsx sheet unpacks to 200 MB, then 413 comes from the zip directory at once, before anything is inflated', async () => {
    const file = await zipBomb(200 * MB);

    const { result: res, ms, rssPeak, rssBefore } = await measured(() => expectRefused('gates', file, 413));

    console.log(
      `[limits] zip bomb: ${mb(file.body.length)} xlsx unpacking to 200 MB -> ${res.status} in ${ms.toFixed(0)} ms; RSS ${mb(rssBefore)} before, peak ${mb(rssPeak)} (+${mb(rssPeak - rssBefore)})`,
    );
    expect(res.body.error.message).toContain('unpacks to 200.0 MB, more than the 64 MB allowed');
    expect(ms).toBeLessThan(5000);
    expect(rssPeak - rssBefore).toBeLessThan(150 * MB);
  });
});

describe('JSON nesting', () => {
  it('when a JSON upload nests 100,000 arrays deep, then 422 says so and nothing is written', async () => {
    const body = Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);

    const res = await expectRefused('gates', { body, contentType: JSON_TYPE }, 422);

    expect(res.body.error.details.problems).toEqual([expect.objectContaining({ row: 1, message: expect.stringContaining('nested more than 16 levels') })]);
  });
});

describe('dates that do not exist', () => {
  it('when an availability window starts on 2021-02-30, then 422 names the cell and nothing is written', async () => {
    const rows = [...AVAILABILITY, { cadre_id: 'P2', start: '2021-02-30 08:00', end: '2021-03-02 08:00', kind: 'available' }];

    const res = await expectRefused('availability', csvUpload(sheetOf('availability', rows)), 422);

    expect(res.body.error.details.problems).toEqual([expect.objectContaining({ row: 5, column: 'start', value: '2021-02-30 08:00' })]);
  });

  it('when a pin or a plan names 2021-02-30, then 400 and the plan keeps no such pin', async () => {
    const api = (method: 'post' | 'get', path: string) => request(t.app)[method](`/api/v1${path}`).set('Authorization', `Bearer ${planner}`);
    const plan = await api('post', '/plans').send({ name: '二月', start: '2021-12-13', days: 2 });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);

    const pin = await api('post', `/plans/${plan.body.id}/pins`).send({ cadreId: 'P1', gateId: 'G1', start: '2021-02-30T08:00:00+08:00' });
    const badPlan = await api('post', '/plans').send({ name: '二月', start: '2021-02-30', days: 2 });
    const roster = await api('get', `/plans/${plan.body.id}/roster?from=2021-02-30T00:00:00Z`);

    expect(pin.status).toBe(422);
    expect(pin.body.error.details.problems).toEqual([expect.objectContaining({ field: 'start', message: expect.stringContaining('exists') })]);
    expect(badPlan.status).toBe(422);
    expect(roster.status).toBe(422);
    expect((await api('get', `/plans/${plan.body.id}`)).body.pins).toEqual([]);
  });
});

describe('event loop', () => {
  it('when a ~20 MB availability CSV is being parsed, then /readyz keeps answering quickly', async () => {
    const BLOCKED_MS = 1500;
    const server = t.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      // Every row valid and read in full; a `note` column no one reads brings it to ~20 MB (and one row-1 problem).
      const note = 'x'.repeat(400);
      const rows = Array.from({ length: 46_000 }, (_, i) => ({ ...(AVAILABILITY[i % 3] as Row), note }));
      const file = csvUpload(sheetOf('availability', rows));
      await fetch(`${base}/readyz`); // a warm connection pool, as a real probe has

      // Best of three, against 1.5 s: a parse on this thread blocks every attempt for many
      // seconds (28-65 s before it moved to a thread), while a busy two-core machine (load 18
      // seen with the bench beside the suite) delays a poll by some hundreds of ms. The
      // 100 ms target is read off the printed figures on a quiet machine, not asserted here.
      const attempts: number[] = [];
      for (let attempt = 1; attempt <= 3 && !(Math.min(...attempts) < BLOCKED_MS); attempt++) {
        const run = await pollWhileUploading(base, file);
        attempts.push(run.max);
        console.log(
          `[limits] /readyz during a ${mb(file.body.length)} availability upload (${rows.length} rows, ${run.ms.toFixed(0)} ms, answer ${run.status}), attempt ${attempt}: ` +
            `${run.latencies.length} polls every 20 ms, median ${run.median.toFixed(1)} ms, max ${run.max.toFixed(1)} ms (target 100 ms)`,
        );
        expect(run.status).toBe(422);
        expect(run.columns).toEqual(['note']);
        expect(run.latencies.length).toBeGreaterThan(5);
      }
      expect(Math.min(...attempts)).toBeLessThan(BLOCKED_MS);
    } finally {
      server.close();
    }
  });
});

/** PUTs `file` from a client thread and polls /readyz every 20 ms until the answer comes. */
async function pollWhileUploading(base: string, file: Upload) {
  const client = await clientThread(`${base}/api/v1/availability`, planner, file);
  const latencies: number[] = [];
  let done = false;
  const started = performance.now();
  const upload = client.send().finally(() => (done = true));
  while (!done) {
    const sent = performance.now();
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    latencies.push(performance.now() - sent);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const res = await upload;
  const body = JSON.parse(res.body) as { error: { details: { problems: { column: string }[] } } };
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    status: res.status,
    columns: body.error.details.problems.map((p) => p.column),
    ms: performance.now() - started,
    latencies,
    median: sorted[Math.floor(sorted.length / 2)] as number,
    max: sorted.at(-1) as number,
  };
}

/**
 * A client on another thread, as on another machine: pushing 20 MB through a socket from this
 * thread would itself hold up the event loop being measured. The thread is started (and the
 * bytes handed over) before `send` is called, so only the upload itself falls in the window.
 */
async function clientThread(url: string, token: string, file: Upload): Promise<{ send(): Promise<{ status: number; body: string }> }> {
  const client = `
    const { parentPort, workerData: { url, token, contentType, body } } = require('node:worker_threads');
    parentPort.once('message', () =>
      fetch(url, { method: 'PUT', headers: { authorization: 'Bearer ' + token, 'content-type': contentType }, body })
        .then(async (res) => parentPort.postMessage({ status: res.status, body: await res.text() })));
    parentPort.postMessage('ready');
  `;
  const body = new Uint8Array(file.body);
  const worker = new Worker(client, { eval: true, workerData: { url, token, contentType: file.contentType, body }, transferList: [body.buffer] });
  await once(worker, 'message');
  return {
    send() {
      worker.postMessage('go');
      return once(worker, 'message').then(([reply]) => reply as { status: number; body: string });
    },
  };
}

/** Runs `act` sampling this process's RSS (the app and its parse threads) every 20 ms. */
async function measured<T>(act: () => Promise<T>): Promise<{ result: T; ms: number; rssBefore: number; rssPeak: number }> {
  const rssBefore = process.memoryUsage.rss();
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 20);
  const started = performance.now();
  try {
    const result = await act();
    return { result, ms: performance.now() - started, rssBefore, rssPeak: Math.max(rssPeak, process.memoryUsage.rss()) };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * A valid gates workbook whose sheet is `size` bytes of XML (one cell of repeated 'A's), deflated
 * to a few hundred KB: the shape of a zip bomb. Built by streaming, so the test never holds it unpacked.
 */
async function zipBomb(size: number): Promise<Upload> {
  const base = await xlsxUpload(sheetOf('gates', GATES));
  const head = Buffer.from(
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>',
  );
  const tail = Buffer.from('</t></is></c></row></sheetData></worksheet>');
  const fill = Buffer.alloc(MB, 'A');
  const deflate = createDeflateRaw();
  const packed: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => packed.push(chunk));
  let crc = crc32(head);
  deflate.write(head);
  for (let left = size - head.length - tail.length; left > 0; left -= fill.length) {
    const chunk = left >= fill.length ? fill : fill.subarray(0, left);
    crc = crc32(chunk, crc);
    if (!deflate.write(chunk)) await once(deflate, 'drain');
  }
  deflate.end(tail);
  await once(deflate, 'end');
  const sheet = { name: 'xl/worksheets/sheet1.xml', packed: Buffer.concat(packed), crc: crc32(tail, crc), size };
  const others = readZipDirectory(base.body)
    .filter((e) => e.name !== sheet.name)
    .map((e) => {
      const data = unpackEntry(base.body, e);
      return { name: e.name, packed: deflateRawSync(data), crc: crc32(data), size: data.length };
    });
  return { body: zipOf([...others, sheet]), contentType: XLSX_TYPE };
}

/** A zip of deflated entries with its central directory. */
function zipOf(files: { name: string; packed: Buffer; crc: number; size: number }[]): Buffer {
  const records: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(file.crc, 14);
    local.writeUInt32LE(file.packed.length, 18);
    local.writeUInt32LE(file.size, 22);
    local.writeUInt16LE(name.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(file.crc, 16);
    entry.writeUInt32LE(file.packed.length, 20);
    entry.writeUInt32LE(file.size, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    records.push(local, name, file.packed);
    directory.push(entry, name);
    offset += local.length + name.length + file.packed.length;
  }
  const central = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...records, central, end]);
}
