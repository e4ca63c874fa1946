import { solveRoster } from '../../../src/solver/index.js';
import { twoVillageDistrict } from './replan-fixture.js';
import { win } from './fixtures.js';
import { groupsOf, wholeBlock } from '../../../src/solver/block.js';
import { highsEngine } from '../../../src/solver/engines/highs.js';
import { buildInstance } from '../../../src/solver/instance.js';
import { buildBlockModel } from '../../../src/solver/rules.js';
const inp = twoVillageDistrict();
const v1 = await solveRoster(inp);
const next = { ...inp, availability: [...inp.availability, win('A02', 'unavailable', -1, 0, 24*4)], previous: v1.assignments };
// max coverage with every other person's previous assignment fixed (pins = previous of others)
const pins = v1.assignments.filter(a => a.cadreId !== 'A02').map(a => ({ cadreId: a.cadreId, gateId: a.gateId, start: a.start }));
const pinned = await solveRoster({ ...next, previous: undefined, pins }, { monolithic: true });
console.log('max coverage with others fixed (monolithic MILP):', pinned.metrics.placesFilled, pinned.status, pinned.pinConflicts.length);
const gained = pinned.assignments.filter(a => !pins.some(p => p.cadreId===a.cadreId && p.gateId===a.gateId && +p.start===+a.start));
console.log(gained.map(a => `${a.cadreId}|${a.gateId}|${a.start.toISOString()}`));
const free = await solveRoster({ ...next, previous: undefined });
console.log('max coverage from scratch:', free.metrics.placesFilled, free.status);
