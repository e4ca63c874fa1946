/**
 * Open shifts on a phone (360 px, Chinese): a volunteer who joined after the publish opens
 * their `/me` page, sees the night place they could take and claims it with one tap (the
 * page says it is published, the claim is listed); a second volunteer whose page still shows
 * the place taps after them and is refused with the reason, on a page that says what is
 * still open; the village head's page names who claimed what. Then the one who claimed
 * offers the shift for a swap and the other accepts it from their page. A real service,
 * claims worker and browser; nothing mocked.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { issueToken } from '../../src/auth/tokens.js';
import { addDays, localDate } from '../../src/domain/time.js';
import { csvUpload, put, sheetOf } from '../helpers/fixtures.js';
import { api, EAST, ROSTER_CADRES, seedRosterDistrict } from '../helpers/roster-fixtures.js';
import { saveScreenshot, startBrowserHarness, type BrowserHarness } from './harness.js';

const WAIT = 120_000;
const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' };
const NEWCOMERS = [
  { id: 'N01', name: '钱多', phone: '', role: 'volunteer', village: EAST, serves: '', night_ok: 'yes' },
  { id: 'N02', name: '孔亮', phone: '', role: 'volunteer', village: EAST, serves: '', night_ok: 'yes' },
];

let h: BrowserHarness;
let browser: Browser;
const pages = new Map<string, string>();

async function until<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + WAIT;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('open shifts on a phone', () => {
  beforeAll(async () => {
    h = await startBrowserHarness();
    browser = h.browser;
    await seedRosterDistrict(h.app, h.plannerToken);
    const day = addDays(localDate(new Date(), 'Asia/Shanghai'), 1);
    const planId = (await api(h.app, h.plannerToken).post('/api/v1/plans', { name: '明日值守', start: day, days: 1 })).body.id as string;
    const solveId = (await api(h.app, h.plannerToken).post(`/api/v1/plans/${planId}/solve`)).body.id as string;
    await until(async () => ((await api(h.app, h.plannerToken).get(`/api/v1/solves/${solveId}`)).body.status === 'done' ? true : undefined), 'the solve');
    expect((await api(h.app, h.plannerToken).post(`/api/v1/plans/${planId}/publish`, { solveId })).status).toBe(201);
    expect((await put(h.app, h.plannerToken, 'cadres', csvUpload(sheetOf('cadres', [...ROSTER_CADRES, ...NEWCOMERS])))).status).toBe(200);
    for (const n of NEWCOMERS) {
      const link = await api(h.app, h.plannerToken).post(`/api/v1/cadres/${n.id}/feed-token`);
      pages.set(n.id, `${h.baseUrl}/me?token=${encodeURIComponent(/\/feeds\/([^/]+)\.ics$/.exec(link.body.url as string)?.[1] ?? '')}`);
    }
  }, 180_000);

  afterAll(async () => {
    await h?.close();
  }, 60_000);

  async function open(cadreId: string): Promise<Page> {
    const context = await browser.newContext(PHONE);
    context.setDefaultTimeout(WAIT);
    const page = await context.newPage();
    await page.goto(pages.get(cadreId) as string);
    return page;
  }

  it('one tap claims the place; the one who taps second is told why, and the village page names who took it', async () => {
    const first = await open('N01');
    const second = await open('N02');
    const offered = first.locator('[data-open-shift]');
    expect(await offered.count()).toBeGreaterThan(0);
    const place = (await offered.first().getAttribute('data-open-shift')) as string;
    expect(await second.locator(`[data-open-shift="${place}"]`).count()).toBe(1);
    expect(
      await first.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth),
    ).toBeLessThanOrEqual(360);

    await offered.first().locator('button[type=submit]').click();
    await first.waitForSelector('[data-claim-flash]');
    expect(await first.textContent('[data-claim-flash]')).toContain('认领成功');
    expect(await first.getAttribute('[data-claims] li', 'data-status')).toBe('published');
    await saveScreenshot(first, 'person-claim');

    // The second page still shows the place: its tap comes too late.
    const answer = second.waitForResponse((r) => r.url().endsWith('/me/claims'));
    await second.locator(`[data-open-shift="${place}"] button[type=submit]`).click();
    expect((await answer).status()).toBe(409);
    await second.waitForSelector('[data-claim-refused]');
    expect(await second.textContent('[data-claim-refused]')).toContain('已被别人先认领');
    expect(await second.locator(`[data-open-shift="${place}"]`).count()).toBe(0);

    const head = (await issueToken(h.models, { role: 'village_head', villages: [EAST] })).token;
    const village = await (await browser.newContext(PHONE)).newPage();
    await village.goto(`${h.baseUrl}/village?token=${encodeURIComponent(head)}`);
    expect(await village.textContent('[data-claims]')).toContain('钱多');
    const roster = await request(h.app).get(`/api/v1/claims`).set('Authorization', `Bearer ${h.plannerToken}`);
    expect(roster.body.items.map((c: { cadreId: string }) => c.cadreId)).toEqual(['N01']);
  }, 360_000);

  it('a swap on the phone: the one who claimed offers the shift, a colleague accepts it, and both pages say so', async () => {
    const giver = await open('N01');
    const offerForm = giver.locator('[data-offer-shift]').first();
    await giver.locator('details.report:has([data-offer-shift]) summary').first().click();
    await offerForm.locator('button[type=submit]').click();
    await giver.waitForSelector('[data-swap-flash]');
    expect(await giver.textContent('[data-swap-flash]')).toContain('换班已发出');
    expect(await giver.getAttribute('[data-my-swaps] li', 'data-status')).toBe('open');
    expect(
      await giver.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth),
    ).toBeLessThanOrEqual(360);

    const taker = await open('N02');
    const offered = taker.locator('[data-open-swap]');
    expect(await offered.count()).toBe(1);
    expect(await offered.first().textContent()).toContain('钱多');
    await offered.first().locator('button[type=submit]').click();
    await taker.waitForSelector('[data-swap-flash]');
    expect(await taker.textContent('[data-swap-flash]')).toContain('换班成功');
    await saveScreenshot(taker, 'person-swap');

    await giver.reload();
    expect(await giver.getAttribute('[data-my-swaps] li', 'data-status')).toBe('published');
    const swaps = await request(h.app).get('/api/v1/swaps').set('Authorization', `Bearer ${h.plannerToken}`);
    expect(swaps.body.items.map((w: { fromCadreId: string; takerCadreId: string; status: string }) => [w.fromCadreId, w.takerCadreId, w.status])).toEqual([
      ['N01', 'N02', 'published'],
    ]);
    // The village head's page lists it among the village's swaps, who to whom.
    const head = (await issueToken(h.models, { role: 'village_head', villages: [EAST] })).token;
    const village = await (await browser.newContext(PHONE)).newPage();
    await village.goto(`${h.baseUrl}/village?token=${encodeURIComponent(head)}#swaps`);
    expect(await village.getAttribute('[data-swaps] li', 'data-swap-status')).toBe('published');
    expect(await village.textContent('[data-swaps] li')).toContain('钱多 交给 孔亮');
    await saveScreenshot(village, 'village-swaps');
  }, 360_000);
});
