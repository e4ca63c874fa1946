/**
 * The embedded FerretDB dies under a running service: API calls answer 503 with Retry-After
 * at once (pages: a readable page), a feed already served keeps being served from memory, and the server is
 * restarted and the API answers again. When it cannot be restarted the service exits
 * non-zero; a second service on the same data folder is refused with one clear line.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvText, sheetOf } from '../helpers/fixtures.js';
import { PLAN_DAYS, PLAN_START, ROSTER_AVAILABILITY, ROSTER_CADRES, ROSTER_GATES } from '../helpers/roster-fixtures.js';
import { eventually, startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';

const dirs: string[] = [];
const services: ServiceProcess[] = [];
afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function embeddedEnv(extra: Record<string, string> = {}): Record<string, string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gate-duty-dead-db-'));
  dirs.push(dataDir);
  return { MONGODB_URI: '', DATA_DIR: dataDir, ...extra };
}

/** A planner token issued by the CLI, as an operator would (`npm run token`). */
function plannerToken(dataDir: string): string {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/token.ts', '--role', 'planner'], {
    env: { ...process.env, DATA_DIR: dataDir, MONGODB_URI: '', LOG_LEVEL: 'silent' },
    encoding: 'utf8',
  });
  return out.trim().split('\n').at(-1)!.trim();
}

function killFerretDb(dataDir: string): void {
  const found = spawnSync('pgrep', ['-f', `data-dir=${dataDir}`], { encoding: 'utf8' });
  const pids = found.stdout.trim().split('\n').filter(Boolean);
  expect(pids.length, 'the embedded FerretDB of this data folder is running').toBe(1);
  process.kill(Number(pids[0]), 'SIGKILL');
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

describe('a dead embedded database', () => {
  it('when FerretDB is killed, then the API answers 503 with Retry-After within 1 s, a served feed still answers, and after the restart the API works again', async () => {
    const env = embeddedEnv();
    const svc = await startServiceProcess(env);
    services.push(svc);
    const planner = plannerToken(env.DATA_DIR!);
    for (const [entity, rows] of [
      ['gates', ROSTER_GATES],
      ['cadres', ROSTER_CADRES],
      ['availability', ROSTER_AVAILABILITY],
    ] as const) {
      expect((await svc.api('PUT', `/api/v1/${entity}`, planner, csvText(sheetOf(entity, rows)), 'text/csv')).status).toBe(200);
    }
    const plan = await svc.api('POST', '/api/v1/plans', planner, { name: 'dead db', start: PLAN_START, days: PLAN_DAYS });
    const queued = await svc.api('POST', `/api/v1/plans/${plan.body.id}/solve`, planner, {});
    await eventually(
      async () => ((await svc.api('GET', `/api/v1/solves/${queued.body.id}`, planner)).body.status === 'done' ? true : undefined),
      60_000,
      'solve',
    );
    expect((await svc.api('POST', `/api/v1/plans/${plan.body.id}/publish`, planner, { solveId: queued.body.id })).status).toBe(201);
    const link = await svc.api('POST', '/api/v1/cadres/A01/feed-token', planner, {});
    const feedUrl = `${svc.baseUrl}${new URL(link.body.url).pathname}`;
    const before = await fetch(feedUrl);
    expect(before.status).toBe(200);
    const ics = await before.text();

    killFerretDb(env.DATA_DIR!);
    await new Promise((r) => setTimeout(r, 100));

    const down = await timed(() => svc.api('GET', '/api/v1/gates', planner));
    console.log(
      `[dead-database] API while FerretDB is down: ${down.value.status} in ${down.ms.toFixed(0)} ms, Retry-After ${down.value.headers.get('retry-after')}`,
    );
    expect(down.value.status).toBe(503);
    expect(down.value.headers.get('retry-after')).toBe('5');
    expect(down.value.body.error.code).toBe('unavailable');
    expect(down.ms).toBeLessThan(1000);
    const ready = await fetch(`${svc.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
    // A guard scanning a gate poster, a person or a head opening their link: a page they can
    // read (not JSON, not a hang), saying to keep standing duty.
    for (const path of ['/gate/some-gate-secret', '/me?token=some-feed-secret', '/village?token=some-token']) {
      const page = await timed(() => fetch(`${svc.baseUrl}${path}`, { headers: { accept: 'text/html,application/xhtml+xml' } }));
      expect(page.value.status, path).toBe(503);
      expect(page.value.headers.get('content-type'), path).toMatch(/text\/html/);
      expect(page.value.headers.get('retry-after'), path).toBe('5');
      expect(await page.value.text(), path).toContain('值守照常进行');
      expect(page.ms, path).toBeLessThan(1000);
    }
    const cached = await timed(() => fetch(feedUrl));
    expect(cached.value.status, 'the feed is served from memory').toBe(200);
    expect(await cached.value.text()).toBe(ics);

    const back = await eventually(
      async () => {
        const res = await svc.api('GET', '/api/v1/gates', planner);
        return res.status === 200 ? res : undefined;
      },
      30_000,
      'the API to answer after FerretDB was restarted',
    );
    expect(back.body.items.length).toBe(ROSTER_GATES.length);
    expect((await fetch(`${svc.baseUrl}/readyz`)).status).toBe(200);
  });

  it('when FerretDB cannot be restarted, then the service exits non-zero', async () => {
    const env = embeddedEnv({ FERRETDB_MAX_RESTARTS: '0' });
    const svc = await startServiceProcess(env);
    services.push(svc);
    killFerretDb(env.DATA_DIR!);
    const code = await Promise.race([svc.exited, new Promise((r) => setTimeout(() => r('still running'), 20_000))]);
    expect(code).toBe(1);
  });

  it('when a second service starts on the same data folder, then it is refused with one clear line', async () => {
    const env = embeddedEnv();
    const first = await startServiceProcess(env);
    services.push(first);
    const second = await startServiceProcess(env, { waitReady: false });
    services.push(second);
    const code = await Promise.race([second.exited, new Promise((r) => setTimeout(() => r('still running'), 30_000))]);
    expect(code).toBe(1);
    const lines = second.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/another gate-duty service or tool \(pid \d+\) is already using the data folder/);
    expect((await fetch(`${first.baseUrl}/readyz`)).status, 'the first service is unharmed').toBe(200);
  });
});
