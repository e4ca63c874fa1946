/**
 * The main job on the embedded default: starts the service (FerretDB under .data/ unless
 * MONGODB_URI is set), loads the seed-scale district from data/district through the real
 * upload API, solves a week, publishes it, and prints the URLs to open.
 *
 *   npm run demo              # keeps serving until Ctrl-C
 *   npm run demo -- --exit    # stops after printing (used by CI smoke checks)
 *   npm run demo -- --data data/village
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { registerModels } from '../src/db/models.js';
import { issueToken } from '../src/auth/tokens.js';
import { startService } from '../src/server.js';

const { values } = parseArgs({ options: { exit: { type: 'boolean', default: false }, data: { type: 'string', default: 'data/district' } } });
const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
const service = await startService(config);
const models = registerModels(service.db.connection);
const base = service.baseUrl;
const planner = (await issueToken(models, { role: 'planner', label: 'demo' })).token;

async function api<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${planner}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
    body: body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} -> ${response.status}: ${text.slice(0, 2000)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

try {
  console.log(`Service at ${base} (${service.db.describe})`);
  for (const entity of ['gates', 'cadres', 'availability']) {
    const file = await firstExisting(values.data, entity);
    const started = Date.now();
    const counts = await api<object>('PUT', `/${entity}`, await readFile(file.path), file.type);
    console.log(`  uploaded ${file.path}: ${JSON.stringify(counts)} in ${Date.now() - started} ms`);
  }
  const plan = await api<{ id: string }>('POST', '/plans', { name: 'Demo week 2021-12-13', start: '2021-12-13', days: 7 });
  let solve = await api<{ id: string; status: string }>('POST', `/plans/${plan.id}/solve`, {});
  const solveStarted = Date.now();
  while (solve.status === 'queued' || solve.status === 'running') {
    await new Promise((r) => setTimeout(r, 250));
    solve = await api('GET', `/solves/${solve.id}`);
  }
  if (solve.status !== 'done') throw new Error(`solve ${solve.id} ${solve.status}: ${JSON.stringify(solve)}`);
  const metrics = (solve as unknown as { metrics: Record<string, any>; outcome: string }).metrics;
  console.log(
    `  solved in ${((Date.now() - solveStarted) / 1000).toFixed(1)} s: ${metrics.placesFilled}/${metrics.placesNeeded} places filled ` +
      `(upper bound ${metrics.upperBound?.value}), hours min/median/max ${metrics.hours?.min}/${metrics.hours?.median}/${metrics.hours?.max}, ` +
      `fixable imbalances ${metrics.fixableImbalances}`,
  );
  const published = await api<{ version: number }>('POST', `/plans/${plan.id}/publish`, { solveId: solve.id });
  const gaps = await api<{ gaps: { village: string }[] }>('GET', `/plans/${plan.id}/gaps`);
  const roster = await api<{ assignments: { cadreId: string; village: string }[] }>('GET', `/plans/${plan.id}/roster`);
  const village = gaps.gaps[0]?.village ?? roster.assignments[0]?.village ?? '';
  const cadreId = roster.assignments.find((a) => a.village === village)?.cadreId ?? roster.assignments[0]?.cadreId ?? '';
  const head = (await issueToken(models, { role: 'village_head', villages: [village], label: 'demo' })).token;
  const person = (await issueToken(models, { role: 'cadre', cadreId, label: 'demo' })).token;
  const personFeed = await api<{ url: string; webcal: string }>('POST', `/cadres/${encodeURIComponent(cadreId)}/feed-token`);
  const villageFeed = await api<{ url: string; webcal: string }>('POST', `/villages/${encodeURIComponent(village)}/feed-token`);

  console.log(`  published version ${published.version} of plan ${plan.id}: ${roster.assignments.length} shifts, ${gaps.gaps.length} gaps\n`);
  console.log('Open:');
  console.log(`  roster JSON     curl -H 'Authorization: Bearer ${planner}' ${base}/api/v1/plans/${plan.id}/roster`);
  console.log(`  gaps (CSV)      curl -H 'Accept: text/csv' -H 'Authorization: Bearer ${planner}' ${base}/api/v1/plans/${plan.id}/gaps`);
  console.log(`  daily report    curl -H 'Authorization: Bearer ${planner}' '${base}/api/v1/plans/${plan.id}/report?date=2021-12-13'`);
  console.log(`  OpenAPI         ${base}/api/openapi.json`);
  console.log(`  ${cadreId}'s calendar  ${personFeed.url}\n                  ${personFeed.webcal}`);
  console.log(`  ${village} duty calendar  ${villageFeed.url}`);
  const feedSecret = new URL(personFeed.url).pathname.replace(/^\/feeds\//, '').replace(/\.ics$/, '');
  console.log('Pages:');
  console.log(`  village head (phone)    ${base}/village?token=${head}`);
  console.log(`  ${cadreId}'s page      ${base}/me?token=${feedSecret}`);
  console.log(`  planner console         ${base}/planner   (sign in with the planner token below)`);
  console.log('Tokens (shown once):');
  console.log(`  planner                 ${planner}`);
  console.log(`  village head (${village})  ${head}`);
  console.log(`  cadre ${cadreId}           ${person}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}

if (values.exit || process.exitCode) {
  await service.stop();
} else {
  console.log('\nServing; Ctrl-C stops the service and its database.');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void service.stop().then(() => process.exit(0)));
}

async function firstExisting(dir: string, entity: string): Promise<{ path: string; type: string }> {
  const types: [string, string][] = [
    ['csv', 'text/csv'],
    ['xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['json', 'application/json'],
  ];
  for (const [ext, type] of types) {
    const path = join(dir, `${entity}.${ext}`);
    try {
      await readFile(path);
      return { path, type };
    } catch {
      // try the next format
    }
  }
  throw new Error(`no ${entity}.csv/.xlsx/.json in ${dir}`);
}
