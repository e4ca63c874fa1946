/**
 * Districts built differently from the sample generator (generate-district.ts), for the
 * solver's benchmark of instance families and its property tests. The sample generator's
 * output is committed data (data/district) and stays as it is; this module is a second,
 * independent generator with a knob for each feature the sample lacks: skewed village sizes,
 * villages short or long of people, day jobs, evening- and weekend-only volunteers, lead
 * gates, partial-day gates, mid-week closures, personal caps from 16 to 56 h.
 *
 * Same family + seed + size = same data: the generator owns its PRNG (mulberry32).
 */
import type { AvailabilityWindow, Cadre, Gate } from '../../src/domain/types.js';
import { addDays, localInstant } from '../../src/domain/time.js';
import { mulberry32 } from './mulberry32.js';

export const FAMILY_PLAN_START = '2021-12-13'; // a Monday
export const FAMILY_TIME_ZONE = 'Asia/Shanghai';

/** Every feature of a generated district, as a number or a share. */
export interface FamilyKnobs {
  gates: number;
  towns: number;
  /** Gates per village are drawn from 1..maxVillageGates with weight 1/k^skew. */
  maxVillageGates: number;
  villageSizeSkew: number;
  /** People per unit of demand, district-wide (1 = enough hours for every place at the mean cap, before day jobs and nights). */
  staffing: number;
  /** Each village's own staffing varies by +- this share around the district's. */
  villageStaffingSpread: number;
  /** Share of village cadres with a day job (unavailable weekdays 08:00-17:00). */
  dayJobShare: number;
  /** Share of village cadres who do not take nights. */
  noNightShare: number;
  /** Share of gates that need a village-cadre lead on every shift. */
  leadShare: number;
  /** Share of gates covered 08:00-24:00 only. */
  partialDayShare: number;
  /** Share of gates that close mid-week (active until Wednesday or Thursday). */
  closureShare: number;
  /** Share of gates that need 3 people a shift (10 % of the rest need 1, the others 2). */
  threeStaffShare: number;
  /** Town-wide dispatched cadres (any time) and volunteers (weekday evenings from 17:00, weekends) per town. */
  dispatchedPerTown: number;
  volunteersPerTown: number;
  /** Dispatched cadres who may serve anywhere (`*`). */
  dispatchedAnywhere: number;
}

export type FamilyName = 'normal' | 'short' | 'long' | 'lead-heavy' | 'night-heavy' | 'city';

const DISTRICT: FamilyKnobs = {
  gates: 375,
  towns: 6,
  maxVillageGates: 8,
  villageSizeSkew: 1,
  staffing: 1,
  villageStaffingSpread: 0.3,
  dayJobShare: 0.3,
  noNightShare: 0.15,
  leadShare: 0.5,
  partialDayShare: 0.15,
  closureShare: 0.04,
  threeStaffShare: 0.05,
  dispatchedPerTown: 6,
  volunteersPerTown: 6,
  dispatchedAnywhere: 6,
};

/** The benchmark's families: the same district shape, one feature pushed each. */
export const FAMILIES: Record<FamilyName, FamilyKnobs> = {
  normal: DISTRICT,
  short: { ...DISTRICT, staffing: 0.8 },
  long: { ...DISTRICT, staffing: 1.25 },
  'lead-heavy': { ...DISTRICT, leadShare: 0.9, dayJobShare: 0.4, staffing: 0.95 },
  'night-heavy': { ...DISTRICT, noNightShare: 0.45, partialDayShare: 0, staffing: 1.05 },
  city: { ...DISTRICT, gates: 1500, towns: 20, dispatchedAnywhere: 20 },
};

/** A family at a smaller size (property tests): the same shares, fewer gates and towns. */
export function scaled(knobs: FamilyKnobs, gates: number, towns: number): FamilyKnobs {
  const f = gates / knobs.gates;
  return {
    ...knobs,
    gates,
    towns,
    dispatchedPerTown: Math.max(1, Math.round((knobs.dispatchedPerTown * knobs.towns * f) / towns)),
    volunteersPerTown: Math.max(1, Math.round((knobs.volunteersPerTown * knobs.towns * f) / towns)),
    dispatchedAnywhere: knobs.dispatchedAnywhere > 0 ? Math.max(1, Math.round(knobs.dispatchedAnywhere * f)) : 0,
  };
}

export interface GeneratedFamily {
  gates: Gate[];
  cadres: Cadre[];
  availability: AvailabilityWindow[];
  planStart: string;
  timeZone: string;
}

/** Hours one person is counted for when sizing a village (caps 16-56 h, day jobs, nights and rest bring the usable mean below the 48 h default). */
const SIZING_HOURS = 36;
const CAPS: readonly (number | null)[] = [null, null, null, null, 56, 40, 40, 32, 24, 16];

export function generateFamily(knobs: FamilyKnobs, seed: number): GeneratedFamily {
  const rng = mulberry32(seed * 7919 + 17);
  const float = (): number => rng();
  const chance = (p: number): boolean => rng() < p;
  const int = (lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;

  // Village sizes: weight 1/k^skew for k gates, so most villages are small and a few large.
  const weights = Array.from({ length: knobs.maxVillageGates }, (_, i) => 1 / (i + 1) ** knobs.villageSizeSkew);
  const total = weights.reduce((a, b) => a + b, 0);
  const drawSize = (): number => {
    let r = float() * total;
    for (let k = 0; k < weights.length; k++) if ((r -= weights[k] as number) <= 0) return k + 1;
    return weights.length;
  };
  const villages: { name: string; town: string; code: string; gates: Gate[] }[] = [];
  let left = knobs.gates;
  for (let v = 0; left > 0; v++) {
    const t = v % knobs.towns;
    const size = Math.min(left, drawSize());
    left -= size;
    const code = `T${pad(t + 1, 2)}V${pad(Math.floor(v / knobs.towns) + 1, 2)}`;
    villages.push({ name: `village ${code}`, town: `town T${pad(t + 1, 2)}`, code, gates: [] });
    for (let g = 1; g <= size; g++) {
      const partial = chance(knobs.partialDayShare);
      const staff = chance(knobs.threeStaffShare) ? 3 : chance(0.1) ? 1 : 2;
      villages[villages.length - 1]?.gates.push({
        id: `${code}-${g}`,
        name: `gate ${g}`,
        village: `village ${code}`,
        town: `town T${pad(t + 1, 2)}`,
        staffPerShift: staff,
        coverFrom: partial ? '08:00' : '00:00',
        coverTo: '24:00',
        activeFrom: null,
        activeTo: chance(knobs.closureShare) ? addDays(FAMILY_PLAN_START, int(2, 3)) : null,
        leadRequired: chance(knobs.leadShare),
      });
    }
  }

  const cadres: Cadre[] = [];
  const availability: AvailabilityWindow[] = [];
  const at = (id: string, day: number, from: number, to: number, kind: AvailabilityWindow['kind']): AvailabilityWindow => {
    const date = addDays(FAMILY_PLAN_START, day);
    return { cadreId: id, start: localInstant(date, from * 60, FAMILY_TIME_ZONE), end: localInstant(date, to * 60, FAMILY_TIME_ZONE), kind };
  };

  for (const village of villages) {
    const demand = village.gates.reduce((sum, g) => {
      const hours = g.coverFrom === '08:00' ? 16 : 24;
      const days = g.activeTo === null ? 7 : 1 + (Date.parse(g.activeTo) - Date.parse(FAMILY_PLAN_START)) / 86_400_000;
      return sum + g.staffPerShift * hours * days;
    }, 0);
    const factor = knobs.staffing * (1 + knobs.villageStaffingSpread * (2 * float() - 1));
    const count = Math.max(2, Math.round((demand / SIZING_HOURS) * factor));
    for (let n = 1; n <= count; n++) {
      const id = `${village.code}-${pad(n, 3)}`;
      cadres.push({
        id,
        name: id,
        phone: null,
        role: 'village_cadre',
        village: village.name,
        serves: [],
        maxHoursWeek: pick(CAPS),
        nightOk: !chance(knobs.noNightShare),
      });
      if (chance(knobs.dayJobShare)) for (let d = 0; d < 5; d++) availability.push(at(id, d, 8, 17, 'unavailable'));
      else if (chance(0.3)) availability.push(at(id, int(0, 6), 0, 24, 'unavailable'));
      if (chance(0.2)) {
        const [from, to] = pick([
          [8, 16],
          [16, 24],
          [0, 8],
        ] as const);
        const day = int(0, 6);
        // Never a preference inside an unavailable window (intake rejects those).
        if (
          !availability.some(
            (w) =>
              w.cadreId === id &&
              w.kind === 'unavailable' &&
              w.start.getTime() < at(id, day, from, to, 'preferred').end.getTime() &&
              at(id, day, from, to, 'preferred').start.getTime() < w.end.getTime(),
          )
        )
          availability.push(at(id, day, from, to, 'preferred'));
      }
    }
  }

  let anywhere = knobs.dispatchedAnywhere;
  for (let t = 0; t < knobs.towns; t++) {
    const town = `town T${pad(t + 1, 2)}`;
    const home = villages.filter((v) => v.town === town);
    if (home.length === 0) continue;
    for (let i = 1; i <= knobs.dispatchedPerTown; i++) {
      const id = `D-T${pad(t + 1, 2)}-${pad(i, 2)}`;
      const serves = anywhere-- > 0 ? ['*'] : [town];
      cadres.push({ id, name: id, phone: null, role: 'dispatched', village: pick(home).name, serves, maxHoursWeek: pick([null, 48, 56]), nightOk: true });
    }
    for (let i = 1; i <= knobs.volunteersPerTown; i++) {
      const id = `Y-T${pad(t + 1, 2)}-${pad(i, 2)}`;
      cadres.push({
        id,
        name: id,
        phone: null,
        role: 'volunteer',
        village: pick(home).name,
        serves: [town],
        maxHoursWeek: pick([16, 24, 32, 40]),
        nightOk: chance(0.4),
      });
      // Free only weekday evenings from 17:00 (too late for a 16:00 shift) and weekends.
      for (let d = 0; d < 5; d++) if (chance(0.6)) availability.push(at(id, d, 17, 24, 'available'));
      const weekend = [5, 6].filter(() => chance(0.85));
      // At least one weekend day: a volunteer with no window at all would count as free all week.
      for (const d of weekend.length ? weekend : [5]) availability.push(at(id, d, 0, 24, 'available'));
    }
  }
  return { gates: villages.flatMap((v) => v.gates), cadres, availability, planStart: FAMILY_PLAN_START, timeZone: FAMILY_TIME_ZONE };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
