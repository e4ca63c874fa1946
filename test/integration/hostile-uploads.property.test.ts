/**
 * Hostile files as properties (fast-check): uploads of gates and availability in JSON, CSV and
 * xlsx whose cells are drawn from each column's good values and from hostile ones (objects,
 * arrays, `$` and `.` in ids, NUL, huge strings, numbers out of range, dates and times that do
 * not exist). The property: a file with any hostile cell answers 4xx with a code and nothing is
 * written; a file without one answers 200 and reads back as exactly the rows sent.
 *
 * The seed is fixed (FC_SEED overrides it, e.g. to replay a failure: fast-check prints the seed
 * and the shrunk counterexample when the property fails); runs are few so the file takes seconds.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { CSV_TYPE, JSON_TYPE, csvText, get, put, xlsxUpload, type Entity, type Sheet, type Upload, type Value } from '../helpers/fixtures.js';

const SEED = Number(process.env.FC_SEED ?? 20211213);
const RUNS = 20;

type Format = 'json' | 'csv' | 'xlsx';

/** A cell to send, and what a GET answers for it (`refused` when the file must be refused). */
interface Pick {
  sent: unknown;
  stored: unknown;
  refused: boolean;
}
const good = (sent: unknown, stored: unknown = sent): Pick => ({ sent, stored, refused: false });
const bad = (sent: unknown): Pick => ({ sent, stored: undefined, refused: true });

const HUGE = 'x'.repeat(5000);

/** Hostile values no column takes (JSON only for the non-strings: a sheet cell cannot hold an object). */
const everywhereBad = (format: Format): Pick[] => [
  bad('a\u0000b'),
  bad(HUGE),
  ...(format === 'json' ? [bad({ $gt: '' }), bad({ $where: 'sleep(1000)' }), bad(['x']), bad([])] : []),
];

/** Per column: good values with their stored reading, and values that column refuses. */
function gateColumns(format: Format, i: number): Record<string, Pick[]> {
  const json = format === 'json';
  return {
    id: [good(`G${i}`), good(`门岗-${i}`), bad('$gt'), bad(`G.${i}`), bad('x'.repeat(65)), ...(json ? [bad(7)] : []), ...everywhereBad(format)],
    // `$` and `.` are fine in a name: it is stored as text and read back as sent.
    name: [
      good('东门'),
      good('$where'),
      good('St. Mary 门'),
      good('名'.repeat(100)),
      bad('名'.repeat(101)),
      ...(json ? [bad(42), bad(true)] : []),
      ...everywhereBad(format),
    ],
    village: [good('东村')],
    town: [good('庄市街道')],
    staff_per_shift: [
      good(json ? 3 : '3', 3),
      good('2', 2),
      bad('0'),
      bad('21'),
      bad('-1'),
      bad('1e20'),
      bad('2.5'),
      bad('abc'),
      ...(json ? [bad(1e20), bad(true)] : []),
      ...everywhereBad(format),
    ],
    cover_from: [good('08:00'), good('06:30'), bad('25:00'), bad('08:60'), bad('24:30'), ...everywhereBad(format)],
    cover_to: [good('20:00')],
    active_from: [good('2021-12-13'), good('', null), bad('2021-02-30'), bad('2021-13-01'), bad('2021-12-32'), bad('0000-00-00'), ...everywhereBad(format)],
    lead_required: [good(json ? true : 'yes', true), good('no', false), good('是', true), bad('maybe'), ...(json ? [bad(1)] : []), ...everywhereBad(format)],
  };
}

const STORED_NAME: Record<string, string> = {
  id: 'id',
  name: 'name',
  village: 'village',
  town: 'town',
  staff_per_shift: 'staffPerShift',
  cover_from: 'coverFrom',
  cover_to: 'coverTo',
  active_from: 'activeFrom',
  active_to: 'activeTo',
  lead_required: 'leadRequired',
};

/** One cell: mostly a good value, so that whole good files come up too (a few cells each). */
function cellOf(picks: Pick[]): fc.Arbitrary<Pick> {
  const goods = picks.filter((p) => !p.refused);
  const bads = picks.filter((p) => p.refused);
  if (bads.length === 0) return fc.constantFrom(...goods);
  return fc.oneof({ arbitrary: fc.constantFrom(...goods), weight: 12 }, { arbitrary: fc.constantFrom(...bads), weight: 1 });
}

/** How many files of each kind the properties sent: both must come up, or the property says little. */
const sent = { refused: 0, accepted: 0 };

/** Rows of picks, each cell from its column's values. */
function rowsOf(columns: (i: number) => Record<string, Pick[]>): fc.Arbitrary<Record<string, Pick>[]> {
  return fc.integer({ min: 1, max: 4 }).chain((n) =>
    fc.tuple(
      ...Array.from({ length: n }, (_, i) => {
        const cols = columns(i + 1);
        return fc.record(Object.fromEntries(Object.entries(cols).map(([k, picks]) => [k, cellOf(picks)])) as Record<string, fc.Arbitrary<Pick>>);
      }),
    ),
  );
}

async function uploadOf(rows: Record<string, unknown>[], format: Format): Promise<Upload> {
  if (format === 'json') return { body: Buffer.from(JSON.stringify(rows)), contentType: JSON_TYPE };
  const header = Object.keys(rows[0] ?? {});
  const sheet: Sheet = [header, ...rows.map((r) => header.map((h) => r[h] as Value))];
  return format === 'csv' ? { body: Buffer.from(csvText(sheet)), contentType: CSV_TYPE } : xlsxUpload(sheet);
}

let t: TestApp;
let planner: string;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_UPLOADS_PER_HOUR: '0' });
  planner = await t.token({ role: 'planner' });
});
afterAll(async () => {
  await t.close();
  // Both kinds of file came up (else the property was vacuous for one of its halves).
  expect(sent.refused).toBeGreaterThan(10);
  expect(sent.accepted).toBeGreaterThan(10);
});

const stored = async () => ({
  gates: await t.models.Gate.find({}).sort({ _id: 1 }).lean(),
  availability: await t.models.Availability.find({}).sort({ _id: 1 }).lean(),
});

/** The property for one entity and format: refused with a code and nothing written, or exactly the rows sent. */
async function holds(entity: Entity, format: Format, picks: Record<string, Pick>[], expected: (picks: Record<string, Pick>[]) => Promise<void>): Promise<void> {
  const rows = picks.map((row) => Object.fromEntries(Object.entries(row).map(([k, p]) => [k, p.sent])));
  const hostile = picks.some((row) => Object.values(row).some((p) => p.refused));
  const before = await stored();

  const res = await put(t.app, planner, entity, await uploadOf(rows, format), '?replace=true');

  sent[hostile ? 'refused' : 'accepted']++;
  if (hostile) {
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.error.code).toEqual(expect.any(String));
    expect(await stored()).toEqual(before);
  } else {
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
    await expected(picks);
  }
}

describe('hostile uploads as properties', () => {
  it.each(['json', 'csv', 'xlsx'] as const)(
    'when gates arrive as %s with any mix of good and hostile cells, then a hostile file is refused with a code and nothing written, and a good one reads back as exactly its rows',
    async (format) => {
      await fc.assert(
        fc.asyncProperty(
          rowsOf((i) => gateColumns(format, i)),
          (picks) =>
            holds('gates', format, picks, async (rows) => {
              const items = (await get(t.app, planner, '/api/v1/gates?pageSize=1000')).body.items;
              const expected = rows.map((row) => ({
                // Columns the file leaves out take their defaults.
                activeTo: null,
                ...Object.fromEntries(Object.entries(row).map(([k, p]) => [STORED_NAME[k], p.stored])),
              }));
              expect(items).toEqual(expect.arrayContaining(expected.map((e) => expect.objectContaining(e))));
              expect(items).toHaveLength(rows.length);
            }),
        ),
        { seed: SEED, numRuns: RUNS },
      );
    },
  );

  it.each(['json', 'csv', 'xlsx'] as const)(
    'when availability arrives as %s with instants that may not exist, then a hostile file is refused with a code and nothing written, and a good one reads back as exactly its windows',
    async (format) => {
      // Arrange: the gates and people the windows name.
      await put(
        t.app,
        planner,
        'gates',
        { body: Buffer.from(JSON.stringify([{ id: 'G1', name: '东门', village: '东村', town: '庄市街道' }])), contentType: JSON_TYPE },
        '?replace=true',
      ).expect(200);
      await put(
        t.app,
        planner,
        'cadres',
        {
          body: Buffer.from(JSON.stringify([1, 2, 3, 4].map((i) => ({ id: `P${i}`, name: `人${i}`, role: 'volunteer', village: '东村' })))),
          contentType: JSON_TYPE,
        },
        '?replace=true',
      ).expect(200);
      const columns = (i: number): Record<string, Pick[]> => ({
        cadre_id: [good(`P${i}`), bad('$ne'), bad(`P.${i}`), bad('P404'), ...everywhereBad(format)],
        start: [
          good('2021-12-14 08:00', '2021-12-14T08:00:00+08:00'),
          bad('2021-02-30 08:00'),
          bad('2021-12-14 25:00'),
          bad('2021-12-14'),
          ...everywhereBad(format),
        ],
        end: [good('2021-12-14 17:00', '2021-12-14T17:00:00+08:00'), bad('2021-12-14 24:01'), bad('2021-13-14 17:00')],
        kind: [good('unavailable'), good('不可值班', 'unavailable'), bad('sometimes'), ...(format === 'json' ? [bad(0)] : []), ...everywhereBad(format)],
      });

      await fc.assert(
        fc.asyncProperty(rowsOf(columns), (picks) =>
          holds('availability', format, picks, async (rows) => {
            const items = (await get(t.app, planner, '/api/v1/availability?pageSize=1000')).body.items;
            expect(items).toEqual(
              expect.arrayContaining(
                rows.map((r) => ({ cadreId: r.cadre_id!.stored, windows: [{ start: r.start!.stored, end: r.end!.stored, kind: r.kind!.stored }] })),
              ),
            );
            expect(items).toHaveLength(rows.length);
          }),
        ),
        { seed: SEED, numRuns: RUNS },
      );
    },
  );
});
