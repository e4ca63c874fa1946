/** The full seed-scale district sample uploads whole, and the counts match the files. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { CSV_TYPE, put, type Entity } from '../helpers/fixtures.js';

let t: TestApp;
let planner: string;

beforeAll(async () => {
  t = await createTestApp();
  planner = await t.token({ role: 'planner' });
});
afterAll(async () => {
  await t.close();
});

/** Data rows of a CSV sample (no quoted newlines in these files) and distinct keys in column 0. */
function sampleOf(name: string): { body: Buffer; rows: number; keys: number } {
  const body = readFileSync(new URL(`../../data/district/${name}.csv`, import.meta.url));
  const lines = body
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .slice(1)
    .filter((l) => l.trim() !== '');
  return { body, rows: lines.length, keys: new Set(lines.map((l) => l.split(',')[0])).size };
}

describe('district sample', () => {
  it('when the full district (gates, people, availability CSV) is uploaded, then each answers 200 with counts equal to the rows in the files', async () => {
    // Arrange
    const files = { gates: sampleOf('gates'), cadres: sampleOf('cadres'), availability: sampleOf('availability') };

    // Act
    const answers: Partial<Record<Entity, { status: number; body: unknown }>> = {};
    for (const entity of ['gates', 'cadres', 'availability'] as const) {
      answers[entity] = await put(t.app, planner, entity, { body: files[entity].body, contentType: CSV_TYPE });
    }

    // Assert
    for (const [entity, res] of Object.entries(answers)) expect(res.status, `${entity}: ${JSON.stringify(res.body).slice(0, 500)}`).toBe(200);
    expect(answers.gates!.body).toEqual({ created: files.gates.rows, updated: 0, unchanged: 0, removed: 0 });
    expect(answers.cadres!.body).toEqual({ created: files.cadres.rows, updated: 0, unchanged: 0, removed: 0 });
    // Availability is one record per person: created counts the people named.
    expect(answers.availability!.body).toEqual({ created: files.availability.keys, updated: 0, unchanged: 0, removed: 0 });
    expect(await t.models.Gate.countDocuments()).toBe(files.gates.rows);
    expect(await t.models.Cadre.countDocuments()).toBe(files.cadres.rows);
    // FerretDB 1.24 has no $size: count the stored windows here.
    const stored = await t.models.Availability.find({}, { windows: 1 }).lean();
    expect(stored.reduce((n, a) => n + a.windows.length, 0)).toBe(files.availability.rows);
  });
});
