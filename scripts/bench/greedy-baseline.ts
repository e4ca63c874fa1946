/**
 * The baseline of the end-to-end family bench (families-api.ts): a plain greedy pass, as its
 * own process, over the same instance the service solves. It reads the instance (the solver's
 * input as JSON: gates, people, availability, plan), indexes it with the solver's own rules
 * (src/solver/instance.ts, roster-state.ts: availability, one place at a time, rest, 24 h and
 * weekly caps, consecutive nights), fills shift by shift, gate by gate, each place with the
 * least-loaded eligible person the rules allow, and writes the roster as JSON. No bounds, no
 * leads, no fairness: the cost of merely reading an instance and writing a roster.
 *
 *   npx tsx scripts/bench/greedy-baseline.ts --instance in.json --out roster.json
 *
 * Prints {"ms": read -> written, "filled": n} on stdout; the caller times the process too.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { planSpecSchema } from '../../src/domain/plan.js';
import type { Assignment } from '../../src/domain/roster.js';
import { buildInstance } from '../../src/solver/instance.js';
import { RosterState } from '../../src/solver/roster-state.js';
import type { SolveInput } from '../../src/solver/types.js';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export interface GreedyFigures {
  /** Spawn -> exit, as the caller saw it. */
  processMs: number;
  /** Read the instance -> roster written, inside the process. */
  ms: number;
  filled: number;
}

/** Runs the greedy pass on `instanceFile` in a process of its own. */
export function runGreedyProcess(instanceFile: string, outFile: string): Promise<GreedyFigures> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const proc = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--instance', instanceFile, '--out', outFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    proc.stdout.on('data', (d: Buffer) => (text += d.toString()));
    proc.on('exit', (code) => {
      const processMs = Math.round(performance.now() - started);
      if (code !== 0) return reject(new Error(`greedy baseline exited with ${code}`));
      const { ms, filled } = JSON.parse(text) as { ms: number; filled: number };
      resolve({ processMs, ms, filled });
    });
  });
}

export function writeInstance(input: SolveInput, file: string): void {
  writeFileSync(file, JSON.stringify(input));
}

function greedy(input: SolveInput): Assignment[] {
  const inst = buildInstance(input.plan, input.gates, input.cadres, input.availability);
  const state = new RosterState(inst);
  const S = inst.slotCount;
  for (let s = 0; s < S; s++) {
    for (let g = 0; g < inst.gates.length; g++) {
      while (state.open(g, s) > 0) {
        let best = -1;
        for (const p of inst.eligiblePeople[g] ?? []) {
          if (state.refusal(p, s) !== null) continue;
          if (best < 0 || (state.load[p] ?? 0) < (state.load[best] ?? 0)) best = p;
        }
        if (best < 0) break;
        state.place(best, g, s);
      }
    }
  }
  const out: Assignment[] = [];
  inst.people.forEach((c, p) => {
    for (let s = 0; s < S; s++) {
      const g = (state.gateAt[p * S + s] ?? 0) - 1;
      if (g < 0) continue;
      const start = inst.slotStart[s] as number;
      out.push({ cadreId: c.id, gateId: inst.gates[g]?.id as string, start: new Date(start), end: new Date(start + inst.shiftMs), pinned: false });
    }
  });
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { instance: { type: 'string' }, out: { type: 'string' } } });
  const started = performance.now();
  const raw = JSON.parse(readFileSync(values.instance as string, 'utf8'), (_key, value: unknown) =>
    typeof value === 'string' && ISO_INSTANT.test(value) ? new Date(value) : value,
  ) as SolveInput;
  const input: SolveInput = { ...raw, plan: planSpecSchema.parse({ start: raw.plan.start, days: raw.plan.days, timezone: raw.plan.timezone }) };
  const roster = greedy(input);
  writeFileSync(values.out as string, JSON.stringify({ assignments: roster }));
  process.stdout.write(JSON.stringify({ ms: Math.round(performance.now() - started), filled: roster.length }));
  process.exit(0);
}
