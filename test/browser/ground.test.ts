/**
 * On the ground, in Chromium, over `http://roster.lan` (a LAN host name, plain http): a
 * planner prints a gate's check-in poster; a cadre opens their own page once, scans the
 * gate's code on a phone (360 px) and checks in with one tap; the village head's phone shows
 * the partner who did not come as 未到岗 and an inspection's open problem. The service's clock
 * is the test's (the roster fixture's 2021-12-13 day shift at 东门).
 *
 * Screenshots go to test-results/screenshots/ (see pages.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { api, seedRosterDistrict, type AssignmentView } from '../helpers/roster-fixtures.js';
import { issueToken } from '../../src/auth/tokens.js';
import { saveScreenshot, startBrowserHarness, type BrowserHarness } from './harness.js';

const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' };
const WAIT = 120_000;

let now = new Date('2021-12-13T07:30:00+08:00');
let h: BrowserHarness;
let desk: BrowserContext;
let phone: BrowserContext;
let planId = '';
let rostered: AssignmentView[] = [];
let gateUrl = '';

describe('check-in at the gate and inspections (LAN host, phone)', () => {
  beforeAll(async () => {
    h = await startBrowserHarness({ clock: () => now });
    const base = h.baseUrl as never;
    await seedRosterDistrict(base, h.plannerToken);
    planId = (await api(base, h.plannerToken).post('/api/v1/plans', { name: '两日值守', start: '2021-12-13', days: 2 })).body.id;
    const solveId = (await api(base, h.plannerToken).post(`/api/v1/plans/${planId}/solve`)).body.id;
    for (let i = 0; i < 600; i++) {
      const job = await h.api<{ status: string }>(`/solves/${solveId}`);
      if (job.status === 'done') break;
      if (job.status === 'failed') throw new Error('solve failed');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await api(base, h.plannerToken).post(`/api/v1/plans/${planId}/publish`, { solveId })).status).toBe(201);
    const roster = await h.api<{ assignments: AssignmentView[] }>(`/plans/${planId}/roster?gateId=G1`);
    rostered = roster.assignments.filter((a) => Date.parse(a.start) === Date.parse('2021-12-13T08:00:00+08:00'));
    desk = await h.browser.newContext({ viewport: { width: 900, height: 1000 }, locale: 'zh-CN' });
    phone = await h.browser.newContext(PHONE);
    for (const c of [desk, phone]) {
      c.setDefaultTimeout(WAIT);
      c.setDefaultNavigationTimeout(WAIT);
    }
  }, 300_000);

  afterAll(async () => {
    await desk?.close().catch(() => undefined);
    await phone?.close().catch(() => undefined);
    await h?.close();
  }, 60_000);

  it('when a planner opens a gate’s check-in poster, then it shows the gate and a QR code of its /gate link on the LAN host', async () => {
    expect(rostered.length).toBe(2);
    const page = await desk.newPage();
    await page.goto(`${h.lanUrl}/planner`);
    await page.fill('input[name=token]', h.plannerToken);
    await page.click('button[type=submit]');
    await page.waitForSelector('#uploads');
    await page.goto(`${h.lanUrl}/planner/gate-posters?village=${encodeURIComponent('东村')}&gateId=G1`);
    expect(await page.textContent('[data-poster-gate="G1"] h1')).toBe('东门');
    gateUrl = (await page.textContent('[data-gate-url]'))?.trim() ?? '';
    expect(gateUrl.startsWith(`${h.lanUrl}/gate/g_`)).toBe(true);
    expect(await page.getAttribute('[data-gate-qr]', 'src')).toMatch(/^data:image\/png;base64,/);
    await saveScreenshot(page, 'gate-poster');
  }, 300_000);

  it('when a cadre has opened their own page once, then on the phone the gate page knows them and one tap checks them in', async () => {
    now = new Date('2021-12-13T08:20:00+08:00');
    const person = rostered[0]!;
    const link = await api(h.baseUrl as never, h.plannerToken).post(`/api/v1/cadres/${person.cadreId}/feed-token`);
    const secret = new URL(link.body.url as string).pathname.replace(/^\/feeds\//, '').replace(/\.ics$/, '');
    const page = await phone.newPage();
    await page.goto(`${h.lanUrl}/me?token=${secret}`);
    await page.goto(gateUrl);
    expect(await page.textContent('[data-person]')).toBe(person.cadreName);
    await saveScreenshot(page, 'gate-check-in');
    await page.click('[data-action=check-in]');
    await page.waitForSelector('[data-state=in]');
    expect(await page.textContent('[data-flash]')).toBe('签到成功');
    await saveScreenshot(page, 'gate-checked-in');
    const gaps = await h.api<{ gaps: { reason: string; detailZh: string; start: string }[] }>(`/plans/${planId}/gaps?gateId=G1`);
    const noShow = gaps.gaps.find((g) => g.reason === 'no_show');
    expect(noShow?.detailZh).toContain(rostered[1]!.cadreName);
    expect(noShow?.detailZh).not.toContain(person.cadreName);
  }, 300_000);

  it('when an inspector records a problem, then the village head’s phone shows it with the no-show, and fixing it takes it off', async () => {
    const inspector = (await issueToken(h.models, { role: 'inspector', label: '第1督查组' })).token;
    const spot = await api(h.baseUrl as never, inspector).post('/api/v1/inspections', {
      gateId: 'G1',
      staffSeen: 1,
      namesChecked: [rostered[0]!.cadreName],
      visitorRegistration: false,
      temperatureChecks: true,
      problems: [{ category: 'understaffed', text: '一名值守人员未到岗', fixedOnSpot: false }],
    });
    expect(spot.status).toBe(201);
    const head = (await issueToken(h.models, { role: 'village_head', villages: ['东村'] })).token;
    const page = await phone.newPage();
    await page.goto(`${h.lanUrl}/village?token=${encodeURIComponent(head)}&plan=${planId}`);
    expect(await page.locator('[data-now-gate="G1"] [data-no-show]').count()).toBe(1);
    expect(await page.locator('[data-problem]').count()).toBe(1);
    await saveScreenshot(page, 'village-ground');
    await page.fill('[data-problem] input[name=note]', '已通知补岗');
    await page.click('[data-problem] [data-action=fix]');
    await page.waitForSelector('[data-problem-flash]');
    expect(await page.locator('[data-problem]').count()).toBe(0);
  }, 300_000);
});
