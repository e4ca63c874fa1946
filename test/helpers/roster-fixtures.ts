/**
 * A small district for the plan/solve/publish/feeds workflow, and shortcuts that drive it
 * through the API: two villages of one town, four gates, fourteen people (some with phone
 * numbers, most refusing nights, one busy window), two days of 8 h shifts. Too few take
 * nights, so every solve leaves gaps.
 */
import request from 'supertest';
import ICAL from 'ical.js';
import type { Express } from 'express';
import { expect } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { SolveWorker } from '../../src/roster/solves.js';
import type { Models } from '../../src/db/models.js';
import { csvUpload, put, sheetOf, type Row } from './fixtures.js';

export const TOWN = '庄市街道';
export const EAST = '东村';
export const WEST = '西村';
export const PLAN_START = '2021-12-13';
export const PLAN_DAYS = 2;
/** Asia/Shanghai is UTC+8: the plan runs 2021-12-12T16:00Z to 2021-12-14T16:00Z. */
export const PLAN_FROM = new Date('2021-12-12T16:00:00.000Z');
export const PLAN_TO = new Date('2021-12-14T16:00:00.000Z');

export const ROSTER_GATES: Row[] = [
  { id: 'G1', name: '东门', village: EAST, town: TOWN, staff_per_shift: 2, cover_from: '00:00', cover_to: '24:00', lead_required: 'no' },
  { id: 'G2', name: '西门', village: EAST, town: TOWN, staff_per_shift: 1, cover_from: '08:00', cover_to: '16:00', lead_required: 'no' },
  { id: 'G3', name: '南门', village: WEST, town: TOWN, staff_per_shift: 2, cover_from: '00:00', cover_to: '24:00', lead_required: 'no' },
  { id: 'G4', name: '北门', village: WEST, town: TOWN, staff_per_shift: 1, cover_from: '08:00', cover_to: '16:00', lead_required: 'no' },
];

/** Places per local day: G1 and G3 three shifts of two, G2 and G4 one day shift of one. */
export const PLACES_PER_DAY: Readonly<Record<string, number>> = { [EAST]: 7, [WEST]: 7 };

/**
 * Only three people take nights (8 night places in the plan, at most 6 filled: night gaps),
 * while the day shifts have a few people to spare, so a freed day place can be refilled.
 */
export const ROSTER_CADRES: Row[] = [
  { id: 'A01', name: '张伟', phone: '13812345678', role: 'village_cadre', village: EAST, serves: '', night_ok: 'yes' },
  { id: 'A02', name: '李娜', phone: '13900001111', role: 'volunteer', village: EAST, serves: '', night_ok: 'no' },
  { id: 'A03', name: '王芳', phone: '', role: 'village_cadre', village: EAST, serves: '', night_ok: 'no' },
  { id: 'A04', name: '刘洋', phone: '+86 139-0000-2222', role: 'volunteer', village: EAST, serves: '', night_ok: 'no' },
  { id: 'A05', name: '陈静', phone: '13700007777', role: 'dispatched', village: EAST, serves: WEST, night_ok: 'no' },
  { id: 'A06', name: '孙丽', phone: '13300003333', role: 'volunteer', village: EAST, serves: '', night_ok: 'no' },
  { id: 'A07', name: '马超', phone: '', role: 'volunteer', village: EAST, serves: '', night_ok: 'no' },
  { id: 'B01', name: '杨磊', phone: '13600006666', role: 'village_cadre', village: WEST, serves: '', night_ok: 'yes' },
  { id: 'B02', name: '赵敏', phone: '', role: 'volunteer', village: WEST, serves: '', night_ok: 'no' },
  { id: 'B03', name: '黄勇', phone: '13500005555', role: 'volunteer', village: WEST, serves: '', night_ok: 'yes' },
  { id: 'B04', name: '周杰', phone: '13400004444', role: 'dispatched', village: WEST, serves: TOWN, night_ok: 'no' },
  { id: 'B05', name: '吴霞', phone: '', role: 'volunteer', village: WEST, serves: '', night_ok: 'no' },
  { id: 'B06', name: '郑浩', phone: '13200002222', role: 'volunteer', village: WEST, serves: '', night_ok: 'no' },
  { id: 'B07', name: '何静', phone: '', role: 'volunteer', village: WEST, serves: '', night_ok: 'no' },
];

/** Every phone number above, as written and as digits only: none may reach a feed. */
export const PHONES: string[] = ROSTER_CADRES.map((c) => String(c.phone)).filter((p) => p !== '');
export const PHONE_DIGITS: string[] = PHONES.map((p) => p.replace(/\D/g, '').slice(-11));

/** Local times (Asia/Shanghai) as the planner writes them. */
export const ROSTER_AVAILABILITY: Row[] = [{ cadre_id: 'A03', start: '2021-12-13 08:00', end: '2021-12-13 16:00', kind: 'unavailable' }];

export const NAME_OF = new Map(ROSTER_CADRES.map((c) => [String(c.id), String(c.name)]));

/** The directory as the solver sees it, for checking hard rules independently of the solver. */
export interface DirectoryCadre {
  id: string;
  village: string;
  serves: string[];
  nightOk: boolean;
}

/** Uploads gates, people and availability as English UTF-8 CSV, as a planner. */
export async function seedRosterDistrict(app: Express, planner: string): Promise<void> {
  for (const [entity, rows] of [
    ['gates', ROSTER_GATES],
    ['cadres', ROSTER_CADRES],
    ['availability', ROSTER_AVAILABILITY],
  ] as const) {
    const res = await put(app, planner, entity, csvUpload(sheetOf(entity, rows)));
    if (res.status !== 200) throw new Error(`seeding ${entity} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

export function api(app: Express, token: string) {
  const auth = (r: request.Test) => r.set('Authorization', `Bearer ${token}`);
  return {
    get: (path: string) => auth(request(app).get(path)),
    post: (path: string, body: object = {}) => auth(request(app).post(path)).send(body),
    patch: (path: string, body: object) => auth(request(app).patch(path)).send(body),
    delete: (path: string, body?: object) => (body ? auth(request(app).delete(path)).send(body) : auth(request(app).delete(path))),
  };
}

/** A worker with no poll timer: tests call `runOnce()` themselves. */
export function testWorker(models: Models): SolveWorker {
  return new SolveWorker(models, createLogger('silent'), { engine: 'highs', deadlineSeconds: 30 });
}

export async function createRosterPlan(app: Express, planner: string, name = '两日值守'): Promise<string> {
  const res = await api(app, planner).post('/api/v1/plans', { name, start: PLAN_START, days: PLAN_DAYS });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

/** POST /solve, run the worker once, and expect the solve to be done. */
export async function solve(app: Express, planner: string, worker: SolveWorker, planId: string): Promise<string> {
  const queued = await api(app, planner).post(`/api/v1/plans/${planId}/solve`);
  expect(queued.status, JSON.stringify(queued.body)).toBe(202);
  expect(await worker.runOnce()).toBe(true);
  const job = await api(app, planner).get(`/api/v1/solves/${queued.body.id}`);
  expect(job.body.error).toBeNull();
  expect(job.body.status).toBe('done');
  return queued.body.id as string;
}

export async function publish(app: Express, planner: string, planId: string, solveId: string): Promise<number> {
  const res = await api(app, planner).post(`/api/v1/plans/${planId}/publish`, { solveId });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.version as number;
}

/** The roster API's row shapes, as the service declares them. */
export type { AssignmentView, GapView } from '../../src/roster/read.js';

/** Same person, gate and shift start (as an instant, whatever the offset notation). */
export const assignmentKey = (a: { cadreId: string; gateId: string; start: string | Date }): string =>
  `${a.cadreId}|${a.gateId}|${new Date(a.start).toISOString()}`;
export const placeKey = (a: { gateId: string; start: string | Date }): string => `${a.gateId}|${new Date(a.start).toISOString()}`;

/** One VEVENT, as a real iCalendar parser reads it. */
export interface FeedEvent {
  uid: string;
  sequence: number;
  start: Date;
  end: Date;
  summary: string;
  location: string;
  description: string;
}

export interface ParsedFeed {
  name: string | null;
  events: FeedEvent[];
}

export function parseFeed(text: string): ParsedFeed {
  const calendar = new ICAL.Component(ICAL.parse(text) as unknown[]);
  const events = calendar.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      sequence: event.sequence,
      start: event.startDate.toJSDate(),
      end: event.endDate.toJSDate(),
      summary: event.summary,
      location: event.location,
      description: event.description,
    };
  });
  const name = calendar.getFirstPropertyValue('x-wr-calname');
  return { name: typeof name === 'string' ? name : null, events };
}

/** The path of a feed URL (supertest talks to the app, not to the URL's origin). */
export const feedPath = (url: string): string => new URL(url).pathname;

/** GETs a feed with the decoded text as `res.body` (one place to read it, on 200 and 304 alike). */
export function getFeed(app: Express, path: string, headers: Record<string, string> = {}): request.Test {
  const req = request(app)
    .get(path)
    .buffer(true)
    .parse((res, done) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done(null, body));
    });
  for (const [k, v] of Object.entries(headers)) req.set(k, v);
  return req;
}

/** GETs with the raw bytes as `res.body` (a Buffer), to see a BOM as sent. */
export function getBytes(app: Express, token: string, path: string, accept: string): request.Test {
  return request(app)
    .get(path)
    .set('Authorization', `Bearer ${token}`)
    .set('Accept', accept)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
}
