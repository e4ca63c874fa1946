/**
 * The console running a week, in Chromium (zh-CN), reached as an office box on a LAN is:
 * by a host name that is not loopback, over plain http. A planner signs in and uploads the
 * district; publishes a draft after a confirmation that shows the changes; publishing it
 * again makes no new version; marks a person absent in the console and re-plans (nobody
 * else loses a shift); and makes version 1 current again (the person's feed still parses,
 * with the same event UIDs).
 *
 * Screenshots go to test-results/screenshots/ (see pages.test.ts).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import type { BrowserContext, Page } from 'playwright-core';
import { issueToken } from '../../src/auth/tokens.js';
import { parseFeed } from '../helpers/roster-fixtures.js';
import { saveScreenshot, startBrowserHarness, type BrowserHarness } from './harness.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const DISTRICT = join(ROOT, 'data/district');
const WAIT = 120_000;
const TEST_TIMEOUT = 480_000;

interface Row {
  cadreId: string;
  cadreName: string;
  gateId: string;
  start: string;
  end: string;
}

let h: BrowserHarness;
let context: BrowserContext;
let page: Page;
let planId = '';
let draftId = '';

/** Solve the plan from its page and wait for the draft; returns the solve id. */
async function solveFromConsole(): Promise<string> {
  await page.goto(`${h.lanUrl}/planner/plans/${encodeURIComponent(planId)}`);
  await page.click('[data-action=solve]');
  await page.waitForURL(/\?solve=s_/);
  return new URL(page.url()).searchParams.get('solve') ?? '';
}

async function feedOf(url: string): Promise<{ uid: string; sequence: number }[]> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return parseFeed(await response.text()).events.map((e) => ({ uid: e.uid, sequence: e.sequence }));
}

describe('the console runs the week (LAN host, plain http)', () => {
  beforeAll(async () => {
    h = await startBrowserHarness();
    context = await h.browser.newContext({ viewport: { width: 1100, height: 900 }, locale: 'zh-CN' });
    context.setDefaultTimeout(WAIT);
    context.setDefaultNavigationTimeout(WAIT);
    page = await context.newPage();
  }, 180_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await h?.close();
  }, 60_000);

  it(
    'when the console is opened as http://roster.lan, then styles load, a planner signs in and uploads the district',
    async () => {
      const blocked: string[] = [];
      page.on('requestfailed', (request) => blocked.push(request.url()));
      await page.goto(`${h.lanUrl}/planner`);
      // The stylesheet applied: the header bar is the stylesheet's dark blue, not the browser's default.
      expect(
        await page.$eval(
          'header.top',
          (el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor,
        ),
      ).toBe('rgb(17, 34, 51)');
      await page.fill('input[name=token]', h.plannerToken);
      await page.click('button[type=submit]');
      await page.waitForSelector('#uploads');
      expect(new URL(page.url()).host).toBe(new URL(h.lanUrl).host);

      for (const entity of ['gates', 'cadres', 'availability']) {
        await page.setInputFiles(`[data-upload-input="${entity}"]`, join(DISTRICT, `${entity}.csv`));
        await page.waitForSelector(`[data-upload-result="${entity}"] [data-upload-ok], [data-upload-result="${entity}"] [data-upload-error]`);
        expect(await page.locator(`[data-upload-result="${entity}"] [data-upload-error]`).count(), `${entity} upload`).toBe(0);
      }
      expect(blocked).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'when a planner publishes a draft, then a confirmation shows the changes; publishing it again makes no new version',
    async () => {
      await page.goto(`${h.lanUrl}/planner`);
      await page.fill('#new-plan input[name=name]', '镇海区 2021-12-13 周');
      await page.fill('#new-plan input[name=start]', '2021-12-13');
      await page.fill('#new-plan input[name=days]', '7');
      await page.click('#new-plan button[type=submit]');
      await page.waitForURL(/\/planner\/plans\/p_/);
      planId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');

      const solveId = await solveFromConsole();
      draftId = solveId;
      // The outcome reads in Chinese; the internal id is only secondary text.
      expect(await page.textContent('[data-outcome]')).toMatch(/^(最优|可行（未证明最优）|到时限，为目前最好结果)$/);
      await page.click('[data-action=publish]');
      await page.waitForSelector('[data-confirm=publish]');
      const gained = Number(await page.textContent('[data-gained]'));
      expect(gained).toBeGreaterThan(0);
      expect(Number(await page.textContent('[data-lost]'))).toBe(0);
      await saveScreenshot(page, 'publish-confirm');
      await page.click('[data-action=confirm]');
      await page.waitForSelector('[data-published-flash]');
      expect(await page.textContent('[data-published-version]')).toBe('1');
      // A reload of the result page repeats nothing (the POST was answered by a redirect).
      await page.reload();
      expect(await page.locator('[data-versions] tbody tr').count()).toBe(1);

      // The same draft again: the confirmation says so, and publishing makes no version 2.
      await page.goto(`${h.lanUrl}/planner/plans/${encodeURIComponent(planId)}/publish?solve=${encodeURIComponent(solveId)}`);
      expect(await page.textContent('[data-confirm=publish] .notice')).toContain('已是当前第 1 版');
      expect(Number(await page.textContent('[data-changed-people]'))).toBe(0);
      await page.click('[data-action=confirm]');
      await page.waitForSelector('[data-published-again]');
      expect(await page.textContent('[data-published-version]')).toBe('1');
      expect((await h.api<{ items: unknown[] }>(`/plans/${planId}/versions`)).items).toHaveLength(1);
    },
    TEST_TIMEOUT,
  );

  it(
    'when a planner reviews the district draft, then the grid filter and the person search find a known person’s shift; the person view, all gaps and the downloads agree',
    async () => {
      const draft = (await h.api<{ assignments: Row[] & { village: string }[] }>(`/solves/${draftId}/roster`)).assignments as (Row & {
        village: string;
        gateName: string;
      })[];
      const known = draft.find((a) => a.start === '2021-12-16T16:00:00+08:00') ?? draft[0];
      if (!known) throw new Error('the draft has no assignments');
      const own = draft.filter((a) => a.cadreId === known.cadreId);

      await page.goto(`${h.lanUrl}/planner/plans/${encodeURIComponent(planId)}?solve=${encodeURIComponent(draftId)}`);
      // The whole district, unfiltered (first page of villages), as the first thing a planner opens.
      const [response] = await Promise.all([page.waitForResponse((r) => r.url().includes('/review?')), page.click('[data-action=review]')]);
      await page.waitForSelector('#review-filter');
      const build = Number(/page;dur=(\d+)/.exec((await response.allHeaders())['server-timing'] ?? '')?.[1] ?? NaN);
      console.log(`review page, whole district, page 1: ${build} ms server time; ${await page.locator('table.roster td').count()} cells`);
      expect(build).toBeLessThan(1000);
      expect(await page.locator('nav.pager a').count()).toBeGreaterThan(0);
      await page.selectOption('#review-filter select[name=village]', known.village);
      await page.fill('#review-filter input[name=q]', known.cadreName);
      const started = Date.now();
      await Promise.all([page.waitForURL(/q=/), page.click('#review-filter button[type=submit]')]);
      const seconds = (Date.now() - started) / 1000;
      // The known shift's cell, in its gate's row and its shift's column, holds the name, marked as found.
      const cell = page.locator(`table.roster[data-village="${known.village}"] tr[data-gate="${known.gateId}"] td[data-shift^="2021-12-16 16:00"]`);
      expect(await cell.locator('.who.hit').allTextContents()).toContain(known.cadreName);
      expect(await page.locator('table.roster').count()).toBe(1);
      expect(await page.locator('.who.hit').count()).toBeGreaterThanOrEqual(own.length);
      expect(seconds).toBeLessThan(30);
      await saveScreenshot(page, 'review');

      // The xlsx of what the filters show holds that person's shifts (and only people of that name).
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-download=xlsx]')]);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile((await download.path()) ?? '');
      const rows: { id: string; name: string; gate: string; start: string }[] = [];
      workbook.worksheets[0]?.eachRow((row, n) => {
        if (n > 1) rows.push({ id: row.getCell(1).text, name: row.getCell(2).text, gate: row.getCell(5).text, start: row.getCell(7).text });
      });
      expect(rows.filter((r) => r.id === known.cadreId)).toHaveLength(own.filter((a) => a.village === known.village).length);
      expect(rows).toContainEqual({ id: known.cadreId, name: known.cadreName, gate: known.gateId, start: '2021-12-16 16:00' });
      expect(rows.every((r) => r.name.includes(known.cadreName))).toBe(true);

      // The person view: their shifts, hours and partners.
      await page.click(`[data-person="${known.cadreId}"]`);
      await page.waitForSelector('[data-person-shifts]');
      expect(Number(await page.textContent('[data-shifts]'))).toBe(own.length);
      expect(await page.locator('[data-person-shifts] tbody tr').count()).toBe(own.length);

      // Every gap, paged: the pages together hold as many rows as the API has gaps.
      const gaps = (await h.api<{ gaps: unknown[] }>(`/solves/${draftId}/roster`)).gaps;
      await page.goto(`${h.lanUrl}/planner/plans/${encodeURIComponent(planId)}/review/gaps?solve=${encodeURIComponent(draftId)}`);
      let gapRows = 0;
      for (let p = 1; ; p++) {
        await page.goto(`${h.lanUrl}/planner/plans/${encodeURIComponent(planId)}/review/gaps?solve=${encodeURIComponent(draftId)}&page=${p}`);
        const here = await page.locator('[data-gap-rows] tbody tr').count();
        gapRows += here;
        if (here < 100) break;
      }
      expect(gapRows).toBe(gaps.length);
    },
    TEST_TIMEOUT,
  );

  it(
    'when a person is marked absent in the console and the week is re-planned, then only that person loses shifts; rolling back restores version 1 in the feeds with the same UIDs',
    async () => {
      // Someone on a day shift mid-week: the absence covers that one shift.
      const v1 = (await h.api<{ assignments: Row[] }>(`/plans/${planId}/roster`)).assignments;
      const shift = v1.find((a) => a.start === '2021-12-15T08:00:00+08:00') ?? v1[0];
      expect(shift).toBeDefined();
      const { cadreId, cadreName } = shift as Row;
      const feedLink = await h.api<{ url: string }>(`/cadres/${encodeURIComponent(cadreId)}/feed-token`, undefined, 'POST');
      const feedV1 = await feedOf(feedLink.url);
      expect(feedV1.length).toBe(v1.filter((a) => a.cadreId === cadreId).length);

      await page.goto(`${h.lanUrl}/planner`);
      await page.fill('#absence-form input[name=cadre]', `${cadreName} (${cadreId})`);
      await page.fill('#absence-form input[name=from]', (shift as Row).start.slice(0, 16));
      await page.fill('#absence-form input[name=to]', (shift as Row).end.slice(0, 16));
      await page.fill('#absence-form input[name=reason]', '发热');
      await page.click('#absence-form button[type=submit]');
      await page.waitForSelector('.flash');
      expect(await page.textContent('.flash')).toContain(cadreName);
      await saveScreenshot(page, 'absences');
      // A reload adds nothing (PRG).
      await page.reload();
      const marked = (await h.api<{ items: { from: string; to: string; reason: string }[] }>(`/absences?cadreId=${encodeURIComponent(cadreId)}`)).items;
      expect(marked.filter((a) => a.from === (shift as Row).start)).toEqual([expect.objectContaining({ to: (shift as Row).end, reason: '发热' })]);

      const solveId = await solveFromConsole();
      await page.goto(`${h.lanUrl}/planner/plans/${encodeURIComponent(planId)}/publish?solve=${encodeURIComponent(solveId)}`);
      expect(Number(await page.textContent('[data-lost]'))).toBeGreaterThan(0);
      await page.click('[data-action=confirm]');
      await page.waitForSelector('[data-published-flash]');
      expect(await page.textContent('[data-published-version]')).toBe('2');

      const diff = await h.api<{ people: { cadreId: string; gained: Row[]; lost: Row[] }[] }>(`/plans/${planId}/diff?from=1&to=2`);
      const losers = diff.people.filter((p) => p.lost.length > 0);
      expect(losers.map((p) => p.cadreId)).toEqual([cadreId]);
      expect(losers[0]?.lost.map((a) => a.start)).toEqual([(shift as Row).start]);
      const v2Own = (await h.api<{ assignments: Row[] }>(`/plans/${planId}/roster?cadreId=${encodeURIComponent(cadreId)}`)).assignments;
      expect(v2Own.map((a) => a.start)).not.toContain((shift as Row).start);
      expect(await feedOf(feedLink.url)).toHaveLength(v2Own.length);

      // Roll back to version 1 from the versions list, through its confirmation.
      await page.goto(`${h.lanUrl}/planner/plans/${encodeURIComponent(planId)}#versions`);
      await page.click('[data-version="1"] [data-action=rollback]');
      await page.waitForSelector('[data-confirm=rollback]');
      expect(Number(await page.textContent('[data-gained]'))).toBeGreaterThan(0);
      await page.click('[data-action=confirm]');
      await page.waitForSelector('[data-rolled-back]');
      expect(await page.textContent('[data-published-version]')).toBe('3');
      await saveScreenshot(page, 'versions');

      const feedV3 = await feedOf(feedLink.url);
      expect(feedV3.map((e) => e.uid).sort()).toEqual(feedV1.map((e) => e.uid).sort());
      // The shift that came back is the same event, updated (SEQUENCE rose), not a new one.
      const before = new Map(feedV1.map((e) => [e.uid, e.sequence]));
      expect(feedV3.some((e) => e.sequence > (before.get(e.uid) ?? Infinity))).toBe(true);
    },
    TEST_TIMEOUT,
  );

  it(
    'when a planner issues a village’s links, then a confirmation comes first, the sheet lists every person of the village with a QR code, a reload issues nothing new, and the xlsx holds the same names',
    async () => {
      const village = (await h.api<{ items: { village: string }[] }>('/villages')).items[0]?.village ?? '';
      const people = (await h.api<{ items: { id: string; name: string }[] }>(`/cadres?village=${encodeURIComponent(village)}&pageSize=1000`)).items;
      expect(people.length).toBeGreaterThan(0);

      await page.goto(`${h.lanUrl}/planner`);
      await page.click('[data-action=links]');
      await page.waitForSelector('#issue-links');
      await page.goto(`${h.lanUrl}/planner/links?village=${encodeURIComponent(village)}`);
      await page.click('[data-action=rotate-all]');
      await page.waitForSelector('[data-confirm=links]');
      await page.click('[data-action=confirm]');
      await page.waitForSelector('[data-people-links]');
      const ids = await page.$$eval('[data-link-card=cadre]', (cards) => cards.map((c) => c.getAttribute('data-id') ?? ''));
      expect(ids.sort()).toEqual(people.map((p) => p.id).sort());
      expect(await page.locator('[data-link-card=cadre] img[src^="data:image/png;base64,"]').count()).toBe(people.length);
      expect(await page.locator('[data-link-card=head]').count()).toBe(1);
      expect(await page.locator('[data-link-card=village]').count()).toBe(1);
      const links = await page.$$eval('[data-link-card] input[data-link]', (inputs) => inputs.map((i) => (i as unknown as { value: string }).value));
      expect(links.filter((l) => l.startsWith('webcal://')).length).toBe(people.length + 1);
      await saveScreenshot(page, 'link-sheet');
      // A reload shows the same links: nothing was issued again, so the printed ones still work.
      await page.reload();
      expect(await page.$$eval('[data-link-card] input[data-link]', (inputs) => inputs.map((i) => (i as unknown as { value: string }).value))).toEqual(links);
      const feed = await fetch(
        links
          .find((l) => l.startsWith('webcal://'))
          ?.replace(/^webcal:/, 'http:')
          .replace('roster.lan', '127.0.0.1') ?? '',
      );
      expect(feed.status).toBe(200);

      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-download=links-xlsx]')]);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile((await download.path()) ?? '');
      const sheet = workbook.worksheets[0];
      const names: string[] = [];
      sheet?.eachRow((row, n) => {
        if (n > 1 && row.getCell(4).value === '个人日历') names.push(row.getCell(2).text);
      });
      expect(names.sort()).toEqual(people.map((p) => p.name).sort());
      expect(sheet?.getImages().length).toBe(people.length + 2);
    },
    TEST_TIMEOUT,
  );

  it(
    'when a planner prints a village’s duty sheets, then each gate’s week shows the names on duty, and the xlsx (A4 landscape, headings repeated) holds the same names',
    async () => {
      const roster = (await h.api<{ assignments: (Row & { village: string; gateName: string })[] }>(`/plans/${planId}/roster`)).assignments;
      const known = roster.find((a) => a.start === '2021-12-14T16:00:00+08:00') ?? roster[0];
      if (!known) throw new Error('the roster has no assignments');
      const atGateShift = roster
        .filter((a) => a.gateId === known.gateId && a.start === known.start)
        .map((a) => a.cadreName)
        .sort();
      const gatesOfVillage = new Set(roster.filter((a) => a.village === known.village).map((a) => a.gateId));

      await page.goto(`${h.lanUrl}/planner/plans/${encodeURIComponent(planId)}`);
      await page.selectOption('#duty-sheet-form select[name=village]', known.village);
      await page.click('[data-action=duty-sheet]');
      await page.waitForSelector('.duty-sheet');
      expect(await page.locator('.duty-sheet').count()).toBeGreaterThanOrEqual(gatesOfVillage.size);
      const row = page.locator(`[data-duty-gate="${known.gateId}"] tbody tr`, { hasText: '2021-12-14' });
      const cell = (await row.locator('td').allTextContents())[2] ?? '';
      for (const name of atGateShift) expect(cell).toContain(name);
      await saveScreenshot(page, 'duty-sheet');

      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-download=duty-xlsx]')]);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile((await download.path()) ?? '');
      const sheet = workbook.worksheets.find((ws) => ws.getCell(1, 1).text.includes(known.gateName));
      expect(sheet).toBeDefined();
      expect(sheet?.pageSetup.orientation).toBe('landscape');
      expect(sheet?.pageSetup.paperSize).toBe(9);
      expect(sheet?.pageSetup.printTitlesRow).toBe('1:2');
      let xlsxCell = '';
      sheet?.eachRow((r) => {
        if (r.getCell(1).value === '2021-12-14') xlsxCell = r.getCell(4).text;
      });
      expect(
        xlsxCell
          .split('\n')
          .filter((n) => !n.startsWith('缺'))
          .sort(),
      ).toEqual(atGateShift);
    },
    TEST_TIMEOUT,
  );

  it(
    'when a village head opens their page on the plan’s first day, then it leads with who is on duty now at each gate (with phones), and they can mark one of their people absent',
    async () => {
      const AT = '2021-12-13T10:00:00+08:00';
      const roster = (await h.api<{ assignments: (Row & { village: string })[] }>(`/plans/${planId}/roster`)).assignments;
      const village = roster.find((a) => a.start === '2021-12-13T08:00:00+08:00')?.village ?? '';
      const headToken = (await issueToken(h.models, { role: 'village_head', villages: [village] })).token;
      const onDuty = new Map<string, string[]>();
      for (const a of roster.filter((x) => x.village === village && x.start === '2021-12-13T08:00:00+08:00'))
        onDuty.set(a.gateId, [...(onDuty.get(a.gateId) ?? []), a.cadreName]);

      const phone = await h.browser.newContext({
        viewport: { width: 360, height: 740 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
        locale: 'zh-CN',
      });
      phone.setDefaultTimeout(WAIT);
      const p = await phone.newPage();
      const url = `${h.lanUrl}/village?token=${encodeURIComponent(headToken)}&at=${encodeURIComponent(AT)}`;
      await p.goto(url);
      await p.waitForSelector('[data-now]');
      const shown = new Map<string, string[]>();
      for (const li of await p.locator('[data-now-gate]').all()) {
        const gateId = (await li.getAttribute('data-now-gate')) ?? '';
        shown.set(gateId, await li.locator('.person .name').allTextContents());
      }
      for (const [gateId, names] of onDuty) expect((shown.get(gateId) ?? []).sort(), gateId).toEqual([...names].sort());
      expect(await p.textContent('[data-now] h2')).toContain('12-13 08:00');
      expect(await p.locator('[data-stat=today]').count()).toBe(1);
      expect(
        await p.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth),
      ).toBeLessThanOrEqual(360);
      await saveScreenshot(p, 'village-now');

      // An absence from the village page: a person of this village, by name from the picker.
      const own = new Set((await h.api<{ items: { id: string }[] }>(`/cadres?village=${encodeURIComponent(village)}&pageSize=1000`)).items.map((c) => c.id));
      const person = roster.find((a) => own.has(a.cadreId) && a.start > AT) as Row;
      await p.fill('#absence-form input[name=cadre]', `${person.cadreName} (${person.cadreId})`);
      await p.fill('#absence-form input[name=from]', person.start.slice(0, 16));
      await p.fill('#absence-form input[name=to]', person.end.slice(0, 16));
      await p.click('#absence-form button[type=submit]');
      await p.waitForSelector('[data-absence-flash]');
      expect(await p.textContent('[data-absence-flash]')).toContain(person.cadreName);
      expect(
        (await h.api<{ items: { cadreId: string; from: string }[] }>(`/absences?cadreId=${encodeURIComponent(person.cadreId)}`)).items.map((a) => a.from),
      ).toContain(person.start);
      await phone.close();
    },
    TEST_TIMEOUT,
  );
});
