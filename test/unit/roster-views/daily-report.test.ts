import { describe, expect, it } from 'vitest';
import { dailyReport } from '../../../src/roster/views/index.js';
import { at, CADRES, duty, gap, GATES, sampleRoster, ZONE } from './fixtures.js';

// Expected numbers for 2021-12-13, worked out from the table in fixtures.ts:
// 俞范村 places: G2 00-08 0/2, G1 08-16 2/2, G1 16-24 1/2, G2 20-08 2/2 -> 5/8 = 62.5 %
//        gap hours: G2 00-08 2 x 8 + G1 16-24 1 x 8 = 24
//        hours: 8 + 8 (08-16) + 8 (16-24) + 4 + 4 (20-24) = 32; the 12-12 16-24 shift gives 0
// 盛家村 places: G3 08-20 1/2 -> 50 %; gap hours 1 x 12; hours 8 (night from 12-12) + 12 = 20
// 临江村 nothing -> zeros, percent null
describe('dailyReport', () => {
  const report = dailyReport(sampleRoster(), GATES, CADRES, '2021-12-13', ZONE);
  const village = (name: string) => report.towns.flatMap((t) => t.villages).find((v) => v.village === name);

  it('when a village had shifts, then places, gaps and hours are counted by the documented rules', () => {
    expect(village('俞范村')).toEqual({
      village: '俞范村',
      town: '蛟川街道',
      placesNeeded: 8,
      placesFilled: 5,
      percentCovered: 62.5,
      gaps: 2,
      gapHours: 24,
      hoursWorked: 32,
    });
    expect(village('盛家村')).toEqual({
      village: '盛家村',
      town: '骆驼街道',
      placesNeeded: 2,
      placesFilled: 1,
      percentCovered: 50,
      gaps: 1,
      gapHours: 12,
      hoursWorked: 20,
    });
  });

  it('when a village had no shifts that day, then it is listed with zeros and no percent', () => {
    expect(village('临江村')).toEqual({
      village: '临江村',
      town: '蛟川街道',
      placesNeeded: 0,
      placesFilled: 0,
      percentCovered: null,
      gaps: 0,
      gapHours: 0,
      hoursWorked: 0,
    });
  });

  it('when grouped, then towns sum their villages and appear in pinyin order', () => {
    expect(report.towns.map((t) => t.town)).toEqual(['蛟川街道', '骆驼街道']);
    expect(report.towns[0]?.villages.map((v) => v.village)).toEqual(['临江村', '俞范村']);
    expect(report.towns[0]).toMatchObject({ placesNeeded: 8, placesFilled: 5, percentCovered: 62.5, gaps: 2, gapHours: 24, hoursWorked: 32 });
  });

  it('when totalled, then the district adds up every town, with hours by role', () => {
    expect(report.district).toEqual({
      placesNeeded: 10,
      placesFilled: 6,
      percentCovered: 60,
      gaps: 3,
      gapHours: 36,
      hoursWorked: 52,
      // 张三 16 + 赵六 20; 李四 8 + 4; 王五 4
      hoursByRole: { village_cadre: 36, dispatched: 12, volunteer: 4 },
    });
    expect(report.dayStart).toEqual(at('2021-12-13 00:00'));
    expect(report.dayEnd).toEqual(at('2021-12-14 00:00'));
  });

  it('when a night shift crosses midnight, then each day gets only its own hours and the place counts once', () => {
    const roster = { assignments: [duty('C1', 'G1', '2021-12-13 20:00', '2021-12-14 08:00')], gaps: [] };
    const day1 = dailyReport(roster, GATES, CADRES, '2021-12-13', ZONE).district;
    const day2 = dailyReport(roster, GATES, CADRES, '2021-12-14', ZONE).district;
    expect([day1.hoursWorked, day2.hoursWorked]).toEqual([4, 8]);
    expect([day1.placesNeeded, day2.placesNeeded]).toEqual([1, 0]);
  });

  it('when one gate-shift has two gap records, then it is one gap and its empty seats count once', () => {
    const roster = {
      assignments: [duty('C1', 'G1', '2021-12-13 08:00', '2021-12-13 16:00')],
      gaps: [
        gap('G1', '2021-12-13 08:00', '2021-12-13 16:00', 2, 1, 'no_lead_available'),
        gap('G1', '2021-12-13 08:00', '2021-12-13 16:00', 2, 1, 'rest_rule'),
      ],
    };
    expect(dailyReport(roster, GATES, CADRES, '2021-12-13', ZONE).district).toMatchObject({
      placesNeeded: 2,
      placesFilled: 1,
      percentCovered: 50,
      gaps: 1,
      gapHours: 8,
      hoursWorked: 8,
    });
  });

  it("when the zone is another one, then the day is that zone's local day", () => {
    const roster = { assignments: [duty('C1', 'G1', '2021-12-13 08:00', '2021-12-13 16:00')], gaps: [] };
    // 08:00-16:00 Shanghai = 00:00-08:00 UTC on the 13th.
    expect(dailyReport(roster, GATES, CADRES, '2021-12-13', 'UTC').district.hoursWorked).toBe(8);
    expect(dailyReport(roster, GATES, CADRES, '2021-12-12', 'UTC').district.hoursWorked).toBe(0);
  });
});
