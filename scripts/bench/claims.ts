/**
 * The claim race (`npm run bench -- --claims`): a district-sized plan for tomorrow, short of
 * people so that it leaves gaps, published; then 200 volunteers who may serve anywhere join
 * and all claim the same 20 open places at once over real HTTP, half through one service
 * process and half through another on the same database (the second a child process). It
 * prints how many claims succeeded (exactly the 20 places must), whether the roster breaks
 * a rule (the project's independent checker), whether every feed of the winners and their
 * villages serves the live version, whether any message went out twice (a local webhook
 * receiver counts idempotency keys), and the time from a claim to its person's feed serving
 * the shift (median and worst).
 */
import { issueToken } from '../../src/auth/tokens.js';
import { wireModels } from '../../src/wiring.js';
import { planSpecSchema } from '../../src/domain/plan.js';
import { addDays, localDate } from '../../src/domain/time.js';
import type { Cadre } from '../../src/domain/types.js';
import type { OutboxDoc } from '../../src/messaging/outbox.js';
import { parseFeed } from '../../test/helpers/roster-fixtures.js';
import { startServiceProcess } from '../../test/helpers/service-process.js';
import { startRobotServer } from '../../test/integration/messaging/robot-server.js';
import { violations } from '../../test/unit/solver/fixtures.js';
import { cadresJson, gatesJson } from '../lib/directory-json.js';
import { generateDistrict } from '../lib/generate-district.js';
import { median, withFreshService } from './service.js';

const ZONE = 'Asia/Shanghai';
const CLAIMERS = 200;
const PLACES = 20;
/** Of the district's people, the share kept: the rest leave the gaps the volunteers claim. */
const KEPT = 0.6;
/**
 * How often a winner asks its feed after its answer. The times are late by at most this; much
 * faster, the polls of a first round's winners (hundreds a second) slow the round after it.
 */
const FEED_POLL_MS = 50;

export interface ClaimRaceFigures {
  gates: number;
  people: number;
  gapsBefore: number;
  attempts: number;
  succeeded: number;
  published: number;
  refusedTaken: number;
  otherAnswers: string[];
  versions: number;
  violations: string[];
  feedsChecked: number;
  feedsWrong: number;
  messages: number;
  duplicateMessages: number;
  claimToFeedMs: { median: number; worst: number };
  claimAnswerMs: { median: number; worst: number };
}

interface Place {
  planId: string;
  gateId: string;
  start: string;
}

export async function runClaimRace(log: (line: string) => void): Promise<ClaimRaceFigures> {
  const district = generateDistrict('district', 1);
  const kept = district.cadres.filter((_, i) => i % 10 < KEPT * 10);
  const volunteers: Cadre[] = Array.from({ length: CLAIMERS }, (_, i) => ({
    id: `V${String(i + 1).padStart(3, '0')}`,
    name: `志愿者${i + 1}`,
    phone: null,
    role: 'volunteer',
    village: district.gates[i % district.gates.length]?.village ?? '',
    serves: ['*'],
    maxHoursWeek: null,
    nightOk: true,
  }));
  const robots = await startRobotServer();
  robots.secrets.set('race', 'race-secret');
  let figures: ClaimRaceFigures | undefined;
  try {
    await withFreshService(async (api, service) => {
      const models = wireModels(service.db.connection);
      await api.call('uploadGates', { body: gatesJson(district.gates), contentType: 'application/json' });
      await api.call('uploadCadres', { body: cadresJson(kept), contentType: 'application/json' });
      await api.call('createChannel', {
        json: { kind: 'webhook', url: robots.urlOf('webhook', 'race'), secret: 'race-secret', events: ['shift_changed', 'publish_summary'] },
      });
      const start = addDays(localDate(new Date(), ZONE), 1);
      const spec = { start, days: 2 };
      const plan = await api.call('createPlan', { json: { name: 'race', ...spec } });
      let solve = await api.call('startSolve', { path: { id: plan.id }, json: {} });
      while (solve.status === 'queued' || solve.status === 'running') {
        await new Promise((r) => setTimeout(r, 200));
        solve = await api.call('getSolve', { path: { id: solve.id } });
      }
      await api.call('publishPlan', { path: { id: plan.id }, json: { solveId: solve.id } });
      await api.call('uploadCadres', { body: cadresJson([...kept, ...volunteers]), contentType: 'application/json' });
      const before = await api.call('getRoster', { path: { id: plan.id } });
      log(
        `  plan for ${start} (2 days), ${district.gates.length} gates, ${kept.length} people: ${before.assignments.length} shifts, ${before.gaps.length} gaps; ${CLAIMERS} volunteers join`,
      );

      const { host, port, name } = service.db.connection;
      const other = await startServiceProcess({
        MONGODB_URI: `mongodb://${host}:${port}/${name}`,
        RUN_WORKER: 'false',
        RUN_DELIVERY: 'true',
        LOG_LEVEL: 'error',
      });
      try {
        await waitReady(other.baseUrl);
        const tokens = await Promise.all(volunteers.map(async (v) => (await issueToken(models, { role: 'cadre', cadreId: v.id })).token));
        const feeds = await Promise.all(volunteers.map(async (v) => (await api.call('issueCadreFeedLink', { path: { id: v.id } })).url));
        // The 20 places: the soonest open seats the first volunteer is offered, at gates that
        // need no village cadre to lead (there the last seat waits for one: fewer than 20 could win).
        const noLead = new Set(district.gates.filter((g) => !g.leadRequired).map((g) => g.id));
        // Both processes have served the list once, as running services have: the race measures
        // claims, not a process's first request (its code loading and board building).
        await getJson(other.baseUrl, '/api/v1/open-shifts', tokens[1] as string);
        const offered = (
          (await getJson(service.baseUrl, '/api/v1/open-shifts', tokens[0] as string)).items as (Place & { needed: number; filled: number })[]
        ).filter((o) => noLead.has(o.gateId));
        const seats: Place[] = [];
        for (const o of offered)
          for (let k = o.filled; k < o.needed && seats.length < PLACES; k++) seats.push({ planId: o.planId, gateId: o.gateId, start: o.start });
        if (seats.length < PLACES) throw new Error(`only ${seats.length} open places offered`);
        log(`  second process ready; ${offered.length} gate-shifts offered to a volunteer; ${CLAIMERS} claim ${PLACES} places now`);

        // Everyone at once: person i claims the gate-shift of seat i mod 20, through process A or B.
        const results = await Promise.all(
          volunteers.map(async (v, i) => {
            const base = i % 2 === 0 ? service.baseUrl : other.baseUrl;
            const place = seats[i % PLACES] as Place;
            const sent = performance.now();
            const res = await fetch(`${base}/api/v1/open-shifts/claims`, {
              method: 'POST',
              headers: { authorization: `Bearer ${tokens[i]}`, 'content-type': 'application/json' },
              body: JSON.stringify(place),
            });
            const body = (await res.json()) as { id?: string; status?: string; error?: { details?: { refusal?: { code: string } } } };
            const answered = performance.now();
            let feedMs: number | null = null;
            let code = body.error?.details?.refusal?.code ?? body.status ?? '';
            if (res.status === 200 || res.status === 202) {
              // Until the feed serves the shift, or the claim is refused after all (or a minute passes).
              for (let polls = 0; performance.now() - sent < 60_000; polls++) {
                const events = parseFeed(await (await fetch(feeds[i] as string)).text()).events;
                if (events.some((e) => e.start.getTime() === Date.parse(place.start))) {
                  feedMs = performance.now() - sent;
                  break;
                }
                if (polls % 20 === 19) {
                  const claim = await getJson<{ status: string; refusal?: { code: string } }>(
                    base,
                    `/api/v1/claims/${encodeURIComponent(body.id ?? '')}`,
                    tokens[i] as string,
                  );
                  if (claim.status === 'refused') {
                    code = `refused after ${res.status}: ${claim.refusal?.code}`;
                    break;
                  }
                }
                await new Promise((r) => setTimeout(r, FEED_POLL_MS));
              }
            }
            return { status: res.status, code, answerMs: answered - sent, feedMs, person: v, place };
          }),
        );
        const won = results.filter((r) => r.feedMs !== null);
        const published = (await api.call('listClaims', { query: { status: 'published' } })).items;
        const after = await api.call('getRoster', { path: { id: plan.id } });
        const assignments = after.assignments.map((a) => ({
          cadreId: a.cadreId,
          gateId: a.gateId,
          start: new Date(a.start),
          end: new Date(a.end),
          pinned: a.pinned,
        }));
        const broken = violations(
          { plan: planSpecSchema.parse(spec), gates: district.gates, cadres: [...kept, ...volunteers], availability: [], pins: [] },
          assignments,
        );
        // Every winner's feed and every touched village's feed serve the live roster.
        let feedsChecked = 0;
        let feedsWrong = 0;
        for (const r of won) {
          const own = assignments
            .filter((a) => a.cadreId === r.person.id)
            .map((a) => a.start.getTime())
            .sort();
          const served = parseFeed(await (await fetch(feeds[volunteers.indexOf(r.person)] as string)).text())
            .events.map((e) => e.start.getTime())
            .sort();
          feedsChecked++;
          if (JSON.stringify(own) !== JSON.stringify(served)) feedsWrong++;
        }
        // Each winner's village feed has the shift with their name on it (not a gap without them).
        const villageFeeds = new Map<string, Awaited<ReturnType<typeof parseFeed>>['events']>();
        for (const r of won) {
          const village = district.gates.find((g) => g.id === r.place.gateId)?.village ?? '';
          if (!villageFeeds.has(village)) {
            const url = (await api.call('issueVillageFeedLink', { path: { id: village } })).url;
            villageFeeds.set(village, parseFeed(await (await fetch(url)).text()).events);
          }
          feedsChecked++;
          const events = (villageFeeds.get(village) ?? []).filter((e) => e.start.getTime() === Date.parse(r.place.start));
          if (!events.some((e) => `${e.summary}\n${e.description}`.includes(r.person.name))) feedsWrong++;
        }
        // Messages: wait until the outbox is sent, then count what the receiver got per key.
        const deadline = Date.now() + 120_000;
        while (Date.now() < deadline) {
          const docs = await models.Outbox.find({}, { status: 1 }).lean<Pick<OutboxDoc, 'status'>[]>();
          if (docs.every((d) => d.status === 'sent' || d.status === 'failed')) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        const keys = robots.received.filter((r) => r.robot === 'race').map((r) => r.idempotencyKey ?? '');
        const versions = new Set(published.map((c) => c.publishedVersion)).size;
        const feedTimes = won.map((r) => r.feedMs as number).sort((a, b) => a - b);
        const answerTimes = won.map((r) => r.answerMs).sort((a, b) => a - b);
        figures = {
          gates: district.gates.length,
          people: kept.length,
          gapsBefore: before.gaps.length,
          attempts: results.length,
          succeeded: won.length,
          published: published.length,
          refusedTaken: results.filter((r) => r.status === 409 && r.code === 'taken').length,
          otherAnswers: [...new Set(results.filter((r) => r.feedMs === null && !(r.status === 409 && r.code === 'taken')).map((r) => `${r.status} ${r.code}`))],
          versions,
          violations: broken,
          feedsChecked,
          feedsWrong,
          messages: keys.length,
          duplicateMessages: keys.length - new Set(keys).size,
          claimToFeedMs: { median: Math.round(median(feedTimes)), worst: Math.round(feedTimes.at(-1) ?? 0) },
          claimAnswerMs: { median: Math.round(median(answerTimes)), worst: Math.round(answerTimes.at(-1) ?? 0) },
        };
        log(
          `  ${figures.succeeded} of ${figures.attempts} claims won (${figures.refusedTaken} told "taken"), ${versions} version(s), ${broken.length} broken rules, ${feedsWrong} of ${feedsChecked} feeds wrong, ${figures.duplicateMessages} of ${figures.messages} messages twice; claim to feed median ${figures.claimToFeedMs.median} ms, worst ${figures.claimToFeedMs.worst} ms`,
        );
      } finally {
        await other.stop();
      }
    });
  } finally {
    await robots.close();
  }
  if (!figures) throw new Error('the race did not run');
  return figures;
}

/** The races side by side: every safety figure of every race, the times as median of the races' medians and worst of all. */
export function formatClaimRace(races: ClaimRaceFigures[]): string {
  const f = races[0] as ClaimRaceFigures;
  const each = (figure: (r: ClaimRaceFigures) => string | number) => races.map(figure).join(' · ');
  const times = (pick: (r: ClaimRaceFigures) => { median: number; worst: number }) =>
    `${median(races.map((r) => pick(r).median))} / ${Math.max(...races.map((r) => pick(r).worst))} ms (each race: ${each((r) => `${pick(r).median}/${pick(r).worst}`)})`;
  return [
    `${races.length} race(s), each on a fresh database and fresh processes`,
    '',
    '| measure | figure | target |',
    '|---|---|---|',
    `| district (generated, ${f.gates} gates, ${f.people} people kept of the sample's), gaps published | ${f.gapsBefore} | |`,
    `| claims won of ${f.attempts} (${PLACES} places, two processes) | ${each((r) => `${r.succeeded} (${r.published} published; ${r.refusedTaken} told "taken"${r.otherAnswers.length ? `; other answers: ${r.otherAnswers.join(', ')}` : ''})`)} | exactly ${PLACES} |`,
    `| versions the claims were published in | ${each((r) => r.versions)} | |`,
    `| rules broken (independent checker) | ${each((r) => r.violations.length)} | 0 |`,
    `| feeds not serving the live version (each winner's own feed and the winner in their village's feed) | ${each((r) => `${r.feedsWrong} of ${r.feedsChecked}`)} | 0 |`,
    `| messages sent twice | ${each((r) => `${r.duplicateMessages} of ${r.messages}`)} | 0 |`,
    `| claim to the person's feed serving it, median / worst | ${times((r) => r.claimToFeedMs)} | < 2 s |`,
    `| claim to its answer, median / worst | ${times((r) => r.claimAnswerMs)} | |`,
  ].join('\n');
}

export async function getJson<T = { items: unknown[] }>(base: string, path: string, token: string): Promise<T> {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`${path} -> ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

async function waitReady(base: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`${base}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the second service did not become ready');
}
