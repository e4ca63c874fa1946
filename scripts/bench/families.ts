/**
 * The solver on instance families it was not tuned on (scripts/lib/generate-family.ts):
 * N seeds per family, each family in a child process of its own so that the peak RSS column
 * is that family's and not the bench's. Per family the table shows the WORST seed of each
 * measure: solve time (then re-solved twice more: median of 3), filled places against the
 * solver's proven upper bound, lead shortfall against its proven lower bound, fixable
 * imbalances, broken rules (independent checker, test/unit/solver/fixtures.ts), peak RSS.
 *
 *   npx tsx scripts/bench/families.ts [--seeds 10] [--quick] [--family normal] [--engine highs]
 *   npm run bench -- --families [--seeds N] [--quick]
 *   npm run bench -- --families --api [--seeds N] [--family normal]   # end to end through the service: families-api.ts
 *
 * A bound is what the solve proved; "filled = bound" means proven maximum cover, "short =
 * bound" proven fewest lead gaps given that cover. Where the solver's bounds are not tight the
 * bench computes the whole district's LP relaxation, and where that is not tight either its
 * exact MILP (reference-bounds.ts; counted in "bench LP/MILP proofs"), and keeps the tighter
 * bound; where the leads are still not proven, exact lead MILPs town by town
 * (town-lead-bound.ts). Where they still differ the table says by how much: the roster may be
 * better than the bound admits, or worse; nothing here guesses which.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { planSpecSchema } from '../../src/domain/plan.js';
import { solveRoster, type EngineName, type SolveInput, type SolveMetrics } from '../../src/solver/index.js';
import type { Assignment } from '../../src/domain/roster.js';
import { violations } from '../../test/unit/solver/fixtures.js';
import { referenceBounds, type ReferenceBounds } from './reference-bounds.js';
import { townLeadBound, type TownLeadBound } from './town-lead-bound.js';
import { FAMILIES, generateFamily, type FamilyName } from '../lib/generate-family.js';

/** One seed's figures. */
export interface SeedResult {
  seed: number;
  ms: number;
  status: string;
  gates: number;
  people: number;
  needed: number;
  filled: number;
  placeBound: number;
  leadShort: number;
  leadBound: number | null;
  fixable: number;
  broken: number;
  stages: string;
  /** Where the solver's own bounds were not tight: the whole-district LP's (reference-bounds.ts), and its time. */
  reference: ReferenceBounds | null;
  needsReference: boolean;
}

export interface FamilyResult {
  family: FamilyName;
  engine: EngineName;
  seeds: SeedResult[];
  /** The slowest seed, solved 3 times in all: its times. */
  slowestRuns: number[];
  peakRssMb: number;
}

export function familyInput(family: FamilyName, seed: number): SolveInput {
  const d = generateFamily(FAMILIES[family], seed);
  const plan = planSpecSchema.parse({ start: d.planStart, days: 7, timezone: d.timeZone });
  return { plan, gates: d.gates, cadres: d.cadres, availability: d.availability, pins: [] };
}

async function solveSeed(family: FamilyName, seed: number, engine: EngineName, deadlineMs: number, check: boolean): Promise<SeedResult> {
  const input = familyInput(family, seed);
  const t = performance.now();
  const r = await solveRoster(input, { engine, deadlineMs });
  const ms = Math.round(performance.now() - t);
  return seedResult(input, seed, ms, r.status, r.metrics, r.assignments, check);
}

/** The measures of one solved seed, whoever solved it (this bench in-process, or the service through the API: families-api.ts). */
export function seedResult(
  input: SolveInput,
  seed: number,
  ms: number,
  status: string,
  m: Pick<SolveMetrics, 'placesNeeded' | 'placesFilled' | 'upperBound' | 'leadBound' | 'leadShortfalls' | 'fixableImbalances' | 'stages'>,
  assignments: Assignment[],
  check: boolean,
): SeedResult {
  const leadBound = m.leadBound?.value ?? null;
  const placesShort = m.placesFilled < m.upperBound.value;
  const leadsShort = leadBound === null || m.leadShortfalls > leadBound;
  return {
    seed,
    ms,
    status,
    gates: input.gates.length,
    people: input.cadres.length,
    needed: m.placesNeeded,
    filled: m.placesFilled,
    placeBound: m.upperBound.value,
    leadShort: m.leadShortfalls,
    leadBound,
    fixable: m.fixableImbalances,
    broken: check ? violations(input, assignments).length : -1,
    stages: (m.stages ?? []).map((s) => `${s.name} ${s.ms}`).join(', '),
    reference: null,
    needsReference: check && (placesShort || leadsShort),
  };
}

/** Runs in the child: every seed of one family, then the slowest seed twice more. */
async function runChild(family: FamilyName, seeds: number, engine: EngineName, deadlineMs: number, check: boolean): Promise<FamilyResult> {
  const out: SeedResult[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const r = await solveSeed(family, seed, engine, deadlineMs, check);
    process.stderr.write(
      `  ${family} seed ${seed}: ${r.ms} ms, ${r.status}, filled ${r.filled}/${r.placeBound}, lead short ${r.leadShort}/${r.leadBound ?? '?'}, fixable ${r.fixable}, broken ${r.broken} [${r.stages}]\n`,
    );
    out.push(r);
  }
  const slowest = out.reduce((a, b) => (b.ms > a.ms ? b : a));
  const slowestRuns = [slowest.ms];
  for (let i = 0; i < 2; i++) slowestRuns.push((await solveSeed(family, slowest.seed, engine, deadlineMs, false)).ms);
  return { family, engine, seeds: out, slowestRuns, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
}

export interface FamilyBenchOptions {
  seeds?: number;
  /** Seeds of the city family (1,500 gates, up to a minute each). */
  citySeeds?: number;
  families?: FamilyName[];
  engine?: EngineName;
  deadlineMs?: number;
  check?: boolean;
  log?: (line: string) => void;
}

/** Every family in its own child process; resolves to one result per family. */
export async function runFamilyBench(opts: FamilyBenchOptions = {}): Promise<FamilyResult[]> {
  const families = opts.families ?? (Object.keys(FAMILIES) as FamilyName[]);
  const results: FamilyResult[] = [];
  for (const family of families) {
    const seeds = family === 'city' ? (opts.citySeeds ?? opts.seeds ?? 10) : (opts.seeds ?? 10);
    const args = [
      '--child',
      family,
      '--seeds',
      String(seeds),
      '--engine',
      opts.engine ?? 'highs',
      '--deadline-ms',
      String(opts.deadlineMs ?? (family === 'city' ? 60_000 : 60_000)),
    ];
    if (opts.check !== false) args.push('--check');
    opts.log?.(`family ${family}: ${seeds} seeds ...`);
    const result = await child<FamilyResult>(args);
    await proveSeeds(family, result.seeds, opts.log);
    results.push(result);
  }
  return results;
}

/**
 * Where a seed's own bounds are not tight: the whole-district LP/MILP, then town lead MILPs,
 * in processes of their own (their memory is not the solver's peak RSS). Tightens the seeds'
 * bounds in place.
 */
export async function proveSeeds(family: FamilyName, seeds: SeedResult[], log?: (line: string) => void): Promise<void> {
  for (const seed of seeds.filter((x) => x.needsReference)) {
    const reference = await child<ReferenceBounds>([
      '--reference',
      family,
      '--seed',
      String(seed.seed),
      '--places-kept',
      String(seed.filled),
      '--place-bound',
      String(seed.placeBound),
    ]);
    applyReference(seed, reference);
    const places = reference.exactPlaces ? `places = ${reference.places} (exact MILP)` : `places <= ${reference.places ?? '?'}`;
    log?.(
      `  ${family} seed ${seed.seed}: whole-district LP (${reference.ms} ms): ${places}, lead shortfalls >= ${reference.leads ?? '?'} given ${seed.filled} places`,
    );
    if (seed.filled < seed.placeBound || (seed.leadBound ?? 0) >= seed.leadShort) continue;
    const started = performance.now();
    const town = await child<TownLeadBound | null>(['--town-leads', family, '--seed', String(seed.seed), '--places-kept', String(seed.filled)]);
    if (town) seed.leadBound = Math.max(seed.leadBound ?? 0, town.leads);
    log?.(
      `  ${family} seed ${seed.seed}: town lead MILPs (${Math.round(performance.now() - started)} ms): ${town ? `lead shortfalls >= ${town.leads} (${town.exactTowns} towns exact)` : 'the argument does not apply'}`,
    );
  }
}

/** Seeds whose roster is proven: places = bound, and leads = bound. */
export function provenCounts(seeds: SeedResult[]): { places: number; leads: number } {
  return {
    places: seeds.filter((x) => x.filled >= x.placeBound).length,
    leads: seeds.filter((x) => x.leadBound !== null && x.leadShort <= x.leadBound).length,
  };
}

/** Keeps the tighter bounds; the lead reference counts only once the roster's places are proven the maximum. */
function applyReference(seed: SeedResult, reference: ReferenceBounds): void {
  seed.reference = reference;
  seed.placeBound = Math.min(seed.placeBound, reference.places ?? Infinity);
  if (seed.filled >= seed.placeBound && reference.leads !== null) seed.leadBound = Math.max(seed.leadBound ?? 0, reference.leads);
}

function child<T>(args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    proc.stdout.on('data', (d: Buffer) => (text += d.toString()));
    proc.on('exit', (code) => (code === 0 ? resolve(JSON.parse(text) as T) : reject(new Error(`family bench child exited with ${code}`))));
  });
}

/** Worst seed per measure, one row per family. */
export function formatFamilyBench(results: FamilyResult[]): string {
  const head = [
    'family',
    'size (gates/people)',
    'seeds',
    'worst time ms (seed; median of 3)',
    'filled = proven max',
    'worst filled/bound (seed)',
    'lead short = proven min',
    'worst short/bound (seed)',
    'bench LP/MILP proofs',
    'max fixable',
    'rules broken',
    'deadline hit',
    'peak RSS MB',
  ];
  const body = results.map((r) => {
    const s = r.seeds;
    const slow = s.reduce((a, b) => (b.ms > a.ms ? b : a));
    const placeGap = s.reduce((a, b) => (b.placeBound - b.filled > a.placeBound - a.filled ? b : a));
    const leadGap = (x: SeedResult): number => (x.leadBound === null ? Infinity : x.leadShort - x.leadBound);
    const lead = s.reduce((a, b) => (leadGap(b) > leadGap(a) ? b : a));
    const sizes = `${Math.min(...s.map((x) => x.gates))}/${Math.min(...s.map((x) => x.people))}-${Math.max(...s.map((x) => x.people))}`;
    return [
      r.family,
      sizes,
      String(s.length),
      `${median(r.slowestRuns)} (seed ${slow.seed}; runs ${r.slowestRuns.join(', ')})`,
      `${provenCounts(s).places}/${s.length}`,
      `${placeGap.filled}/${placeGap.placeBound} (${placeGap.seed})`,
      `${provenCounts(s).leads}/${s.length}`,
      `${lead.leadShort}/${lead.leadBound ?? '?'} (${lead.seed})`,
      String(s.filter((x) => x.reference !== null).length),
      String(Math.max(...s.map((x) => x.fixable))),
      s.some((x) => x.broken < 0) ? 'not checked' : String(s.reduce((n, x) => n + x.broken, 0)),
      String(s.filter((x) => x.status === 'deadline').length),
      String(r.peakRssMb),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: string[]): string => '| ' + cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ') + ' |';
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      reference: { type: 'string' },
      'town-leads': { type: 'string' },
      seed: { type: 'string' },
      'places-kept': { type: 'string' },
      'place-bound': { type: 'string' },
      seeds: { type: 'string', default: '10' },
      'city-seeds': { type: 'string' },
      quick: { type: 'boolean', default: false },
      family: { type: 'string', multiple: true },
      engine: { type: 'string', default: 'highs' },
      'deadline-ms': { type: 'string', default: '60000' },
      check: { type: 'boolean', default: false },
      'no-check': { type: 'boolean', default: false },
      api: { type: 'boolean', default: false },
    },
  });
  const engine = values.engine as EngineName;
  if (values.reference) {
    const r = await referenceBounds(
      familyInput(values.reference as FamilyName, Number(values.seed)),
      Number(values['places-kept']),
      Number(values['place-bound'] ?? Infinity),
      true,
    );
    process.stdout.write(JSON.stringify(r));
    process.exit(0);
  }
  if (values['town-leads']) {
    const r = await townLeadBound(familyInput(values['town-leads'] as FamilyName, Number(values.seed)), Number(values['places-kept']));
    process.stdout.write(JSON.stringify(r));
    process.exit(0);
  }
  if (values.child) {
    const r = await runChild(values.child as FamilyName, Number(values.seeds), engine, Number(values['deadline-ms']), values.check);
    process.stdout.write(JSON.stringify(r));
    process.exit(0);
  }
  const seeds = values.quick ? 3 : Number(values.seeds);
  if (values.api) {
    const { formatFamilyApiBench, runFamilyApiBench } = await import('./families-api.js');
    const results = await runFamilyApiBench({
      seeds,
      ...(values.family ? { families: values.family as FamilyName[] } : {}),
      engine,
      check: !values['no-check'],
      log: (l) => console.error(l),
    });
    console.log(formatFamilyApiBench(results));
    console.log(`engine ${engine}; through the API, a fresh service per seed; node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
    process.exit(0);
  }
  const results = await runFamilyBench({
    seeds,
    citySeeds: Number(values['city-seeds'] ?? (values.quick ? 1 : seeds)),
    ...(values.family ? { families: values.family as FamilyName[] } : {}),
    engine,
    deadlineMs: Number(values['deadline-ms']),
    check: !values['no-check'],
    log: (l) => console.error(l),
  });
  console.log(formatFamilyBench(results));
  console.log(`engine ${engine}; time = the slowest seed, median of 3 solves; node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
  process.exit(0);
}
