/** Engine by name: HiGHS by default, javascript-lp-solver on request (`SOLVER=jslp` or the plan). */
import type { EngineName } from '../types.js';
import type { LpEngine } from '../model.js';
import { highsEngine } from './highs.js';
import { jslpEngine } from './jslp.js';

export function engineFor(name: EngineName): LpEngine {
  return name === 'jslp' ? jslpEngine : highsEngine;
}
