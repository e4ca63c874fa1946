/**
 * The crash harness: for every named point of every crash-safe protocol (src/faults.ts), the
 * real service runs as a process with FAULT_AT set and kills itself (SIGKILL) there; a fresh
 * process then starts on the same database and must find: the upload whole or absent, the
 * published version and its feeds consistent (each person's feed is exactly their shifts in
 * the current version), no stuck lock, and a next upload, solve and publish that succeed.
 *
 * Set-up runs in this test process through the same use-cases (a test app on the same
 * database), so only the step under test runs in the process that dies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { FAULT_POINTS, type FaultPoint } from '../../src/faults.js';
import { eventUid } from '../../src/feeds/uid.js';
import { csvText, csvUpload, put, sheetOf } from '../helpers/fixtures.js';
import { ROSTER_CADRES, api, createRosterPlan, feedPath, parseFeed, publish, seedRosterDistrict, solve, testWorker } from '../helpers/roster-fixtures.js';
import { eventually, startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const RENAMED = ROSTER_CADRES.map((c) => ({ ...c, name: `${String(c.name)}乙` }));
const FEED_PEOPLE = ['A01', 'A02', 'B01'];

interface Setup {
  t: TestApp;
  planner: string;
  planId: string;
  feeds: Map<string, string>;
}

async function setUp(options: { publishFirst: boolean }): Promise<Setup & { secondSolve?: string }> {
  const t = await createTestApp();
  const planner = await t.token({ role: 'planner' });
  await seedRosterDistrict(t.app, planner);
  const planId = await createRosterPlan(t.app, planner);
  const feeds = new Map<string, string>();
  for (const id of FEED_PEOPLE) {
    const res = await api(t.app, planner).post(`/api/v1/cadres/${id}/feed-token`);
    expect(res.status).toBe(201);
    feeds.set(id, feedPath(res.body.url));
  }
  if (!options.publishFirst) return { t, planner, planId, feeds };
  const worker = testWorker(t.models);
  await publish(t.app, planner, planId, await solve(t.app, planner, worker, planId));
  // A second roster that differs from the first: A01 is away for the whole plan.
  const away = sheetOf('availability', [{ cadre_id: 'A01', start: '2021-12-13 00:00', end: '2021-12-15 00:00', kind: 'unavailable' }]);
  expect((await put(t.app, planner, 'availability', csvUpload(away))).status).toBe(200);
  const secondSolve = await solve(t.app, planner, worker, planId);
  return { t, planner, planId, feeds, secondSolve };
}

function env(t: TestApp, fault?: FaultPoint): Record<string, string> {
  return { MONGODB_URI: `${inject('mongoUri')}${t.dbName}`, RUN_WORKER: 'true', SOLVE_DEADLINE_S: '60', ...(fault ? { FAULT_AT: fault } : {}) };
}

/** Runs `act` in a service that must die at `fault`; returns once it has. */
async function crashAt(s: Setup, fault: FaultPoint, act: (svc: ServiceProcess) => Promise<unknown>): Promise<void> {
  const doomed = await startServiceProcess(env(s.t, fault));
  try {
    await act(doomed);
    const how = await Promise.race([doomed.exited, new Promise((r) => setTimeout(() => r('alive'), 60_000))]);
    expect(how, `the service should have killed itself at ${fault}:\n${doomed.output()}`).toBe('SIGKILL');
  } finally {
    await doomed.stop();
  }
}

/** Every person with a feed link sees exactly their shifts of the plan's current version. */
async function expectFeedsMatchRoster(svc: ServiceProcess, s: Setup): Promise<number> {
  const roster = await svc.api('GET', `/api/v1/plans/${s.planId}/roster`, s.planner);
  expect(roster.status).toBe(200);
  for (const [cadreId, path] of s.feeds) {
    const feed = await fetch(`${svc.baseUrl}${path}`);
    expect(feed.status).toBe(200);
    const uids = parseFeed(await feed.text())
      .events.map((e) => e.uid)
      .sort();
    const expected = (roster.body.assignments as { cadreId: string; gateId: string; start: string }[])
      .filter((a) => a.cadreId === cadreId)
      .map((a) => eventUid(a.cadreId, a.gateId, new Date(a.start), s.planId))
      .sort();
    expect(uids, `feed of ${cadreId} = their shifts in version ${roster.body.version}`).toEqual(expected);
  }
  const versions = await svc.api('GET', `/api/v1/plans/${s.planId}/versions`, s.planner);
  const listed = (versions.body.items ?? versions.body).map((v: { version: number }) => v.version);
  expect(listed, 'no uncommitted version is listed').toEqual(Array.from({ length: roster.body.version }, (_, i) => i + 1));
  return roster.body.version as number;
}

/** The next upload, solve and publish all work (no stuck lease, no stale single-flight). */
async function expectServiceWorks(svc: ServiceProcess, s: Setup): Promise<void> {
  const upload = await svc.api('PUT', '/api/v1/cadres', s.planner, csvText(sheetOf('cadres', ROSTER_CADRES)), 'text/csv');
  expect(upload.status, JSON.stringify(upload.body)).toBe(200);
  const queued = await svc.api('POST', `/api/v1/plans/${s.planId}/solve`, s.planner, {});
  expect(queued.status, JSON.stringify(queued.body)).toBe(202);
  const done = await eventually(
    async () => {
      const job = await svc.api('GET', `/api/v1/solves/${queued.body.id}`, s.planner);
      return job.body.status === 'done' || job.body.status === 'failed' ? job.body : undefined;
    },
    90_000,
    'the solve after restart',
  );
  expect(done.status, JSON.stringify(done)).toBe('done');
  const before = (await svc.api('GET', `/api/v1/plans/${s.planId}`, s.planner)).body.publishedVersion ?? 0;
  const published = await svc.api('POST', `/api/v1/plans/${s.planId}/publish`, s.planner, { solveId: queued.body.id });
  expect(published.status, JSON.stringify(published.body)).toBe(201);
  expect(published.body.version).toBe(before + 1);
  await expectFeedsMatchRoster(svc, s);
}

const upload = FAULT_POINTS.filter((p) => p.startsWith('upload:'));
const publishing = FAULT_POINTS.filter((p) => p.startsWith('publish:'));
const solving = FAULT_POINTS.filter((p) => p.startsWith('solve:'));
const setups: TestApp[] = [];
afterAll(async () => {
  await Promise.all(setups.map((t) => t.close()));
});

describe('crash during an upload of people (every row changed)', () => {
  it.each(upload)('when the service is killed at %s, then after a restart the upload is whole or absent and everything works', async (fault) => {
    const s = await setUp({ publishFirst: false });
    setups.push(s.t);
    await crashAt(s, fault, (svc) => svc.api('PUT', '/api/v1/cadres', s.planner, csvText(sheetOf('cadres', RENAMED)), 'text/csv'));

    const svc = await startServiceProcess(env(s.t));
    try {
      const people = await svc.api('GET', '/api/v1/cadres?pageSize=500', s.planner);
      const names = (people.body.items as { id: string; name: string }[]).map((c) => c.name).sort();
      const committed = !['upload:after-lease', 'upload:after-stage'].includes(fault);
      const expected = (committed ? RENAMED : ROSTER_CADRES).map((c) => String(c.name)).sort();
      expect(names, committed ? 'the committed upload was finished' : 'the uncommitted upload left nothing').toEqual(expected);
      expect(await s.t.models.Staged.countDocuments({}), 'no staged chunks are left behind').toBe(0);
      await expectServiceWorks(svc, s);
    } finally {
      await svc.stop();
    }
  });
});

describe('crash during a publish (feeds being written)', () => {
  it.each(publishing)('when the service is killed at %s, then after a restart the version and its feeds agree and publishing works', async (fault) => {
    const s = await setUp({ publishFirst: true });
    setups.push(s.t);
    await crashAt(s, fault, (svc) => svc.api('POST', `/api/v1/plans/${s.planId}/publish`, s.planner, { solveId: s.secondSolve }));

    const svc = await startServiceProcess(env(s.t));
    try {
      const version = await expectFeedsMatchRoster(svc, s);
      const committed = ['publish:after-commit', 'publish:after-plan-cache'].includes(fault);
      expect(version).toBe(committed ? 2 : 1);
      const plan = await svc.api('GET', `/api/v1/plans/${s.planId}`, s.planner);
      expect(plan.body.publishedVersion, 'the plan says the live version').toBe(version);
      await expectServiceWorks(svc, s);
    } finally {
      await svc.stop();
    }
  });
});

describe('crash during a solve', () => {
  it.each(solving)('when the worker is killed at %s, then a restarted worker finishes the solve and the plan is not stuck', async (fault) => {
    const s = await setUp({ publishFirst: false });
    setups.push(s.t);
    let solveId = '';
    await crashAt(s, fault, async (svc) => {
      const queued = await svc.api('POST', `/api/v1/plans/${s.planId}/solve`, s.planner, {});
      expect(queued.status).toBe(202);
      solveId = queued.body.id;
    });

    const svc = await startServiceProcess(env(s.t));
    try {
      const job = await eventually(
        async () => {
          const res = await svc.api('GET', `/api/v1/solves/${solveId}`, s.planner);
          return res.body.status === 'done' || res.body.status === 'failed' ? res.body : undefined;
        },
        90_000,
        'the interrupted solve to be finished by the new worker',
      );
      expect(job.status, JSON.stringify(job)).toBe('done');
      const published = await svc.api('POST', `/api/v1/plans/${s.planId}/publish`, s.planner, { solveId });
      expect(published.status, JSON.stringify(published.body)).toBe(201);
      await expectServiceWorks(svc, s);
    } finally {
      await svc.stop();
    }
  });
});

beforeAll(() => {
  expect(FAULT_POINTS.length).toBe(upload.length + publishing.length + solving.length);
});
