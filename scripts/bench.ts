/**
 * npm run bench: every performance target in one run, printed as tables.
 *   npm run bench                 # solver (3 runs per instance) + service (3 upload runs, 10 s feed load)
 *   npm run bench -- --quick      # shorter, for a smoke check
 *   npm run bench -- --families [--seeds 10] [--quick] [--engine jslp]
 *                                 # only the instance families (scripts/bench/families.ts)
 */
import { parseArgs } from 'node:util';
import { formatFamilyBench, runFamilyBench } from './bench/families.js';
import { formatSolverBench, runSolverBench } from './bench/solver.js';
import { median, runServiceBench } from './bench/service.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    families: { type: 'boolean', default: false },
    seeds: { type: 'string' },
    engine: { type: 'string', default: 'highs' },
  },
});
const runs = Math.max(1, Number(values.runs));
const log = (line: string) => console.log(line);

if (values.families) {
  const seeds = Number(values.seeds ?? (values.quick ? 3 : 10));
  console.log(`# Solver on instance families (${seeds} seeds each; city ${values.quick ? 1 : seeds}; worst seed per measure)`);
  const results = await runFamilyBench({ seeds, citySeeds: values.quick ? 1 : seeds, engine: values.engine === 'jslp' ? 'jslp' : 'highs', log: (l) => console.error(l) });
  console.log(formatFamilyBench(results));
  process.exit(0);
}

// The solver runs first: its peak-RSS column is this process's peak so far.
console.log(`# Solver (${runs} runs per instance, median)`);
const rows = await runSolverBench({ runs, quick: values.quick, log: (line) => console.log(`  ${line}`) });
console.log(formatSolverBench(rows));
console.log(`\n# Service (embedded FerretDB unless MONGODB_URI), ${runs} upload runs`);
const service = await runServiceBench({ runs, feedSeconds: values.quick ? 3 : 10, log });
const uploads = service.uploadMs.map((u) => u.total);
console.log('\n| measure | figure | target |\n|---|---|---|');
console.log(`| PUT whole district (375 gates, 2,958 people, 7,936 windows), median of ${runs} | ${median(uploads)} ms (runs: ${uploads.join(', ')}) | < 10 s |`);
console.log(`| solve via API (queued -> done) | ${service.solveMs} ms | |`);
console.log(`| publish (new version + every touched feed re-rendered) | ${service.publishMs} ms | |`);
for (const f of service.feeds) {
  const load = f.rps ? `; ${f.rps} req/s, ${f.requests} requests, ${f.errors} errors` : '';
  console.log(`| ${f.name}: median latency | ${f.p50} ms (p90 ${f.p90}, p99 ${f.p99}${load}) | < 20 ms median |`);
}

process.exit(0);
