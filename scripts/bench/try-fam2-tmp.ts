import { planSpecSchema } from '../../src/domain/plan.js';
import { solveRoster } from '../../src/solver/index.js';
import { FAMILIES, generateFamily, scaled } from '../lib/generate-family.js';
const fam = process.argv[2] as 'normal'; const seed = Number(process.argv[3]);
const d = generateFamily(scaled(FAMILIES[fam], 8, 2), seed);
const plan = planSpecSchema.parse({ start: d.planStart, days: 7, timezone: d.timeZone });
const r = await solveRoster({ plan, gates: d.gates, cadres: d.cadres, availability: d.availability, pins: [] });
console.log(JSON.stringify(r.metrics.stages), r.metrics.upperBound, r.metrics.notes, new Set(d.gates.map(g=>g.village)).size, d.cadres.filter(c=>c.serves.length).map(c=>c.serves.join('|')+':'+c.role));
