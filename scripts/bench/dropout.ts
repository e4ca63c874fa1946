/**
 * The drop-out week (`npm run bench -- --dropout`): the sample district (data/district, its
 * week moved to start the day after tomorrow) planned and published for 7 days, then day by day 10 % of
 * its people (seeded, drawn again each day) report out for that day through the API
 * (POST /api/v1/absences, as a planner); the service's automatic re-plan runs; then, in the
 * second of two runs from the same start, eligible people claim what is still open at random
 * moments (each with a seeded probability lists their open shifts, GET /api/v1/open-shifts
 * with their own cadre token, and claims one of that day). Per day it counts the places the
 * drop-outs freed, how many the re-plan filled, how many claims filled, and how many stay
 * open; every roster (after each day's re-plan and after its claims) is checked by the
 * project's independent checker (test/unit/solver/fixtures.ts) against the district, its
 * availability and every absence so far.
 *
 * Time. The service has no clock of its own to move: its re-plan worker, its claims round and
 * the open-shift window all read the real clock (`new Date()`; the app's `clock` dependency is
 * for tests only and `startService` passes none). So the week is planned from the day after tomorrow and
 * every day of it lies ahead of the real clock while the bench runs; "day d" is simulated by
 * what happens, not by the clock: the drop-outs are absences for day d only, and claims are
 * made for shifts of day d only (the gaps a person would see on the morning of day d). For
 * that to hold on every day, the plan's policies are widened to reach the end of the week
 * (`absencePolicy.publishFillInsWithinHours` and `openShiftPolicy.offerWithinHours`, defaults
 * 48 h): at the default, fill-ins for day 3 onwards would wait as drafts only because the
 * real clock is days before them, which they would not on their own day. What the widening
 * cannot simulate: the policies' own 48 h edge, the 2 min "too late to reach the gate" margin
 * and shifts of the day already started (none has, here; should the day begin during a run,
 * an out person kept on a started shift is history, counted in `outStillOn` and never as a
 * place filled), and a day's volunteers' "random times" are compressed into seconds of real
 * time (CLAIM_WINDOW_MS).
 */
import { issueToken } from '../../src/auth/tokens.js';
import { wireModels } from '../../src/wiring.js';
import { planSpecSchema } from '../../src/domain/plan.js';
import { addDays, localDate, localInstant } from '../../src/domain/time.js';
import type { AvailabilityWindow, Cadre, Gate } from '../../src/domain/types.js';
import { violations } from '../../test/unit/solver/fixtures.js';
import { generateDistrict } from '../lib/generate-district.js';
import { mulberry32 } from '../lib/mulberry32.js';
import { postAbsence, rosterOf, shuffled, solveAndWait, until, uploadDistrictFrom } from './absences.js';
import { getJson } from './claims.js';
import { withFreshService } from './service.js';

const ZONE = 'Asia/Shanghai';
const SAMPLE_START = '2021-12-13';
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Attempts a claimer makes when told a place is gone (the page offers what is still open). */
const ATTEMPTS = 3;

export interface DropoutOptions {
  /** Days of the week simulated (7; fewer for a trial). */
  days: number;
  /** Share of the people out each day. */
  share: number;
  /** Chance that a volunteer or dispatched cadre (not out that day) looks and claims that day. */
  volunteerChance: number;
  /** The same for a village cadre: the default policy holds nothing for outsiders, so they may claim too. */
  cadreChance: number;
  /** Real milliseconds a day's claims are spread over (each claimer's delay is uniform in it). */
  claimWindowMs: number;
  seed: number;
  log: (line: string) => void;
}

export interface DayFigures {
  day: number;
  date: string;
  out: number;
  /** Places on day d held by people out on day d, in the live roster before their absences. */
  freed: number;
  byReplan: number;
  byClaims: number;
  stillOpen: number;
  /**
   * Places of day d still held by people out on day d after the re-plan: 0 while the day lies
   * ahead; a shift of the day already started is history and keeps them. Never counted as
   * filled.
   */
  outStillOn: number;
  claimers: number;
  claimsWon: number;
  /** Claims won by volunteers and dispatched cadres. */
  claimsWonOutsiders: number;
  /** Won claims at gate-shifts with no freed place open (the solver's own gaps of that day). */
  claimsOnOtherGaps: number;
  /** Claimers who found nothing of that day offered to them. */
  nothingOffered: number;
  /**
   * Before the claims, everyone not out asked: how many were offered any place of the day, and
   * how many of the day's open gate-shifts anyone was offered. Zero means no claim could
   * fill anything that day, whoever looked: the re-plan had used every legal person.
   */
  census: { asked: number; offeredSomeone: number; placesWithTaker: number; placesOpen: number } | null;
  refusals: Record<string, number>;
  /**
   * The day's open places after its re-plan, by the reason the solver names for each gap (who
   * could serve the gate, and which rule holds each of them: src/solver/gaps.ts).
   */
  openReasons: Record<string, number>;
  violations: number;
  ms: { absences: number; replan: number; claims: number };
}

export interface DropoutRun {
  mode: 'replan' | 'claims';
  gates: number;
  people: number;
  start: string;
  placesPublished: number;
  gapsPublished: number;
  initialViolations: number;
  days: DayFigures[];
  violationSamples: string[];
}

interface Row {
  cadreId: string;
  gateId: string;
  start: string;
  end: string;
}

interface Offer {
  planId: string;
  gateId: string;
  start: string;
  end: string;
}

export async function runDropoutBench(options: DropoutOptions): Promise<DropoutRun[]> {
  // The day after tomorrow: both runs take hours, and a week that starts tomorrow can begin on
  // the real clock during the second run (seen: a run begun at 23:24 local time), which then
  // re-plans a day already under way while the first did not.
  const start = addDays(localDate(new Date(), ZONE), 2);
  const runs: DropoutRun[] = [];
  for (const mode of ['replan', 'claims'] as const) {
    options.log(`  run "${mode === 'replan' ? 're-plan alone' : 're-plan + claims'}", week from ${start}`);
    runs.push(await runWeek(mode, start, options));
  }
  return runs;
}

/** Asks every token's open shifts (a few at a time) and counts who is offered a place of the day, and which places have a taker. */
async function offerCensus(
  base: string,
  tokens: string[],
  onDay: (r: { start: string }) => boolean,
  placesOpen: number,
): Promise<NonNullable<DayFigures['census']>> {
  let offeredSomeone = 0;
  const places = new Set<string>();
  for (let i = 0; i < tokens.length; i += 20) {
    const answers = await Promise.all(
      tokens.slice(i, i + 20).map(async (token) => ((await again(() => getJson(base, '/api/v1/open-shifts', token))).items as Offer[]).filter(onDay)),
    );
    for (const offers of answers) {
      if (offers.length) offeredSomeone++;
      for (const o of offers) places.add(`${o.gateId}|${o.start}`);
    }
  }
  return { asked: tokens.length, offeredSomeone, placesWithTaker: places.size, placesOpen };
}

async function runWeek(mode: DropoutRun['mode'], start: string, options: DropoutOptions): Promise<DropoutRun> {
  const district = movedDistrict(start);
  const people = district.cadres;
  let run: DropoutRun | undefined;
  await withFreshService(async (api, service) => {
    const models = wireModels(service.db.connection);
    await uploadDistrictFrom(api, start);
    // The policies reach past the end of the week, so each day's fill-ins and offers are in
    // reach as they would be on that day (see the header).
    const end = localInstant(addDays(start, 7), 0, ZONE).getTime();
    const hours = Math.min(744, Math.ceil((end - Date.now()) / HOUR_MS) + 1);
    const plan = await api.call('createPlan', {
      json: { name: `dropout ${mode}`, start, days: 7, absencePolicy: { publishFillInsWithinHours: hours }, openShiftPolicy: { offerWithinHours: hours } },
    });
    let t0 = performance.now();
    const solveId = await solveAndWait(api, plan.id);
    await api.call('publishPlan', { path: { id: plan.id }, json: { solveId } });
    const first = await again(() => rosterOf(api, plan.id));
    const solvedMs = Math.round(performance.now() - t0);
    const gapsPublished = (await api.call('getGaps', { path: { id: plan.id } })).gaps.reduce((n, g) => n + g.needed - g.filled, 0);
    const spec = planSpecSchema.parse({ start, days: 7 });
    const absences: AvailabilityWindow[] = [];
    const check = (rows: Row[]) =>
      violations(
        { plan: spec, gates: district.gates, cadres: people, availability: [...district.availability, ...absences], pins: [] },
        rows.map((r) => ({ cadreId: r.cadreId, gateId: r.gateId, start: new Date(r.start), end: new Date(r.end), pinned: false })),
      );
    t0 = performance.now();
    const initial = check(first);
    options.log(`    independent checker on the week: ${Math.round(performance.now() - t0)} ms`);
    run = {
      mode,
      gates: district.gates.length,
      people: people.length,
      start,
      placesPublished: first.length,
      gapsPublished,
      initialViolations: initial.length,
      days: [],
      violationSamples: initial.slice(0, 5),
    };
    options.log(
      `    solved and published in ${solvedMs} ms: ${first.length} places filled, ${gapsPublished} open; policies reach ${hours} h ahead; independent checker: ${initial.length} broken`,
    );

    const role = new Map(people.map((c) => [c.id, c.role]));
    const pool = mode === 'claims' ? people.filter((c) => c.role === 'volunteer' || c.role === 'dispatched' || options.cadreChance > 0) : [];
    const tokens = new Map<string, string>();

    for (let d = 0; d < options.days; d++) {
      const date = addDays(start, d);
      const from = localInstant(date, 0, ZONE);
      const to = localInstant(addDays(date, 1), 0, ZONE);
      const onDay = (r: { start: string }) => Date.parse(r.start) >= from.getTime() && Date.parse(r.start) < to.getTime();
      // The same people on the same day in both runs: drawn from the whole directory, not the roster.
      const out = shuffled(
        people.map((c) => c.id),
        options.seed * 1000 + d,
      ).slice(0, Math.round(options.share * people.length));
      const outSet = new Set(out);
      const before = await again(() => rosterOf(api, plan.id));
      const freedAt = countBy(before.filter((r) => onDay(r) && outSet.has(r.cadreId)));
      const freed = sum(freedAt);
      const countBefore = countBy(before.filter(onDay));

      t0 = performance.now();
      const ids: string[] = [];
      for (const id of out) ids.push(await postAbsence(api, { cadreId: id, start: from.toISOString(), end: to.toISOString() }));
      for (const id of out) absences.push({ cadreId: id, kind: 'unavailable', start: from, end: to });
      const absencesMs = Math.round(performance.now() - t0);
      t0 = performance.now();
      const wanted = new Set(ids);
      await until(async () => {
        const items = (await api.call('listAbsences', { query: { from: from.toISOString(), to: to.toISOString() } })).items.filter((a) => wanted.has(a.id));
        return items.length === wanted.size && items.every((a) => a.replan?.status === 'done' || a.replan?.status === 'failed');
      }, 500);
      const replanMs = Math.round(performance.now() - t0);
      const failed = (await api.call('listAbsences', { query: { from: from.toISOString(), to: to.toISOString() } })).items.filter(
        (a) => wanted.has(a.id) && a.replan?.status === 'failed',
      ).length;
      if (failed) options.log(`    day ${d + 1}: ${failed} absences' re-plans failed`);
      const afterReplan = await again(() => rosterOf(api, plan.id));
      // Someone out still on a place of the day did not fill it (refilled counts the others).
      const onDayNotOut = (r: Row) => onDay(r) && !outSet.has(r.cadreId);
      const byReplanAt = refilled(freedAt, countBefore, countBy(afterReplan.filter(onDayNotOut)));
      const byReplan = sum(byReplanAt);
      const outStillOn = afterReplan.filter((r) => onDay(r) && outSet.has(r.cadreId)).length;
      const broken = check(afterReplan);
      const openReasons: Record<string, number> = {};
      for (const g of (await again(() => api.call('getGaps', { path: { id: plan.id } }))).gaps)
        if (onDay({ start: String(g.start) })) openReasons[g.reason] = (openReasons[g.reason] ?? 0) + g.needed - g.filled;

      const figures: DayFigures = {
        day: d + 1,
        date,
        out: out.length,
        freed,
        byReplan,
        byClaims: 0,
        stillOpen: freed - byReplan,
        outStillOn,
        claimers: 0,
        claimsWon: 0,
        claimsWonOutsiders: 0,
        claimsOnOtherGaps: 0,
        nothingOffered: 0,
        census: null,
        refusals: {},
        openReasons,
        violations: broken.length,
        ms: { absences: absencesMs, replan: replanMs, claims: 0 },
      };
      if (mode === 'claims') {
        const present = people.filter((c) => !outSet.has(c.id));
        for (const c of present) if (!tokens.has(c.id)) tokens.set(c.id, (await issueToken(models, { role: 'cadre', cadreId: c.id })).token);
        figures.census = await offerCensus(
          service.baseUrl,
          present.map((c) => tokens.get(c.id) as string),
          onDay,
          (await again(() => api.call('getGaps', { path: { id: plan.id } }))).gaps.filter((g) => onDay({ start: String(g.start) })).length,
        );
        t0 = performance.now();
        const random = mulberry32(options.seed * 1000 + 500 + d);
        // Every draw is made up front, in a fixed order, so the async order cannot change them.
        const claimers = pool
          .filter((c) => !outSet.has(c.id))
          .map((c) => ({ id: c.id, chance: random(), delay: random() * options.claimWindowMs, picks: [random(), random(), random()] }))
          .filter((c) => c.chance < (role.get(c.id) === 'village_cadre' ? options.cadreChance : options.volunteerChance));
        // Each claimer's own cadre token, minted once (as the claim race does).
        for (const c of claimers) if (!tokens.has(c.id)) tokens.set(c.id, (await issueToken(models, { role: 'cadre', cadreId: c.id })).token);
        const results = await Promise.all(claimers.map((c) => claimAtRandom(service.baseUrl, tokens.get(c.id) as string, c.delay, c.picks, onDay)));
        await until(async () => (await api.call('listClaims', { query: { status: 'pending' } })).items.length === 0, 500);
        figures.ms.claims = Math.round(performance.now() - t0);
        const afterClaims = await again(() => rosterOf(api, plan.id));
        const countAfter = countBy(afterClaims.filter(onDayNotOut));
        const byBothAt = refilled(freedAt, countBefore, countAfter);
        figures.byClaims = sum(byBothAt) - byReplan;
        figures.stillOpen = freed - byReplan - figures.byClaims;
        // Claims that were published (the roster has the person on the place they claimed).
        const key = (r: { gateId: string; start: string }) => `${r.gateId}|${Date.parse(r.start)}`;
        const held = new Set(afterClaims.map((r) => `${r.cadreId}|${key(r)}`));
        const won = results.flatMap((r, i) => (r.won && held.has(`${claimers[i]?.id}|${key(r.won)}`) ? [{ id: claimers[i]?.id as string, place: r.won }] : []));
        figures.claimers = claimers.length;
        figures.claimsWon = won.length;
        figures.claimsWonOutsiders = won.filter((w) => role.get(w.id) !== 'village_cadre').length;
        figures.claimsOnOtherGaps = won.length - figures.byClaims;
        figures.nothingOffered = results.filter((r) => r.nothingOffered).length;
        for (const r of results) for (const code of r.refusals) figures.refusals[code] = (figures.refusals[code] ?? 0) + 1;
        figures.violations += check(afterClaims).length;
        if (!run.violationSamples.length) run.violationSamples = check(afterClaims).slice(0, 5);
      }
      if (!run.violationSamples.length) run.violationSamples = broken.slice(0, 5);
      run.days.push(figures);
      const claimed =
        mode === 'claims'
          ? `; ${figures.claimers} looked, ${figures.claimsWon} claims won (${figures.byClaims} on freed places), refused: ${JSON.stringify(figures.refusals)}, ${figures.nothingOffered} offered nothing of the day, claims ${figures.ms.claims} ms; asked beforehand, ${figures.census?.offeredSomeone} of ${figures.census?.asked} people were offered a place of the day, ${figures.census?.placesWithTaker} of its ${figures.census?.placesOpen} open gate-shifts had a taker`
          : '';
      options.log(
        `    day ${d + 1} (${date}): ${out.length} out, ${freed} places freed, re-plan filled ${byReplan} (absences posted in ${absencesMs} ms, re-planned ${replanMs} ms later), open places of the day by reason ${JSON.stringify(openReasons)}${claimed}; ${figures.stillOpen} still open; out people still on their day: ${outStillOn}; broken rules: ${figures.violations}`,
      );
    }
  });
  if (!run) throw new Error('the drop-out week did not run');
  return run;
}

/** One person: waits, lists their open shifts, claims one of the day at random; told it is gone, looks again. */
async function claimAtRandom(
  base: string,
  token: string,
  delayMs: number,
  picks: number[],
  onDay: (o: Offer) => boolean,
): Promise<{ won: Offer | null; refusals: string[]; nothingOffered: boolean }> {
  await new Promise((r) => setTimeout(r, delayMs));
  const refusals: string[] = [];
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const offers = ((await again(() => getJson(base, '/api/v1/open-shifts', token))).items as Offer[]).filter(onDay);
    if (!offers.length) return { won: null, refusals, nothingOffered: attempt === 0 };
    const offer = offers[Math.floor((picks[attempt] ?? 0) * offers.length)] as Offer;
    const res = await fetch(`${base}/api/v1/open-shifts/claims`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ planId: offer.planId, gateId: offer.gateId, start: offer.start }),
    });
    const body = (await res.json()) as { error?: { code?: string; details?: { refusal?: { code: string } } } };
    if (res.status === 200 || res.status === 202) return { won: offer, refusals, nothingOffered: false };
    refusals.push(body.error?.details?.refusal?.code ?? `${res.status} ${body.error?.code ?? ''}`.trim());
    if (res.status !== 409) break;
  }
  return { won: null, refusals, nothingOffered: false };
}

/** The sample district as domain objects (data/district is generateDistrict('district', 1)), its week moved to `start`. */
function movedDistrict(start: string): { gates: Gate[]; cadres: Cadre[]; availability: AvailabilityWindow[] } {
  const district = generateDistrict('district', 1);
  const days = Math.round((Date.parse(start) - Date.parse(SAMPLE_START)) / DAY_MS);
  // Local midnights move by whole days; Asia/Shanghai has no daylight saving, so instants move by days * 24 h.
  const shift = days * DAY_MS;
  return {
    gates: district.gates.map((g) => ({ ...g, activeFrom: g.activeFrom && addDays(g.activeFrom, days), activeTo: g.activeTo && addDays(g.activeTo, days) })),
    cadres: district.cadres,
    availability: district.availability.map((w) => ({ ...w, start: new Date(w.start.getTime() + shift), end: new Date(w.end.getTime() + shift) })),
  };
}

/**
 * A read sent again when its kept-alive connection was closed by the server meanwhile (the
 * checker can keep the bench away longer than the server's keep-alive timeout).
 */
async function again<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof TypeError && error.message === 'fetch failed') || attempt >= 3) throw error;
    }
  }
}

function countBy(rows: { gateId: string; start: string }[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) {
    const key = `${r.gateId}|${Date.parse(r.start)}`;
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

/**
 * Per gate-shift, the freed places filled again: what is there beyond those who stayed, at most
 * what was freed. `after` must leave out the people who are out (one still on a started shift
 * holds the place but does not fill it).
 */
function refilled(freedAt: Map<string, number>, before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, freed] of freedAt) {
    const stayed = (before.get(key) ?? 0) - freed;
    out.set(key, Math.max(0, Math.min(freed, (after.get(key) ?? 0) - stayed)));
  }
  return out;
}

function sum(map: Map<string, number>): number {
  let n = 0;
  for (const v of map.values()) n += v;
  return n;
}

const pct = (part: number, whole: number) => (whole ? `${((100 * part) / whole).toFixed(1)} %` : '-');

export function formatDropoutBench(runs: DropoutRun[]): string {
  const [alone, withClaims] = runs as [DropoutRun, DropoutRun];
  const lines = [
    `District: ${alone.gates} gates, ${alone.people} people, week from ${alone.start}; published: ${alone.placesPublished} places filled, ${alone.gapsPublished} open before anyone drops out (claims run: ${withClaims.placesPublished} / ${withClaims.gapsPublished}).`,
    '',
    '| day | out | freed (alone / claims run) | filled by re-plan, alone | still open, alone | filled by re-plan, claims run | filled by claims | still open, claims run | share filled: re-plan alone / with claims | claims won (on other gaps) | broken rules (alone / claims run) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const total = { out: 0, freedA: 0, freedB: 0, replanA: 0, openA: 0, replanB: 0, claims: 0, openB: 0, won: 0, other: 0, brokenA: 0, brokenB: 0 };
  alone.days.forEach((a, i) => {
    const b = withClaims.days[i] as DayFigures;
    lines.push(
      `| ${a.day} (${a.date}) | ${a.out} | ${a.freed} / ${b.freed} | ${a.byReplan} | ${a.stillOpen} | ${b.byReplan} | ${b.byClaims} | ${b.stillOpen} | ${pct(a.byReplan, a.freed)} / ${pct(b.byReplan + b.byClaims, b.freed)} | ${b.claimsWon} (${b.claimsOnOtherGaps}) | ${a.violations} / ${b.violations} |`,
    );
    total.out += a.out;
    total.freedA += a.freed;
    total.freedB += b.freed;
    total.replanA += a.byReplan;
    total.openA += a.stillOpen;
    total.replanB += b.byReplan;
    total.claims += b.byClaims;
    total.openB += b.stillOpen;
    total.won += b.claimsWon;
    total.other += b.claimsOnOtherGaps;
    total.brokenA += a.violations;
    total.brokenB += b.violations;
  });
  lines.push(
    `| **week** | ${total.out} | ${total.freedA} / ${total.freedB} | ${total.replanA} | ${total.openA} | ${total.replanB} | ${total.claims} | ${total.openB} | **${pct(total.replanA, total.freedA)} / ${pct(total.replanB + total.claims, total.freedB)}** | ${total.won} (${total.other}) | ${total.brokenA} / ${total.brokenB} |`,
  );
  const claimers = withClaims.days.reduce((n, d) => n + d.claimers, 0);
  const outsiders = withClaims.days.reduce((n, d) => n + d.claimsWonOutsiders, 0);
  const nothing = withClaims.days.reduce((n, d) => n + d.nothingOffered, 0);
  const refusals: Record<string, number> = {};
  for (const d of withClaims.days) for (const [k, v] of Object.entries(d.refusals)) refusals[k] = (refusals[k] ?? 0) + v;
  const reasons: Record<string, number> = {};
  for (const d of alone.days) for (const [k, v] of Object.entries(d.openReasons)) reasons[k] = (reasons[k] ?? 0) + v;
  const stillOn = runs.flatMap((r) => r.days).reduce((n, d) => n + d.outStillOn, 0);
  lines.push(
    '',
    `Claims run: ${claimers} people looked over the week, ${nothing} of them found nothing of their day offered to them; ${total.won} claims won (${outsiders} by volunteers or dispatched cadres), ${total.claims} of them on freed places; refusals: ${
      Object.entries(refusals)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    }.`,
    `Open places of each day after its re-plan (re-plan alone), by the solver's reason: ${
      Object.entries(reasons)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    }.`,
    `Before each day's claims everyone not out was asked: ${withClaims.days.map((d) => `day ${d.day}: ${d.census?.offeredSomeone ?? 0} of ${d.census?.asked ?? 0} people offered a place, ${d.census?.placesWithTaker ?? 0} of ${d.census?.placesOpen ?? 0} open gate-shifts with a taker`).join('; ')}.`,
    `Independent checker: ${alone.initialViolations + withClaims.initialViolations} broken rules in the published rosters, ${total.brokenA + total.brokenB} in the rosters after each day's re-plan and claims${
      runs.some((r) => r.violationSamples.length)
        ? ` (e.g. ${runs
            .flatMap((r) => r.violationSamples)
            .slice(0, 3)
            .join('; ')})`
        : ''
    }; people out still rostered on their day after the re-plan: ${stillOn}.`,
  );
  return lines.join('\n');
}
