/**
 * Open shifts through the API: people who joined after the publish see the gaps they could
 * take (and only those), the first claim of a place wins, the claim is published at once as
 * a new version (the roster, the person's feed, the village group's robot), and a claim that
 * no longer fits when its round runs is refused with the reason. Nothing is mocked: a real
 * claims worker, the publish protocol, the local robot server.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClaimWorker } from '../../../src/claims/rounds.js';
import { addDays, localDate } from '../../../src/domain/time.js';
import { createLogger } from '../../../src/logger.js';
import type { DeliveryWorker } from '../../../src/messaging/index.js';
import type { SolveWorker } from '../../../src/roster/solves.js';
import { csvUpload, put, sheetOf } from '../../helpers/fixtures.js';
import { api, EAST, parseFeed, publish, ROSTER_CADRES, seedRosterDistrict, solve, testWorker } from '../../helpers/roster-fixtures.js';
import { createTestApp, type TestApp } from '../../helpers/test-app.js';
import { drain, testDelivery } from '../messaging/helpers.js';
import { startRobotServer, type RobotServer } from '../messaging/robot-server.js';

const ZONE = 'Asia/Shanghai';
/** Joined after the publish: four who take nights in the east, one in the west, one who takes none. */
const NEWCOMERS = [
  { id: 'N01', name: '钱多', phone: '', role: 'volunteer', village: EAST, serves: '', night_ok: 'yes' },
  { id: 'N02', name: '孔亮', phone: '', role: 'volunteer', village: EAST, serves: '', night_ok: 'yes' },
  { id: 'N03', name: '冯雪', phone: '', role: 'dispatched', village: EAST, serves: '', night_ok: 'yes' },
  { id: 'N04', name: '卫青', phone: '', role: 'volunteer', village: '西村', serves: '', night_ok: 'yes' },
  { id: 'N05', name: '蒋白', phone: '', role: 'volunteer', village: EAST, serves: '', night_ok: 'no' },
  { id: 'N06', name: '韩梅', phone: '', role: 'volunteer', village: EAST, serves: '', night_ok: 'yes' },
];

let t: TestApp;
let robots: RobotServer;
let planner: string;
let worker: SolveWorker;
let claims: ClaimWorker;
let delivery: DeliveryWorker;
let planId: string;
const tokens = new Map<string, string>();
/** Tomorrow (local), one day: every shift starts within the policy's 48 h of now. */
const day = addDays(localDate(new Date(), ZONE), 1);

interface OpenShiftRow {
  planId: string;
  version: number;
  gateId: string;
  village: string;
  start: string;
  end: string;
  seat: number;
  needed: number;
  filled: number;
}

beforeAll(async () => {
  robots = await startRobotServer();
  t = await createTestApp({ CLAIM_WAIT_MS: '10000' });
  planner = await t.token({ role: 'planner' });
  await seedRosterDistrict(t.app, planner);
  expect((await api(t.app, planner).post('/api/v1/channels', { kind: 'wecom', url: robots.urlOf('wecom', 'east-claims'), villages: [EAST] })).status).toBe(201);
  worker = testWorker(t.models);
  planId = (await api(t.app, planner).post('/api/v1/plans', { name: '明日值守', start: day, days: 1 })).body.id as string;
  await publish(t.app, planner, planId, await solve(t.app, planner, worker, planId));
  const res = await put(t.app, planner, 'cadres', csvUpload(sheetOf('cadres', [...ROSTER_CADRES, ...NEWCOMERS])));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  for (const n of NEWCOMERS) tokens.set(n.id, await t.token({ role: 'cadre', cadreId: n.id }));
  delivery = testDelivery(t.models, createLogger('silent'));
  await drain(delivery);
  robots.received.length = 0;
  claims = new ClaimWorker(t.models, createLogger('silent'), { pollMs: 50 });
});
afterAll(async () => {
  await claims?.stop();
  await delivery?.stop();
  await t?.close();
  await robots?.close();
});

async function openShifts(cadreId: string): Promise<OpenShiftRow[]> {
  const res = await api(t.app, tokens.get(cadreId) as string).get('/api/v1/open-shifts');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as OpenShiftRow[];
}

const claim = (cadreId: string, shift: Pick<OpenShiftRow, 'planId' | 'gateId' | 'start'>) =>
  api(t.app, tokens.get(cadreId) as string).post('/api/v1/open-shifts/claims', { planId: shift.planId, gateId: shift.gateId, start: shift.start });

describe('open shifts', () => {
  it('are offered to those who could take them: night gaps of their own village, to people who take nights', async () => {
    const east = await openShifts('N01');
    expect(east.length).toBeGreaterThan(0);
    expect(east.every((s) => s.village === EAST && s.filled < s.needed)).toBe(true);
    // The roster's own gaps, one entry per gate-shift.
    const gaps = (await api(t.app, planner).get(`/api/v1/plans/${planId}/roster`)).body.gaps as { gateId: string; start: string }[];
    for (const s of east) expect(gaps.some((g) => g.gateId === s.gateId && new Date(g.start).getTime() === new Date(s.start).getTime())).toBe(true);
    // The night gaps of the east are nothing to someone who takes no nights.
    const nights = new Set(east.map((s) => s.start));
    expect((await openShifts('N05')).filter((s) => nights.has(s.start))).toEqual([]);
    // A planner's token is not a person's.
    expect((await api(t.app, planner).get('/api/v1/open-shifts')).status).toBe(403);
  });

  it('a claim the round finds no longer fitting is refused with the reason, and the place stays as published', async () => {
    const [target] = await openShifts('N02');
    if (!target) throw new Error('the fixture leaves an east night place open');
    // Claimed while no round runs; then the person is marked out for that shift before one does.
    const quick = await createTestApp({ CLAIM_WAIT_MS: '0' }, createLogger('silent'), t.dbName);
    try {
      const pending = await api(quick.app, tokens.get('N02') as string).post('/api/v1/open-shifts/claims', {
        planId: target.planId,
        gateId: target.gateId,
        start: target.start,
      });
      expect(pending.status, JSON.stringify(pending.body)).toBe(202);
      const out = await api(t.app, planner).post('/api/v1/absences', { cadreId: 'N02', from: target.start, to: target.end, reason: '发热' });
      expect(out.status).toBe(201);
      await claims.runOnce();
      const decided = await api(t.app, tokens.get('N02') as string).get(`/api/v1/claims/${encodeURIComponent(pending.body.id as string)}`);
      expect(decided.body.status).toBe('refused');
      expect(decided.body.refusal.code).toBe('availability');
      expect(decided.body.refusal.messageZh).toContain('不可用');
    } finally {
      await quick.close({ keepDatabase: true });
    }
  });

  it('the first claim of a place wins, at once published with the person’s feed and the village group told', async () => {
    claims.start();
    const [first] = await openShifts('N01');
    const target = first as OpenShiftRow;
    const open = target.needed - target.filled;
    const before = (await api(t.app, planner).get(`/api/v1/plans/${planId}`)).body.publishedVersion as number;

    // Three people tap at once for the same gate-shift (N02 is out since the test above).
    const answers = await Promise.all(['N01', 'N03', 'N06'].map((id) => claim(id, target)));

    const won = answers.filter((a) => a.status === 200);
    const lost = answers.filter((a) => a.status !== 200);
    expect(won.length, JSON.stringify(answers.map((a) => a.body))).toBe(Math.min(open, 3));
    for (const a of lost) {
      expect(a.status).toBe(409);
      expect(a.body.error.details.refusal.code).toBe('taken');
      expect(a.body.error.message).toContain('已被别人先认领');
    }
    const versions = new Set(won.map((a) => a.body.publishedVersion as number));
    expect(Math.min(...versions)).toBe(before + 1);
    const live = await api(t.app, planner).get(`/api/v1/plans/${planId}/roster`);
    const winners = won.map((a) => a.body.cadreId as string);
    for (const id of winners) {
      expect(
        live.body.assignments.some(
          (a: { cadreId: string; gateId: string; start: string }) =>
            a.cadreId === id && a.gateId === target.gateId && new Date(a.start).getTime() === new Date(target.start).getTime(),
        ),
      ).toBe(true);
    }
    // The winner's calendar has the shift.
    const link = await api(t.app, planner).post(`/api/v1/cadres/${winners[0]}/feed-token`);
    const feed = await request(t.app).get(new URL(link.body.url as string).pathname);
    expect(feed.status).toBe(200);
    expect(parseFeed(feed.text).events.some((e) => e.start.getTime() === new Date(target.start).getTime())).toBe(true);
    // The east group hears who took it; and the place is no longer offered.
    await drain(delivery);
    const told = robots.received
      .filter((r) => r.robot === 'east-claims')
      .map((r) => r.text)
      .join('\n');
    for (const id of winners) expect(told).toContain(NEWCOMERS.find((n) => n.id === id)?.name);
    if (open <= 3) expect((await openShifts('N02')).some((s) => s.gateId === target.gateId && s.start === target.start)).toBe(false);
    const listed = await api(t.app, planner).get('/api/v1/claims?status=published');
    expect(listed.body.items.map((c: { cadreId: string }) => c.cadreId).sort()).toEqual([...winners].sort());
  });

  it('refuses with the reason before anything is written: locality, a shift that is not open, strict bodies', async () => {
    const [target] = await openShifts('N01').then((s) => (s.length ? s : openShifts('N03')));
    const gates = (await api(t.app, planner).get(`/api/v1/plans/${planId}/roster`)).body.assignments as { gateId: string; start: string }[];
    const full = gates[0] as { gateId: string; start: string };
    const notOpen = await claim('N01', { planId, gateId: full.gateId, start: full.start });
    expect(notOpen.status).toBe(409);
    expect(['taken', 'not_offered', 'locality']).toContain(notOpen.body.error.details.refusal.code);
    if (target) {
      const west = await claim('N04', target);
      expect(west.status).toBe(409);
      expect(west.body.error.details.refusal.code).toBe('locality');
    }
    const strict = await api(t.app, tokens.get('N01') as string).post('/api/v1/open-shifts/claims', {
      planId,
      gateId: 'G1',
      start: `${day}T00:00:00+08:00`,
      cadreId: 'N02',
    });
    expect(strict.status).toBe(403);
    const unknown = await api(t.app, tokens.get('N01') as string).post('/api/v1/open-shifts/claims', {
      planId,
      gateId: 'G1',
      start: `${day}T00:00:00+08:00`,
      seat: 0,
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details.problems).toContainEqual(expect.objectContaining({ field: 'seat' }));
    expect(await t.models.Claim.countDocuments({ cadreId: 'N04' })).toBe(0);
  });
});
