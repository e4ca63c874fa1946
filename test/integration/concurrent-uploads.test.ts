/**
 * Two uploads at once: the directory lease lets one write at a time; the other answers 409
 * (never 500), and what is stored is one whole file, never a mix.
 */
import { describe, expect, it } from 'vitest';
import { acquireLease } from '../../src/db/lease.js';
import { csvUpload, put, sheetOf, type Row } from '../helpers/fixtures.js';
import { ROSTER_CADRES, seedRosterDistrict } from '../helpers/roster-fixtures.js';
import { usePlannerApp } from '../helpers/test-app.js';

const f = usePlannerApp(seedRosterDistrict);

const renamed = (suffix: string): Row[] => ROSTER_CADRES.map((c) => ({ ...c, name: `${String(c.name)}${suffix}` }));

async function storedNames(): Promise<string[]> {
  const docs = await f.t.models.Cadre.find({}, { name: 1 }).lean<{ name: string }[]>();
  return docs.map((d) => d.name).sort();
}

describe('uploads at the same time', () => {
  it('when an upload is being written, then another answers 409 with a clear message and writes nothing; afterwards it goes through', async () => {
    const held = await acquireLease(f.t.models, 'directory', { ttlMs: 30_000 });
    expect(held.ok).toBe(true);
    if (!held.ok) return;
    const before = await storedNames();
    const refused = await put(f.t.app, f.planner, 'cadres', csvUpload(sheetOf('cadres', renamed('甲'))));
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('conflict');
    expect(refused.body.error.message).toMatch(/another upload is being written/);
    expect(await storedNames()).toEqual(before);

    await held.lease.release();
    const accepted = await put(f.t.app, f.planner, 'cadres', csvUpload(sheetOf('cadres', renamed('甲'))));
    expect(accepted.status).toBe(200);
    expect(await storedNames()).toEqual(
      renamed('甲')
        .map((c) => String(c.name))
        .sort(),
    );
  });

  it('when two uploads race, then each answers 200 or 409 and the people stored are one whole file', async () => {
    const files = ['乙', '丙'].map((suffix) => renamed(suffix));
    const answers = await Promise.all(files.map((rows) => put(f.t.app, f.planner, 'cadres', csvUpload(sheetOf('cadres', rows)))));
    for (const answer of answers) expect([200, 409]).toContain(answer.status);
    expect(answers.some((a) => a.status === 200)).toBe(true);
    const names = await storedNames();
    const whole = files.map((rows) => rows.map((c) => String(c.name)).sort());
    expect(
      whole.some((file) => JSON.stringify(file) === JSON.stringify(names)),
      'one whole file, not a mix',
    ).toBe(true);
  });
});
