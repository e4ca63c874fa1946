/**
 * The main job on the embedded default: starts the service (FerretDB under .data/ unless
 * MONGODB_URI is set), loads the seed-scale district from data/district through the real
 * upload API, solves a week, publishes it, and prints the URLs to open. Every call goes
 * through the typed client (src/http/client), by operationId, as a client of the API would.
 *
 *   npm run demo                          # keeps serving until Ctrl-C
 *   npm run demo -- --exit                # stops after printing
 *   npm run demo -- --data data/village   # another data set, in a database of its own
 *   npm run demo -- --reset               # empty the demo's database first
 *
 * Run again on the same database, it uploads the same files (nothing changes), finds its own
 * plan by name, solves it again and publishes the result as the plan's next version; tokens
 * it issued before are revoked and new ones printed.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../src/config.js';
import { openDatabase } from '../src/db/connect.js';
import { wireModels } from '../src/wiring.js';
import { issueToken } from '../src/auth/tokens.js';
import { ApiClient, ApiError } from '../src/http/client/api-client.js';
import { startService } from '../src/server.js';

const DEFAULT_DATA = 'data/district';
const PLAN_NAME = 'Demo week 2021-12-13';
const TOKEN_LABEL = 'demo';

const { values } = parseArgs({
  options: {
    exit: { type: 'boolean', default: false },
    reset: { type: 'boolean', default: false },
    data: { type: 'string', default: DEFAULT_DATA },
  },
});
const config = demoConfig(values.data);
if (values.reset) await resetDatabase(config);
const service = await startService(config);
const models = wireModels(service.db.connection);
const base = service.baseUrl;
const planner = await issueToken(models, { role: 'planner', label: TOKEN_LABEL });
const api = await ApiClient.connect(base, planner.token);

try {
  console.log(`Service at ${base} (${service.db.describe}${config.MONGODB_URI ? '' : `, data in ${config.DATA_DIR}/`})`);
  const revoked = await revokeEarlierDemoTokens(planner.tokenId);
  if (revoked > 0) console.log(`  revoked ${revoked} token(s) an earlier demo run issued`);
  for (const [entity, operationId] of [
    ['gates', 'uploadGates'],
    ['cadres', 'uploadCadres'],
    ['availability', 'uploadAvailability'],
  ] as const) {
    const file = await firstExisting(values.data, entity);
    const started = Date.now();
    const counts = await api.call(operationId, { body: await readFile(file.path), contentType: file.type });
    console.log(`  uploaded ${file.path}: ${JSON.stringify(counts)} in ${Date.now() - started} ms`);
  }

  const plan = await demoPlan();
  let solve = await api.call('startSolve', { path: { id: plan.id }, json: {} });
  const solveStarted = Date.now();
  while (solve.status === 'queued' || solve.status === 'running') {
    await new Promise((r) => setTimeout(r, 250));
    solve = await api.call('getSolve', { path: { id: solve.id } });
  }
  if (solve.status !== 'done' || !solve.metrics) throw new Error(`solve ${solve.id} ${solve.status}: ${solve.error ?? ''}`);
  const m = solve.metrics;
  console.log(
    `  solved in ${((Date.now() - solveStarted) / 1000).toFixed(1)} s: ${m.placesFilled}/${m.placesNeeded} places filled ` +
      `(upper bound ${m.upperBound.value}), hours min/median/max ${m.hours.min}/${m.hours.median}/${m.hours.max}, fixable imbalances ${m.fixableImbalances}`,
  );
  const published = await api.call('publishPlan', { path: { id: plan.id }, json: { solveId: solve.id } });
  const gaps = await api.call('getGaps', { path: { id: plan.id } });
  const roster = await api.call('getRoster', { path: { id: plan.id } });
  const village = gaps.gaps[0]?.village ?? roster.assignments[0]?.village ?? '';
  const cadreId = roster.assignments.find((a) => a.village === village)?.cadreId ?? roster.assignments[0]?.cadreId ?? '';
  const head = await api.call('issueToken', { json: { role: 'village_head', villages: [village], label: TOKEN_LABEL } });
  const person = await api.call('issueToken', { json: { role: 'cadre', cadreId, label: TOKEN_LABEL } });
  const personFeed = await api.call('issueCadreFeedLink', { path: { id: cadreId } });
  const villageFeed = await api.call('issueVillageFeedLink', { path: { id: village } });

  console.log(
    `  published version ${published.version} of plan ${plan.id} (${plan.reused ? 'reused' : 'new'}): ${roster.assignments.length} shifts, ${gaps.gaps.length} gaps\n`,
  );
  console.log('Open:');
  console.log(`  roster JSON     curl -H 'Authorization: Bearer ${planner.token}' ${base}/api/v1/plans/${plan.id}/roster`);
  console.log(`  gaps (CSV)      curl -H 'Accept: text/csv' -H 'Authorization: Bearer ${planner.token}' ${base}/api/v1/plans/${plan.id}/gaps`);
  console.log(`  daily report    curl -H 'Authorization: Bearer ${planner.token}' '${base}/api/v1/plans/${plan.id}/report?date=2021-12-13'`);
  console.log(`  OpenAPI         ${base}/api/openapi.json`);
  console.log(`  ${cadreId}'s calendar  ${personFeed.url}\n                  ${personFeed.webcal}`);
  console.log(`  ${village} duty calendar  ${villageFeed.url}`);
  const feedSecret = new URL(personFeed.url).pathname.replace(/^\/feeds\//, '').replace(/\.ics$/, '');
  console.log('Pages:');
  console.log(`  village head (phone)    ${base}/village?token=${head.token}`);
  console.log(`  ${cadreId}'s page      ${base}/me?token=${feedSecret}`);
  console.log(`  planner console         ${base}/planner   (sign in with the planner token below)`);
  console.log('Tokens (shown once; a next demo run revokes them):');
  console.log(`  planner                 ${planner.token}`);
  console.log(`  village head (${village})  ${head.token}`);
  console.log(`  cadre ${cadreId}           ${person.token}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  if (error instanceof ApiError && error.status === 409) console.error('(npm run demo -- --reset starts again from an empty database)');
  process.exitCode = 1;
}

if (values.exit || process.exitCode) {
  await service.stop();
} else {
  console.log('\nServing; Ctrl-C stops the service and its database.');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void service.stop().then(() => process.exit(0)));
}

/**
 * The district demo uses DATA_DIR (or MONGODB_URI) as configured. Another data set gets a
 * database of its own, so it never merges into the district: the folder
 * `<DATA_DIR>/demo-<name>` (e.g. `.data/demo-village`; FerretDB keeps each database in one
 * file and ignores folders), or the database `<MONGODB_URI's database>-<name>`.
 */
function demoConfig(dataPath: string): Config {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  if (dataPath.replace(/\/+$/, '') === DEFAULT_DATA) return config;
  const name = basename(dataPath.replace(/\/+$/, '')).replace(/[^A-Za-z0-9_-]/g, '_');
  if (config.MONGODB_URI) {
    const uri = new URL(config.MONGODB_URI);
    uri.pathname = `/${uri.pathname.replace(/^\//, '') || 'gate-duty'}-${name}`;
    return loadConfig({ LOG_LEVEL: 'warn', ...process.env, MONGODB_URI: uri.toString() });
  }
  return loadConfig({ LOG_LEVEL: 'warn', ...process.env, DATA_DIR: join(config.DATA_DIR, `demo-${name}`) });
}

/** Drops the demo's database (refused, like a second service, while one runs on that folder). */
async function resetDatabase(config: Config): Promise<void> {
  const db = await openDatabase({ uri: config.MONGODB_URI, dataDir: config.DATA_DIR });
  try {
    await db.connection.dropDatabase();
  } finally {
    await db.close();
  }
  console.log(`Reset: emptied ${config.MONGODB_URI ? 'the database of MONGODB_URI' : `${config.DATA_DIR}/`}`);
}

/** The demo's own plan, found by name (a second run re-solves it), or a new one. */
async function demoPlan(): Promise<{ id: string; reused: boolean }> {
  const { items } = await api.call('listPlans');
  const existing = items.find((p) => p.name === PLAN_NAME);
  if (existing) return { id: existing.id, reused: true };
  const created = await api.call('createPlan', { json: { name: PLAN_NAME, start: '2021-12-13', days: 7 } });
  return { id: created.id, reused: false };
}

async function revokeEarlierDemoTokens(keep: string): Promise<number> {
  const { items } = await api.call('listTokens');
  const earlier = items.filter((t) => t.label === TOKEN_LABEL && t.revokedAt === null && t.tokenId !== keep);
  for (const token of earlier) await api.call('revokeToken', { path: { id: token.tokenId } });
  return earlier.length;
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
