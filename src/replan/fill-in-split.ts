/**
 * Which part of a re-plan is published at once. Pure: two rosters and two instants in, one
 * roster out.
 *
 * After an accepted absence the published roster R is re-planned into R'. The plan's policy
 * publishes the fill-ins for shifts starting within the next X hours at once; the rest waits
 * as a draft. Taking R' only at some gate-shifts must still give a roster that keeps every
 * hard rule, so the split works by gate-shift, with one closure:
 *
 * - S starts as the gate-shifts that changed and start in [now, now + X h).
 * - Whoever gains a shift in S takes all their changes: each gate-shift where they lose one
 *   joins S (then whoever gains there, and so on). So a person is either as in R' wherever
 *   they changed, or as in R: within S the roster is R''s, elsewhere R's, and each person's
 *   shifts are a subset of their shifts in R or in R'. Both keep every rule (caps, rest,
 *   nights are upper limits), so the result does.
 * - Started shifts are history and are never rewritten: a started gate-shift that changed is
 *   kept as in R, and so is everything that goes with it. Whoever the re-plan moves off a
 *   started shift stays on it, so they stay as in R everywhere: every gate-shift where they
 *   gain joins the kept ones (then whoever loses there, and so on). An absent person's started
 *   shift is such a case: the solve cannot keep them on it (their absence covers it), and the
 *   re-plan may give them a later shift that only its removal made legal (rest, caps, nights).
 *   The kept gate-shifts never meet S's closure (whoever gains in S loses nowhere kept, or the
 *   gain would be kept too), so only what goes with a started shift waits for the planner, not
 *   the other fill-ins.
 *
 * With direct fills only (the solver's re-plan moves nobody unless that fills more places), S
 * is just the changed shifts within the hours: the fill-ins, and the absent person's removal
 * from those shifts. Their later shifts stay published until the planner publishes the draft.
 */
import type { Assignment, Gap } from '../domain/roster.js';

export interface SplitInput {
  previous: { assignments: readonly Assignment[]; gaps: readonly Gap[] };
  replanned: { assignments: readonly Assignment[]; gaps: readonly Gap[] };
  now: Date;
  /** Fill-ins for shifts starting before this are published at once. */
  publishBefore: Date;
}

export interface SplitResult {
  /** The roster to publish at once. */
  assignments: Assignment[];
  gaps: Gap[];
  /** Gate-shifts taken from the re-plan. */
  applied: number;
  /** Changed gate-shifts (not started) that wait for the planner. */
  heldBack: number;
  /** Set when nothing could be published at once for a reason the planner should know. */
  note: string | null;
}

type Key = string;
const keyOf = (x: { gateId: string; start: Date | string }): Key => `${x.gateId}|${new Date(x.start).getTime()}`;
const startOf = (key: Key): number => Number(key.slice(key.lastIndexOf('|') + 1));

export function splitReplan(input: SplitInput): SplitResult {
  const now = input.now.getTime();
  const until = input.publishBefore.getTime();
  const before = byGateShift(input.previous.assignments);
  const after = byGateShift(input.replanned.assignments);
  const changed = new Set<Key>();
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    if (!samePeople(before.get(key), after.get(key))) changed.add(key);
  }
  // Where each person loses a shift and gains one, and who loses and gains at each gate-shift.
  const losesAt = new Map<string, Key[]>();
  const gainsOf = new Map<string, Key[]>();
  const losersAt = new Map<Key, string[]>();
  const gainsAt = new Map<Key, string[]>();
  for (const key of changed) {
    const was = new Set((before.get(key) ?? []).map((a) => a.cadreId));
    const is = new Set((after.get(key) ?? []).map((a) => a.cadreId));
    for (const id of was) if (!is.has(id)) losesAt.set(id, [...(losesAt.get(id) ?? []), key]);
    for (const id of is) if (!was.has(id)) gainsOf.set(id, [...(gainsOf.get(id) ?? []), key]);
    losersAt.set(
      key,
      [...was].filter((id) => !is.has(id)),
    );
    gainsAt.set(
      key,
      [...is].filter((id) => !was.has(id)),
    );
  }

  const future = [...changed].filter((k) => startOf(k) >= now);
  // Kept as in R: the started gate-shifts that changed, and, for whoever loses a place at a
  // kept one (they stay on it), every gate-shift where they gain.
  const kept = new Set<Key>([...changed].filter((k) => startOf(k) < now));
  const keptQueue = [...kept];
  while (keptQueue.length) {
    const key = keptQueue.pop() as Key;
    for (const person of losersAt.get(key) ?? []) {
      for (const gained of gainsOf.get(person) ?? []) {
        if (kept.has(gained)) continue;
        kept.add(gained);
        keptQueue.push(gained);
      }
    }
  }
  const waiting = future.filter((k) => kept.has(k)).length;
  const taken = new Set<Key>(future.filter((k) => startOf(k) < until && !kept.has(k)));
  const queue = [...taken];
  while (queue.length) {
    const key = queue.pop() as Key;
    for (const person of gainsAt.get(key) ?? []) {
      for (const lost of losesAt.get(person) ?? []) {
        if (taken.has(lost)) continue;
        // Cannot happen after the closure above (whoever loses at a kept gate-shift gains
        // only at kept ones); the guard of history should it ever.
        if (kept.has(lost) || startOf(lost) < now) {
          return {
            ...unchanged(input),
            heldBack: future.length,
            note: 'the re-plan moves someone off a shift that has already started; all of it waits for the planner',
          };
        }
        taken.add(lost);
        queue.push(lost);
      }
    }
  }

  const assignments = [...input.previous.assignments.filter((a) => !taken.has(keyOf(a))), ...input.replanned.assignments.filter((a) => taken.has(keyOf(a)))];
  const gaps = [...input.previous.gaps.filter((g) => !taken.has(keyOf(g))), ...input.replanned.gaps.filter((g) => taken.has(keyOf(g)))];
  return {
    assignments,
    gaps,
    applied: taken.size,
    heldBack: future.length - taken.size,
    note: waiting
      ? `the re-plan moves someone off a shift that has already started; ${waiting === 1 ? 'the changed shift that goes' : `the ${waiting} changed shifts that go`} with it wait${waiting === 1 ? 's' : ''} for the planner`
      : null,
  };
}

function unchanged(input: SplitInput): Omit<SplitResult, 'heldBack' | 'note'> {
  return { assignments: [...input.previous.assignments], gaps: [...input.previous.gaps], applied: 0 };
}

function byGateShift(assignments: readonly Assignment[]): Map<Key, Assignment[]> {
  const map = new Map<Key, Assignment[]>();
  for (const a of assignments) {
    const key = keyOf(a);
    map.set(key, [...(map.get(key) ?? []), a]);
  }
  return map;
}

function samePeople(a: readonly Assignment[] = [], b: readonly Assignment[] = []): boolean {
  if (a.length !== b.length) return false;
  const ids = new Set(a.map((x) => x.cadreId));
  return b.every((x) => ids.has(x.cadreId));
}
