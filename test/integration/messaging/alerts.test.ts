/**
 * Gap alerts (next 24 h) and the daily report (一日一报), from the published state to the local
 * robot server, told once however many sweeps (or processes) run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localDate, localInstant } from '../../../src/domain/time.js';
import { createLogger } from '../../../src/logger.js';
import { AlertSweep } from '../../../src/messaging/index.js';
import { csvUpload, put, sheetOf } from '../../helpers/fixtures.js';
import { ROSTER_GATES, api, publish, seedRosterDistrict, solve, testWorker } from '../../helpers/roster-fixtures.js';
import { createTestApp, type TestApp } from '../../helpers/test-app.js';
import { drain, testDelivery } from './helpers.js';
import { startRobotServer, type RobotServer } from './robot-server.js';

let t: TestApp;
let robots: RobotServer;
let planner: string;
let planId: string;
const TZ = 'Asia/Shanghai';

beforeAll(async () => {
  robots = await startRobotServer();
  robots.secrets.set('town-feishu', 'fs-secret');
  robots.secrets.set('district-hook', 'hook-secret');
  t = await createTestApp();
  planner = await t.token({ role: 'planner' });
  await seedRosterDistrict(t.app, planner);
});
afterAll(async () => {
  await t?.close();
  await robots?.close();
});

describe('gap alerts and the daily report', () => {
  it('when the live roster has gaps in the next 24 h, then the village group is told once, and the town and planners get the daily report once', async () => {
    // Arrange
    for (const body of [
      { kind: 'wecom', url: robots.urlOf('wecom', 'east-gaps'), villages: ['东村'], events: ['gap'] },
      { kind: 'feishu', url: robots.urlOf('feishu', 'town-feishu'), secret: 'fs-secret', towns: ['庄市街道'], events: ['daily_report'] },
      { kind: 'webhook', url: robots.urlOf('webhook', 'district-hook'), secret: 'hook-secret', events: ['daily_report'] },
    ]) {
      expect((await api(t.app, planner).post('/api/v1/channels', body)).status).toBe(201);
    }
    const today = localDate(new Date(), TZ);
    planId = (await api(t.app, planner).post('/api/v1/plans', { name: '今明值守', start: today, days: 2 })).body.id as string;
    await publish(t.app, planner, planId, await solve(t.app, planner, testWorker(t.models), planId));
    const now = new Date();
    const gaps = (await api(t.app, planner).get(`/api/v1/plans/${planId}/gaps?village=东村`)).body.gaps as { start: string; end: string }[];
    const soon = gaps.filter((g) => new Date(g.end) > now && new Date(g.start).getTime() < now.getTime() + 86_400_000);
    expect(soon.length, 'the fixture leaves night gaps in 东村').toBeGreaterThan(0);

    // Act: two sweeps in this "process", one in another, each followed by delivery.
    const delivery = testDelivery(t.models, createLogger('silent'));
    const sweep = new AlertSweep(t.models, { timeZone: TZ, dailyReportAt: '00:00' });
    await sweep.run(now);
    await drain(delivery);
    await sweep.run(now);
    await new AlertSweep(t.models, { timeZone: TZ, dailyReportAt: '00:00' }).run(now);
    await drain(delivery);
    await delivery.stop();

    // Assert
    const east = robots.received.filter((r) => r.robot === 'east-gaps');
    expect(east.length, east.map((r) => r.text).join('\n---\n')).toBe(1);
    expect(east[0]!.text).toContain(`缺口提醒：东村 ${soon.length} 个班次缺人`);
    expect(east[0]!.text.match(/⚠ /g)?.length).toBe(soon.length);
    const reports = robots.received.filter((r) => r.robot === 'town-feishu' || r.robot === 'district-hook');
    expect(reports.map((r) => r.robot).sort()).toEqual(['district-hook', 'town-feishu']);
    for (const r of reports) {
      expect(r.text).toContain(`一日一报 ${today}`.slice(r.kind === 'webhook' ? 99 : 0));
      expect(r.text).toMatch(/【庄市街道】\n今日（\d\d-\d\d）：在岗 \d+\/\d+ 人次/);
    }
    expect(robots.rejected).toEqual([]);
  });

  it('when a re-publish leaves no place short at a gate, then the village group is told those places are filled, once', async () => {
    // Arrange: 东门 needs one person a shift instead of two, so its night gaps close.
    const gates = ROSTER_GATES.map((g) => (g.id === 'G1' ? { ...g, staff_per_shift: 1 } : g));
    expect((await put(t.app, planner, 'gates', csvUpload(sheetOf('gates', gates)))).status).toBe(200);
    const before = robots.received.filter((r) => r.robot === 'east-gaps').length;

    // Act
    await publish(t.app, planner, planId, await solve(t.app, planner, testWorker(t.models), planId));
    const delivery = testDelivery(t.models, createLogger('silent'));
    const sweep = new AlertSweep(t.models, { timeZone: TZ, dailyReportAt: '23:59' });
    await sweep.run();
    await sweep.run();
    await drain(delivery);
    await delivery.stop();

    // Assert
    const told = robots.received.filter((r) => r.robot === 'east-gaps').slice(before);
    expect(told.length, told.map((r) => r.text).join('\n---\n')).toBe(1);
    expect(told[0]!.text).toMatch(/已补齐：\n✓ \d+月\d+日 \d\d:\d\d–\d\d:\d\d 东村东门/);
  });

  it('when the plan belongs to a campaign, then the next day’s report gives each town what its people carried in the campaign to date', async () => {
    // Arrange: the plan joins a campaign that starts today and is published again in it.
    const today = localDate(new Date(), TZ);
    const campaign = await api(t.app, planner).post('/api/v1/campaigns', { name: '镇海专项', start: today });
    expect(campaign.status, JSON.stringify(campaign.body)).toBe(201);
    expect((await api(t.app, planner).patch(`/api/v1/plans/${planId}`, { campaignId: campaign.body.id })).status).toBe(200);
    await publish(t.app, planner, planId, await solve(t.app, planner, testWorker(t.models), planId));
    const rows = (await api(t.app, planner).get(`/api/v1/plans/${planId}/roster`)).body.assignments as {
      cadreId: string;
      town: string;
      start: string;
      end: string;
    }[];
    const hoursOf = new Map<string, number>();
    for (const r of rows.filter((r) => r.town === '庄市街道'))
      hoursOf.set(r.cadreId, (hoursOf.get(r.cadreId) ?? 0) + (Date.parse(r.end) - Date.parse(r.start)) / 3_600_000);
    const figures = (await api(t.app, planner).get(`/api/v1/campaigns/${campaign.body.id}/figures`)).body as {
      from: string;
      to: string;
      people: { village: string; hours: number; nights: number }[];
      villages: { village: string; town: string }[];
    };
    const townVillages = new Set(figures.villages.filter((v) => v.town === '庄市街道').map((v) => v.village));
    const people = figures.people.filter((p) => townVillages.has(p.village));
    const hours = people.map((p) => p.hours).sort((a, b) => a - b);
    const before = robots.received.length;

    // Act: the report of the next day (a day's report is sent once).
    const tomorrowNoon = localInstant(addDays(today, 1), 12 * 60, TZ);
    const delivery = testDelivery(t.models, createLogger('silent'));
    await new AlertSweep(t.models, { timeZone: TZ, dailyReportAt: '00:00' }).run(tomorrowNoon);
    // Staged as of tomorrow noon, so it is sent by a delivery pass of that time.
    for (let pass = 0; pass < 100 && !robots.received.slice(before).some((r) => r.robot === 'town-feishu'); pass++) {
      await delivery.runOnce(tomorrowNoon.getTime());
      await new Promise((r) => setTimeout(r, 50));
    }
    await delivery.stop();

    // Assert: the most anyone carried is what the roster gives them; min and median over everyone counted.
    expect(Math.max(...hoursOf.values())).toBe(hours.at(-1));
    const median = hours.length % 2 ? hours[hours.length >> 1] : ((hours[hours.length / 2 - 1] as number) + (hours[hours.length / 2] as number)) / 2;
    const line = `专项「镇海专项」至今（${figures.from.slice(5)} 至 ${figures.to.slice(5)}，${people.length} 人）：每人工时 最少 ${hours[0]} / 中位 ${median} / 最多 ${hours.at(-1)} 小时，夜班 最多 ${Math.max(...people.map((p) => p.nights))} 个`;
    const town = robots.received.slice(before).filter((r) => r.robot === 'town-feishu');
    expect(town.length).toBe(1);
    expect(town[0]!.text).toContain(`【庄市街道】`);
    expect(town[0]!.text).toContain(line);
  });
});
