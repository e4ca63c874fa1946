/**
 * All-or-nothing validation over HTTP: each failure is a 422 naming row (1 = header) and
 * column as the user wrote them, and the stored data is exactly as before. Plus the
 * transport-level refusals: 413, 415 and malformed JSON.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import {
  AVAILABILITY,
  CADRES,
  CSV_TYPE,
  GATES,
  JSON_TYPE,
  clearDirectory,
  csvText,
  csvUpload,
  jsonUpload,
  put,
  seedDirectory,
  sheetOf,
  xlsxUpload,
  type Entity,
  type Upload,
} from '../helpers/fixtures.js';

let t: TestApp;
let planner: string;

beforeAll(async () => {
  t = await createTestApp();
  planner = await t.token({ role: 'planner' });
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await clearDirectory(t.models);
  await seedDirectory(t.app, planner);
});

/** Everything stored in the directory, to compare before and after a refused upload. */
async function snapshot(): Promise<unknown> {
  const plain = { _id: 0 } as const;
  return {
    gates: await t.models.Gate.find({}, plain).sort({ _id: 1 }).lean(),
    cadres: await t.models.Cadre.find({}, plain).sort({ _id: 1 }).lean(),
    availability: await t.models.Availability.find({}, plain).sort({ _id: 1 }).lean(),
  };
}

/** PUTs the file and checks it was refused with exactly these problems and nothing changed. */
async function expectRefused(entity: Entity, upload: Upload, problems: { row: number; column: string; value?: string; message: RegExp }[]): Promise<void> {
  const before = await snapshot();
  const res = await put(t.app, planner, entity, upload, '?replace=true');
  expect(res.status, JSON.stringify(res.body)).toBe(422);
  expect(res.body.error.code).toBe('validation_failed');
  expect(res.body.error.details.problems).toEqual(
    problems.map((p) => ({
      row: p.row,
      column: p.column,
      value: p.value ?? expect.any(String),
      message: expect.stringMatching(p.message),
      // Every problem is also said in Chinese, for the district offices.
      messageZh: expect.stringMatching(/\p{Script=Han}/u),
    })),
  );
  expect(await snapshot()).toEqual(before);
}

const NEW_GATE = {
  id: 'G9',
  name: '新门',
  village: '东村',
  town: '庄市街道',
  staff_per_shift: 2,
  cover_from: '',
  cover_to: '',
  active_from: '',
  active_to: '',
  lead_required: '',
};
const NEW_CADRE = { id: 'P9', name: '新人', phone: '', role: 'volunteer', village: '东村', serves: '', max_hours_week: '', night_ok: '' };

describe('row problems', () => {
  it('when a person names an unknown village (Chinese headers), then row and the 所属村社 column are reported and nothing is written', async () => {
    // Arrange: good new row, then the bad row 4.
    const rows = [...CADRES.slice(0, 1), NEW_CADRE, { ...NEW_CADRE, id: 'P10', village: '北村' }, ...CADRES.slice(1)];
    const file = csvUpload(sheetOf('cadres', rows, 'zh'));

    // Act + Assert
    await expectRefused('cadres', file, [{ row: 4, column: '所属村社', value: '北村', message: /unknown village/ }]);
  });

  it('when two gates share an id, then the later row is reported naming both rows and nothing is written', async () => {
    // Arrange
    const rows = [NEW_GATE, ...GATES, { ...NEW_GATE, name: '又一个' }];
    const file = csvUpload(sheetOf('gates', rows));

    // Act + Assert
    await expectRefused('gates', file, [{ row: 7, column: 'id', value: 'G9', message: /duplicate gate id "G9".*rows 2 and 7/ }]);
  });

  it('when two people share an id in an xlsx, then the later row is reported and nothing is written', async () => {
    // Arrange
    const file = await xlsxUpload(sheetOf('cadres', [...CADRES, NEW_CADRE, { ...CADRES[0]!, name: '另一个' }], 'zh'));

    // Act + Assert
    await expectRefused('cadres', file, [{ row: 7, column: '人员编号', value: 'P1', message: /duplicate/ }]);
  });

  it('when a window ends before it starts, then the end column of that row is reported and nothing is written', async () => {
    // Arrange
    const rows = [...AVAILABILITY, { cadre_id: 'P2', start: '2021-12-14 18:00', end: '2021-12-14 08:00', kind: 'available' }];
    const file = csvUpload(sheetOf('availability', rows));

    // Act + Assert
    await expectRefused('availability', file, [{ row: 5, column: 'end', value: '2021-12-14 08:00', message: /end must be after/ }]);
  });

  it('when an unavailable window overlaps an available one of the same person, then the later row is reported and nothing is written', async () => {
    // Arrange
    const rows = [
      { cadre_id: 'P2', start: '2021-12-14 08:00', end: '2021-12-14 17:00', kind: '可值班' },
      { cadre_id: 'P4', start: '2021-12-14 08:00', end: '2021-12-14 17:00', kind: '不可值班' },
      { cadre_id: 'P2', start: '2021-12-14 12:00', end: '2021-12-14 20:00', kind: '不可值班' },
    ];
    const file = csvUpload(sheetOf('availability', rows, 'zh'), 'gbk');

    // Act + Assert
    await expectRefused('availability', file, [{ row: 4, column: '类型', value: '不可值班', message: /contradicts row 2/ }]);
  });

  it('when a person has an unknown role, then the role column of that row is reported and nothing is written', async () => {
    // Arrange
    const file = jsonUpload(sheetOf('cadres', [NEW_CADRE, { ...NEW_CADRE, id: 'P10', role: 'mayor' }]));

    // Act + Assert
    await expectRefused('cadres', file, [{ row: 3, column: 'role', value: 'mayor', message: /unknown role "mayor"/ }]);
  });

  it('when dates and times are malformed, then each bad cell is reported and nothing is written', async () => {
    // Arrange
    const gates = csvUpload(sheetOf('gates', [NEW_GATE, { ...NEW_GATE, id: 'G10', active_from: '2021-13-45', cover_from: '25:00' }]));
    const windows = csvUpload(
      sheetOf('availability', [{ cadre_id: 'P2', start: 'tomorrow 8am', end: '2021-12-14 17:00', kind: 'available' }, ...AVAILABILITY]),
    );

    // Act + Assert
    await expectRefused('gates', gates, [
      { row: 3, column: 'cover_from', value: '25:00', message: /HH:mm/ },
      { row: 3, column: 'active_from', value: '2021-13-45', message: /YYYY-MM-DD/ },
    ]);
    await expectRefused('availability', windows, [{ row: 2, column: 'start', value: 'tomorrow 8am', message: /YYYY-MM-DD HH:mm/ }]);
  });

  it('when the header has an unknown column, then row 1 names it and nothing is written', async () => {
    // Arrange
    const file = csvUpload(
      sheetOf(
        'gates',
        GATES.map((g) => ({ ...g, colour: 'red' })),
      ),
    );

    // Act + Assert
    await expectRefused('gates', file, [{ row: 1, column: 'colour', value: 'colour', message: /unknown column "colour"/ }]);
  });

  it('when several rows are bad, then every problem is listed in row order', async () => {
    // Arrange
    const rows = [{ ...NEW_CADRE, role: '县长' }, NEW_CADRE, { ...NEW_CADRE, id: 'P11', village: '北村', night_ok: 'maybe' }];
    const file = csvUpload(sheetOf('cadres', rows, 'zh'));

    // Act + Assert
    await expectRefused('cadres', file, [
      { row: 2, column: '身份', value: '县长', message: /unknown role/ },
      { row: 3, column: '人员编号', value: 'P9', message: /duplicate/ },
      { row: 4, column: '所属村社', value: '北村', message: /unknown village/ },
      { row: 4, column: '可值夜班', value: 'maybe', message: /yes\/是 or no\/否/ },
    ]);
  });

  it('when a JSON upload puts operators where values belong ({"$gt": ""} as an id, {"$where": …} as a name, an array), then each cell is named and nothing is written', async () => {
    // Arrange: objects and arrays are not cells, whatever they spell.
    const rows = [
      { ...NEW_GATE, id: { $gt: '' } },
      { ...NEW_GATE, id: 'G10', name: { $where: 'sleep(1000)' } },
      { ...NEW_GATE, id: 'G11', village: ['东村'] },
    ];
    const file = { body: Buffer.from(JSON.stringify(rows)), contentType: JSON_TYPE };

    // Act + Assert
    await expectRefused('gates', file, [
      { row: 2, column: 'id', value: '{"$gt":""}', message: /not an object/ },
      { row: 3, column: 'name', value: '{"$where":"sleep(1000)"}', message: /not an object/ },
      { row: 4, column: 'village', value: '["东村"]', message: /not an array/ },
    ]);
  });

  it('when a JSON upload gives a column another JSON type than it declares (a number for a name, true for a count), then the cell is named and nothing is written', async () => {
    // Arrange: strings are the sheet's spelling and stay accepted ("2", "yes").
    const rows = [
      { ...NEW_GATE, name: 42 },
      { ...NEW_GATE, id: 'G10', staff_per_shift: true },
      { ...NEW_GATE, id: 'G11', lead_required: 1 },
      { ...NEW_GATE, id: 'G12', staff_per_shift: '2', lead_required: 'yes' },
    ];
    const file = { body: Buffer.from(JSON.stringify(rows)), contentType: JSON_TYPE };

    // Act + Assert
    await expectRefused('gates', file, [
      { row: 2, column: 'name', value: '42', message: /expected text/ },
      { row: 3, column: 'staff_per_shift', value: 'true', message: /expected a number/ },
      { row: 4, column: 'lead_required', value: '1', message: /expected true or false/ },
    ]);
  });

  it('when an id starts with "$" or holds a ".", in any format, then the id cell is named and nothing is written', async () => {
    // Arrange
    const gates = [
      { ...NEW_GATE, id: '$where' },
      { ...NEW_GATE, id: 'G.1' },
    ];
    const people = [{ ...NEW_CADRE, id: '$gt' }];
    const windows = [{ cadre_id: 'a.b', start: '2021-12-14 08:00', end: '2021-12-14 17:00', kind: 'unavailable' }];

    // Act + Assert
    await expectRefused('gates', csvUpload(sheetOf('gates', gates)), [
      { row: 2, column: 'id', value: '$where', message: /may not start with "\$"/ },
      { row: 3, column: 'id', value: 'G.1', message: /may not contain "\."/ },
    ]);
    await expectRefused('cadres', await xlsxUpload(sheetOf('cadres', people)), [{ row: 2, column: 'id', value: '$gt', message: /may not start with "\$"/ }]);
    await expectRefused('availability', jsonUpload(sheetOf('availability', windows)), [
      { row: 2, column: 'cadre_id', value: 'a.b', message: /may not contain "\."/ },
    ]);
  });
});

describe('file problems', () => {
  it.each([
    ['an empty CSV', { body: Buffer.alloc(0), contentType: CSV_TYPE }, /empty/],
    ['a CSV with only a header', csvUpload([['id', 'name', 'village', 'town']]), /no data rows/],
    ['an empty JSON array', { body: Buffer.from('[]'), contentType: JSON_TYPE }, /no data rows|empty/],
  ])('when the upload is %s, then row 1 says the file is empty and nothing is written', async (_name, file, message) => {
    // Act + Assert
    await expectRefused('gates', file, [{ row: 1, column: '', message }]);
  });

  it('when CSV bytes are valid in neither UTF-8 nor GB18030, then the answer says wrong encoding and nothing is written', async () => {
    // Arrange: 0xFF never occurs in UTF-8 or GB18030.
    const file = {
      body: Buffer.concat([Buffer.from(csvText(sheetOf('gates', [NEW_GATE])), 'utf8'), Buffer.from([0xff, 0xff, 0x0d, 0x0a])]),
      contentType: CSV_TYPE,
    };

    // Act + Assert
    await expectRefused('gates', file, [{ row: 1, column: '', message: /wrong encoding/ }]);
  });

  it('when the CSV is UTF-16 ("Unicode text"), then the answer says so and nothing is written', async () => {
    // Arrange
    const text = csvText(sheetOf('gates', [NEW_GATE], 'zh'));
    const file = { body: Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf16le')]), contentType: CSV_TYPE };

    // Act + Assert
    await expectRefused('gates', file, [{ row: 1, column: '', message: /UTF-16/ }]);
  });

  it('when an xlsx workbook is sent as text/csv, then the answer says it is a workbook and nothing is written', async () => {
    // Arrange
    const workbook = await xlsxUpload(sheetOf('gates', [NEW_GATE]));

    // Act + Assert
    await expectRefused('gates', { body: workbook.body, contentType: CSV_TYPE }, [{ row: 1, column: '', message: /Excel workbook/ }]);
  });

  it('when a CSV with a UTF-8 BOM holds GBK bytes, then the answer says wrong encoding and nothing is written', async () => {
    // Arrange
    const file = {
      body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), iconv.encode(csvText(sheetOf('gates', [NEW_GATE], 'zh')), 'gbk')]),
      contentType: CSV_TYPE,
    };

    // Act + Assert
    await expectRefused('gates', file, [{ row: 1, column: '', message: /wrong encoding/ }]);
  });
});

describe('transport refusals', () => {
  it('when the upload is text/plain, then 415 lists the accepted types and nothing is written', async () => {
    // Arrange
    const before = await snapshot();

    // Act
    const res = await put(t.app, planner, 'gates', { body: Buffer.from(csvText(sheetOf('gates', [NEW_GATE]))), contentType: 'text/plain' });

    // Assert
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
    expect(res.body.error.message).toMatch(/text\/csv/);
    expect(await snapshot()).toEqual(before);
  });

  it('when the JSON upload is malformed, then the answer is a 4xx saying the JSON is invalid and nothing is written', async () => {
    // Arrange
    const before = await snapshot();

    // Act
    const res = await put(t.app, planner, 'gates', { body: Buffer.from('[{"id": "G9", "name": '), contentType: JSON_TYPE });

    // Assert
    expect([400, 422]).toContain(res.status);
    expect(JSON.stringify(res.body.error)).toMatch(/JSON/);
    expect(await snapshot()).toEqual(before);
  });

  describe('with UPLOAD_LIMIT_MB = 0.001', () => {
    let small: TestApp;
    let smallPlanner: string;
    beforeAll(async () => {
      small = await createTestApp({ UPLOAD_LIMIT_MB: '0.001' });
      smallPlanner = await small.token({ role: 'planner' });
    });
    afterAll(async () => {
      await small.close();
    });

    const big = sheetOf(
      'gates',
      Array.from({ length: 40 }, (_, i) => ({ ...NEW_GATE, id: `G${100 + i}` })),
    );

    it.each([
      ['CSV', () => csvUpload(big)],
      ['xlsx', () => xlsxUpload(big)],
      ['JSON', () => jsonUpload(big)],
    ])('when a %s upload is larger than the limit, then 413 and nothing is written', async (_name, build) => {
      // Arrange
      const file = await build();
      expect(file.body.length).toBeGreaterThan(1049);

      // Act
      const res = await put(small.app, smallPlanner, 'gates', file);

      // Assert
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('payload_too_large');
      expect(await small.models.Gate.countDocuments()).toBe(0);
    });

    it('when an upload is under the limit, then it is accepted', async () => {
      // Act
      const res = await put(small.app, smallPlanner, 'gates', csvUpload(sheetOf('gates', [NEW_GATE])));

      // Assert
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    });
  });
});
