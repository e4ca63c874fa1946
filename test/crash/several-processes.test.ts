/**
 * Three service processes (each with its solve worker) on one shared database server: every
 * queued solve runs exactly once, a worker killed mid-solve has its job taken over by
 * another, and publishes from all three at once never interleave.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { eventually, startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const services: ServiceProcess[] = [];
let t: TestApp;
afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await t?.close();
});

const PLANS = 3;

const started = Date.now();
const step = (what: string): void => console.log(`[several-processes] ${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);

describe('three processes, one database', () => {
  it(
    'when one of three processes is killed mid-solve, then every solve completes exactly once, the killed job is taken over, and concurrent publishes all land in order',
    { timeout: 420_000 },
    async () => {
      t = await createTestApp();
      const planner = await t.token({ role: 'planner' });
      const env = { MONGODB_URI: `${inject('mongoUri')}${t.dbName}`, RUN_WORKER: 'true', SOLVE_DEADLINE_S: '120' };
      for (let i = 0; i < 3; i++) services.push(await startServiceProcess(env));
      const [a, b, c] = services as [ServiceProcess, ServiceProcess, ServiceProcess];

      // The seed-scale district, so that a solve runs long enough to be killed in.
      for (const entity of ['gates', 'cadres', 'availability']) {
        const csv = await readFile(new URL(`../../data/district/${entity}.csv`, import.meta.url));
        const res = await a.api('PUT', `/api/v1/${entity}`, planner, csv, 'text/csv');
        expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
        step(`uploaded ${entity}`);
      }
      const plans: string[] = [];
      for (let i = 0; i < PLANS; i++) {
        const svc = services[i % 3]!;
        // Consecutive periods: plans that overlapped would double-book people, which publish refuses.
        const start = new Date(Date.UTC(2021, 11, 13 + 3 * i)).toISOString().slice(0, 10);
        const plan = await svc.api('POST', '/api/v1/plans', planner, { name: `period ${i}`, start, days: 3 });
        expect(plan.status).toBe(201);
        plans.push(plan.body.id);
      }
      const solves: string[] = [];
      for (const [i, planId] of plans.entries()) {
        const queued = await services[i % 3]!.api('POST', `/api/v1/plans/${planId}/solve`, planner, {});
        expect(queued.status).toBe(202);
        solves.push(queued.body.id);
      }

      // Kill the process that is running a solve (SIGKILL: no cleanup, its lease is abandoned).
      const victim = await eventually(
        async () => {
          const running = await t.models.Solve.find({ _id: { $in: solves }, status: 'running', workerId: { $ne: null } }).lean<{ workerId: string }[]>();
          const pid = running.map((j) => Number(j.workerId.split('_')[1])).find((p) => services.some((s) => s.child.pid === p));
          return pid === undefined ? undefined : services.find((s) => s.child.pid === pid);
        },
        60_000,
        'a solve to be running',
      );
      const victimPid = victim.child.pid!;
      step(`killing pid ${victimPid} mid-solve`);
      victim.child.kill('SIGKILL');
      await victim.exited;
      const survivors = [a, b, c].filter((s) => s !== victim);

      const jobs = await eventually(
        async () => {
          const docs = await t.models.Solve.find({ _id: { $in: solves } }).lean<{ _id: string; status: string; workers: string[]; error: string | null }[]>();
          return docs.every((d) => d.status === 'done' || d.status === 'failed') ? docs : undefined;
        },
        240_000,
        'every solve to finish',
      );
      step('every solve finished');
      for (const job of jobs) expect(job.status, `${job._id}: ${job.error}`).toBe('done');
      const pidOf = (worker: string): number => Number(worker.split('_')[1]);
      const takenOver = jobs.filter((j) => j.workers.length > 1);
      expect(takenOver.length, 'the killed worker’s job was taken over').toBeGreaterThanOrEqual(1);
      for (const job of jobs) {
        // Exactly once: one attempt, or a first attempt by the killed process and one more.
        if (job.workers.length === 1) continue;
        expect(job.workers).toHaveLength(2);
        expect(pidOf(job.workers[0]!)).toBe(victimPid);
        expect(pidOf(job.workers[1]!)).not.toBe(victimPid);
      }
      expect(await t.models.Roster.countDocuments({ _id: { $in: solves } }), 'one roster per solve').toBe(PLANS);

      // Two survivors publish two plans at the same moment: both land, one after the other.
      const published = plans.slice(0, 2);
      const publishUntilLanded = async (svc: ServiceProcess, planId: string, solveId: string): Promise<number | string> => {
        for (;;) {
          const res = await svc.api('POST', `/api/v1/plans/${planId}/publish`, planner, { solveId });
          if (res.status !== 409) return res.status === 201 ? 201 : `${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
          await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
        }
      };
      const statuses = await Promise.all(published.map((planId, i) => publishUntilLanded(survivors[i]!, planId, solves[i]!)));
      step('every publish landed');
      expect(statuses).toEqual(statuses.map(() => 201));
      const generations = await t.models.Generation.find({}).sort({ _id: -1 }).limit(1).lean<{ _id: number; versions: Record<string, number> }[]>();
      expect(generations[0]!._id, 'one generation per publish').toBe(published.length);
      for (const planId of published) {
        const versions = await survivors[0]!.api('GET', `/api/v1/plans/${planId}/versions`, planner);
        const listed = (versions.body.items ?? versions.body).map((v: { version: number }) => v.version);
        expect(listed).toEqual([1]);
      }
    },
  );
});
