import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSampleFiles } from '../../../scripts/generate-sample.js';
import { generateDistrict } from '../../../scripts/lib/generate-district.js';
import { CSV_TYPE, XLSX_TYPE, parseAvailabilityUpload, parseCadresUpload, parseGatesUpload, type IntakeContext } from '../../../src/intake/index.js';

const DATA = join(import.meta.dirname, '../../../data');
const committed = (path: string): Buffer => readFileSync(join(DATA, path));
const upload = (path: string) => ({ body: committed(path), contentType: path.endsWith('.xlsx') ? XLSX_TYPE : CSV_TYPE });

/**
 * Gates first (they define villages), then people, then availability, as a planner uploads
 * them; throws with the first problems so a failing test shows what is wrong.
 */
async function loadThroughIntake(dir: string, availabilityFile: string) {
  const ctx: IntakeContext = { timeZone: 'Asia/Shanghai', villages: new Map(), cadreIds: new Set() };
  const gates = await parseGatesUpload(upload(`${dir}/gates.csv`), ctx);
  if (!gates.ok) throw new Error(`gates: ${JSON.stringify(gates.problems.slice(0, 5))}`);
  for (const g of gates.records) ctx.villages.set(g.village, g.town);
  const cadres = await parseCadresUpload(upload(`${dir}/cadres.csv`), ctx);
  if (!cadres.ok) throw new Error(`cadres: ${JSON.stringify(cadres.problems.slice(0, 5))}`);
  for (const c of cadres.records) ctx.cadreIds.add(c.id);
  const availability = await parseAvailabilityUpload(upload(`${dir}/${availabilityFile}`), ctx);
  if (!availability.ok) throw new Error(`availability: ${JSON.stringify(availability.problems.slice(0, 5))}`);
  return { gates: gates.records, cadres: cadres.records, availability: availability.records, ctx };
}

describe('sample data', () => {
  it('when the generator runs now, then it produces exactly the committed files', async () => {
    const files = await buildSampleFiles();
    for (const [path, bytes] of files) expect(committed(path).equals(bytes), `data/${path} is stale: run npx tsx scripts/generate-sample.ts`).toBe(true);
  });

  it('when the generator runs twice with one seed, then the district is the same', () => {
    expect(generateDistrict('district', 7)).toEqual(generateDistrict('district', 7));
    expect(generateDistrict('district', 7)).not.toEqual(generateDistrict('district', 8));
  });

  it('when the village set is uploaded in order, then every file passes intake and matches the generator', async () => {
    const loaded = await loadThroughIntake('village', 'availability.xlsx');
    const expected = generateDistrict('village');
    expect(loaded).toMatchObject({ gates: expected.gates, cadres: expected.cadres, availability: expected.availability });
  });

  it('when the district is uploaded in order, then every file passes intake and has the seed scale', async () => {
    const loaded = await loadThroughIntake('district', 'availability.csv');
    const expected = generateDistrict('district');
    expect(loaded).toMatchObject({ gates: expected.gates, cadres: expected.cadres, availability: expected.availability });
    expect(loaded.gates).toHaveLength(375);
    expect(new Set(loaded.ctx.villages.values()).size).toBe(6);
    expect(loaded.ctx.villages.size).toBe(120);
    expect(loaded.cadres.length).toBeGreaterThan(2800);
    expect(loaded.cadres.filter((c) => c.role === 'dispatched')).toHaveLength(20);
    expect(loaded.cadres.filter((c) => c.role === 'volunteer')).toHaveLength(50);
  });

  it('when the district people are read from Excel, then they equal the CSV', async () => {
    const ctx: IntakeContext = {
      timeZone: 'Asia/Shanghai',
      villages: new Map(generateDistrict('district').gates.map((g) => [g.village, g.town])),
      cadreIds: new Set(),
    };
    const fromXlsx = await parseCadresUpload(upload('district/cadres.xlsx'), ctx);
    const fromCsv = await parseCadresUpload(upload('district/cadres.csv'), ctx);
    expect(fromXlsx.ok).toBe(true);
    expect(fromXlsx).toEqual(fromCsv);
  });

  it('when a template is read, then its headers are all known and it only lacks data rows', async () => {
    for (const name of ['gates', 'cadres', 'availability'] as const) {
      for (const file of [`templates/${name}.csv`, `templates/${name}.en.csv`]) {
        const parse = { gates: parseGatesUpload, cadres: parseCadresUpload, availability: parseAvailabilityUpload }[name];
        const result = await parse(upload(file), { timeZone: 'Asia/Shanghai', villages: new Map(), cadreIds: new Set() });
        expect(!result.ok && result.problems.map((p) => p.message)).toEqual([expect.stringContaining('no data rows')]);
      }
    }
  });
});
