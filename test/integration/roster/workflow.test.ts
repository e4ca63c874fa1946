/**
 * The planner's whole path through the API on a real FerretDB: upload, plan, solve, publish,
 * read (JSON, CSV, gaps, report, diff, versions), then the calendar feeds people subscribe
 * to, a re-plan after someone drops out, conditional requests and revoked links.
 *
 * The tests run in order and share one plan: each step starts from the state the previous
 * one published (v1 and v2 from the first test, v3 from the re-plan).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mayServe } from '../../../src/domain/types.js';
import { eventUid } from '../../../src/feeds/uid.js';
import type { SolveWorker } from '../../../src/roster/solves.js';
import { csvUpload, put, sheetOf } from '../../helpers/fixtures.js';
import {
  EAST,
  NAME_OF,
  PHONE_DIGITS,
  PHONES,
  PLACES_PER_DAY,
  PLAN_FROM,
  PLAN_TO,
  ROSTER_CADRES,
  WEST,
  api,
  assignmentKey,
  feedPath,
  getBytes,
  getFeed,
  parseFeed,
  placeKey,
  publish,
  seedRosterDistrict,
  solve,
  testWorker,
  type AssignmentView,
  type FeedEvent,
  type GapView,
} from '../../helpers/roster-fixtures.js';
import { createTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let planner: string;
let worker: SolveWorker;
let planId: string;

beforeAll(async () => {
  t = await createTestApp();
  planner = await t.token({ role: 'planner' });
  await seedRosterDistrict(t.app, planner);
  worker = testWorker(t.models);
});
afterAll(async () => {
  await t.close();
});

const HOUR = 3_600_000;
const ISO_WITH_SHANGHAI_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/;

async function roster(version?: number): Promise<{ assignments: AssignmentView[]; gaps: GapView[]; version: number }> {
  const res = await api(t.app, planner).get(`/api/v1/plans/${planId}/roster${version ? `?version=${version}` : ''}`);
  expect(res.status).toBe(200);
  return res.body;
}

/** Names of the others at the same gate-shift, per assignment key. */
function partnersByAssignment(assignments: AssignmentView[]): Map<string, string[]> {
  const byPlace = new Map<string, AssignmentView[]>();
  for (const a of assignments) byPlace.set(placeKey(a), [...(byPlace.get(placeKey(a)) ?? []), a]);
  return new Map(
    assignments.map((a) => [
      assignmentKey(a),
      (byPlace.get(placeKey(a)) ?? [])
        .filter((o) => o.cadreId !== a.cadreId)
        .map((o) => o.cadreName)
        .sort(),
    ]),
  );
}

/** Feed links per person and village, issued in the feeds test and used after. */
const feedUrls = new Map<string, string>();
let villageFeedUrl = '';

describe('plan, solve, publish and read', () => {
  it('when a planner runs the whole path, then each step answers as the contract says and versions stay readable', async () => {
    const p = api(t.app, planner);

    // Act: create the plan with only name, start and days.
    const created = await p.post('/api/v1/plans', { name: '两日值守', start: '2021-12-13', days: 2 });

    // Assert: defaults filled in.
    expect(created.status).toBe(201);
    planId = created.body.id;
    expect(created.body.spec).toMatchObject({
      start: '2021-12-13',
      days: 2,
      timezone: 'Asia/Shanghai',
      shiftHours: 8,
      firstShiftStart: '00:00',
      fairness: 'equal',
      rules: { minRestHours: 8, maxHoursPer24h: 12, maxHoursPerWeek: 48, maxConsecutiveNights: 3 },
    });
    expect(created.body.pins).toEqual([]);
    expect(created.body.publishedVersion).toBeNull();

    // Act: queue a solve, then try a second one while the first is queued.
    const queued = await p.post(`/api/v1/plans/${planId}/solve`);
    const second = await p.post(`/api/v1/plans/${planId}/solve`);

    // Assert
    expect(queued.status).toBe(202);
    expect(queued.body).toMatchObject({ planId, status: 'queued' });
    expect(queued.headers.location).toBe(`/api/v1/solves/${queued.body.id}`);
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('conflict');
    const solveId: string = queued.body.id;

    // Act: the worker takes it.
    expect(await worker.runOnce()).toBe(true);
    const job = await p.get(`/api/v1/solves/${solveId}`);

    // Assert
    expect(job.status).toBe(200);
    expect(job.body).toMatchObject({ id: solveId, planId, status: 'done', error: null, progress: { phase: 'done', fraction: 1 } });
    expect(['optimal', 'feasible']).toContain(job.body.outcome);
    expect(job.body.metrics.placesNeeded).toBe(2 * (PLACES_PER_DAY[EAST]! + PLACES_PER_DAY[WEST]!));
    expect(job.body.metrics.placesFilled).toBeGreaterThan(0);
    expect(job.body.metrics.placesFilled).toBeLessThan(job.body.metrics.placesNeeded);
    expect(job.body.snapshot).toMatchObject({ gates: 4, cadres: 14, pins: 0, previousAssignments: 0 });

    // Act: the draft.
    const draft = await p.get(`/api/v1/solves/${solveId}/roster`);

    // Assert
    expect(draft.status).toBe(200);
    const drafted: AssignmentView[] = draft.body.assignments;
    expect(drafted.length).toBe(job.body.metrics.placesFilled);
    for (const a of drafted) {
      expect(a.start).toMatch(ISO_WITH_SHANGHAI_OFFSET);
      expect(a.end).toMatch(ISO_WITH_SHANGHAI_OFFSET);
      expect(new Date(a.end).getTime() - new Date(a.start).getTime()).toBe(8 * HOUR);
      expect(a.cadreName).toBe(NAME_OF.get(a.cadreId));
    }
    expect(draft.body.gaps.length).toBeGreaterThan(0);
    for (const g of draft.body.gaps as GapView[]) {
      expect(g.start).toMatch(ISO_WITH_SHANGHAI_OFFSET);
      expect(g.filled).toBeLessThan(g.needed);
    }
    const missing = (draft.body.gaps as GapView[]).reduce((s, g) => s + g.needed - g.filled, 0);
    expect(drafted.length + missing).toBe(job.body.metrics.placesNeeded);
    expect(draft.body.metrics.placesFilled).toBe(drafted.length);
    expect(draft.body.pinConflicts).toEqual([]);

    // Act: publish.
    const published = await p.post(`/api/v1/plans/${planId}/publish`, { solveId });

    // Assert
    expect(published.status).toBe(201);
    expect(published.body).toMatchObject({ planId, version: 1, solveId });
    expect(typeof published.body.publishedBy).toBe('string');
    expect(Number.isNaN(Date.parse(published.body.publishedAt))).toBe(false);

    // Act: read it as JSON and as CSV.
    const v1 = await roster();
    const csv = await getBytes(t.app, planner, `/api/v1/plans/${planId}/roster`, 'text/csv');

    // Assert: JSON is the draft that was published.
    expect(v1.version).toBe(1);
    expect(v1.assignments.map(assignmentKey).sort()).toEqual(drafted.map(assignmentKey).sort());
    // CSV: BOM, UTF-8 Chinese, one row per assignment, no phone numbers.
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const bytes = csv.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csvText = bytes.subarray(3).toString('utf8');
    const lines = csvText.split('\r\n').filter((l) => l !== '');
    expect(lines[0]).toBe('cadre_id,cadre_name,role,gate_id,gate_name,village,town,start,end,pinned');
    expect(lines.length - 1).toBe(v1.assignments.length);
    const csvRows = new Set(lines.slice(1));
    for (const a of v1.assignments) {
      const row = [...csvRows].find(
        (l) =>
          l.startsWith(`${a.cadreId},${a.cadreName},`) &&
          l.includes(`,${a.gateId},${a.gateName},${a.village},${a.town},${a.start.slice(0, 10)} ${a.start.slice(11, 16)},`),
      );
      expect(row, `CSV row for ${assignmentKey(a)}`).toBeDefined();
    }
    for (const phone of PHONES) expect(csvText).not.toContain(phone);

    // Act: gaps as JSON and CSV.
    const gaps = await p.get(`/api/v1/plans/${planId}/gaps`);
    const gapsCsv = await getBytes(t.app, planner, `/api/v1/plans/${planId}/gaps`, 'text/csv');

    // Assert
    expect(gaps.status).toBe(200);
    expect(gaps.body.version).toBe(1);
    expect(gaps.body.gaps).toEqual(v1.gaps);
    expect(gaps.body.assignments).toBeUndefined();
    expect([...(gapsCsv.body as Buffer).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const gapLines = (gapsCsv.body as Buffer)
      .subarray(3)
      .toString('utf8')
      .split('\r\n')
      .filter((l) => l !== '');
    expect(gapLines[0]).toBe('gate_id,gate_name,village,town,start,end,needed,filled,reason,detail,detail_zh');
    expect(gapLines.length - 1).toBe(v1.gaps.length);
    expect(gapLines.slice(1).every((l) => /^G\d,(东门|西门|南门|北门),(东村|西村),庄市街道,/.test(l))).toBe(true);

    // Act: the daily reports.
    for (const date of ['2021-12-13', '2021-12-14']) {
      const report = await p.get(`/api/v1/plans/${planId}/report?date=${date}`);

      // Assert: figures agree with the roster, counted independently here.
      expect(report.status).toBe(200);
      const dayStart = new Date(`${date}T00:00:00+08:00`).getTime();
      const today = (x: { start: string }) => new Date(x.start).getTime() >= dayStart && new Date(x.start).getTime() < dayStart + 24 * HOUR;
      const town = report.body.towns[0];
      expect(report.body.towns).toHaveLength(1);
      expect(town.town).toBe('庄市街道');
      for (const village of [EAST, WEST]) {
        const filled = v1.assignments.filter((a) => a.village === village && today(a)).length;
        const gapsToday = v1.gaps.filter((g) => g.village === village && today(g));
        const row = town.villages.find((v: { village: string }) => v.village === village);
        expect(row).toMatchObject({
          placesNeeded: PLACES_PER_DAY[village]!,
          placesFilled: filled,
          gaps: new Set(gapsToday.map(placeKey)).size,
          hoursWorked: 8 * filled,
          gapHours: 8 * (PLACES_PER_DAY[village]! - filled),
        });
        expect(row.percentCovered).toBeCloseTo((100 * filled) / PLACES_PER_DAY[village]!, 1);
      }
      const filledToday = v1.assignments.filter(today).length;
      expect(report.body.district).toMatchObject({ placesNeeded: 14, placesFilled: filledToday, hoursWorked: 8 * filledToday });
    }

    // Act: a second solve with nothing changed, published as v2.
    const solve2 = await solve(t.app, planner, worker, planId);
    const job2 = await p.get(`/api/v1/solves/${solve2}`);
    expect(job2.body.snapshot.previousAssignments).toBe(v1.assignments.length);
    expect(await publish(t.app, planner, planId, solve2)).toBe(2);
    const diff = await p.get(`/api/v1/plans/${planId}/diff?from=1&to=2`);
    const versions = await p.get(`/api/v1/plans/${planId}/versions`);
    const old = await roster(1);
    const current = await roster();

    // Assert: the re-solve keeps the published roster (stability), both versions readable.
    expect(diff.status).toBe(200);
    expect(diff.body).toMatchObject({ from: 1, to: 2, people: [], totals: { changedPeople: 0, gained: 0, lost: 0, unchanged: v1.assignments.length } });
    expect(versions.body.items.map((v: { version: number; solveId: string }) => [v.version, v.solveId])).toEqual([
      [1, solveId],
      [2, solve2],
    ]);
    expect(old.version).toBe(1);
    expect(old.assignments).toEqual(v1.assignments);
    expect(current.version).toBe(2);
    expect((await p.get(`/api/v1/plans/${planId}`)).body.publishedVersion).toBe(2);
    expect((await p.get(`/api/v1/plans/${planId}/roster?version=3`)).status).toBe(404);
  });

  it('when the published roster is read from the API, then every hard rule holds', async () => {
    // Arrange
    const p = api(t.app, planner);
    const cadres = new Map(
      ((await p.get('/api/v1/cadres?pageSize=100')).body.items as { id: string; village: string; serves: string[]; nightOk: boolean }[]).map((c) => [c.id, c]),
    );
    const gates = new Map(((await p.get('/api/v1/gates?pageSize=100')).body.items as { id: string; village: string; town: string }[]).map((g) => [g.id, g]));
    const windows = (
      (await p.get('/api/v1/availability?pageSize=100')).body.items as { cadreId: string; windows: { start: string; end: string; kind: string }[] }[]
    ).flatMap((d) =>
      d.windows.filter((w) => w.kind === 'unavailable').map((w) => ({ cadreId: d.cadreId, start: Date.parse(w.start), end: Date.parse(w.end) })),
    );
    expect(cadres.size).toBe(14);
    expect(windows.length).toBeGreaterThan(0);

    // Act
    const { assignments } = await roster();

    // Assert
    const byPerson = new Map<string, { start: number; end: number; gateId: string }[]>();
    for (const a of assignments) {
      const start = Date.parse(a.start);
      const end = Date.parse(a.end);
      const cadre = cadres.get(a.cadreId);
      const gate = gates.get(a.gateId);
      expect(cadre && gate).toBeTruthy();
      expect(mayServe(cadre!, gate!), `${a.cadreId} may serve ${a.gateId}`).toBe(true);
      expect(start >= PLAN_FROM.getTime() && end <= PLAN_TO.getTime()).toBe(true);
      for (const w of windows.filter((w) => w.cadreId === a.cadreId))
        expect(start < w.end && end > w.start, `${assignmentKey(a)} inside an unavailable window`).toBe(false);
      if (!cadre!.nightOk) {
        // Night = 00:00-06:00 local; shifts are 00-08, 08-16, 16-24 local.
        expect(a.start.slice(11, 13), `${a.cadreId} takes no night shifts`).not.toBe('00');
      }
      byPerson.set(a.cadreId, [...(byPerson.get(a.cadreId) ?? []), { start, end, gateId: a.gateId }]);
    }
    for (const [cadreId, shifts] of byPerson) {
      shifts.sort((x, y) => x.start - y.start);
      for (let i = 1; i < shifts.length; i++) {
        const gap = shifts[i]!.start - shifts[i - 1]!.end;
        expect(gap, `${cadreId} in two places at once`).toBeGreaterThanOrEqual(0);
        expect(gap, `${cadreId} rests 8 h`).toBeGreaterThanOrEqual(8 * HOUR);
      }
      // No more than 12 h in any 24 h: with 8 h shifts and 8 h rest, at most one shift starts in any 24 h window beyond it.
      for (const s of shifts) {
        const worked = shifts
          .filter((o) => o.start < s.start + 24 * HOUR && o.end > s.start)
          .reduce((h, o) => h + Math.min(o.end, s.start + 24 * HOUR) - Math.max(o.start, s.start), 0);
        expect(worked, `${cadreId} hours in 24 h from ${new Date(s.start).toISOString()}`).toBeLessThanOrEqual(12 * HOUR);
      }
    }
    // Each gate-shift holds no more than its staff.
    const staff = { G1: 2, G2: 1, G3: 2, G4: 1 } as Record<string, number>;
    const perPlace = new Map<string, number>();
    for (const a of assignments) perPlace.set(placeKey(a), (perPlace.get(placeKey(a)) ?? 0) + 1);
    for (const [place, n] of perPlace) expect(n, place).toBeLessThanOrEqual(staff[place.split('|')[0]!]!);
  });
});

describe('calendar feeds', () => {
  it("when each rostered person's feed is fetched and parsed, then every event matches their published shifts and no phone number appears", async () => {
    // Arrange
    const { assignments } = await roster();
    const partners = partnersByAssignment(assignments);
    const people = [...new Set(assignments.map((a) => a.cadreId))].sort();
    expect(people.length).toBeGreaterThan(3);

    for (const cadreId of people) {
      // Act
      const links = await api(t.app, planner).post(`/api/v1/cadres/${cadreId}/feed-token`);
      expect(links.status).toBe(201);
      const { url, webcal } = links.body as { url: string; webcal: string };
      feedUrls.set(cadreId, url);
      const res = await getFeed(t.app, feedPath(url));

      // Assert: links and headers.
      expect(url).toMatch(/^http:\/\/[^/]+\/feeds\/[A-Za-z0-9_-]+\.ics$/);
      expect(webcal).toBe(url.replace(/^http:/, 'webcal:'));
      // >= 128 bits of secret: at least 22 base64url characters after any prefix.
      expect(
        feedPath(url)
          .replace(/^\/feeds\/(?:[a-z]+_)?/, '')
          .replace(/\.ics$/, '').length,
      ).toBeGreaterThanOrEqual(22);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
      expect(res.headers.etag).toMatch(/^"[^"]+"$/);
      expect(Number.isNaN(Date.parse(res.headers['last-modified'] ?? ''))).toBe(false);
      const ics: string = res.body;
      for (const phone of [...PHONES, ...PHONE_DIGITS]) expect(ics.replace(/\r\n[ \t]/g, '')).not.toContain(phone);
      expect(ics).toMatch(/REFRESH-INTERVAL;VALUE=DURATION:PT1H|X-PUBLISHED-TTL:PT1H/);

      // Assert: the events are exactly this person's shifts.
      const feed = parseFeed(ics);
      expect(feed.name).toContain(NAME_OF.get(cadreId));
      const mine = assignments.filter((a) => a.cadreId === cadreId);
      expect(feed.events.length, cadreId).toBe(mine.length);
      expect(new Set(feed.events.map((e) => e.uid)).size).toBe(feed.events.length);
      for (const a of mine) {
        const event = feed.events.find((e) => e.start.getTime() === Date.parse(a.start));
        expect(event, `event for ${assignmentKey(a)}`).toBeDefined();
        expect(event!.uid).toBe(eventUid(a.cadreId, a.gateId, new Date(a.start), planId));
        expect(event!.end.getTime()).toBe(Date.parse(a.end));
        expect(event!.summary).toContain(a.gateName);
        expect(event!.summary).toContain(a.village);
        expect(event!.location).toContain(a.gateName);
        expect(event!.sequence).toBe(0);
        for (const name of partners.get(assignmentKey(a)) ?? []) expect(event!.description).toContain(name);
        if ((partners.get(assignmentKey(a)) ?? []).length === 0) expect(event!.description).toContain('无 / none');
      }
    }
  });

  it("when a village's feed is fetched, then it has one event per gate-shift of its gates, naming everyone on it, gaps marked", async () => {
    // Arrange
    const { assignments, gaps } = await roster();

    // Act
    const links = await api(t.app, planner).post(`/api/v1/villages/${encodeURIComponent(EAST)}/feed-token`);
    villageFeedUrl = links.body.url;
    const res = await getFeed(t.app, feedPath(villageFeedUrl));

    // Assert
    expect(links.status).toBe(201);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(res.headers.etag).toMatch(/^"[^"]+"$/);
    const ics: string = res.body;
    for (const phone of [...PHONES, ...PHONE_DIGITS]) expect(ics.replace(/\r\n[ \t]/g, '')).not.toContain(phone);
    const feed = parseFeed(ics);
    expect(feed.name).toContain(EAST);
    const places = new Set([...assignments, ...gaps].filter((x) => x.village === EAST).map(placeKey));
    expect(feed.events.length).toBe(places.size);
    expect(new Set(feed.events.map((e) => e.uid)).size).toBe(feed.events.length);
    const gateNames = { G1: '东门', G2: '西门' } as Record<string, string>;
    for (const place of places) {
      const [gateId, start] = place.split('|') as [string, string];
      const event = feed.events.find((e) => e.start.toISOString() === start && e.location.includes(gateNames[gateId]!));
      expect(event, `village event for ${place}`).toBeDefined();
      expect(event!.summary).toContain(EAST);
      expect(event!.summary).toContain(gateNames[gateId]);
      for (const a of assignments.filter((a) => placeKey(a) === place)) expect(event!.description).toContain(a.cadreName);
      const isGap = gaps.some((g) => placeKey(g) === place);
      expect(event!.summary.includes('缺口'), `gap marked for ${place}`).toBe(isGap);
    }
  });
});

/** Saved before the re-plan, compared after. */
interface FeedSnapshot {
  ics: string;
  etag: string;
  lastModified: string;
  events: FeedEvent[];
}
const beforeReplan = new Map<string, FeedSnapshot>();
let changedPerson = '';

async function fetchFeed(cadreId: string): Promise<FeedSnapshot> {
  const res = await getFeed(t.app, feedPath(feedUrls.get(cadreId)!));
  expect(res.status).toBe(200);
  return { ics: res.body, etag: res.headers.etag ?? '', lastModified: res.headers['last-modified'] ?? '', events: parseFeed(res.body).events };
}

describe('re-plan after someone drops out', () => {
  type Shift = { cadreId: string; cadreName: string; gateId: string; gateName: string; start: string; end: string };
  type PersonDiff = { cadreId: string; gained: Shift[]; lost: Shift[] };
  let v2: Awaited<ReturnType<typeof roster>>;
  let v3: Awaited<ReturnType<typeof roster>>;
  let dropped = '';
  let droppedShifts: AssignmentView[] = [];
  let diff: { people: PersonDiff[]; totals: { gained: number; lost: number } };
  let villageEtagBefore = '';
  let droppedVillage = '';

  // Arrange + act once: the dropped person works days (people to spare there) and shares a
  // gate-shift; an `unavailable` window over the whole plan (it replaces their windows),
  // then re-solve and re-publish.
  beforeAll(async () => {
    v2 = await roster();
    const partnersV2 = partnersByAssignment(v2.assignments);
    const takesNights = new Set(ROSTER_CADRES.filter((c) => c.night_ok === 'yes').map((c) => String(c.id)));
    const shared = v2.assignments.find((a) => !takesNights.has(a.cadreId) && (partnersV2.get(assignmentKey(a)) ?? []).length > 0);
    if (!shared) throw new Error('no day gate-shift holds two people: the fixture no longer fits this test');
    dropped = shared.cadreId;
    droppedVillage = shared.village;
    droppedShifts = v2.assignments.filter((a) => a.cadreId === dropped);
    for (const cadreId of feedUrls.keys()) beforeReplan.set(cadreId, await fetchFeed(cadreId));
    villageEtagBefore = (await getFeed(t.app, feedPath(villageFeedUrl))).headers.etag ?? '';

    const upload = await put(
      t.app,
      planner,
      'availability',
      csvUpload(sheetOf('availability', [{ cadre_id: dropped, start: '2021-12-12 00:00', end: '2021-12-16 00:00', kind: 'unavailable' }])),
    );
    expect(upload.status).toBe(200);
    const solveId = await solve(t.app, planner, worker, planId);
    expect(await publish(t.app, planner, planId, solveId)).toBe(3);
    v3 = await roster();
    const res = await api(t.app, planner).get(`/api/v1/plans/${planId}/diff?from=2&to=3`);
    expect(res.status).toBe(200);
    diff = res.body;
  });

  it('when one person drops out and the plan is re-published, then they lose every shift and everything else that was covered stays covered', () => {
    // Assert
    expect(v3.assignments.filter((a) => a.cadreId === dropped)).toEqual([]);
    // Shifts in the diff read like roster rows: the plan's offset, names attached.
    for (const shift of diff.people.flatMap((x) => [...x.gained, ...x.lost])) {
      expect(shift.start).toMatch(ISO_WITH_SHANGHAI_OFFSET);
      expect(shift.end).toMatch(ISO_WITH_SHANGHAI_OFFSET);
      expect(shift.cadreName).toBe(NAME_OF.get(shift.cadreId));
      expect(shift.gateName).not.toBe('');
    }
    const droppedDiff = diff.people.find((x) => x.cadreId === dropped);
    expect(droppedDiff?.lost.map(placeKey).sort()).toEqual(droppedShifts.map(placeKey).sort());
    // Every gate-shift keeps at least the people it had, apart from the one who dropped out.
    const count = (rows: AssignmentView[]) => {
      const seats = new Map<string, number>();
      for (const a of rows) seats.set(placeKey(a), (seats.get(placeKey(a)) ?? 0) + 1);
      return seats;
    };
    const before = count(v2.assignments.filter((a) => a.cadreId !== dropped));
    const after = count(v3.assignments);
    for (const [place, seats] of before) expect(after.get(place) ?? 0, `seats at ${place}`).toBeGreaterThanOrEqual(seats);
  });

  it('when one person drops out and the plan is re-published, then others change only to refill freed places', () => {
    // A re-plan may hand a shift over (B takes a freed place, C takes B's old one) when no one
    // can fill the freed place directly: on this fixture the 12 h-in-24 h cap forces exactly
    // one such hand-over, proven by the exact MILP in test/unit/solver/replan.test.ts. Here:
    // every gain fills a freed place or a place someone vacated in this re-plan, and other
    // people never lose more shifts than freed places were refilled.
    const open = new Map<string, number>();
    const add = (key: string, n: number) => open.set(key, (open.get(key) ?? 0) + n);
    for (const a of droppedShifts) add(placeKey(a), 1);
    const others = diff.people.filter((x) => x.cadreId !== dropped);
    for (const x of others) for (const lost of x.lost) add(placeKey(lost), 1);
    for (const gain of others.flatMap((x) => x.gained)) {
      expect(open.get(placeKey(gain)) ?? 0, `gain of ${gain.cadreId} at ${placeKey(gain)} fills nothing that was freed`).toBeGreaterThan(0);
      add(placeKey(gain), -1);
    }
    const freedKeys = new Set(droppedShifts.map(placeKey));
    const refilled = others.flatMap((x) => x.gained).filter((g) => freedKeys.has(placeKey(g))).length;
    const othersLost = others.reduce((n, x) => n + x.lost.length, 0);
    expect(refilled, 'a freed day place is refilled by someone with time to spare').toBeGreaterThan(0);
    expect(othersLost, 'shifts other people lost').toBeLessThanOrEqual(refilled);
    expect(v3.assignments.length).toBe(v2.assignments.length - diff.totals.lost + diff.totals.gained);
  });

  it('when one person drops out and the plan is re-published, then their feed no longer has the removed shifts', async () => {
    // Act
    const after = await fetchFeed(dropped);

    // Assert
    const removedUids = droppedShifts.map((a) => eventUid(a.cadreId, a.gateId, new Date(a.start), planId));
    expect(
      beforeReplan
        .get(dropped)!
        .events.map((e) => e.uid)
        .sort(),
    ).toEqual([...removedUids].sort());
    expect(after.events.filter((e) => removedUids.includes(e.uid))).toEqual([]);
    expect(after.events).toEqual([]);
    expect(after.etag).not.toBe(beforeReplan.get(dropped)!.etag);
  });

  it("when one person drops out and the plan is re-published, then others' feeds keep UIDs, unchanged feeds keep their bytes and changed events raise SEQUENCE", async () => {
    // Arrange
    const partnersV2 = partnersByAssignment(v2.assignments);
    const partnersV3 = partnersByAssignment(v3.assignments);
    let unaffected = 0;
    let raised = 0;

    for (const [cadreId, before] of beforeReplan) {
      if (cadreId === dropped) continue;
      // Act
      const after = await fetchFeed(cadreId);

      // Assert
      const mineV2 = v2.assignments.filter((a) => a.cadreId === cadreId);
      const mineV3 = v3.assignments.filter((a) => a.cadreId === cadreId);
      const samePartners = (a: AssignmentView) => JSON.stringify(partnersV2.get(assignmentKey(a))) === JSON.stringify(partnersV3.get(assignmentKey(a)));
      const nothingChanged = mineV2.map(assignmentKey).sort().join() === mineV3.map(assignmentKey).sort().join() && mineV3.every(samePartners);
      if (nothingChanged) {
        unaffected += 1;
        expect(after.ics, `${cadreId}'s feed bytes`).toBe(before.ics);
        expect(after.etag).toBe(before.etag);
        expect(after.lastModified).toBe(before.lastModified);
        continue;
      }
      expect(after.etag, `${cadreId}'s feed changed`).not.toBe(before.etag);
      expect(after.events.length).toBe(mineV3.length);
      for (const a of mineV3) {
        const uid = eventUid(a.cadreId, a.gateId, new Date(a.start), planId);
        const now = after.events.find((e) => e.uid === uid);
        const then = before.events.find((e) => e.uid === uid);
        expect(now, `event ${uid}`).toBeDefined();
        if (then === undefined) expect(now!.sequence).toBe(0);
        else if (mineV2.some((b) => assignmentKey(b) === assignmentKey(a)) && samePartners(a))
          expect(now!.sequence, `unchanged event of ${cadreId} keeps SEQUENCE`).toBe(then.sequence);
        else {
          expect(now!.sequence, `changed event of ${cadreId} raises SEQUENCE`).toBe(then.sequence + 1);
          raised += 1;
          changedPerson = cadreId;
        }
      }
    }
    expect(unaffected, 'someone kept the same shifts and partners').toBeGreaterThan(0);
    expect(raised, "the dropped person's partner saw their event updated").toBeGreaterThan(0);
  });

  it("when one person drops out and the plan is re-published, then their village's feed changes", async () => {
    // Act
    const after = await getFeed(t.app, feedPath(villageFeedUrl));

    // Assert (the village feed issued above is 东村's)
    expect(after.status).toBe(200);
    if (droppedVillage === EAST) expect(after.headers.etag).not.toBe(villageEtagBefore);
    else expect(after.headers.etag).toBe(villageEtagBefore);
  });
});

describe('conditional requests', () => {
  it('when a feed is asked for with validators, then 304 only while nothing changed', async () => {
    // Arrange
    const path = feedPath(feedUrls.get(changedPerson)!);
    const current = await getFeed(t.app, path);
    const etag = current.headers.etag ?? '';
    const lastModified = current.headers['last-modified'] ?? '';
    const oldEtag = beforeReplan.get(changedPerson)!.etag;

    // Act
    const sameTag = await getFeed(t.app, path, { 'If-None-Match': etag });
    const listTag = await getFeed(t.app, path, { 'If-None-Match': `"nope", ${etag}` });
    const otherTag = await getFeed(t.app, path, { 'If-None-Match': '"0123456789abcdef"' });
    const replacedTag = await getFeed(t.app, path, { 'If-None-Match': oldEtag });
    const sinceSame = await getFeed(t.app, path, { 'If-Modified-Since': lastModified });
    const sinceLater = await getFeed(t.app, path, { 'If-Modified-Since': new Date(Date.parse(lastModified) + HOUR).toUTCString() });
    const sinceEarlier = await getFeed(t.app, path, { 'If-Modified-Since': new Date(Date.parse(lastModified) - 1000).toUTCString() });
    const tagWins = await getFeed(t.app, path, { 'If-None-Match': oldEtag, 'If-Modified-Since': lastModified });

    // Assert
    expect(sameTag.status).toBe(304);
    expect(sameTag.headers.etag).toBe(etag);
    expect(sameTag.text ?? '').toBe('');
    expect(listTag.status).toBe(304);
    expect(otherTag.status).toBe(200);
    expect(otherTag.body).toBe(current.body);
    expect(oldEtag).not.toBe(etag);
    expect(replacedTag.status).toBe(200);
    expect(sinceSame.status).toBe(304);
    expect(sinceLater.status).toBe(304);
    expect(sinceEarlier.status).toBe(200);
    expect(tagWins.status).toBe(200);
  });
});

describe('revoking and rotating feed links', () => {
  it('when a feed link is revoked, then the old URL answers 404', async () => {
    // Arrange
    const cadreId = [...feedUrls.keys()][0]!;
    const path = feedPath(feedUrls.get(cadreId)!);
    expect((await getFeed(t.app, path)).status).toBe(200);

    // Act
    const revoked = await api(t.app, planner).delete(`/api/v1/cadres/${cadreId}/feed-token`);
    const after = await getFeed(t.app, path);
    const again = await api(t.app, planner).delete(`/api/v1/cadres/${cadreId}/feed-token`);

    // Assert
    expect(revoked.status).toBe(204);
    expect(after.status).toBe(404);
    expect(again.status).toBe(404);
  });

  it('when a feed link is rotated, then the old URL answers 404 and the new one 200', async () => {
    // Arrange
    const cadreId = [...feedUrls.keys()][1]!;
    const oldPath = feedPath(feedUrls.get(cadreId)!);

    // Act
    const rotated = await api(t.app, planner).post(`/api/v1/cadres/${cadreId}/feed-token`);
    const oldRes = await getFeed(t.app, oldPath);
    const newRes = await getFeed(t.app, feedPath(rotated.body.url));

    // Assert
    expect(rotated.status).toBe(201);
    expect(feedPath(rotated.body.url)).not.toBe(oldPath);
    expect(oldRes.status).toBe(404);
    expect(newRes.status).toBe(200);
    expect(parseFeed(newRes.body).events.length).toBeGreaterThanOrEqual(0);
  });

  it('when a village feed link is revoked, then it answers 404; unknown and malformed feed paths too', async () => {
    // Act
    const revoked = await api(t.app, planner).delete(`/api/v1/villages/${encodeURIComponent(EAST)}/feed-token`);

    // Assert
    expect(revoked.status).toBe(204);
    expect((await getFeed(t.app, feedPath(villageFeedUrl))).status).toBe(404);
    expect((await getFeed(t.app, '/feeds/f_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics')).status).toBe(404);
    expect((await getFeed(t.app, '/feeds/short.ics')).status).toBe(404);
  });
});
