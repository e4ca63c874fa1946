/**
 * The pages in a real browser (Debian's chromium via playwright-core; see
 * scripts/ensure-chromium.sh): a planner loads the seed-scale district through the console,
 * solves and publishes it; a village head reads their gaps on a phone; a person reads their
 * subscribe link; and one village's page never shows another village.
 *
 * Screenshots go to test-results/screenshots/ (git-ignored) on every run. The README's images
 * in test/screenshots/ are replaced only on purpose: `npm run screenshots` (or
 * UPDATE_SCREENSHOTS=1 with the browser tests).
 *
 * On a busy machine (two cores, the bench beside it) one step can take many times its usual
 * time: every wait here waits for a condition, with generous timeouts (WAIT), never a sleep.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import { issueToken } from '../../src/auth/tokens.js';
import { saveScreenshot, startBrowserHarness, type BrowserHarness } from './harness.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const DISTRICT = join(ROOT, 'data/district');
/** Mid-week of the sample (Dec 13-19, 2021): the pages mark this as "now". */
const AT = '2021-12-15T10:00:00+08:00';
/** Longest wait for one page condition: a district upload, solve or publish on a loaded machine. */
const WAIT = 120_000;
/** Per test: several such steps in a row. */
const TEST_TIMEOUT = 360_000;
const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' };

interface GapRow {
  gateId: string;
  gateName: string;
  village: string;
  start: string;
  end: string;
}

let h: BrowserHarness;
let browser: Browser;
let planId = '';

/** A browser context whose every action, wait and navigation may take up to WAIT. */
async function newContext(options: BrowserContextOptions): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(WAIT);
  context.setDefaultNavigationTimeout(WAIT);
  return context;
}

/** This run's screenshot in test-results/screenshots; the README's copy only when asked. */
describe('pages in a browser', () => {
  beforeAll(async () => {
    h = await startBrowserHarness();
    browser = h.browser;
  }, 180_000);

  afterAll(async () => {
    await h?.close();
  }, 60_000);

  it(
    'when a planner uses the console, then the district is uploaded, solved and published',
    async () => {
      const context = await newContext({ viewport: { width: 1100, height: 900 }, locale: 'zh-CN' });
      const page = await context.newPage();
      await page.goto(`${h.baseUrl}/planner`);
      await page.fill('input[name=token]', h.plannerToken);
      await page.click('button[type=submit]');
      await page.waitForSelector('#uploads');

      // A wrong file is refused whole, with its problems as a table of row / column / value / message.
      await page.setInputFiles('[data-upload-input="cadres"]', join(DISTRICT, 'cadres.csv'));
      await page.waitForSelector('[data-upload-result="cadres"] table.problems');
      expect(await page.locator('[data-upload-result="cadres"] table.problems tbody tr').count()).toBeGreaterThan(0);
      expect(await page.locator('[data-upload-result="cadres"] table.problems th').allTextContents()).toEqual(['行', '列', '值', '说明']);
      // The page is Chinese, so each problem is said in Chinese (people before gates: unknown village).
      expect(await page.locator('[data-upload-result="cadres"] table.problems tbody td:nth-child(4)').first().textContent()).toMatch(/^村社".+"不存在/);

      // Without the session's CSRF token a change is refused, even with the cookie.
      const forged = await page.request.post(`${h.baseUrl}/planner/plans`, { form: { name: 'x', start: '2021-12-13', days: '1', shiftHours: '8' } });
      expect(forged.status()).toBe(403);

      for (const entity of ['gates', 'cadres', 'availability']) {
        await page.$eval(`[data-upload-result="${entity}"]`, (el) => el.replaceChildren());
        await page.setInputFiles(`[data-upload-input="${entity}"]`, join(DISTRICT, `${entity}.csv`));
        await page.waitForSelector(`[data-upload-result="${entity}"] [data-upload-ok], [data-upload-result="${entity}"] [data-upload-error]`);
        expect(await page.locator(`[data-upload-result="${entity}"] [data-upload-error]`).count(), `${entity} upload`).toBe(0);
      }

      await page.fill('#new-plan input[name=name]', '镇海区 2021-12-13 周');
      await page.fill('#new-plan input[name=start]', '2021-12-13');
      await page.fill('#new-plan input[name=days]', '7');
      await page.click('#new-plan button[type=submit]');
      await page.waitForURL(/\/planner\/plans\/p_/);
      planId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');

      await page.click('[data-action=solve]');
      await page.waitForURL(/\?solve=s_/);
      const filled = Number(await page.textContent('[data-places-filled]'));
      expect(filled).toBeGreaterThan(0);
      expect(await page.locator('svg.chart rect').count()).toBeGreaterThan(10);
      await saveScreenshot(page, 'planner');

      // Publishing goes through a confirmation that shows what changes.
      await page.click('[data-action=publish]');
      await page.waitForSelector('[data-confirm=publish]');
      await page.click('[data-action=confirm]');
      await page.waitForSelector('[data-published-flash]');
      expect(await page.textContent('[data-published-version]')).toBe('1');
      await context.close();
    },
    TEST_TIMEOUT,
  );

  it(
    'when a village head opens their link on a phone, then the page lists the gaps the API reports, and nothing of other villages',
    async () => {
      expect(planId).not.toBe('');
      const allGaps = (await h.api<{ gaps: GapRow[] }>(`/plans/${planId}/gaps`)).gaps;
      const byVillage = countBy(allGaps, (g) => g.village);
      // The village with the most gaps shows the most; another village is the one it must not see.
      const [villageA] = [...byVillage].sort((a, b) => b[1] - a[1])[0] ?? [''];
      const villages = (await h.api<{ items: { village: string }[] }>('/villages')).items.map((v) => v.village);
      const villageB = villages.find((v) => v !== villageA && byVillage.has(v)) ?? villages.find((v) => v !== villageA) ?? '';
      const headToken = (await issueToken(h.models, { role: 'village_head', villages: [villageA] })).token;

      const apiGaps = (await h.api<{ gaps: GapRow[] }>(`/plans/${planId}/gaps`, headToken)).gaps;
      expect(apiGaps.length).toBeGreaterThan(0);
      expect(apiGaps.every((g) => g.village === villageA)).toBe(true);
      const expected = new Set(apiGaps.map((g) => `${g.gateName}|${localShift(g.start, g.end)}`));

      const context = await newContext(PHONE);
      const page = await context.newPage();
      const url = `${h.baseUrl}/village?token=${encodeURIComponent(headToken)}&at=${encodeURIComponent(AT)}`;
      await page.goto(url);
      await page.waitForSelector('.summary');
      const shown = await page.$$eval('li.gap', (items) => items.map((li) => `${li.getAttribute('data-gate')}|${li.getAttribute('data-start')}`));
      expect(new Set(shown)).toEqual(expected);
      expect(shown.length).toBe(expected.size);
      expect(await page.textContent('h1')).toContain(villageA);

      // Tapping a gap cell shows why it is empty.
      const gapCell = page.locator('td.cell.gap button, td.cell.empty button').first();
      await gapCell.click();
      const panel = page.locator('.panel:not([hidden])');
      await expect.poll(() => panel.count(), { timeout: WAIT, interval: 100 }).toBe(1);
      expect(await panel.locator('.reason').count()).toBeGreaterThan(0);

      // The page fits a 360 px phone: only the grid scrolls sideways, not the page.
      expect(
        await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth),
      ).toBeLessThanOrEqual(360);
      await saveScreenshot(page, 'village');

      // Nothing of village B, whatever the query asks for.
      for (const extra of [
        '',
        `&village=${encodeURIComponent(villageB)}`,
        `&villages=${encodeURIComponent(villageB)}`,
        `&plan=${encodeURIComponent(planId)}&village=${encodeURIComponent(villageB)}`,
      ]) {
        await page.goto(`${url}${extra}`);
        const text = await page.textContent('body');
        expect(text).not.toContain(villageB);
        expect(await page.$$eval('li.gap', (items) => items.length)).toBe(expected.size);
      }
      // Another role's token is no village page.
      const cadreToken = (await issueToken(h.models, { role: 'cadre', cadreId: (await h.firstCadreOf(planId, villageB)) ?? '' })).token;
      const wrong = await page.goto(`${h.baseUrl}/village?token=${encodeURIComponent(cadreToken)}`);
      expect(wrong?.status()).toBe(403);
      const none = await page.goto(`${h.baseUrl}/village?token=nope`);
      expect(none?.status()).toBe(401);
      await context.close();
    },
    TEST_TIMEOUT,
  );

  it(
    'when a person opens their link, then they see their shifts and the subscribe link of their feed',
    async () => {
      const roster = await h.api<{ assignments: { cadreId: string; village: string; start: string }[] }>(`/plans/${planId}/roster`);
      const cadreId = roster.assignments.find((a) => a.start >= AT.slice(0, 10))?.cadreId ?? roster.assignments[0]?.cadreId ?? '';
      const own = roster.assignments.filter((a) => a.cadreId === cadreId);
      const links = await h.api<{ url: string; webcal: string }>(`/cadres/${encodeURIComponent(cadreId)}/feed-token`, undefined, 'POST');
      const feedSecret = /\/feeds\/([^/]+)\.ics$/.exec(links.url)?.[1] ?? '';

      const context = await newContext(PHONE);
      const page = await context.newPage();
      await page.goto(`${h.baseUrl}/me?token=${encodeURIComponent(feedSecret)}&at=${encodeURIComponent(AT)}`);
      expect(await page.getAttribute('#subscribe', 'href')).toBe(links.webcal);
      expect(await page.inputValue('#feed-url')).toBe(links.url);
      expect(await page.getAttribute('img.qr', 'src')).toMatch(/^data:image\/png;base64,/);
      expect(await page.locator('li.shift').count()).toBe(own.length);
      expect(
        await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth),
      ).toBeLessThanOrEqual(360);
      await saveScreenshot(page, 'person');

      // English on request; a village feed's secret is not a person page.
      await page.goto(`${h.baseUrl}/me?token=${encodeURIComponent(feedSecret)}&lang=en`);
      expect(await page.textContent('#subscribe')).toBe('Subscribe to calendar');
      const villageFeed = await h.api<{ url: string }>(`/villages/${encodeURIComponent(own[0]?.village ?? '')}/feed-token`, undefined, 'POST');
      const villageSecret = /\/feeds\/([^/]+)\.ics$/.exec(villageFeed.url)?.[1] ?? '';
      expect((await page.goto(`${h.baseUrl}/me?token=${encodeURIComponent(villageSecret)}`))?.status()).toBe(404);
      await context.close();
    },
    TEST_TIMEOUT,
  );
});

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** `2021-12-15 08:00–16:00` from the API's ISO instants with +08:00 (as the page writes it). */
function localShift(start: string, end: string): string {
  const date = start.slice(0, 10);
  const from = start.slice(11, 16);
  const to = end.slice(0, 10) === date ? end.slice(11, 16) : end.slice(11, 16) === '00:00' ? '24:00' : `${end.slice(5, 10)} ${end.slice(11, 16)}`;
  return `${date} ${from}–${to}`;
}
