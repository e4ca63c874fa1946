/**
 * The integration workflow's small district (test/helpers/roster-fixtures.ts) as plain solver
 * input: two villages of one town, four gates, fourteen people, two days of 8 h shifts.
 */
import type { Gate } from '../../../src/domain/types.js';
import type { SolveInput } from '../../../src/solver/index.js';
import { cadre, gate, input, plan, win } from './fixtures.js';

const TOWN = 'T1';
const EAST = 'East';
const WEST = 'West';

export function twoVillageDistrict(): SolveInput {
  const gates: Gate[] = [
    gate('G1', { village: EAST, town: TOWN, staffPerShift: 2 }),
    gate('G2', { village: EAST, town: TOWN, staffPerShift: 1, coverFrom: '08:00', coverTo: '16:00' }),
    gate('G3', { village: WEST, town: TOWN, staffPerShift: 2 }),
    gate('G4', { village: WEST, town: TOWN, staffPerShift: 1, coverFrom: '08:00', coverTo: '16:00' }),
  ];
  const people: [string, 'village_cadre' | 'volunteer' | 'dispatched', string, string[], boolean][] = [
    ['A01', 'village_cadre', EAST, [], true],
    ['A02', 'volunteer', EAST, [], false],
    ['A03', 'village_cadre', EAST, [], false],
    ['A04', 'volunteer', EAST, [], false],
    ['A05', 'dispatched', EAST, [WEST], false],
    ['A06', 'volunteer', EAST, [], false],
    ['A07', 'volunteer', EAST, [], false],
    ['B01', 'village_cadre', WEST, [], true],
    ['B02', 'volunteer', WEST, [], false],
    ['B03', 'volunteer', WEST, [], true],
    ['B04', 'dispatched', WEST, [TOWN], false],
    ['B05', 'volunteer', WEST, [], false],
    ['B06', 'volunteer', WEST, [], false],
    ['B07', 'volunteer', WEST, [], false],
  ];
  const cadres = people.map(([id, role, village, serves, nightOk]) => cadre(id, { role, village, serves, nightOk }));
  return input(plan({ days: 2 }), gates, cadres, [win('A03', 'unavailable', 0, 8, 16)]);
}
