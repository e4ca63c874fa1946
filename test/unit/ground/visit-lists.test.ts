import { describe, expect, it } from 'vitest';
import { addDays } from '../../../src/domain/time.js';
import {
  planVisits,
  seededRandom,
  visitDayOf,
  type PastVisit,
  type ShiftLayout,
  type Squad,
  type VisitGate,
  type VisitInput,
  type VisitPlan,
} from '../../../src/ground/visit-lists.js';
import { visitChance, systematicSample } from '../../../src/ground/visit-selection.js';
import { daysBetween } from '../../../src/ground/visit-slots.js';
import { simulateVisits, visitFigures } from '../../../scripts/bench/visits.js';

const START = '2021-12-13';
const EIGHT_HOURS: ShiftLayout = { timezone: 'Asia/Shanghai', shiftHours: 8, firstShiftStart: '00:00' };
const TWELVE_FROM_EIGHT: ShiftLayout = { timezone: 'Asia/Shanghai', shiftHours: 12, firstShiftStart: '08:00' };

function gate(id: string, village: string, town: string, extra: Partial<VisitGate> = {}): VisitGate {
  return { id, village, town, coverFrom: '00:00', coverTo: '24:00', activeFrom: null, activeTo: null, ...extra };
}

/** Two towns of three villages, 2-3 gates each; one day-only gate. */
function smallDistrict(): VisitGate[] {
  const gates: VisitGate[] = [];
  for (const town of ['东镇', '西镇']) {
    for (const v of [1, 2, 3]) {
      const village = `${town}${v}村`;
      for (let g = 1; g <= 2 + (v % 2); g++) gates.push(gate(`${town}-${v}-${g}`, village, town));
    }
  }
  gates[0] = { ...gates[0]!, coverFrom: '07:00', coverTo: '19:00' };
  return gates;
}

const SMALL_SQUADS: Squad[] = [
  { id: 'east', scope: ['东镇'] },
  { id: 'west', scope: ['西镇'] },
  { id: 'roving', scope: 'district' },
];

/** Plans `days` days in a row, each day's visits fed back as done. */
function runDays(base: Omit<VisitInput, 'date' | 'history'>, days: number): VisitPlan[] {
  const history: PastVisit[] = [];
  const plans: VisitPlan[] = [];
  for (let d = 0; d < days; d++) {
    const plan = planVisits({ ...base, date: addDays(START, d), history, startedOn: START });
    plans.push(plan);
    for (const v of plan.lists.flatMap((l) => l.visits)) history.push({ gateId: v.gateId, at: v.start });
  }
  return plans;
}

const allVisits = (plan: VisitPlan) => plan.lists.flatMap((l) => l.visits);

/** Largest gap in days between consecutive visits of each gate, counting from the day before `START`. */
function worstGap(plans: VisitPlan[], gates: VisitGate[]): number {
  let worst = 0;
  for (const g of gates) {
    let previous = -1;
    plans.forEach((p, d) => {
      if (allVisits(p).some((v) => v.gateId === g.id)) {
        worst = Math.max(worst, d - previous);
        previous = d;
      }
    });
    worst = Math.max(worst, plans.length - previous); // not yet due at the end is fine only if <= K
  }
  return worst;
}

describe('planVisits on a small district', () => {
  it('when planned for 20 days with K = 2 or 3, then no gate goes more than K days without a visit', () => {
    for (const windowDays of [2, 3]) {
      const gates = smallDistrict();
      const plans = runDays({ gates, squads: SMALL_SQUADS, layout: EIGHT_HOURS, windowDays, random: seededRandom(windowDays) }, 20);
      expect(worstGap(plans, gates)).toBeLessThanOrEqual(windowDays);
      expect(plans.every((p) => p.unplanned.length === 0)).toBe(true);
    }
  });

  it('when a squad is kept to one town, then its list holds only gates of that town', () => {
    const plans = runDays({ gates: smallDistrict(), squads: SMALL_SQUADS, layout: EIGHT_HOURS, random: seededRandom(7) }, 10);
    for (const plan of plans) {
      for (const list of plan.lists) {
        const scope = SMALL_SQUADS.find((s) => s.id === list.squadId)!.scope;
        if (scope !== 'district') expect(list.visits.every((v) => scope.includes(v.town))).toBe(true);
      }
    }
  });

  it('when no squad covers a town, then its gates are named unplanned on the day they fall due, not dropped silently', () => {
    const gates = [...smallDistrict(), gate('北-1-1', '北1村', '北镇')];
    const plans = runDays(
      {
        gates,
        squads: [
          { id: 'east', scope: ['东镇'] },
          { id: 'west', scope: ['西镇'] },
        ],
        layout: EIGHT_HOURS,
        random: seededRandom(3),
      },
      3,
    );
    expect(plans[2]!.unplanned).toContainEqual({ gateId: '北-1-1', reason: 'no_squad_in_scope' });
    expect(plans.flatMap(allVisits).some((v) => v.gateId === '北-1-1')).toBe(false);
  });

  it('when lists are made, then every day at least the night share of visits falls in the night hours, and only those count as night', () => {
    const plans = runDays({ gates: smallDistrict(), squads: SMALL_SQUADS, layout: EIGHT_HOURS, nightShare: 0.25, random: seededRandom(11) }, 15);
    for (const plan of plans) {
      const visits = allVisits(plan);
      const night = visits.filter((v) => v.night);
      expect(night.length).toBeGreaterThanOrEqual(Math.ceil(0.25 * visits.length));
      for (const v of visits) expect(v.night).toBe(v.localStart < '06:00');
    }
  });

  it('when the plan runs 3 x 8 h from 00:00 or 2 x 12 h from 08:00, then night is its night shift within 22:00-06:00', () => {
    const base = { gates: smallDistrict(), squads: SMALL_SQUADS, history: [], date: START, random: seededRandom(1) };
    expect(planVisits({ ...base, layout: EIGHT_HOURS }).nightHours).toEqual(['00:00-06:00']);
    const twelve = planVisits({ ...base, layout: TWELVE_FROM_EIGHT });
    expect(twelve.nightHours).toEqual(['22:00-06:00']);
    expect(twelve.dayStart.toISOString()).toBe('2021-12-13T00:00:00.000Z'); // 08:00 in Shanghai
  });

  it('when a gate is staffed 07:00-19:00 only, then it is only ever visited inside those hours', () => {
    const plans = runDays({ gates: smallDistrict(), squads: SMALL_SQUADS, layout: EIGHT_HOURS, random: seededRandom(5) }, 20);
    const visits = plans.flatMap(allVisits).filter((v) => v.gateId === '东镇-1-1');
    expect(visits.length).toBeGreaterThan(5);
    for (const v of visits) expect(v.localStart >= '07:00' && v.localEnd <= '19:00' && !v.night).toBe(true);
  });

  it('when a gate opens mid-programme, then it is not listed before and is visited within K days of opening', () => {
    const gates = [...smallDistrict(), gate('东镇-9-1', '东镇9村', '东镇', { activeFrom: addDays(START, 4) })];
    const plans = runDays({ gates, squads: SMALL_SQUADS, layout: EIGHT_HOURS, random: seededRandom(9) }, 10);
    const days = plans.flatMap((p, d) => (allVisits(p).some((v) => v.gateId === '东镇-9-1') ? [d] : []));
    expect(days[0]).toBeGreaterThanOrEqual(4);
    expect(days[0]).toBeLessThanOrEqual(4 + 2);
  });

  it('when a gate was already visited today, then asking for the list again does not send a squad back', () => {
    const history: PastVisit[] = [{ gateId: '西镇-2-1', at: new Date('2021-12-15T02:00:00Z') }]; // 10:00 local, Dec 15
    for (let seed = 0; seed < 20; seed++) {
      const plan = planVisits({
        gates: smallDistrict(),
        squads: SMALL_SQUADS,
        layout: EIGHT_HOURS,
        date: '2021-12-15',
        history,
        startedOn: START,
        random: seededRandom(seed),
      });
      expect(allVisits(plan).some((v) => v.gateId === '西镇-2-1')).toBe(false);
    }
  });

  it('when a village is drawn, then its gates (same hours, a fair share in size) go to one squad in one window', () => {
    const plans = runDays({ gates: smallDistrict(), squads: SMALL_SQUADS, layout: EIGHT_HOURS, random: seededRandom(13) }, 10);
    for (const plan of plans) {
      const byVillage = new Map<string, Set<string>>();
      for (const list of plan.lists) {
        for (const v of list.visits.filter((x) => x.gateId !== '东镇-1-1')) {
          byVillage.set(v.village, (byVillage.get(v.village) ?? new Set()).add(`${list.squadId} ${v.localStart}`));
        }
      }
      for (const trips of byVillage.values()) expect(trips.size).toBe(1);
    }
  });

  it('when one seed is used twice, then the lists are the same; another seed, other lists', () => {
    const base = { gates: smallDistrict(), squads: SMALL_SQUADS, layout: EIGHT_HOURS };
    const a = runDays({ ...base, random: seededRandom(42) }, 5);
    const b = runDays({ ...base, random: seededRandom(42) }, 5);
    const c = runDays({ ...base, random: seededRandom(43) }, 5);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('when no random source is given, then two calls draw differently (crypto, not a fixed rotation)', () => {
    const input = { gates: smallDistrict(), squads: SMALL_SQUADS, layout: EIGHT_HOURS, date: START, history: [] };
    const plans = Array.from({ length: 5 }, () => planVisits(input));
    expect(new Set(plans.map((p) => JSON.stringify(p.lists))).size).toBeGreaterThan(1);
  });

  it('when K or the night share is out of range, then it throws (a programmer error)', () => {
    const input = { gates: smallDistrict(), squads: SMALL_SQUADS, layout: EIGHT_HOURS, date: START, history: [] };
    expect(() => planVisits({ ...input, windowDays: 0 })).toThrow(RangeError);
    expect(() => planVisits({ ...input, nightShare: 1.5 })).toThrow(RangeError);
  });
});

describe('the draw', () => {
  it('when K = 3, then a gate is drawn 1/3, then 1/2, then surely: every interval 1..3 equally likely', () => {
    expect([1, 2, 3, 4].map((d) => visitChance(d, 3))).toEqual([1 / 3, 1 / 2, 1, 1]);
    expect(visitChance(0, 3)).toBe(0);
    const p1 = visitChance(1, 3);
    const p2 = (1 - p1) * visitChance(2, 3);
    const p3 = (1 - p1) * (1 - visitChance(2, 3)) * visitChance(3, 3);
    expect([p1, p2, p3].map((p) => p.toFixed(6))).toEqual(Array(3).fill((1 / 3).toFixed(6)));
  });

  it('when sampling systematically, then each candidate is taken at its chance and the count is fixed to within one', () => {
    const candidates = [0.2, 0.5, 1, 0.3, 0.9, 0.1].map((chance, id) => ({ id, chance }));
    const random = seededRandom(2);
    const taken = new Array(candidates.length).fill(0);
    const runs = 20_000;
    for (let r = 0; r < runs; r++) {
      const chosen = systematicSample(candidates, random);
      expect(chosen.length === 3 || chosen.length === 4).toBe(true); // sum of chances 3.0
      for (const c of chosen) taken[c.id]++;
    }
    candidates.forEach((c) => expect(Math.abs(taken[c.id] / runs - c.chance)).toBeLessThan(0.015));
  });

  it('when an instant falls before the first shift start, then it belongs to the previous visit day', () => {
    expect(visitDayOf(new Date('2021-12-13T23:59:00Z'), TWELVE_FROM_EIGHT)).toBe('2021-12-13'); // 07:59 Dec 14 local
    expect(visitDayOf(new Date('2021-12-14T00:00:00Z'), TWELVE_FROM_EIGHT)).toBe('2021-12-14'); // 08:00 Dec 14 local
    expect(visitDayOf(new Date('2021-12-13T23:59:00Z'), EIGHT_HOURS)).toBe('2021-12-14');
  });
});

describe('30 days of the district sample with 28 squads', () => {
  const sim = simulateVisits();
  const figures = visitFigures(sim);

  it('when simulated, then every gate is visited in every 3-day window and no due gate is left off', () => {
    expect(figures.windows.met).toBe(figures.windows.total);
    expect(figures.windows.total).toBeGreaterThan(375 * 27);
    expect(figures.windows.worstGapDays).toBeLessThanOrEqual(3);
    expect(figures.unplanned).toBe(0);
  });

  it('when simulated, then no squad visits outside its scope and every day meets the night share', () => {
    expect(figures.outOfScope).toBe(0);
    expect(figures.night.lowestDay).toBeGreaterThanOrEqual(0.25);
    expect(figures.night.highestDay).toBeLessThan(0.3);
  });

  it('when simulated, then squads share the load and travel to few villages', () => {
    const mean = figures.visitsPerSquadDay.mean;
    expect(figures.visitsPerSquadDay.max).toBeLessThanOrEqual(Math.ceil(mean) + 4);
    expect(figures.visitsPerSquadDay.min).toBeGreaterThanOrEqual(Math.floor(mean) - 4);
    expect(figures.villagesPerSquadDay.median).toBeLessThanOrEqual(3);
  });

  it('when a gate guesses its next visit from its past ones, then it does no better than chance', () => {
    const { day, hour } = figures.predictability;
    expect(figures.predictability.events).toBeGreaterThan(3000);
    for (const rate of [day.sameIntervalAsLast, day.mostCommonInterval, day.atDeadline]) expect(rate).toBeLessThan(day.chance + 0.03);
    for (const rate of [hour.sameHourAsLast, hour.mostCommonHour]) expect(rate).toBeLessThan(hour.chance + 0.015);
  });

  it('when capped at 5 visits a squad-day, then the K rule still holds and the cap holds on average', () => {
    const capped = visitFigures(simulateVisits({ maxVisitsPerSquadDay: 5 }));
    expect(capped.windows.met).toBe(capped.windows.total);
    expect(capped.visitsPerSquadDay.mean).toBeLessThanOrEqual(5.05);
  });

  it('when simulated, then every visit lies in its own day and the day ends 24 h after it starts', () => {
    for (const plan of sim.plans) {
      expect(plan.dayEnd.getTime() - plan.dayStart.getTime()).toBe(86_400_000);
      for (const v of allVisits(plan)) {
        expect(v.start >= plan.dayStart && v.end <= plan.dayEnd).toBe(true);
        expect(daysBetween(sim.start, visitDayOf(v.start, sim.layout))).toBe(daysBetween(sim.start, plan.date));
      }
    }
  });
});
