/**
 * The instance families end to end, as a planner waits for them: per family and seed a fresh
 * service (HTTP, embedded FerretDB unless MONGODB_URI: service.ts), the generated district
 * uploaded through the API, the plan created, POST solve, polled until done, the solve's
 * `timings` and its draft roster read back. Each seed is then solved a second time in the same
 * (now warm) service. Beside it, the greedy baseline (greedy-baseline.ts) on the same
 * instance, as its own process.
 *
 *   npm run bench -- --families --api [--seeds 10] [--family normal ...]
 *   npx tsx scripts/bench/families.ts --api [--seeds 10] [--family normal ...]
 *
 * The roster is checked as the in-process family bench checks it (families.ts: seedResult,
 * proveSeeds): filled = proven maximum, lead gaps = proven minimum, fixable imbalances, the
 * independent rule checker.
 *
 * Per family the table shows the worst seed's end-to-end time (POST solve sent -> done seen by
 * the poller, first solve in a fresh service) with its split from `timings`, the same seed's
 * second solve, and the greedy baseline's process time (spawn -> exit; read -> written in
 * brackets). "answer" is what `timings.totalMs` does not hold: the write marking the job done,
 * the poll's latency (POLL_FAST_MS at the end) and the HTTP round trips.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError, type ApiClient } from '../../src/http/client/api-client.js';
import type { EngineName } from '../../src/solver/index.js';
import { FAMILIES, type FamilyName } from '../lib/generate-family.js';
import { availabilityJson, cadresJson, gatesJson } from '../lib/directory-json.js';
import { familyInput, proveSeeds, provenCounts, seedResult, type SeedResult } from './families.js';
import { runGreedyProcess, writeInstance, type GreedyFigures } from './greedy-baseline.js';
import { withFreshService } from './service.js';

type Solve = Awaited<ReturnType<typeof solveAndWait>>['solve'];
export type Timings = NonNullable<Solve['timings']>;

export interface ApiSeedResult extends SeedResult {
  uploadMs: number;
  /** POST solve -> done, the first solve in a fresh service. */
  e2eMs: number;
  timings: Timings;
  /** The same plan solved again in the same service. */
  secondMs: number;
  secondTimings: Timings;
  greedy: GreedyFigures;
}

export interface ApiFamilyResult {
  family: FamilyName;
  engine: EngineName;
  seeds: ApiSeedResult[];
}

export interface ApiBenchOptions {
  seeds: number;
  families?: FamilyName[];
  engine?: EngineName;
  check?: boolean;
  log?: (line: string) => void;
}

/**
 * How often the bench asks whether a solve is done: every 250 ms while the solver is in its
 * long stages, every 25 ms from the district stage on (progress >= 0.7), so the moment it is
 * done is seen within 25 ms while the polls cost the solve little. Polled every 20 ms from
 * the start, the polls alone (each an HTTP request and a database read) took enough of the
 * two cores to slow the solve by 0.7-1.3 s. (The planner's page polls every 700 ms.)
 */
const POLL_SLOW_MS = 250;
const POLL_FAST_MS = 25;
const FAST_FROM = 0.7;

export async function runFamilyApiBench(opts: ApiBenchOptions): Promise<ApiFamilyResult[]> {
  const families = opts.families ?? (Object.keys(FAMILIES) as FamilyName[]);
  const engine = opts.engine ?? 'highs';
  const check = opts.check !== false;
  const dir = mkdtempSync(join(tmpdir(), 'gate-duty-families-api-'));
  const results: ApiFamilyResult[] = [];
  try {
    for (const family of families) {
      opts.log?.(`family ${family} through the API: ${opts.seeds} seeds ...`);
      const seeds: ApiSeedResult[] = [];
      for (let seed = 1; seed <= opts.seeds; seed++) {
        const input = familyInput(family, seed);
        let row: ApiSeedResult | undefined;
        await withFreshService(
          async (api) => {
            const uploadStarted = performance.now();
            await api.call('uploadGates', { body: gatesJson(input.gates), contentType: 'application/json' });
            await api.call('uploadCadres', { body: cadresJson(input.cadres), contentType: 'application/json' });
            await api.call('uploadAvailability', { body: availabilityJson(input.availability, input.plan.timezone), contentType: 'application/json' });
            const uploadMs = Math.round(performance.now() - uploadStarted);
            const plan = await api.call('createPlan', {
              json: { name: `${family} seed ${seed}`, start: input.plan.start, days: input.plan.days, timezone: input.plan.timezone },
            });
            const first = await solveAndWait(api, plan.id);
            const roster = await api.call('getDraftRoster', { path: { id: first.solve.id } });
            const assignments = roster.assignments.map((a) => ({
              cadreId: a.cadreId,
              gateId: a.gateId,
              start: new Date(a.start),
              end: new Date(a.end),
              pinned: a.pinned,
            }));
            const metrics = first.solve.metrics as NonNullable<Solve['metrics']>;
            const base = seedResult(input, seed, first.ms, first.solve.outcome ?? 'unknown', metrics, assignments, check);
            const second = await solveAndWait(api, plan.id);
            row = {
              ...base,
              uploadMs,
              e2eMs: first.ms,
              timings: first.solve.timings as Timings,
              secondMs: second.ms,
              secondTimings: second.solve.timings as Timings,
              greedy: { processMs: 0, ms: 0, filled: 0 },
            };
          },
          { SOLVER: engine },
        );
        const r = row as ApiSeedResult;
        const file = join(dir, `${family}-${seed}.json`);
        writeInstance(input, file);
        r.greedy = await runGreedyProcess(file, join(dir, `${family}-${seed}.roster.json`));
        opts.log?.(
          `  ${family} seed ${seed}: upload ${r.uploadMs} ms; POST solve -> done ${r.e2eMs} ms (${split(r.e2eMs, r.timings)}); again ${r.secondMs} ms (${split(r.secondMs, r.secondTimings)}); ${r.status}, filled ${r.filled}/${r.placeBound}, lead short ${r.leadShort}/${r.leadBound ?? '?'}, fixable ${r.fixable}, broken ${r.broken}; greedy process ${r.greedy.processMs} ms (read -> written ${r.greedy.ms} ms, filled ${r.greedy.filled})`,
        );
        seeds.push(r);
      }
      await proveSeeds(family, seeds, opts.log);
      results.push({ family, engine, seeds });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

async function solveAndWait(api: ApiClient, planId: string) {
  const started = performance.now();
  // A request that loses its connection (a keep-alive socket the server closed as it was
  // reused, seen on a loaded machine) is sent again; a POST solve that got through answers 409
  // the second time, and the plan's newest solve is the one it queued.
  const lost = (error: unknown): boolean => error instanceof TypeError && error.message === 'fetch failed';
  let solve = await api.call('startSolve', { path: { id: planId }, json: {} }).catch(async (error: unknown) => {
    if (!lost(error)) throw error;
    return api.call('startSolve', { path: { id: planId }, json: {} }).catch(async (again: unknown) => {
      if (!(again instanceof ApiError) || again.status !== 409) throw again;
      const newest = (await api.call('listSolves', { path: { id: planId } })).items[0];
      if (!newest) throw again;
      return newest;
    });
  });
  while (solve.status === 'queued' || solve.status === 'running') {
    await new Promise((r) => setTimeout(r, (solve.progress?.fraction ?? 0) >= FAST_FROM ? POLL_FAST_MS : POLL_SLOW_MS));
    // A poll that loses its connection (a reset keep-alive socket) is polled again.
    solve = await api.call('getSolve', { path: { id: solve.id } }).catch((error: unknown) => {
      if (lost(error)) return solve;
      throw error;
    });
  }
  const ms = Math.round(performance.now() - started);
  if (solve.status !== 'done' || !solve.timings) throw new Error(`bench solve ${solve.status}: ${solve.error}`);
  return { solve, ms };
}

/** One line of where the time went. */
export function split(e2eMs: number, t: Timings): string {
  const stages = Object.entries(t.solver.stages).map(([name, ms]) => `${name} ${ms}`);
  const rest =
    t.solverMs -
    t.solver.threadStartMs -
    t.solver.modelMs -
    t.solver.boundsMs -
    t.solver.reportMs -
    t.solver.resultMs -
    Object.values(t.solver.stages).reduce((a, b) => a + b, 0);
  return [
    `queued ${t.queuedMs}`,
    `snapshot ${t.snapshotMs}`,
    `context ${t.contextMs}`,
    `thread start ${t.solver.threadStartMs}`,
    `model ${t.solver.modelMs}`,
    ...stages,
    `bounds ${t.solver.boundsMs}`,
    `report ${t.solver.reportMs}`,
    `result copy ${t.solver.resultMs}`,
    ...(rest > 0 ? [`thread other ${rest}`] : []),
    `store ${t.storeMs} (pack ${t.store.packMs}, write ${t.store.writeMs})`,
    `worker other ${t.totalMs - t.queuedMs - t.snapshotMs - t.contextMs - t.solverMs - t.storeMs}`,
    `answer ${e2eMs - t.totalMs}`,
  ].join(', ');
}

const TARGET_MS = 5_000;
const GREEDY_FACTOR = 1.5;

export function formatFamilyApiBench(results: ApiFamilyResult[]): string {
  const head = [
    'family',
    'seeds',
    'worst POST solve -> done ms (seed)',
    'its split (ms)',
    'same seed, 2nd solve ms',
    'greedy process ms (read -> written)',
    'x greedy',
    '< 5 s',
    '<= 1.5x greedy',
    'filled = proven max',
    'lead short = proven min',
    'max fixable',
    'rules broken',
  ];
  const body = results.map((r) => {
    const s = r.seeds;
    const worst = s.reduce((a, b) => (b.e2eMs > a.e2eMs ? b : a));
    const proven = provenCounts(s);
    const ratio = worst.e2eMs / worst.greedy.processMs;
    return [
      r.family,
      String(s.length),
      `${worst.e2eMs} (${worst.seed})`,
      split(worst.e2eMs, worst.timings),
      String(worst.secondMs),
      `${worst.greedy.processMs} (${worst.greedy.ms})`,
      ratio.toFixed(2),
      worst.e2eMs < TARGET_MS ? 'yes' : `no (+${worst.e2eMs - TARGET_MS} ms)`,
      ratio <= GREEDY_FACTOR ? 'yes' : `no (${ratio.toFixed(2)}x)`,
      `${proven.places}/${s.length}`,
      `${proven.leads}/${s.length}`,
      String(Math.max(...s.map((x) => x.fixable))),
      s.some((x) => x.broken < 0) ? 'not checked' : String(s.reduce((n, x) => n + x.broken, 0)),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: string[]): string => '| ' + cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ') + ' |';
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
