/**
 * Service benchmark against the running service and its real database (the embedded
 * FerretDB unless MONGODB_URI is set): PUT of the whole seed-scale district, a solve and a
 * publish through the API, and calendar feed latency under load from autocannon.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { loadConfig } from '../../src/config.js';
import { ApiClient } from '../../src/http/client/api-client.js';
import { wireModels } from '../../src/wiring.js';
import { issueToken } from '../../src/auth/tokens.js';
import { startService, type RunningService } from '../../src/server.js';

export interface ServiceBenchOptions {
  runs: number;
  feedSeconds: number;
  log: (line: string) => void;
}

export interface ServiceBenchFigures {
  uploadMs: { gates: number; cadres: number; availability: number; total: number }[];
  solveMs: number;
  publishMs: number;
  feeds: { name: string; p50: number; p90: number; p99: number; rps: number; requests: number; errors: number }[];
}

const UPLOADS = [
  ['gates', 'uploadGates'],
  ['cadres', 'uploadCadres'],
  ['availability', 'uploadAvailability'],
] as const;
const FEED_PEOPLE = 200;

export async function runServiceBench(options: ServiceBenchOptions): Promise<ServiceBenchFigures> {
  const figures: ServiceBenchFigures = { uploadMs: [], solveMs: 0, publishMs: 0, feeds: [] };
  for (let run = 1; run <= options.runs; run++) {
    const last = run === options.runs;
    await withFreshService(async (api) => {
      const upload = { gates: 0, cadres: 0, availability: 0, total: 0 };
      for (const [entity, operationId] of UPLOADS) {
        const started = performance.now();
        await api.call(operationId, { body: readFileSync(`data/district/${entity}.csv`), contentType: 'text/csv' });
        upload[entity] = Math.round(performance.now() - started);
      }
      upload.total = upload.gates + upload.cadres + upload.availability;
      figures.uploadMs.push(upload);
      options.log(`  run ${run}: PUT district ${upload.total} ms (gates ${upload.gates}, cadres ${upload.cadres}, availability ${upload.availability})`);
      if (last) await solvePublishAndLoadFeeds(api, figures, options);
    });
  }
  return figures;
}

/** The bench calls the API through the typed client, so the OpenAPI document is exercised too. */
async function solvePublishAndLoadFeeds(api: ApiClient, figures: ServiceBenchFigures, options: ServiceBenchOptions): Promise<void> {
  const plan = await api.call('createPlan', { json: { name: 'bench', start: '2021-12-13', days: 7 } });
  let started = performance.now();
  let solve = await api.call('startSolve', { path: { id: plan.id }, json: {} });
  while (solve.status === 'queued' || solve.status === 'running') {
    await new Promise((r) => setTimeout(r, 100));
    solve = await api.call('getSolve', { path: { id: solve.id } });
  }
  if (solve.status !== 'done') throw new Error(`bench solve ${solve.status}`);
  figures.solveMs = Math.round(performance.now() - started);
  started = performance.now();
  await api.call('publishPlan', { path: { id: plan.id }, json: { solveId: solve.id } });
  figures.publishMs = Math.round(performance.now() - started);
  options.log(`  solve via API ${figures.solveMs} ms (queue, snapshot, thread, store); publish incl. all feeds ${figures.publishMs} ms`);

  const roster = await api.call('getRoster', { path: { id: plan.id } });
  // 200 different people, spread over the roster, so the load is not one hot URL.
  const people = [...new Set(roster.assignments.map((a) => a.cadreId))];
  const sample = Array.from({ length: Math.min(FEED_PEOPLE, people.length) }, (_, i) => people[Math.floor((i * people.length) / FEED_PEOPLE)] ?? '');
  const urls: string[] = [];
  for (const cadreId of sample) urls.push((await api.call('issueCadreFeedLink', { path: { id: cadreId } })).url);
  const village = roster.assignments[0]?.village ?? '';
  const villageUrl = (await api.call('issueVillageFeedLink', { path: { id: village } })).url;

  // Cold: the first fetch of each feed after the publish (database, no cache).
  const cold: number[] = [];
  for (const url of urls) {
    const started = performance.now();
    const response = await fetch(url);
    await response.text();
    if (!response.ok) throw new Error(`feed ${response.status}`);
    cold.push(performance.now() - started);
  }
  cold.sort((a, b) => a - b);
  const at = (q: number) => Math.round((cold[Math.min(cold.length - 1, Math.floor(q * cold.length))] ?? 0) * 10) / 10;
  figures.feeds.push({
    name: `person feeds, first fetch each (${urls.length} people, sequential)`,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    rps: 0,
    requests: urls.length,
    errors: 0,
  });
  options.log(`  first fetch of ${urls.length} person feeds: p50 ${at(0.5)} ms, p90 ${at(0.9)} ms`);

  const origin = new URL(urls[0] ?? villageUrl).origin;
  const etag = (await fetch(urls[0] ?? villageUrl)).headers.get('etag') ?? '';
  const targets: { name: string; paths: string[]; headers: Record<string, string> }[] = [
    { name: `person feeds (${urls.length} people in turn)`, paths: urls.map((u) => new URL(u).pathname), headers: {} },
    { name: 'person feed, If-None-Match (304)', paths: [new URL(urls[0] ?? villageUrl).pathname], headers: { 'if-none-match': etag } },
    { name: `village feed (${village})`, paths: [new URL(villageUrl).pathname], headers: {} },
  ];
  for (const target of targets) {
    for (const connections of [1, 10]) {
      const result = await autocannon({
        url: origin,
        connections,
        duration: options.feedSeconds,
        requests: target.paths.map((path) => ({ method: 'GET', path, headers: target.headers })),
      });
      const row = {
        name: `${target.name}, ${connections} conn`,
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        rps: Math.round(result.requests.average),
        requests: result.requests.total,
        // 304s are the point of the conditional run; 4xx/5xx and socket errors are failures.
        errors: result.errors + result['4xx'] + result['5xx'],
      };
      figures.feeds.push(row);
      options.log(`  ${row.name}: p50 ${row.p50} ms, p90 ${row.p90} ms, p99 ${row.p99} ms, ${row.rps} req/s`);
    }
  }
}

/** A service on a database of its own (embedded FerretDB unless MONGODB_URI), with a planner's client; `env` adds settings. */
export async function withFreshService(work: (api: ApiClient, service: RunningService) => Promise<void>, env: Record<string, string> = {}): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gate-duty-bench-'));
  const dbName = `bench_${Date.now()}`;
  const uri = process.env.MONGODB_URI ? `${process.env.MONGODB_URI.replace(/\/[^/]*$/, '')}/${dbName}` : '';
  // The feed load test is one client address making thousands of requests: limits off.
  const noLimits = { RATE_LIMIT_SECRET_REQUESTS_PER_MIN: '0', RATE_LIMIT_FAILED_SECRETS_PER_MIN: '0', RATE_LIMIT_UPLOADS_PER_HOUR: '0' };
  const service = await startService(loadConfig({ ...process.env, PORT: '0', LOG_LEVEL: 'error', DATA_DIR: dataDir, MONGODB_URI: uri, ...noLimits, ...env }));
  try {
    const token = (await issueToken(wireModels(service.db.connection), { role: 'planner', label: 'bench' })).token;
    await work(await ApiClient.connect(service.baseUrl, token), service);
  } finally {
    if (uri) await service.db.connection.dropDatabase().catch(() => undefined);
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
