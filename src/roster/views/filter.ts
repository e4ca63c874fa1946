/**
 * Narrow a roster to what one reader asked for (or may see): place, person and time range.
 */
import type { Assignment, Gap } from '../../domain/roster.js';
import type { Gate } from '../../domain/types.js';

/** The two lists a roster view works on. */
export interface RosterRows {
  assignments: readonly Assignment[];
  gaps: readonly Gap[];
}

/** What to keep. Every given field must match; an absent field does not narrow. */
export interface RosterFilter {
  town?: string;
  village?: string;
  gateId?: string;
  /** Keeps this person's assignments. Gaps name nobody, so a person filter keeps no gaps. */
  cadreId?: string;
  /** Keeps rows overlapping `[from, to)`: a shift running through `from` counts. */
  from?: Date;
  to?: Date;
  /**
   * The villages a village head may see. An empty list means nothing is visible (never
   * "no restriction"); leave it out for readers who see the whole district.
   */
  villages?: readonly string[];
}

/**
 * Rows of `roster` that match `filter`. Rows at a gate missing from `gatesById` are dropped
 * whenever a place filter or a village scope is given, since they cannot be shown to match.
 */
export function filterRoster(roster: RosterRows, gatesById: ReadonlyMap<string, Gate>, filter: RosterFilter): { assignments: Assignment[]; gaps: Gap[] } {
  const placeMatches = placeMatcher(gatesById, filter);
  const timeMatches = (row: { start: Date; end: Date }): boolean =>
    (filter.to === undefined || row.start < filter.to) && (filter.from === undefined || row.end > filter.from);
  return {
    assignments: roster.assignments.filter((a) => (filter.cadreId === undefined || a.cadreId === filter.cadreId) && placeMatches(a.gateId) && timeMatches(a)),
    gaps: filter.cadreId === undefined ? roster.gaps.filter((g) => placeMatches(g.gateId) && timeMatches(g)) : [],
  };
}

function placeMatcher(gatesById: ReadonlyMap<string, Gate>, filter: RosterFilter): (gateId: string) => boolean {
  const scope = filter.villages === undefined ? undefined : new Set(filter.villages);
  const needsGate = filter.town !== undefined || filter.village !== undefined || scope !== undefined;
  return (gateId) => {
    if (filter.gateId !== undefined && gateId !== filter.gateId) return false;
    if (!needsGate) return true;
    const gate = gatesById.get(gateId);
    if (gate === undefined) return false;
    return (
      (filter.town === undefined || gate.town === filter.town) &&
      (filter.village === undefined || gate.village === filter.village) &&
      (scope === undefined || scope.has(gate.village))
    );
  };
}
