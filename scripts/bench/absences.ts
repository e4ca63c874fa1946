/**
 * Absence bench, at district scale on the embedded FerretDB (unless MONGODB_URI) through the
 * real service API and its in-process workers (solve, re-plan, delivery), with a local robot
 * server (the integration tests' own, test/integration/messaging/robot-server.ts) behind one
 * signed webhook per village:
 *
 * - absence -> published fill-in: POST /api/v1/absences until the plan's next version is
 *   published (the re-plan solve, the split, the publish with its feeds);
 * - absence -> last message received: until the robot server has every message of that
 *   version (delivery worker at its default DELIVERY_POLL_MS);
 * - N absences in one day: every absence re-planned, and every message staged for them
 *   received by the robots, counted by idempotency key: lost and duplicated.
 *
 * The sample district (data/district, dated the week of 2021-12-13) is moved to start today,
 * so its shifts lie ahead of the clock as an outbreak's do.
 */
import { readFileSync } from 'node:fs';
import type { ApiClient } from '../../src/http/client/api-client.js';
import { ApiError } from '../../src/http/client/api-client.js';
import { wireModels } from '../../src/wiring.js';
import { addDays, localDate } from '../../src/domain/time.js';
import type { OutboxDoc } from '../../src/messaging/outbox.js';
import { startRobotServer } from '../../test/integration/messaging/robot-server.js';
import { mulberry32 } from '../lib/mulberry32.js';
import { median, withFreshService } from './service.js';

export interface AbsenceBenchOptions {
  /** Single absences timed (median reported). */
  runs: number;
  /** Absences in the one-day run. */
  absences: number;
  log: (line: string) => void;
}

export interface AbsenceBenchFigures {
  publishedMs: number[];
  /** The re-plan solve's own time (the solver's metrics.solveMs), within publishedMs. */
  solverMs: number[];
  lastMessageMs: number[];
  refilled: number[];
  bulk: {
    absences: number;
    postMs: number;
    processedMs: number;
    drainedMs: number;
    versions: number;
    refilled: number;
    expected: number;
    received: number;
    lost: number;
    duplicates: number;
  };
}

const SAMPLE_START = '2021-12-13';
const ZONE = 'Asia/Shanghai';
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

interface Row {
  cadreId: string;
  gateId: string;
  village: string;
  start: string;
  end: string;
}

export async function runAbsenceBench(options: AbsenceBenchOptions): Promise<AbsenceBenchFigures> {
  const robots = await startRobotServer();
  try {
    let figures: AbsenceBenchFigures | undefined;
    await withFreshService(async (api, service) => {
      const models = wireModels(service.db.connection);
      const today = localDate(new Date(), ZONE);
      await uploadDistrictFrom(api, today);
      const plan = await api.call('createPlan', { json: { name: 'absence bench', start: today, days: 7 } });
      let started = performance.now();
      const solveId = await solveAndWait(api, plan.id);
      await api.call('publishPlan', { path: { id: plan.id }, json: { solveId } });
      options.log(`  district solved and published in ${Math.round(performance.now() - started)} ms`);
      const villages = (await api.call('listVillages', {})).items.map((v) => v.village);
      for (const [i, village] of villages.entries()) {
        const key = `bench-village-${i}`;
        robots.secrets.set(key, `secret-${i}`);
        await api.call('createChannel', {
          json: { kind: 'webhook', url: robots.urlOf('webhook', key), secret: `secret-${i}`, villages: [village], events: ['shift_changed'] },
        });
      }
      options.log(`  ${villages.length} village webhooks registered`);

      const single = { publishedMs: [] as number[], lastMessageMs: [] as number[], refilled: [] as number[], solverMs: [] as number[] };
      const chosen = new Set<string>();
      for (let run = 1; run <= options.runs; run++) {
        const rows = await rosterOf(api, plan.id);
        const [shift] = ahead(rows, 3, 30, chosen, 1, Math.floor((run * rows.length) / (options.runs + 1)));
        if (!shift) throw new Error('no shift ahead to report an absence for');
        const version = (await api.call('getPlan', { path: { id: plan.id } })).publishedVersion ?? 0;
        const t0 = Date.now();
        const id = await postAbsence(api, shift);
        await until(async () => ((await api.call('getPlan', { path: { id: plan.id } })).publishedVersion ?? 0) > version, 5);
        single.publishedMs.push(Date.now() - t0);
        // The result is recorded on the absence just after the publish.
        const resultOf = async () => (await api.call('listAbsences', { query: { cadreId: shift.cadreId } })).items.find((a) => a.id === id)?.replan?.results[0];
        await until(async () => (await resultOf()) !== undefined, 50);
        const result = await resultOf();
        const job = result?.solveId ? await api.call('getSolve', { path: { id: result.solveId } }) : null;
        single.solverMs.push(Number((job?.metrics as { solveMs?: number } | null)?.solveMs ?? NaN));
        const after = await rosterOf(api, plan.id);
        const filled = after.filter((r) => r.gateId === shift.gateId && r.start === shift.start).length;
        single.refilled.push(filled >= peopleAt(rows, shift) ? 1 : 0);
        const docs = await drained(models, (d) => d.key.includes(`:${plan.id}:${version + 1}:`));
        const keys = new Set(docs.flatMap(partKeys));
        const got = robots.received.filter((r) => keys.has(decodeURIComponent(r.idempotencyKey ?? '')));
        single.lastMessageMs.push(Math.max(...got.map((r) => r.at)) - t0);
        options.log(
          `  run ${run}: ${shift.cadreId} out for ${shift.start}: published ${single.publishedMs.at(-1)} ms (solver ${single.solverMs.at(-1)} ms), last of ${got.length}/${keys.size} messages at ${single.lastMessageMs.at(-1)} ms, place refilled: ${single.refilled.at(-1) ? 'yes' : 'no'}`,
        );
      }

      // N absences in one day: shifts starting 3 to 27 hours ahead, distinct people, drawn
      // across the whole district (the roster lists village by village).
      const rows = shuffled(await rosterOf(api, plan.id));
      const shifts = ahead(rows, 3, 27, chosen, options.absences, 0);
      const version = (await api.call('getPlan', { path: { id: plan.id } })).publishedVersion ?? 0;
      started = performance.now();
      const ids: string[] = [];
      for (const shift of shifts) ids.push(await postAbsence(api, shift));
      const postMs = Math.round(performance.now() - started);
      options.log(`  ${ids.length} absences posted in ${postMs} ms`);
      await until(async () => {
        const items = (await api.call('listAbsences', {})).items.filter((a) => ids.includes(a.id));
        return items.every((a) => a.replan?.status === 'done' || a.replan?.status === 'failed');
      }, 2000);
      const processedMs = Math.round(performance.now() - started);
      const failed = (await api.call('listAbsences', {})).items.filter((a) => ids.includes(a.id) && a.replan?.status === 'failed').length;
      if (failed) options.log(`  ${failed} absences' re-plans failed`);
      const finalVersion = (await api.call('getPlan', { path: { id: plan.id } })).publishedVersion ?? 0;
      const docs = await drained(
        models,
        (d) => Number(/:(\d+):[^:]*$/.exec(d.key.split('@')[0] ?? '')?.[1] ?? 0) > version && d.key.includes(`:${plan.id}:`),
        finalVersion > version,
      );
      const drainedMs = Math.round(performance.now() - started);
      const expected = docs.flatMap(partKeys);
      const expectedSet = new Set(expected);
      const counts = new Map<string, number>();
      for (const r of robots.received) {
        const key = decodeURIComponent(r.idempotencyKey ?? '');
        if (expectedSet.has(key)) counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const after = await rosterOf(api, plan.id);
      const refilled = shifts.filter((s) => peopleAt(after, s) >= peopleAt(rows, s)).length;
      figures = {
        ...single,
        bulk: {
          absences: ids.length,
          postMs,
          processedMs,
          drainedMs,
          versions: finalVersion - version,
          refilled,
          expected: expected.length,
          received: [...counts.values()].filter((n) => n > 0).length,
          lost: expected.filter((k) => !counts.has(k)).length,
          duplicates: [...counts.values()].filter((n) => n > 1).length,
        },
      };
      if (robots.rejected.length)
        throw new Error(`the robot server refused ${robots.rejected.length} message(s): ${JSON.stringify(robots.rejected.slice(0, 3))}`);
    });
    return figures as AbsenceBenchFigures;
  } finally {
    await robots.close();
  }
}

export function formatAbsenceBench(f: AbsenceBenchFigures): string {
  const b = f.bulk;
  return [
    '| measure | figure |',
    '|---|---|',
    `| absence -> published fill-in (median of ${f.publishedMs.length}) | ${median(f.publishedMs)} ms (runs: ${f.publishedMs.join(', ')}; place refilled in ${f.refilled.reduce((a, x) => a + x, 0)}/${f.refilled.length}) |`,
    `| of which the re-plan solver (its metrics.solveMs) | ${median(f.solverMs)} ms (runs: ${f.solverMs.join(', ')}) |`,
    `| absence -> last message received by the robot (median of ${f.lastMessageMs.length}) | ${median(f.lastMessageMs)} ms (runs: ${f.lastMessageMs.join(', ')}) |`,
    `| ${b.absences} absences in one day: posted / all re-planned / all messages received | ${b.postMs} / ${b.processedMs} / ${b.drainedMs} ms; ${b.versions} versions published; ${b.refilled} of ${b.absences} places refilled |`,
    `| ${b.absences} absences in one day: messages expected / received / lost / sent twice | ${b.expected} / ${b.received} / ${b.lost} / ${b.duplicates} |`,
  ].join('\n');
}

/** The sample district, its dates moved so the sample week starts on `start`. */
export async function uploadDistrictFrom(api: ApiClient, start: string): Promise<void> {
  const shift = Math.round((Date.parse(`${start}T00:00:00Z`) - Date.parse(`${SAMPLE_START}T00:00:00Z`)) / DAY_MS);
  const moved = (text: string) => text.replace(/\b(\d{4}-\d{2}-\d{2})\b/g, (date) => addDays(date, shift));
  for (const [entity, operationId] of [
    ['gates', 'uploadGates'],
    ['cadres', 'uploadCadres'],
    ['availability', 'uploadAvailability'],
  ] as const) {
    await api.call(operationId, { body: Buffer.from(moved(readFileSync(`data/district/${entity}.csv`, 'utf8'))), contentType: 'text/csv' });
  }
}

export async function solveAndWait(api: ApiClient, planId: string): Promise<string> {
  let solve = await api.call('startSolve', { path: { id: planId }, json: {} });
  while (solve.status === 'queued' || solve.status === 'running') {
    await new Promise((r) => setTimeout(r, 100));
    solve = await api.call('getSolve', { path: { id: solve.id } });
  }
  if (solve.status !== 'done') throw new Error(`bench solve ${solve.status}`);
  return solve.id;
}

export async function rosterOf(api: ApiClient, planId: string): Promise<Row[]> {
  return (await api.call('getRoster', { path: { id: planId } })).assignments;
}

/** The same order on every run (seeded), spread over every village. */
export function shuffled<T>(items: T[], seed = 12): T[] {
  const random = mulberry32(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** People on the gate-shift of `shift` in `rows`. */
function peopleAt(rows: Row[], shift: Row): number {
  return rows.filter((r) => r.gateId === shift.gateId && r.start === shift.start).length;
}

/** Up to `n` shifts starting `fromH` to `toH` hours ahead, of distinct people not chosen before, from `offset` on. */
function ahead(rows: Row[], fromH: number, toH: number, chosen: Set<string>, n: number, offset: number): Row[] {
  const now = Date.now();
  const picked: Row[] = [];
  for (let i = 0; i < rows.length && picked.length < n; i++) {
    const r = rows[(offset + i) % rows.length] as Row;
    const start = Date.parse(r.start);
    if (start < now + fromH * HOUR_MS || start >= now + toH * HOUR_MS || chosen.has(r.cadreId)) continue;
    chosen.add(r.cadreId);
    picked.push(r);
  }
  return picked;
}

/** Posts "cannot do this shift" as a planner; a directory write in progress (409) is sent again. */
export async function postAbsence(api: ApiClient, shift: Pick<Row, 'cadreId' | 'start' | 'end'>): Promise<string> {
  for (;;) {
    try {
      return (await api.call('addAbsence', { json: { cadreId: shift.cadreId, from: shift.start, to: shift.end, reason: '发热' } })).id;
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 409)) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Messages matching `which`, once none is open any more (outbox and delivery log); with `some`, once there is one. */
async function drained(models: ReturnType<typeof wireModels>, which: (d: OutboxDoc) => boolean, some = true): Promise<OutboxDoc[]> {
  let docs: OutboxDoc[] = [];
  await until(async () => {
    const all = [...(await models.Outbox.find({}).lean<OutboxDoc[]>()), ...(await models.DeliveryLog.find({}).lean<OutboxDoc[]>())];
    docs = [...new Map(all.filter(which).map((d) => [d._id, d])).values()];
    return (docs.length > 0 || !some) && docs.every((d) => d.status === 'sent' || d.status === 'failed');
  }, 50);
  return docs;
}

/** The idempotency key of each part, as the webhook header carries it. */
function partKeys(doc: OutboxDoc): string[] {
  return doc.parts.map((_, i) => `${doc.key}#${i + 1}`);
}

export async function until(check: () => Promise<boolean>, everyMs: number, timeoutMs = 30 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the bench timed out waiting');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
