/**
 * Solver benchmark: deterministic instances from scripts/lib/generate-district.ts, solved
 * several times; prints wall time (median), peak RSS, coverage against its bound and the
 * fairness figures. Also: the district as one monolithic HiGHS model and the town with
 * javascript-lp-solver (both under a time limit) beside the decomposed HiGHS solve, a
 * re-plan after one absence, and RSS across hundreds of solves (Wasm heap recycling).
 *
 *   npx tsx scripts/bench/solver.ts [--runs 3] [--monolithic-seconds 60] [--quick]
 */
import { pathToFileURL } from 'node:url';
import { generateDistrict, type Preset } from '../lib/generate-district.js';
import { planSpecSchema } from '../../src/domain/plan.js';
import { addDays, localInstant } from '../../src/domain/time.js';
import { solveRoster, type SolveInput, type SolveResult } from '../../src/solver/index.js';

export interface SolverBenchOptions {
  /** Timed runs per instance (median reported). */
  runs?: number;
  /** Time limit of the monolithic district model and the jslp town solve. */
  monolithicSeconds?: number;
  /** Skip the district-scale comparisons (smoke run). */
  quick?: boolean;
  /** Where progress lines go (default: nowhere). */
  log?: (line: string) => void;
}

/** One printable line of the benchmark table. */
export interface SolverBenchRow {
  instance: string;
  engine: string;
  mode: string;
  wallMs: number;
  peakRssMb: number;
  filled: number;
  bound: number;
  needed: number;
  status: string;
  hours: string;
  gini: number;
  fixable: number;
  note: string;
}

const SIZES: Record<Preset, string> = { village: 'village', town: 'town', district: 'district' };

function inputFor(preset: Preset): SolveInput {
  const d = generateDistrict(preset);
  const plan = planSpecSchema.parse({ start: d.planStart, days: 7, timezone: d.timeZone });
  return { plan, gates: d.gates, cadres: d.cadres, availability: d.availability, pins: [] };
}

function describe(preset: Preset, input: SolveInput): string {
  return `${SIZES[preset]} (${input.gates.length} gates, ${input.cadres.length} people)`;
}

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
}

function row(instance: string, mode: string, wallMs: number, r: SolveResult, note = ''): SolverBenchRow {
  const m = r.metrics;
  return {
    instance,
    engine: m.engine,
    mode,
    wallMs: Math.round(wallMs),
    peakRssMb: peakRssMb(),
    filled: m.placesFilled,
    bound: m.upperBound.value,
    needed: m.placesNeeded,
    status: r.status,
    hours: `${m.hours.min}/${m.hours.median}/${m.hours.max}`,
    gini: Math.round(m.hours.gini * 1000) / 1000,
    fixable: m.fixableImbalances,
    note,
  };
}

async function timed(input: SolveInput, runs: number, options: Parameters<typeof solveRoster>[1]): Promise<{ ms: number; result: SolveResult }> {
  const times: number[] = [];
  let result: SolveResult | null = null;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    result = await solveRoster(input, options);
    times.push(performance.now() - t);
  }
  return { ms: median(times), result: result as SolveResult };
}

export async function runSolverBench(opts: SolverBenchOptions = {}): Promise<SolverBenchRow[]> {
  const runs = opts.runs ?? 3;
  const limitMs = (opts.monolithicSeconds ?? 60) * 1000;
  const log = opts.log ?? (() => {});
  const rows: SolverBenchRow[] = [];
  const presets: Preset[] = opts.quick ? ['village', 'town'] : ['village', 'town', 'district'];
  const solved = new Map<Preset, { input: SolveInput; ms: number; result: SolveResult }>();
  for (const preset of presets) {
    const input = inputFor(preset);
    log(`solving ${preset} x${runs} ...`);
    const { ms, result } = await timed(input, runs, { engine: 'highs' });
    solved.set(preset, { input, ms, result });
    rows.push(row(describe(preset, input), 'decomposed', ms, result, `${result.metrics.subproblems} subproblems; bound: ${result.metrics.upperBound.method}`));
  }

  const town = solved.get('town');
  if (town) {
    log('town with jslp ...');
    const { ms, result } = await timed(town.input, 1, { engine: 'jslp', deadlineMs: limitMs });
    rows.push(
      row(
        describe('town', town.input),
        'decomposed',
        ms,
        result,
        `time ${(ms / town.ms).toFixed(2)}x HiGHS, filled ${result.metrics.placesFilled - town.result.metrics.placesFilled >= 0 ? '+' : ''}${result.metrics.placesFilled - town.result.metrics.placesFilled} vs HiGHS`,
      ),
    );
  }
  if (town && solved.has('district')) {
    log('town as one monolithic HiGHS model ...');
    const { ms, result } = await timed(town.input, 1, { engine: 'highs', monolithic: true, deadlineMs: limitMs });
    rows.push(
      row(
        describe('town', town.input),
        'monolithic',
        ms,
        result,
        `time ${(ms / town.ms).toFixed(1)}x decomposed, filled ${result.metrics.placesFilled} vs ${town.result.metrics.placesFilled}`,
      ),
    );
  }
  const big = solved.get('district') ?? town;
  const bigName: Preset = solved.has('district') ? 'district' : 'town';
  if (big) {
    log(`${bigName} as one monolithic HiGHS model (limit ${limitMs / 1000}s) ...`);
    const { ms, result } = await timed(big.input, 1, { engine: 'highs', monolithic: true, deadlineMs: limitMs });
    rows.push(
      row(
        describe(bigName, big.input),
        'monolithic',
        ms,
        result,
        `time ${(ms / big.ms).toFixed(1)}x decomposed, filled ${result.metrics.placesFilled} vs ${big.result.metrics.placesFilled}`,
      ),
    );

    log('re-plan after one absence ...');
    const absent = busiest(big.result);
    const out = {
      cadreId: absent,
      kind: 'unavailable' as const,
      start: localInstant(addDays(big.input.plan.start, 2), 0, big.input.plan.timezone),
      end: localInstant(addDays(big.input.plan.start, 4), 0, big.input.plan.timezone),
    };
    const replanInput: SolveInput = { ...big.input, availability: [...big.input.availability, out], previous: big.result.assignments };
    const { ms: rms, result: rr } = await timed(replanInput, runs, { engine: 'highs' });
    const ch = rr.metrics.changesVsPrevious;
    rows.push(
      row(
        describe(bigName, big.input),
        're-plan',
        rms,
        rr,
        `${absent} out 2 days: ${ch?.removed ?? 0} removed, ${ch?.added ?? 0} added, ${ch?.otherPeopleChanged ?? 0} other people lost or moved a shift`,
      ),
    );
  }

  // The village as one HiGHS model: two MILP solves (coverage, then fairness) per roster,
  // 600 through one process, to see whether the Wasm heap is recycled.
  log('300 village MILP solves in one process ...');
  const village = solved.get('village');
  if (village) {
    const rss: number[] = [];
    const t = performance.now();
    let last: SolveResult | null = null;
    for (let i = 0; i < 300; i++) {
      last = await solveRoster(village.input, { engine: 'highs', monolithic: true });
      if (i % 100 === 0 || i === 299) rss.push(Math.round(process.memoryUsage().rss / 1e6));
    }
    rows.push(
      row('village x300 (leak check)', 'monolithic', (performance.now() - t) / 300, last as SolveResult, `RSS MB at solve 1/101/201/300: ${rss.join(' / ')}`),
    );
  }
  return rows;
}

function busiest(r: SolveResult): string {
  return [...r.metrics.perPerson].sort((a, b) => b.hours - a.hours || a.cadreId.localeCompare(b.cadreId))[0]?.cadreId ?? '';
}

/** The rows as an aligned text table. */
export function formatSolverBench(rows: SolverBenchRow[]): string {
  const head = ['instance', 'engine', 'mode', 'wall ms', 'peak RSS MB', 'filled/bound/needed', 'status', 'h min/med/max', 'Gini', 'fixable', 'note'];
  const body = rows.map((r) => [
    r.instance,
    r.engine,
    r.mode,
    String(r.wallMs),
    String(r.peakRssMb),
    `${r.filled}/${r.bound}/${r.needed}`,
    r.status,
    r.hours,
    r.gini.toFixed(3),
    String(r.fixable),
    r.note,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const rows = await runSolverBench({
    runs: Number(arg('--runs') ?? 3),
    monolithicSeconds: Number(arg('--monolithic-seconds') ?? 60),
    quick: process.argv.includes('--quick'),
    log: (l) => console.error(l),
  });
  console.log(formatSolverBench(rows));
  console.log(
    `peak RSS is the process high-water mark so far (instances run smallest first); wall = median of runs; node ${process.version}, ${(await import('node:os')).cpus().length} cores`,
  );
}
