/**
 * npm run bench: every performance target in one run, printed as tables.
 *   npm run bench                 # solver (3 runs per instance) + service (3 upload runs, 10 s feed load) + visit lists
 *   npm run bench -- --quick      # shorter, for a smoke check
 *   npm run bench -- --families [--seeds 10] [--quick] [--engine jslp]
 *                                 # only the instance families (scripts/bench/families.ts)
 *   npm run bench -- --families --api [--seeds 10] [--family normal]
 *                                 # the families end to end through the service, beside a greedy process (scripts/bench/families-api.ts)
 *   npm run bench -- --visits     # only the visit lists: 30 simulated days (scripts/bench/visits.ts)
 *   npm run bench -- --campaign   # only the campaign: 4 weeks in a row, then a roll (scripts/bench/campaign.ts)
 *   npm run bench -- --claims     # only the claim race: 200 volunteers, 20 open places, two processes (scripts/bench/claims.ts)
 *   npm run bench -- --dropout [--dropout-days 7] [--dropout-share 0.1] [--volunteer-chance 0.5] [--cadre-chance 0.02] [--claim-window-s 30] [--dropout-seed 1]
 *                                 # only the drop-out week: 10 % out each day, re-plan alone vs re-plan + claims (scripts/bench/dropout.ts)
 *   npm run bench -- --absences [--absence-count 500]
 *                                 # only the absences: re-plan, publish, messages (scripts/bench/absences.ts)
 */
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { formatFamilyBench, runFamilyBench } from './bench/families.js';
import { formatFamilyApiBench, runFamilyApiBench } from './bench/families-api.js';
import type { FamilyName } from './lib/generate-family.js';
import { formatSolverBench, runSolverBench } from './bench/solver.js';
import { median, runServiceBench } from './bench/service.js';
import { runVisitBench } from './bench/visits.js';
import { formatAbsenceBench, runAbsenceBench } from './bench/absences.js';
import { formatCampaignBench, runCampaignBench } from './bench/campaign.js';
import { formatClaimRace, runClaimRace } from './bench/claims.js';
import { formatDropoutBench, runDropoutBench } from './bench/dropout.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    families: { type: 'boolean', default: false },
    seeds: { type: 'string' },
    engine: { type: 'string', default: 'highs' },
    visits: { type: 'boolean', default: false },
    absences: { type: 'boolean', default: false },
    campaign: { type: 'boolean', default: false },
    claims: { type: 'boolean', default: false },
    'absence-count': { type: 'string' },
    dropout: { type: 'boolean', default: false },
    'dropout-days': { type: 'string', default: '7' },
    'dropout-share': { type: 'string', default: '0.1' },
    'volunteer-chance': { type: 'string', default: '0.5' },
    'cadre-chance': { type: 'string', default: '0.02' },
    'claim-window-s': { type: 'string', default: '30' },
    'dropout-seed': { type: 'string', default: '1' },
    api: { type: 'boolean', default: false },
    family: { type: 'string', multiple: true },
  },
});
const runs = Math.max(1, Number(values.runs));
const log = (line: string) => console.log(line);

/** Absence -> fill-in -> messages, at district scale (its own service and database). */
async function absenceSection(): Promise<void> {
  const count = Number(values['absence-count'] ?? (values.quick ? 100 : 500));
  console.log(
    `\n# Absences (district through the API, embedded FerretDB unless MONGODB_URI, local robot server): ${runs} single absences, then ${count} in one day`,
  );
  console.log(formatAbsenceBench(await runAbsenceBench({ runs, absences: count, log })));
}

if (values.absences) {
  await absenceSection();
  process.exit(0);
}

if (values.campaign) {
  console.log('# Campaign: 4 consecutive weeks through the API (embedded FerretDB unless MONGODB_URI), then a roll');
  console.log(formatCampaignBench(await runCampaignBench(log)));
  process.exit(0);
}

if (values.claims) {
  console.log(`# Claim race: 200 volunteers claim 20 open places at once, through two service processes on one database (${runs} races)`);
  const races = [];
  for (let i = 0; i < runs; i++) races.push(await runClaimRace(log));
  console.log(formatClaimRace(races));
  process.exit(0);
}

if (values.dropout) {
  const options = {
    days: Math.min(7, Math.max(1, Number(values['dropout-days']))),
    share: Number(values['dropout-share']),
    volunteerChance: Number(values['volunteer-chance']),
    cadreChance: Number(values['cadre-chance']),
    claimWindowMs: Number(values['claim-window-s']) * 1000,
    seed: Number(values['dropout-seed']),
    log,
  };
  console.log(
    `# Drop-out week: the district, ${options.days} day(s), ${options.share * 100} % of people out each day (seed ${options.seed}); re-plan alone, then re-plan + claims (volunteers and dispatched cadres look with chance ${options.volunteerChance}, village cadres ${options.cadreChance}, at random moments over ${options.claimWindowMs / 1000} s)`,
  );
  console.log(formatDropoutBench(await runDropoutBench(options)));
  process.exit(0);
}

if (values.visits) {
  runVisitBench(log);
  process.exit(0);
}

if (values.families && values.api) {
  const seeds = Number(values.seeds ?? (values.quick ? 3 : 10));
  const engine = values.engine === 'jslp' ? 'jslp' : 'highs';
  console.log(
    `# Instance families end to end through the API (${seeds} seeds each, a fresh service per seed, embedded FerretDB unless MONGODB_URI; worst seed per family)`,
  );
  const results = await runFamilyApiBench({
    seeds,
    ...(values.family ? { families: values.family as FamilyName[] } : {}),
    engine,
    log: (l) => console.error(l),
  });
  console.log(formatFamilyApiBench(results));
  console.log(`engine ${engine}; node ${process.version}, ${cpus().length} cores`);
  process.exit(0);
}

if (values.families) {
  const seeds = Number(values.seeds ?? (values.quick ? 3 : 10));
  console.log(`# Solver on instance families (${seeds} seeds each; city ${values.quick ? 1 : seeds}; worst seed per measure)`);
  const results = await runFamilyBench({
    seeds,
    citySeeds: values.quick ? 1 : seeds,
    engine: values.engine === 'jslp' ? 'jslp' : 'highs',
    log: (l) => console.error(l),
  });
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
console.log(
  `| PUT whole district (375 gates, 2,958 people, 7,936 windows), median of ${runs} | ${median(uploads)} ms (runs: ${uploads.join(', ')}) | < 10 s |`,
);
console.log(`| solve via API (queued -> done) | ${service.solveMs} ms | |`);
console.log(`| publish (new version + every touched feed re-rendered) | ${service.publishMs} ms | |`);
for (const f of service.feeds) {
  const load = f.rps ? `; ${f.rps} req/s, ${f.requests} requests, ${f.errors} errors` : '';
  console.log(`| ${f.name}: median latency | ${f.p50} ms (p90 ${f.p90}, p99 ${f.p99}${load}) | < 20 ms median |`);
}
console.log('');
runVisitBench(log);
await absenceSection();

process.exit(0);
