/**
 * A small district solved by a standby solve thread before it is asked for anything
 * (src/roster/solve-thread-entry.ts), so the first real solve of a thread runs code V8 has
 * already optimised. Its shape takes every stage's main path: villages short of their own
 * people (their MILPs run), lead gates, town-wide cadres and district-wide volunteers (the
 * towns and district stages), day-job people with set hours, and nights.
 */
import { planSpecSchema } from '../domain/plan.js';
import { localInstant, addDays } from '../domain/time.js';
import type { AvailabilityWindow, Cadre, Gate, Role } from '../domain/types.js';
import type { SolveInput } from './types.js';

const TOWNS = 2;
const VILLAGES_PER_TOWN = 3;
const GATES_PER_VILLAGE = 3;
const DAYS = 7;
const START = '2020-01-06';
const ZONE = 'Asia/Shanghai';

export function primerInput(): SolveInput {
  const gates: Gate[] = [];
  const cadres: Cadre[] = [];
  const availability: AvailabilityWindow[] = [];
  const person = (id: string, role: Role, village: string, serves: string[], nightOk: boolean) =>
    cadres.push({ id, name: id, phone: null, role, village, serves, maxHoursWeek: null, nightOk });
  for (let t = 0; t < TOWNS; t++) {
    const town = `T${t}`;
    for (let v = 0; v < VILLAGES_PER_TOWN; v++) {
      const village = `${town}V${v}`;
      for (let g = 0; g < GATES_PER_VILLAGE; g++) {
        const dayOnly = g === 2 && v % 2 === 1;
        gates.push({
          id: `${village}G${g}`,
          name: `${village}G${g}`,
          village,
          town,
          staffPerShift: g === 0 ? 2 : 1,
          coverFrom: dayOnly ? '06:00' : '00:00',
          coverTo: dayOnly ? '22:00' : '24:00',
          activeFrom: null,
          activeTo: null,
          leadRequired: g === 0,
        });
      }
      // Fewer own people in every other village: short villages go to the engine.
      const own = v % 2 === 0 ? 14 : 9;
      for (let i = 0; i < own; i++) {
        const id = `${village}C${i}`;
        person(id, 'village_cadre', village, [], i % 3 !== 0);
        if (i % 4 === 1) for (let d = 0; d < DAYS; d++) availability.push(window(id, d, 17, 24));
      }
    }
    for (let i = 0; i < 6; i++) person(`${town}D${i}`, 'dispatched', `${town}V0`, [town], true);
  }
  for (let i = 0; i < 8; i++) {
    const id = `VOL${i}`;
    person(id, 'volunteer', `T${i % TOWNS}V1`, ['*'], i % 2 === 0);
    for (let d = 0; d < DAYS; d++) if ((d + i) % 3 !== 0) availability.push(window(id, d, 8, 20));
  }
  return { plan: planSpecSchema.parse({ start: START, days: DAYS, timezone: ZONE }), gates, cadres, availability, pins: [] };
}

function window(cadreId: string, day: number, fromHour: number, toHour: number): AvailabilityWindow {
  const date = addDays(START, day);
  return { cadreId, start: localInstant(date, fromHour * 60, ZONE), end: localInstant(date, toHour * 60, ZONE), kind: 'available' };
}
