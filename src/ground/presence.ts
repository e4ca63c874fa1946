/**
 * Who is actually at each gate-shift: the roster meets the check-ins. Pure: rosters,
 * check-ins and an instant in, plain data out; no HTTP, no database.
 *
 * Rules (README "On the ground"):
 * - A rostered person is `checked_in` once they checked in for that gate-shift (late or not),
 *   `pending` until the shift is `noShowAfterMs` old, then a `no_show`.
 * - A check-in by someone not rostered at that gate-shift is a walk-in. Walk-ins fill the
 *   planned gaps of the gate-shift first, then stand in for no-shows.
 * - No-shows are counted only at gates whose check-in code existed when the shift started
 *   (`trackedSince`): before a gate has a poster nobody there can check in, and a roster
 *   published for past days would otherwise be all no-shows.
 */
import type { Assignment, Gap } from '../domain/roster.js';
import { gapsByGateShift, gateShiftKey, missingSeats } from '../domain/keys.js';

/** A check-in as the ground modules use it. */
export interface CheckIn {
  planId: string;
  gateId: string;
  cadreId: string;
  start: Date;
  end: Date;
  checkedInAt: Date;
  checkedOutAt: Date | null;
  via: 'gate' | 'api';
}

export type PersonState = 'checked_in' | 'pending' | 'no_show';

export interface GateShiftPresence {
  gateId: string;
  start: Date;
  end: Date;
  rostered: { cadreId: string; state: PersonState; checkIn: CheckIn | null }[];
  walkIns: CheckIn[];
  /** Empty seats the roster itself left (its gap records). */
  plannedMissing: number;
  /** No-shows no walk-in stands in for. */
  uncoveredNoShows: number;
  /** Whether this gate-shift is judged for no-shows at all (see the module comment). */
  tracked: boolean;
}

export interface PresenceOptions {
  now: Date;
  noShowAfterMs: number;
  /** When each gate's check-in code was first issued; gates missing here are not tracked. */
  trackedSince: ReadonlyMap<string, Date>;
}

interface RosterRows {
  assignments: readonly Assignment[];
  gaps: readonly Gap[];
}

/** Every gate-shift of the roster (assigned or short), with who is there. */
export function presenceOf(roster: RosterRows, checkIns: readonly CheckIn[], options: PresenceOptions): Map<string, GateShiftPresence> {
  const shifts = new Map<string, GateShiftPresence>();
  const shiftOf = (row: { gateId: string; start: Date; end: Date }): GateShiftPresence => {
    const key = gateShiftKey(row.gateId, row.start);
    let shift = shifts.get(key);
    if (!shift) {
      const since = options.trackedSince.get(row.gateId);
      shift = {
        gateId: row.gateId,
        start: row.start,
        end: row.end,
        rostered: [],
        walkIns: [],
        plannedMissing: 0,
        uncoveredNoShows: 0,
        tracked: since !== undefined && row.start.getTime() >= since.getTime(),
      };
      shifts.set(key, shift);
    }
    return shift;
  };
  for (const a of roster.assignments) shiftOf(a).rostered.push({ cadreId: a.cadreId, state: 'pending', checkIn: null });
  for (const group of gapsByGateShift([...roster.gaps])) {
    const [first] = group;
    if (first) shiftOf(first).plannedMissing = missingSeats(group);
  }
  for (const c of checkIns) {
    const shift = shifts.get(gateShiftKey(c.gateId, c.start));
    if (!shift) continue; // a gate-shift the current version no longer has
    const person = shift.rostered.find((r) => r.cadreId === c.cadreId);
    if (person) person.checkIn = c;
    else shift.walkIns.push(c);
  }
  for (const shift of shifts.values()) {
    const due = options.now.getTime() >= shift.start.getTime() + options.noShowAfterMs;
    let noShows = 0;
    for (const person of shift.rostered) {
      person.state = person.checkIn ? 'checked_in' : shift.tracked && due ? 'no_show' : 'pending';
      if (person.state === 'no_show') noShows += 1;
    }
    const spareWalkIns = Math.max(0, shift.walkIns.length - shift.plannedMissing);
    shift.uncoveredNoShows = Math.max(0, noShows - spareWalkIns);
  }
  return shifts;
}

/**
 * The roster's gaps as they stand now: planned gaps less the places walk-ins filled, plus a
 * `no_show` gap at each gate-shift with uncovered no-shows. A `no_show` record counts every
 * seat of the gate-shift (needed) against the people present (filled), so it also holds any
 * planned shortfall there; readers take the largest shortfall per gate-shift (`missingSeats`).
 */
export function liveGaps(
  roster: RosterRows,
  presence: ReadonlyMap<string, GateShiftPresence>,
  nameOf: (cadreId: string) => string,
  noShowAfterMs: number,
): Gap[] {
  const gaps: Gap[] = [];
  for (const g of roster.gaps) {
    const walkIns = presence.get(gateShiftKey(g.gateId, g.start))?.walkIns.length ?? 0;
    const filled = Math.min(g.needed, g.filled + walkIns);
    if (filled < g.needed) gaps.push(walkIns ? { ...g, filled } : g);
  }
  const minutes = Math.round(noShowAfterMs / 60_000);
  for (const shift of presence.values()) {
    if (shift.uncoveredNoShows === 0) continue;
    const needed = shift.rostered.length + shift.plannedMissing;
    const present = shift.rostered.filter((r) => r.state === 'checked_in').length + shift.walkIns.length;
    const names = shift.rostered.filter((r) => r.state === 'no_show').map((r) => nameOf(r.cadreId));
    const walkInNote = shift.walkIns.length ? `; ${shift.walkIns.length} walk-in(s) present` : '';
    const walkInNoteZh = shift.walkIns.length ? `；另有${shift.walkIns.length}人临时到岗` : '';
    gaps.push({
      gateId: shift.gateId,
      start: shift.start,
      end: shift.end,
      needed,
      filled: Math.min(needed, present),
      reason: 'no_show',
      detail: `No check-in ${minutes} min after the start: ${names.join(', ')}${walkInNote}.`,
      detailZh: `开班${minutes}分钟后仍未签到：${names.join('、')}${walkInNoteZh}。`,
    });
  }
  // The roster's own order is kept; no-show gaps take their place by start (a stable sort).
  return gaps.some((g) => g.reason === 'no_show') ? gaps.sort((a, b) => a.start.getTime() - b.start.getTime()) : gaps;
}

/**
 * Seats and people present at one gate-shift, from its rostered count and its (live) gap
 * records. Without a `no_show` record this is the daily report's count (people on it plus the
 * missing seats); a `no_show` record already counts every seat against those present.
 */
export function seatsAtGateShift(rostered: number, gaps: readonly Pick<Gap, 'needed' | 'filled' | 'reason'>[]): { needed: number; filled: number } {
  const missing = missingSeats(gaps);
  const planned = missingSeats(gaps.filter((g) => g.reason !== 'no_show'));
  const needed = Math.max(rostered + planned, ...gaps.filter((g) => g.reason === 'no_show').map((g) => g.needed));
  return { needed, filled: Math.max(0, needed - missing) };
}
