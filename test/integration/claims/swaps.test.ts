/**
 * Swaps through the API: a person offers one of their published shifts, an eligible
 * colleague accepts, and the round publishes it as a new version (roster, both feeds, the
 * village group told with both names) only if both rosters stay legal; a swap that would
 * break rest or locality is refused with the reason, an offer expires at shift start, the
 * first taker wins, and a plan that asks for it waits for the head's approval. Nothing is
 * mocked: a real claims worker, the publish protocol, the local robot server.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClaimWorker } from '../../../src/claims/rounds.js';
import { addDays, localDate } from '../../../src/domain/time.js';
import { createLogger } from '../../../src/logger.js';
import type { DeliveryWorker } from '../../../src/messaging/index.js';
import { csvUpload, put, sheetOf } from '../../helpers/fixtures.js';
import { api, EAST, NAME_OF, parseFeed, publish, ROSTER_CADRES, seedRosterDistrict, solve, testWorker } from '../../helpers/roster-fixtures.js';
import { eventually } from '../../helpers/service-process.js';
import { createTestApp, type TestApp } from '../../helpers/test-app.js';
import { drain, testDelivery } from '../messaging/helpers.js';
import { startRobotServer, type RobotServer } from '../messaging/robot-server.js';

const ZONE = 'Asia/Shanghai';
/** Joined after the publish, free all day: the colleagues who can take a shift over. */
const NEWCOMERS = [
  { id: 'N01', name: '钱多', phone: '', role: 'volunteer', village: EAST, serves: '', night_ok: 'yes' },
  { id: 'N02', name: '孔亮', phone: '', role: 'volunteer', village: EAST, serves: '', night_ok: 'yes' },
];
const HOUR = 3_600_000;

interface Shift {
  cadreId: string;
  gateId: string;
  start: string;
  end: string;
}

let t: TestApp;
let robots: RobotServer;
let planner: string;
let claims: ClaimWorker;
let delivery: DeliveryWorker;
let planId: string;
const tokens = new Map<string, string>();
const day = addDays(localDate(new Date(), ZONE), 1);

beforeAll(async () => {
  robots = await startRobotServer();
  t = await createTestApp({ CLAIM_WAIT_MS: '10000' });
  planner = await t.token({ role: 'planner' });
  await seedRosterDistrict(t.app, planner);
  expect((await api(t.app, planner).post('/api/v1/channels', { kind: 'wecom', url: robots.urlOf('wecom', 'east-swaps'), villages: [EAST] })).status).toBe(201);
  planId = (await api(t.app, planner).post('/api/v1/plans', { name: '明日值守', start: day, days: 1 })).body.id as string;
  await publish(t.app, planner, planId, await solve(t.app, planner, testWorker(t.models), planId));
  expect((await put(t.app, planner, 'cadres', csvUpload(sheetOf('cadres', [...ROSTER_CADRES, ...NEWCOMERS])))).status).toBe(200);
  for (const c of [...ROSTER_CADRES, ...NEWCOMERS]) tokens.set(String(c.id), await t.token({ role: 'cadre', cadreId: String(c.id) }));
  delivery = testDelivery(t.models, createLogger('silent'));
  await drain(delivery);
  robots.received.length = 0;
  claims = new ClaimWorker(t.models, createLogger('silent'), { pollMs: 50 });
  claims.start();
});
afterAll(async () => {
  await claims?.stop();
  await delivery?.stop();
  await t?.close();
  await robots?.close();
});

const as = (cadreId: string) => api(t.app, tokens.get(cadreId) as string);
async function roster(): Promise<Shift[]> {
  return (await api(t.app, planner).get(`/api/v1/plans/${planId}/roster`)).body.assignments as Shift[];
}
const eastPeople = [...ROSTER_CADRES, ...NEWCOMERS].filter((c) => c.village === EAST).map((c) => String(c.id));
const nameOf = (id: string) => NAME_OF.get(id) ?? NEWCOMERS.find((n) => n.id === id)?.name;
const at = (s: string) => Date.parse(s);

describe('swaps', () => {
  it('a give-away an eligible colleague accepts is published at once: the roster, both feeds and the village group naming both', async () => {
    const before = await roster();
    // An east shift whose holder has a colleague who sees it as open to them.
    let found: { shift: Shift; taker: string; swapId: string } | null = null;
    for (const shift of before.filter((a) => eastPeople.includes(a.cadreId))) {
      const offer = await as(shift.cadreId).post('/api/v1/swaps', { planId, gateId: shift.gateId, start: shift.start });
      expect(offer.status, JSON.stringify(offer.body)).toBe(201);
      expect(offer.body.status).toBe('open');
      for (const taker of eastPeople.filter((p) => p !== shift.cadreId)) {
        const open = (await as(taker).get('/api/v1/swaps/open')).body.items as { id: string }[];
        if (open.some((o) => o.id === offer.body.id)) found ??= { shift, taker, swapId: offer.body.id as string };
      }
      if (found) break;
      expect((await as(shift.cadreId).post(`/api/v1/swaps/${offer.body.id}/withdraw`, {})).body.status).toBe('withdrawn');
    }
    if (!found) throw new Error('the fixture has an east shift some east colleague could take');
    const { shift, taker, swapId } = found;
    const feedOf = async (id: string) => new URL((await api(t.app, planner).post(`/api/v1/cadres/${id}/feed-token`)).body.url as string).pathname;
    const [fromFeed, takerFeed] = [await feedOf(shift.cadreId), await feedOf(taker)];

    const accepted = await as(taker).post(`/api/v1/swaps/${swapId}/accept`, {});

    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'published', takerCadreId: taker, publishedVersion: 2 });
    const after = await roster();
    const key = (a: Shift) => `${a.gateId}|${at(a.start)}`;
    expect(after.filter((a) => key(a) === key(shift)).map((a) => a.cadreId)).toContain(taker);
    expect(after.filter((a) => key(a) === key(shift)).map((a) => a.cadreId)).not.toContain(shift.cadreId);
    expect(after.length, 'a swap moves a place, it neither adds nor drops one').toBe(before.length);
    const events = async (path: string) => parseFeed((await api(t.app, planner).get(path)).text).events.map((e) => e.start.getTime());
    expect(await events(fromFeed)).not.toContain(at(shift.start));
    expect(await events(takerFeed)).toContain(at(shift.start));
    await drain(delivery);
    const told = robots.received
      .filter((r) => r.robot === 'east-swaps')
      .map((r) => r.text)
      .join('\n');
    expect(told).toContain(nameOf(shift.cadreId));
    expect(told).toContain(nameOf(taker));
    // Taken once: a second acceptance finds it gone.
    const other = eastPeople.find((p) => p !== taker && p !== shift.cadreId) as string;
    const again = await as(other).post(`/api/v1/swaps/${swapId}/accept`, {});
    expect(again.status).toBe(409);
  });

  it('a swap that would break rest is refused with the reason, and nothing changes', async () => {
    const current = await roster();
    // A shift and someone whose own shift ends as it starts (or starts as it ends).
    const pair = current
      .filter((a) => eastPeople.includes(a.cadreId))
      .flatMap((a) =>
        current
          .filter((b) => b.cadreId !== a.cadreId && eastPeople.includes(b.cadreId) && (at(b.end) === at(a.start) || at(b.start) === at(a.end)))
          .map((b) => ({ shift: a, neighbour: b.cadreId })),
      )
      .find((p) => !current.some((c) => c.cadreId === p.neighbour && c.start === p.shift.start));
    if (!pair) throw new Error('the fixture has two east shifts back to back held by different people');
    const offer = await as(pair.shift.cadreId).post('/api/v1/swaps', { planId, gateId: pair.shift.gateId, start: pair.shift.start });
    expect(offer.status).toBe(201);
    expect(((await as(pair.neighbour).get('/api/v1/swaps/open')).body.items as { id: string }[]).map((o) => o.id)).not.toContain(offer.body.id);

    const res = await as(pair.neighbour).post(`/api/v1/swaps/${offer.body.id}/accept`, {});

    expect(res.status).toBe(409);
    expect(['min_rest', 'max_hours_24h']).toContain(res.body.error.details.refusal.code);
    expect(res.body.error.details.refusal.messageZh).toMatch(/休息|24小时/);
    expect((await as(pair.shift.cadreId).get(`/api/v1/swaps/${offer.body.id}`)).body.status).toBe('open');
    expect((await roster()).length).toBe(current.length);
  });

  it('a swap across villages where locality forbids it is refused, offered to anyone or to the colleague by name', async () => {
    const shift = (await roster()).find((a) => eastPeople.includes(a.cadreId)) as Shift;
    const named = await as(shift.cadreId).post('/api/v1/swaps', { planId, gateId: shift.gateId, start: shift.start, toCadreId: 'B02' });
    expect(named.status).toBe(409);
    expect(named.body.error.details.refusal.code).toBe('locality');
    const offer = await as(shift.cadreId).post('/api/v1/swaps', { planId, gateId: shift.gateId, start: shift.start });
    const res = await as('B02').post(`/api/v1/swaps/${offer.body.id}/accept`, {});
    expect(res.status).toBe(409);
    expect(res.body.error.details.refusal.code).toBe('locality');
    expect(res.body.error.details.refusal.messageZh).toContain('村镇范围');
  });

  it('an offer expires at shift start: listed as expired, and refused', async () => {
    const shift = (await roster()).find((a) => eastPeople.includes(a.cadreId)) as Shift;
    const offer = await as(shift.cadreId).post('/api/v1/swaps', { planId, gateId: shift.gateId, start: shift.start });
    const later = await createTestApp({}, createLogger('silent'), t.dbName, { clock: () => new Date(at(shift.start) + HOUR) });
    try {
      const token = await later.token({ role: 'cadre', cadreId: shift.cadreId });
      const read = await api(later.app, token).get(`/api/v1/swaps/${offer.body.id}`);
      expect(read.body).toMatchObject({ status: 'expired', refusal: { code: 'swap_expired' } });
      const taker = eastPeople.find((p) => p !== shift.cadreId) as string;
      const res = await api(later.app, await later.token({ role: 'cadre', cadreId: taker })).post(`/api/v1/swaps/${offer.body.id}/accept`, {});
      expect(res.status).toBe(409);
      expect(res.body.error.details.refusal.code).toBe('swap_expired');
    } finally {
      await later.close({ keepDatabase: true });
    }
  });

  it('where the plan asks for approval, an accepted swap waits for the head of its village, who may decline it', async () => {
    const head = await t.token({ role: 'village_head', villages: [EAST] });
    const westHead = await t.token({ role: 'village_head', villages: ['西村'] });
    const patched = await api(t.app, planner).patch(`/api/v1/plans/${planId}`, { openShiftPolicy: { swapsNeedApproval: true } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const pending = await awaitingSwap();
    expect((await api(t.app, head).get(`/api/v1/swaps/${pending.id}`)).body.status).toBe('awaiting_approval');
    expect((await api(t.app, westHead).post(`/api/v1/swaps/${pending.id}/decision`, { approve: true })).status).toBe(403);

    const declined = await api(t.app, head).post(`/api/v1/swaps/${pending.id}/decision`, { approve: false });

    expect(declined.status, JSON.stringify(declined.body)).toBe(200);
    expect(declined.body.status).toBe('declined');
    expect((await api(t.app, head).post(`/api/v1/swaps/${pending.id}/decision`, { approve: true })).status).toBe(409);
    await claims.runOnce();
    expect((await api(t.app, planner).get(`/api/v1/plans/${planId}`)).body.publishedVersion, 'a declined swap publishes nothing').toBe(2);
  });

  it('on the village page the head sees a swap waiting for approval, approves it, and it is published; a head of another village may not', async () => {
    // Arrange: the plan still asks for approval (the test before set it).
    const head = await t.token({ role: 'village_head', villages: [EAST] });
    const westHead = await t.token({ role: 'village_head', villages: ['西村'] });
    const pending = await awaitingSwap();
    const swap = (await api(t.app, head).get(`/api/v1/swaps/${pending.id}`)).body as {
      takerCadreId: string;
      fromCadreId: string;
      gateId: string;
      start: string;
    };
    const page = await request(t.app).get(`/village?token=${head}`);
    expect(page.text).toContain(`data-swap="${pending.id}" data-swap-status="awaiting_approval"`);
    expect(page.text).toContain(`${nameOf(swap.fromCadreId)} 交给 ${nameOf(swap.takerCadreId)}`);
    expect(page.text).toContain('data-action="approve-swap"');
    const decide = (token: string) => request(t.app).post('/village/swaps/decide').type('form').send({ token, id: pending.id, approve: 'yes' });
    expect((await decide(westHead)).status).toBe(403);

    // Act
    const approved = await decide(head);

    // Assert
    expect(approved.status, approved.text).toBe(303);
    expect((await request(t.app).get(approved.headers.location as string)).text).toContain('data-swap-flash');
    await eventually(
      async () => ((await api(t.app, head).get(`/api/v1/swaps/${pending.id}`)).body.status === 'published' ? true : undefined),
      20_000,
      'the approved swap to be published',
    );
    const moved = (await roster()).filter((a) => a.gateId === swap.gateId && at(a.start) === at(swap.start)).map((a) => a.cadreId);
    expect(moved).toContain(swap.takerCadreId);
    expect(moved).not.toContain(swap.fromCadreId);
    expect((await request(t.app).get(`/village?token=${head}`)).text).toContain(`data-swap="${pending.id}" data-swap-status="published"`);
  });
});

/** An east shift offered and accepted by an east colleague, now waiting for approval (the plan asks for it). */
async function awaitingSwap(): Promise<{ id: string }> {
  for (const shift of (await roster()).filter((a) => eastPeople.includes(a.cadreId))) {
    const offer = await as(shift.cadreId).post('/api/v1/swaps', { planId, gateId: shift.gateId, start: shift.start });
    if (offer.status !== 201) continue;
    for (const taker of eastPeople.filter((p) => p !== shift.cadreId)) {
      const res = await as(taker).post(`/api/v1/swaps/${offer.body.id}/accept`, {});
      if (res.status === 202) return { id: offer.body.id as string };
    }
    await as(shift.cadreId).post(`/api/v1/swaps/${offer.body.id}/withdraw`, {});
  }
  throw new Error('the fixture has an east shift some east colleague could take');
}
