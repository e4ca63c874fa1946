/**
 * A deterministic, realistic district for samples, tests and benchmarks: towns, villages,
 * gates, people and a week of availability, shaped after Zhenhai in December 2021
 * (see ../../../shared/DOMAIN.md). Same preset + seed = same data, byte for byte: the
 * generator owns its PRNG and never reads the clock or Math.random.
 */
import type { AvailabilityKind, AvailabilityWindow, Cadre, Gate } from '../../src/domain/types.js';
import { addDays, localInstant } from '../../src/domain/time.js';
import { mulberry32 } from './mulberry32.js';

export type Preset = 'village' | 'town' | 'district';

export interface GeneratedDistrict {
  gates: Gate[];
  cadres: Cadre[];
  availability: AvailabilityWindow[];
  planStart: '2021-12-13';
  timeZone: 'Asia/Shanghai';
}

export const PLAN_START = '2021-12-13' as const; // a Monday
export const TIME_ZONE = 'Asia/Shanghai' as const;
/** The weekly cap the generator assumes for people without their own (the solver's default). */
export const ASSUMED_DEFAULT_WEEKLY_CAP = 48;

interface Shape {
  towns: number[]; // indexes into TOWNS
  villagesPerTown: number[];
  gates: number;
  dispatchedPerTown: number[];
  /** Dispatched cadres who may be sent anywhere in the district (`*`), taken from the above. */
  dispatchedAnywhere: number;
  volunteersPerTown: number[];
  /** Number of the first village in its town (the `07` in gate id `ZS07-2`). */
  firstVillageNo: number;
}

const SHAPES: Record<Preset, Shape> = {
  // A village of 招宝山街道 that is not in the district sample (own name, village no. 99), so
  // both samples can be loaded into one database without a village changing town.
  village: { towns: [0], villagesPerTown: [1], gates: 1, dispatchedPerTown: [1], dispatchedAnywhere: 0, volunteersPerTown: [1], firstVillageNo: 99 },
  town: { towns: [3], villagesPerTown: [20], gates: 60, dispatchedPerTown: [4], dispatchedAnywhere: 0, volunteersPerTown: [10], firstVillageNo: 1 },
  district: {
    towns: [0, 1, 2, 3, 4, 5],
    villagesPerTown: [22, 18, 21, 20, 19, 20],
    gates: 375,
    dispatchedPerTown: [4, 3, 3, 4, 3, 3],
    dispatchedAnywhere: 12,
    volunteersPerTown: [9, 8, 9, 8, 8, 8],
    firstVillageNo: 1,
  },
};

/** Zhenhai's four sub-districts (街道) and two towns (镇), with a short code for ids. */
const TOWNS = [
  { name: '招宝山街道', code: 'ZBS', urban: true },
  { name: '蛟川街道', code: 'JC', urban: true },
  { name: '骆驼街道', code: 'LT', urban: true },
  { name: '庄市街道', code: 'ZS', urban: true },
  { name: '九龙湖镇', code: 'JLH', urban: false },
  { name: '澥浦镇', code: 'XP', urban: false },
] as const;

const VILLAGE_FIRST = [...'汇俞清新东西南北金银永兴和平安长宏光明中河湖山林桥沙泉横田星海岚龙凤福云蓝贵'];
const VILLAGE_SECOND = [...'源范水华城峰塘浦湾岭港头江溪园丰盛达洋泰岙畈墩浜'];
const GATE_NAMES = [
  '东门',
  '西门',
  '南门',
  '北门',
  '正门',
  '后门',
  '东侧小门',
  '西侧小门',
  '南侧小门',
  '北侧小门',
  '1号卡口',
  '2号卡口',
  '3号卡口',
  '菜场路口',
  '桥头卡口',
  '河边小门',
  '停车场入口',
  '学校路口',
];
const SURNAMES = [...'王陈李张胡周徐林叶沈郑应俞邵朱杨吴黄刘孙董金赵顾蒋任乐贺翁方虞忻毛谢钟孔汪'];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红玲志海波斌宇浩凯鹏辉晨俊婷雪琳燕萍飞峰慧丹鑫阳倩文亮旭东云春兰荣成龙忠'];
const PHONE_PREFIXES = [
  '130',
  '131',
  '132',
  '133',
  '135',
  '136',
  '137',
  '138',
  '139',
  '150',
  '151',
  '152',
  '153',
  '155',
  '157',
  '158',
  '159',
  '180',
  '181',
  '186',
  '187',
  '188',
  '189',
];

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }
}

interface VillageSpec {
  name: string;
  town: string;
  code: string; // e.g. ZS07
  gates: Gate[];
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const byNumber = (a: number, b: number): number => a - b;

export function generateDistrict(preset: Preset, seed = 1): GeneratedDistrict {
  const rng = new Rng(seed);
  const shape = SHAPES[preset];
  const villages = makeVillages(rng, shape);
  makeGates(rng, villages, shape.gates);
  markLateOpeningGates(rng, villages, preset === 'district' ? 2 : preset === 'town' ? 1 : 0);

  const phones = new Set<string>();
  const cadres: Cadre[] = [];
  const availability: AvailabilityWindow[] = [];
  const add = (cadre: Cadre, windows: AvailabilityWindow[]): void => {
    cadres.push(cadre);
    availability.push(...windows);
  };

  for (const village of villages) {
    for (let n = 1; n <= villageCadreCount(rng, village, preset); n++) {
      const id = `${village.code}-${pad(n, 3)}`;
      const cap = rng.pick<number | null>([null, null, null, null, null, null, null, 40, 40, 40, 32, 24]);
      add(
        {
          id,
          name: personName(rng),
          phone: phone(rng, phones),
          role: 'village_cadre',
          village: village.name,
          serves: [],
          maxHoursWeek: cap,
          nightOk: !rng.chance(0.15),
        },
        villageCadreWindows(rng, id),
      );
    }
  }

  // Numbered from the first village's number, so the village sample (no. 99) never shares an
  // id with the district sample.
  let dispatchedNo = shape.firstVillageNo - 1;
  let anywhereLeft = shape.dispatchedAnywhere;
  shape.towns.forEach((townIndex, t) => {
    const { name: town, code: townCode } = TOWNS[townIndex] as (typeof TOWNS)[number];
    const townVillages = villages.filter((v) => v.town === town);
    for (let i = 0; i < (shape.dispatchedPerTown[t] ?? 0); i++) {
      const id = `XC-${pad(++dispatchedNo, 2)}`;
      // The discipline office's own cadres: sent where needed, so most may go anywhere.
      const serves = anywhereLeft-- > 0 ? ['*'] : [town];
      add(
        {
          id,
          name: personName(rng),
          phone: phone(rng, phones),
          role: 'dispatched',
          village: rng.pick(townVillages).name,
          serves,
          maxHoursWeek: null,
          nightOk: true,
        },
        rng.chance(0.3) ? preferredWindows(rng, id, [0, 1, 2, 3, 4, 5, 6]) : [],
      );
    }
    for (let i = shape.firstVillageNo; i < shape.firstVillageNo + (shape.volunteersPerTown[t] ?? 0); i++) {
      const id = `ZY-${townCode}-${pad(i, 2)}`;
      add(
        {
          id,
          name: personName(rng),
          phone: phone(rng, phones),
          role: 'volunteer',
          village: rng.pick(townVillages).name,
          serves: [town],
          maxHoursWeek: rng.pick([24, 32, 40]),
          nightOk: rng.chance(0.4),
        },
        volunteerWindows(rng, id),
      );
    }
  });

  return { gates: villages.flatMap((v) => v.gates), cadres, availability, planStart: PLAN_START, timeZone: TIME_ZONE };
}

function makeVillages(rng: Rng, shape: Shape): VillageSpec[] {
  const stems = rng.shuffle(VILLAGE_FIRST.flatMap((a) => VILLAGE_SECOND.filter((b) => b !== a).map((b) => a + b)));
  const out: VillageSpec[] = [];
  shape.towns.forEach((townIndex, t) => {
    const town = TOWNS[townIndex] as (typeof TOWNS)[number];
    for (let v = shape.firstVillageNo; v < shape.firstVillageNo + (shape.villagesPerTown[t] ?? 0); v++) {
      // Sub-districts are mostly residential communities (社区), towns mostly villages (村).
      const suffix = rng.chance(town.urban ? 0.7 : 0.15) ? '社区' : '村';
      const stem = shape.firstVillageNo === 1 ? stems.pop() : stems.shift();
      out.push({ name: (stem as string) + suffix, town: town.name, code: `${town.code}${pad(v, 2)}`, gates: [] });
    }
  });
  return out;
}

/** One gate per village, the rest spread by a random village size: some villages hold 6+. */
function makeGates(rng: Rng, villages: VillageSpec[], total: number): void {
  const counts = villages.map(() => 1);
  const weights = villages.map(() => 0.3 + rng.float() * 1.7);
  const sum = weights.reduce((a, b) => a + b, 0);
  for (let extra = total - villages.length; extra > 0; extra--) {
    let r = rng.float() * sum;
    let i = 0;
    while (i < weights.length - 1 && (r -= weights[i] as number) > 0) i++;
    counts[i] = (counts[i] as number) + 1;
  }
  villages.forEach((village, v) => {
    const names = rng.shuffle(GATE_NAMES);
    for (let g = 1; g <= (counts[v] as number); g++) {
      const hours = rng.float();
      const [coverFrom, coverTo] = hours < 0.9 ? ['00:00', '24:00'] : hours < 0.97 ? ['06:00', '22:00'] : ['07:00', '19:00'];
      const staff = rng.float();
      village.gates.push({
        id: `${village.code}-${g}`,
        name: names[(g - 1) % names.length] as string,
        village: village.name,
        town: village.town,
        staffPerShift: staff < 0.85 ? 2 : staff < 0.93 ? 1 : 3,
        coverFrom,
        coverTo,
        activeFrom: null,
        activeTo: null,
        leadRequired: rng.chance(0.3),
      });
    }
  });
}

/** A new gate or two opens mid-week, as the control zone grows. */
function markLateOpeningGates(rng: Rng, villages: VillageSpec[], count: number): void {
  const gates = villages.flatMap((v) => v.gates);
  for (let i = 0; i < count; i++) {
    const gate = rng.pick(gates);
    gate.activeFrom = addDays(PLAN_START, 2 + i);
  }
}

/** Person-hours the village's gates need in the plan week. */
function villageDemandHours(village: VillageSpec): number {
  return village.gates.reduce((sum, g) => {
    const [from, to] = [g.coverFrom, g.coverTo].map((c) => Number(c.slice(0, 2)) + Number(c.slice(3)) / 60) as [number, number];
    const days = g.activeFrom === null ? 7 : 7 - (Date.parse(g.activeFrom) - Date.parse(PLAN_START)) / 86_400_000;
    return sum + g.staffPerShift * (to - from) * days;
  }, 0);
}

/**
 * Enough people for most villages, with an average weekly cap of about 45 h and a little
 * slack; about one village in eight is short-handed (the gaps a planner must see).
 */
function villageCadreCount(rng: Rng, village: VillageSpec, preset: Preset): number {
  if (preset === 'village') return 6;
  const short = rng.chance(0.12);
  const factor = short ? 0.86 + rng.float() * 0.1 : 1.14 + rng.float() * 0.12;
  return Math.max(3, Math.round((villageDemandHours(village) / 45) * factor));
}

function personName(rng: Rng): string {
  const given = rng.chance(0.7) ? rng.pick(GIVEN) + rng.pick(GIVEN) : rng.pick(GIVEN);
  return rng.pick(SURNAMES) + given;
}

function phone(rng: Rng, used: Set<string>): string {
  for (;;) {
    const p = rng.pick(PHONE_PREFIXES) + pad(rng.int(0, 99_999_999), 8);
    if (!used.has(p)) {
      used.add(p);
      return p;
    }
  }
}

function window(cadreId: string, day: number, from: number, to: number, kind: AvailabilityKind): AvailabilityWindow {
  const date = addDays(PLAN_START, day);
  return { cadreId, start: localInstant(date, from * 60, TIME_ZONE), end: localInstant(date, to * 60, TIME_ZONE), kind };
}

/**
 * Day jobs and family blocks (unavailable) on some days, preferences on others; never an
 * `unavailable` overlapping a `preferred`, since intake rejects such contradictions.
 */
function villageCadreWindows(rng: Rng, id: string): AvailabilityWindow[] {
  const profile = rng.float();
  const out: AvailabilityWindow[] = [];
  const freeDays = new Set([0, 1, 2, 3, 4, 5, 6]);
  if (profile < 0.45) {
    // A day job on some weekdays.
    const [from, to] = rng.pick([
      [8, 17],
      [9, 17],
      [8, 16],
    ] as const);
    for (const day of rng.shuffle([0, 1, 2, 3, 4]).slice(0, rng.int(2, 5)).sort(byNumber)) {
      out.push(window(id, day, from, to, 'unavailable'));
      freeDays.delete(day);
    }
  } else if (profile < 0.65) {
    // Family: evenings with children or elders, or a whole day away.
    for (const day of rng.shuffle([0, 1, 2, 3, 4, 5, 6]).slice(0, rng.int(1, 3)).sort(byNumber)) {
      out.push(rng.chance(0.7) ? window(id, day, 17, 21, 'unavailable') : window(id, day, 0, 24, 'unavailable'));
      freeDays.delete(day);
    }
  }
  if (profile >= 0.3 && profile < 0.8 && rng.chance(0.5)) out.push(...preferredWindows(rng, id, [...freeDays]));
  return out.sort((a, b) => a.start.getTime() - b.start.getTime());
}

function preferredWindows(rng: Rng, id: string, days: number[]): AvailabilityWindow[] {
  const [from, to] = rng.pick([
    [8, 16],
    [16, 24],
    [0, 8],
  ] as const);
  return rng
    .shuffle(days)
    .slice(0, rng.int(2, 4))
    .sort(byNumber)
    .map((day) => window(id, day, from, to, 'preferred'));
}

/** Volunteers offer only their free time: weekday evenings and weekends. */
function volunteerWindows(rng: Rng, id: string): AvailabilityWindow[] {
  const out = rng
    .shuffle([0, 1, 2, 3, 4])
    .slice(0, rng.int(2, 4))
    .sort(byNumber)
    .map((day) => window(id, day, 16, 24, 'available'));
  for (const day of [5, 6]) if (rng.chance(0.7)) out.push(window(id, day, 8, 24, 'available'));
  return out;
}
