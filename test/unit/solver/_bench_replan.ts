import { generateDistrict } from '../../../scripts/lib/generate-district.js';
import { planSpecSchema } from '../../../src/domain/plan.js';
import { addDays, localInstant } from '../../../src/domain/time.js';
import { solveRoster, type SolveInput } from '../../../src/solver/index.js';
const preset = (process.argv[2] ?? 'district') as any;
const d = generateDistrict(preset);
const plan = planSpecSchema.parse({ start: d.planStart, days: 7, timezone: d.timeZone });
const input: SolveInput = { plan, gates: d.gates, cadres: d.cadres, availability: d.availability, pins: [] };
let t = performance.now();
const r = await solveRoster(input, { engine: 'highs' });
console.log('solve ms', Math.round(performance.now() - t), r.metrics.placesFilled, r.metrics.upperBound.value, r.status);
const absent = [...r.metrics.perPerson].sort((a, b) => b.hours - a.hours || a.cadreId.localeCompare(b.cadreId))[0]!.cadreId;
const out = { cadreId: absent, kind: 'unavailable' as const, start: localInstant(addDays(plan.start, 2), 0, plan.timezone), end: localInstant(addDays(plan.start, 4), 0, plan.timezone) };
const ri: SolveInput = { ...input, availability: [...input.availability, out], previous: r.assignments };
for (let i = 0; i < 3; i++) {
  t = performance.now();
  const rr = await solveRoster(ri, { engine: 'highs' });
  const key = (a: any) => `${a.cadreId}|${a.gateId}|${a.start.getTime()}`;
  const nk = new Set(rr.assignments.map(key));
  const othersLost = r.assignments.filter((a) => a.cadreId !== absent && !nk.has(key(a))).length;
  console.log('replan ms', Math.round(performance.now() - t), rr.metrics.placesFilled, rr.metrics.upperBound.value, rr.status, JSON.stringify(rr.metrics.changesVsPrevious), 'othersLost', othersLost, 'absentLost', r.assignments.filter(a=>a.cadreId===absent).length - rr.assignments.filter(a=>a.cadreId===absent).length);
}
