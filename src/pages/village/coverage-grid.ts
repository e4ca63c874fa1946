/**
 * The village page's model: a grid of gate x shift built from a (scoped) published roster.
 * Places are counted as the daily report counts them: a gate-shift's places needed are the
 * people on it plus its missing seats (`missingSeats`), so the roster alone is enough and the
 * figures agree with `/report` and `/gaps`. Pure: no HTTP, no database.
 */
import type { AssignmentView, GapView } from '../../roster/read.js';
import { gateShiftKey, missingSeats } from '../../roster/views/index.js';
import { compareNames } from '../../domain/keys.js';
import { seatsAtGateShift } from '../../ground/presence.js';
import { shiftLabel, type ShiftLabel } from '../time-labels.js';

export interface GridColumn extends ShiftLabel {
  startMs: number;
  endMs: number;
  current: boolean;
}

export interface GridReason {
  reason: string;
  detail: string;
  detailZh: string;
}

export interface GridCell {
  /** Stable within one render; links a cell to its detail panel. */
  id: string;
  needed: number;
  filled: number;
  state: 'full' | 'gap' | 'empty';
  names: string[];
  reasons: GridReason[];
  current: boolean;
  label: ShiftLabel;
}

export interface GridRow {
  gateId: string;
  gateName: string;
  /** One per column; null where the gate needs nobody (outside its cover hours). */
  cells: (GridCell | null)[];
}

export interface VillageGrid {
  village: string;
  town: string;
  rows: GridRow[];
}

export interface GapItem {
  gateName: string;
  village: string;
  label: ShiftLabel;
  startMs: number;
  endMs: number;
  missing: number;
  needed: number;
  reasons: GridReason[];
}

export interface CoverageModel {
  columns: GridColumn[];
  villages: VillageGrid[];
  summary: { needed: number; filled: number; percent: number | null };
  /** Gate-shifts with empty seats that have not ended at `now`, soonest first. */
  upcomingGaps: GapItem[];
  /** Those already over, latest first. */
  pastGaps: GapItem[];
}

interface GateShift {
  gateId: string;
  gateName: string;
  village: string;
  town: string;
  start: Date;
  end: Date;
  names: string[];
  gaps: GapView[];
}

export function coverageModel(rows: { assignments: readonly AssignmentView[]; gaps: readonly GapView[] }, timeZone: string, now: Date): CoverageModel {
  const shifts = groupByGateShift(rows);
  const nowMs = now.getTime();
  const columnStarts = [...new Map([...shifts.values()].map((s) => [s.start.getTime(), s] as const)).values()].sort(
    (a, b) => a.start.getTime() - b.start.getTime(),
  );
  const columns: GridColumn[] = columnStarts.map((s) => ({
    ...shiftLabel(s.start, s.end, timeZone),
    startMs: s.start.getTime(),
    endMs: s.end.getTime(),
    current: s.start.getTime() <= nowMs && nowMs < s.end.getTime(),
  }));
  const columnOf = new Map(columns.map((c, i) => [c.startMs, i] as const));

  const gates = new Map<string, { gateName: string; village: string; town: string; cells: (GridCell | null)[] }>();
  let needed = 0;
  let filled = 0;
  const gapItems: GapItem[] = [];
  let cellNo = 0;
  for (const s of shifts.values()) {
    const missing = missingSeats(s.gaps);
    // Rostered people who did not check in are not present (src/ground/presence.ts).
    const seats = seatsAtGateShift(s.names.length, s.gaps);
    const cell: GridCell = {
      id: `c${cellNo++}`,
      filled: seats.filled,
      needed: seats.needed,
      state: missing === 0 ? 'full' : seats.filled === 0 ? 'empty' : 'gap',
      names: [...s.names].sort(compareNames),
      reasons: s.gaps.map((g) => ({ reason: g.reason, detail: g.detail, detailZh: g.detailZh })),
      current: s.start.getTime() <= nowMs && nowMs < s.end.getTime(),
      label: shiftLabel(s.start, s.end, timeZone),
    };
    needed += cell.needed;
    filled += cell.filled;
    let gate = gates.get(s.gateId);
    if (!gate) gates.set(s.gateId, (gate = { gateName: s.gateName, village: s.village, town: s.town, cells: columns.map(() => null) }));
    gate.cells[columnOf.get(s.start.getTime()) ?? 0] = cell;
    if (missing > 0) {
      gapItems.push({
        gateName: s.gateName,
        village: s.village,
        label: cell.label,
        startMs: s.start.getTime(),
        endMs: s.end.getTime(),
        missing,
        needed: cell.needed,
        reasons: cell.reasons,
      });
    }
  }

  const byVillage = new Map<string, VillageGrid>();
  for (const [gateId, gate] of [...gates].sort(([, a], [, b]) => compareNames(a.village, b.village) || compareNames(a.gateName, b.gateName))) {
    let village = byVillage.get(gate.village);
    if (!village) byVillage.set(gate.village, (village = { village: gate.village, town: gate.town, rows: [] }));
    village.rows.push({ gateId, gateName: gate.gateName, cells: gate.cells });
  }

  const upcomingGaps = gapItems.filter((g) => g.endMs > nowMs).sort((a, b) => a.startMs - b.startMs || compareNames(a.gateName, b.gateName));
  const pastGaps = gapItems.filter((g) => g.endMs <= nowMs).sort((a, b) => b.startMs - a.startMs || compareNames(a.gateName, b.gateName));
  return {
    columns,
    villages: [...byVillage.values()],
    summary: { needed, filled, percent: needed === 0 ? null : Math.round((1000 * filled) / needed) / 10 },
    upcomingGaps,
    pastGaps,
  };
}

function groupByGateShift(rows: { assignments: readonly AssignmentView[]; gaps: readonly GapView[] }): Map<string, GateShift> {
  const shifts = new Map<string, GateShift>();
  const at = (row: AssignmentView | GapView): GateShift => {
    const start = new Date(row.start);
    const key = gateShiftKey(row.gateId, start);
    let shift = shifts.get(key);
    if (!shift)
      shifts.set(
        key,
        (shift = { gateId: row.gateId, gateName: row.gateName, village: row.village, town: row.town, start, end: new Date(row.end), names: [], gaps: [] }),
      );
    return shift;
  };
  for (const a of rows.assignments) at(a).names.push(a.cadreName);
  for (const g of rows.gaps) at(g).gaps.push(g);
  return shifts;
}
