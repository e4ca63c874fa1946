/**
 * What a village head needs first: the shift on now, who is on duty at each gate (with
 * their phones, since the head is the one who calls a missing guard), which gaps are now
 * and which are next, today's coverage beside the week's, and whether the plan has ended.
 * Built from the coverage model (./coverage-grid.ts). Pure: no HTTP, no database.
 */
import { localDate } from '../../domain/time.js';
import type { PersonState } from '../../ground/presence.js';
import type { CoverageModel, GridCell } from './coverage-grid.js';

export interface OnDutyPerson {
  name: string;
  phone: string | null;
  /** Checked in, not yet due, or a no-show (未到岗); null where check-ins are not known. */
  state: PersonState | null;
}

/** Who is actually there (src/ground/presence.ts), by gate-shift and name on the roster. */
export interface PresenceLookup {
  stateOf(gateId: string, startMs: number, name: string): PersonState | null;
  /** Names of people checked in who are not on the roster there. */
  walkInsOf(gateId: string, startMs: number): string[];
}

export interface NowGate {
  gateId: string;
  gateName: string;
  village: string;
  state: GridCell['state'];
  filled: number;
  needed: number;
  people: OnDutyPerson[];
  walkIns: string[];
}

export interface NowModel {
  /** The column on now; null before the plan starts and after it ends. */
  current: { day: string; hours: string } | null;
  next: { day: string; hours: string } | null;
  /** Gates that need people on the current shift, gaps first. */
  gates: NowGate[];
  ended: boolean;
  notStarted: boolean;
  /** Local date of the plan's last shift end (for "ended on ..."). */
  endedOn: string;
  today: { needed: number; filled: number; percent: number | null };
  /** Start (ms) of the current and the next shift, to mark gaps "现在" / "下一班". */
  currentStartMs: number | null;
  nextStartMs: number | null;
}

/** `phoneOf` finds the phone of a name on duty at a gate-shift (names alone can be shared). */
export function nowModel(
  model: CoverageModel,
  timeZone: string,
  now: Date,
  phoneOf: (gateId: string, startMs: number, name: string) => string | null,
  presence?: PresenceLookup,
): NowModel {
  const nowMs = now.getTime();
  const columns = model.columns;
  const currentIndex = columns.findIndex((c) => c.current);
  const nextIndex = currentIndex >= 0 ? currentIndex + 1 : columns.findIndex((c) => c.startMs > nowMs);
  const current = currentIndex >= 0 ? columns[currentIndex] : undefined;
  const next = nextIndex >= 0 ? columns[nextIndex] : undefined;
  const lastEnd = Math.max(0, ...columns.map((c) => c.endMs));
  const gates: NowGate[] = [];
  if (current) {
    for (const v of model.villages) {
      for (const r of v.rows) {
        const cell = r.cells[currentIndex];
        if (!cell) continue;
        gates.push({
          gateId: r.gateId,
          gateName: r.gateName,
          village: v.village,
          state: cell.state,
          filled: cell.filled,
          needed: cell.needed,
          people: cell.names.map((name) => ({
            name,
            phone: phoneOf(r.gateId, current.startMs, name),
            state: presence?.stateOf(r.gateId, current.startMs, name) ?? null,
          })),
          walkIns: presence?.walkInsOf(r.gateId, current.startMs) ?? [],
        });
      }
    }
  }
  const order = { empty: 0, gap: 1, full: 2 } as const;
  gates.sort((a, b) => order[a.state] - order[b.state]);

  const today = localDate(now, timeZone);
  let needed = 0;
  let filled = 0;
  for (const v of model.villages) {
    for (const r of v.rows) {
      for (const c of r.cells) {
        if (!c || c.label.date !== today) continue;
        needed += c.needed;
        filled += c.filled;
      }
    }
  }
  const firstStart = columns[0]?.startMs ?? 0;
  return {
    current: current ? { day: current.day, hours: current.hours } : null,
    next: next ? { day: next.day, hours: next.hours } : null,
    gates,
    ended: columns.length > 0 && nowMs >= lastEnd,
    notStarted: columns.length > 0 && nowMs < firstStart,
    endedOn: lastEnd ? localDate(new Date(lastEnd - 1), timeZone) : '',
    today: { needed, filled, percent: needed === 0 ? null : Math.round((1000 * filled) / needed) / 10 },
    currentStartMs: current?.startMs ?? null,
    nextStartMs: next?.startMs ?? null,
  };
}
