/**
 * Backups (`npm run backup` / `npm run restore`, scripts/lib/backup.ts): a published roster
 * is backed up while its app is still connected, restored into an empty database, and an app
 * on the restored database answers exactly as the original did: the same plans, the same
 * roster JSON, the same feed bytes for the same secret, with every stored value of the same
 * BSON type. A restore refuses a database with data (unless forced) and a damaged file.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import mongoose, { type Connection } from 'mongoose';
import request from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registerModels } from '../../src/db/models.js';
import { createServiceApp, wireModels } from '../../src/wiring.js';
import { createLogger } from '../../src/logger.js';
import { BackupError, backupDatabase, restoreDatabase } from '../../scripts/lib/backup.js';
import { api, createRosterPlan, feedPath, publish, seedRosterDistrict, solve, testWorker, WEST } from '../helpers/roster-fixtures.js';
import { withContractCheck } from '../helpers/contract.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const { EJSON } = mongoose.mongo.BSON;

let source: TestApp;
let planner: string;
let planId: string;
let cadreFeed: string;
let villageFeed: string;
let dir: string;
const opened: Connection[] = [];

/** What the original app answers, to compare the restored one with. */
let before: Answers;

interface Answers {
  plans: unknown;
  plan: unknown;
  roster: string;
  rosterV1: string;
  versions: unknown;
  feeds: { path: string; status: number; etag: string | undefined; lastModified: string | undefined; bytes: Buffer }[];
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gate-duty-backup-test-'));
  source = await createTestApp();
  planner = await source.token({ role: 'planner' });
  await seedRosterDistrict(source.app, planner);
  const worker = testWorker(source.models);
  planId = await createRosterPlan(source.app, planner);
  await publish(source.app, planner, planId, await solve(source.app, planner, worker, planId));
  // A second version: the restore must keep both readable, and the feeds' event states.
  await api(source.app, planner).patch(`/api/v1/plans/${planId}`, { name: '两日值守（第二版）' });
  await publish(source.app, planner, planId, await solve(source.app, planner, worker, planId));

  const roster = await api(source.app, planner).get(`/api/v1/plans/${planId}/roster`);
  const cadreId: string = roster.body.assignments[0].cadreId;
  cadreFeed = feedPath((await api(source.app, planner).post(`/api/v1/cadres/${cadreId}/feed-token`)).body.url);
  villageFeed = feedPath((await api(source.app, planner).post(`/api/v1/villages/${encodeURIComponent(WEST)}/feed-token`)).body.url);
  before = await answers(source.app);
  expect(before.feeds.every((f) => f.status === 200 && f.bytes.length > 0)).toBe(true);
});

afterAll(async () => {
  for (const connection of opened) {
    await connection.dropDatabase().catch(() => undefined);
    await connection.close().catch(() => undefined);
  }
  await source?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('backup and restore', () => {
  it('when a database is backed up while its app is connected and restored into an empty one, then an app on it answers byte for byte the same', async () => {
    // Arrange
    const file = join(dir, 'district.jsonl.gz');

    // Act: back up while the app keeps serving feeds.
    const [summary] = await Promise.all([backupDatabase(connectionOf(source), file), ...[1, 2, 3].map(() => answers(source.app))]);
    const target = await freshDatabase();
    const restored = await restoreDatabase(target, file);
    const app = appOn(target);

    // Assert: the file, and every collection with its documents.
    expect(statSync(file).size).toBe(summary.bytes);
    expect(readFileSync(file).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(summary.counts).toEqual(restored.counts);
    expect(Object.keys(summary.counts)).toEqual(
      expect.arrayContaining(['plans', 'rosters', 'publications', 'feeds', 'feedtokens', 'apitokens', 'gates', 'cadres']),
    );
    expect(summary.counts.rosters).toBeGreaterThanOrEqual(2);
    expect(await dump(target)).toEqual(await dump(connectionOf(source)));
    expect(await indexes(target)).toEqual(await indexes(connectionOf(source)));

    // Assert: the restored app answers as the original (the planner's token was restored too).
    const after = await answers(app);
    expect(after.plans).toEqual(before.plans);
    expect(after.plan).toEqual(before.plan);
    expect(after.roster).toBe(before.roster);
    expect(after.rosterV1).toBe(before.rosterV1);
    expect(after.versions).toEqual(before.versions);
    for (const [i, feed] of after.feeds.entries()) {
      expect(feed.status, feed.path).toBe(200);
      expect(feed.etag, feed.path).toBe(before.feeds[i]!.etag);
      expect(feed.lastModified, feed.path).toBe(before.feeds[i]!.lastModified);
      expect(feed.bytes.equals(before.feeds[i]!.bytes), feed.path).toBe(true);
    }
    // And it carries on: a conditional poll is a 304, a new publish works on the restored state.
    const poll = await request(app)
      .get(cadreFeed)
      .set('If-None-Match', before.feeds[0]!.etag ?? '');
    expect(poll.status).toBe(304);
    const worker = testWorker(registerModels(target));
    expect(await publish(app, planner, planId, await solve(app, planner, worker, planId))).toBe(3);
  });

  it('when the target database has data, then restore refuses it, and with force replaces it', async () => {
    // Arrange
    const file = join(dir, 'again.jsonl.gz');
    await backupDatabase(connectionOf(source), file);
    const target = await freshDatabase();
    await registerModels(target).Gate.create({
      _id: 'X1',
      id: 'X1',
      name: '旧门',
      village: '旧村',
      town: '旧镇',
      staffPerShift: 1,
      coverFrom: '00:00',
      coverTo: '24:00',
      leadRequired: false,
    });

    // Act
    const refused = await restoreDatabase(target, file).catch((error: unknown) => error);
    const forced = await restoreDatabase(target, file, { force: true });

    // Assert
    expect(refused).toBeInstanceOf(BackupError);
    expect(String((refused as Error).message)).toMatch(/is not empty: gates \(1 document\)\. .*--force/);
    expect(forced.dropped).toEqual({ gates: 1 });
    expect(await dump(target)).toEqual(await dump(connectionOf(source)));
  });

  it('when a change commits while the backup reads, then it reads again and holds the changed state', async () => {
    // Arrange
    const file = join(dir, 'moving.jsonl.gz');
    const renamed = '两日值守（备份中改名）';

    // Act: the plan (a control document) changes after the first read.
    const summary = await backupDatabase(connectionOf(source), file, {
      afterRead: async (attempt) => {
        if (attempt === 1) expect((await api(source.app, planner).patch(`/api/v1/plans/${planId}`, { name: renamed })).status).toBe(200);
      },
    });
    const target = await freshDatabase();
    await restoreDatabase(target, file);

    // Assert
    expect(summary.attempts).toBe(2);
    expect((await api(appOn(target), planner).get(`/api/v1/plans/${planId}`)).body.name).toBe(renamed);
    expect(await dump(target)).toEqual(await dump(connectionOf(source)));
  });

  it('when a backup file is truncated or not a backup, then restore refuses it before changing anything, even with force', async () => {
    // Arrange
    const file = join(dir, 'whole.jsonl.gz');
    await backupDatabase(connectionOf(source), file);
    const whole = readFileSync(file);
    const truncated = join(dir, 'truncated.jsonl.gz');
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    const noEnd = join(dir, 'no-end.jsonl.gz');
    const lines = gunzipLines(whole);
    writeFileSync(noEnd, gzipSync(`${lines.slice(0, -1).join('\n')}\n`));
    const foreign = join(dir, 'foreign.jsonl.gz');
    writeFileSync(foreign, gzipSync('{"name":"something else"}\n'));
    const target = await freshDatabase();
    await restoreDatabase(target, file);
    const stored = await dump(target);

    // Act + Assert
    for (const [bad, message] of [
      [truncated, /not a readable backup/],
      [noEnd, /incomplete: it has no end record/],
      [foreign, /not a gate-duty backup/],
      [join(dir, 'missing.jsonl.gz'), /not a readable backup/],
    ] as const) {
      const error = await restoreDatabase(target, bad, { force: true }).catch((e: unknown) => e);
      expect(error, bad).toBeInstanceOf(BackupError);
      expect((error as Error).message, bad).toMatch(message);
    }
    expect(await dump(target)).toEqual(stored);
  });

  it('when the npm scripts are run against a database, then backup and restore work from the command line', async () => {
    // Arrange
    const file = join(dir, 'cli.jsonl.gz');
    const target = await freshDatabase();
    const uri = (c: Connection) => `${inject('mongoUri')}${c.db!.databaseName}`;

    // Act
    const backup = await runScript('scripts/backup.ts', [file], uri(connectionOf(source)));
    const restore = await runScript('scripts/restore.ts', [file], uri(target));
    const again = await runScript('scripts/restore.ts', [file], uri(target));

    // Assert
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/backed up \d+ documents/);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/restored \d+ documents/);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/restore failed: database ".+" is not empty/);
    expect(await dump(target)).toEqual(await dump(connectionOf(source)));
  });
});

function connectionOf(t: TestApp): Connection {
  return t.models.Plan.db;
}

/** A new database, set up as the service sets up its own on start (models and indexes). */
async function freshDatabase(): Promise<Connection> {
  const connection = await mongoose.createConnection(`${inject('mongoUri')}restore_${randomBytes(6).toString('hex')}`).asPromise();
  opened.push(connection);
  await Promise.all(Object.values(registerModels(connection)).map((m) => m.createIndexes()));
  return connection;
}

function appOn(connection: Connection): Express {
  return withContractCheck(createServiceApp({ config: source.config, logger: createLogger('silent'), connection, models: wireModels(connection) }));
}

async function answers(app: Express): Promise<Answers> {
  const p = api(app, planner);
  const plans = await p.get('/api/v1/plans');
  const plan = await p.get(`/api/v1/plans/${planId}`);
  const roster = await p.get(`/api/v1/plans/${planId}/roster`);
  const rosterV1 = await p.get(`/api/v1/plans/${planId}/roster?version=1`);
  const versions = await p.get(`/api/v1/plans/${planId}/versions`);
  for (const res of [plans, plan, roster, rosterV1, versions]) expect(res.status, res.text).toBe(200);
  const feeds = [];
  for (const path of [cadreFeed, villageFeed]) {
    const res = await request(app)
      .get(path)
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (chunk: Buffer) => chunks.push(chunk));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      });
    feeds.push({ path, status: res.status, etag: res.headers.etag, lastModified: res.headers['last-modified'], bytes: res.body as Buffer });
  }
  return { plans: plans.body, plan: plan.body, roster: roster.text, rosterV1: rosterV1.text, versions: versions.body, feeds };
}

/** Every document of every collection as canonical EJSON (types included), by collection. */
async function dump(connection: Connection): Promise<Record<string, string[]>> {
  const db = connection.db!;
  const out: Record<string, string[]> = {};
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    const docs = await db.collection(name).find({}, { promoteValues: false, promoteBuffers: false, promoteLongs: false }).toArray();
    const lines = docs.map((d) => EJSON.stringify(d, { relaxed: false })).sort();
    if (lines.length > 0) out[name] = lines;
  }
  return out;
}

async function indexes(connection: Connection): Promise<Record<string, string[]>> {
  const db = connection.db!;
  const out: Record<string, string[]> = {};
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    out[name] = (await db.collection(name).listIndexes().toArray()).map((i) => JSON.stringify({ name: i.name, key: i.key, unique: i.unique ?? false })).sort();
  }
  return out;
}

function gunzipLines(gz: Buffer): string[] {
  return gunzipSync(gz).toString('utf8').trimEnd().split('\n');
}

/** Runs one of the CLI scripts as `npm run` does (tsx), against MONGODB_URI. */
function runScript(script: string, args: string[], mongoUri: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      env: { ...process.env, MONGODB_URI: mongoUri, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
