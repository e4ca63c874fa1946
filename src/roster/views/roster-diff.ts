/**
 * Who gained and who lost which shifts between two roster versions.
 */
import type { Assignment } from '../../domain/roster.js';
import { assignmentKey, compareByStartGate, compareCodes } from '../../domain/keys.js';

/** One person's changes. */
export interface PersonDiff {
  cadreId: string;
  /** In `to` but not in `from`, by start. */
  gained: Assignment[];
  /** In `from` but not in `to`, by start. */
  lost: Assignment[];
  /** Shifts in both. */
  unchanged: number;
}

export interface RosterDiff {
  /** People with at least one gained or lost shift, by id. */
  people: PersonDiff[];
  totals: {
    changedPeople: number;
    gained: number;
    lost: number;
    /** Assignments present in both versions. */
    unchanged: number;
  };
}

/**
 * Compare two versions. A shift's identity is person + gate + start, so a shift whose end
 * alone moved counts as unchanged, and a move to another gate or hour is one lost and one
 * gained.
 */
export function rosterDiff(from: readonly Assignment[], to: readonly Assignment[]): RosterDiff {
  const fromKeys = new Set(from.map(assignmentKey));
  const toKeys = new Set(to.map(assignmentKey));
  const people = new Map<string, PersonDiff>();
  const personOf = (cadreId: string): PersonDiff => {
    let p = people.get(cadreId);
    if (p === undefined) {
      p = { cadreId, gained: [], lost: [], unchanged: 0 };
      people.set(cadreId, p);
    }
    return p;
  };

  for (const a of to) {
    if (fromKeys.has(assignmentKey(a))) personOf(a.cadreId).unchanged += 1;
    else personOf(a.cadreId).gained.push(a);
  }
  for (const a of from) {
    if (!toKeys.has(assignmentKey(a))) personOf(a.cadreId).lost.push(a);
  }

  const all = [...people.values()];
  const changed = all.filter((p) => p.gained.length > 0 || p.lost.length > 0).sort((a, b) => compareCodes(a.cadreId, b.cadreId));
  for (const p of changed) {
    p.gained.sort(compareByStartGate);
    p.lost.sort(compareByStartGate);
  }
  return {
    people: changed,
    totals: {
      changedPeople: changed.length,
      gained: sum(all.map((p) => p.gained.length)),
      lost: sum(all.map((p) => p.lost.length)),
      unchanged: sum(all.map((p) => p.unchanged)),
    },
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0);
}
