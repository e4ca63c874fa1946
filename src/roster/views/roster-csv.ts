/**
 * The roster and its gaps as CSV for other systems and for Excel.
 */
import type { Assignment, Gap } from '../../domain/roster.js';
import { formatLocalDateTime } from '../../domain/time.js';
import type { Cadre, Gate } from '../../domain/types.js';
import { toCsv } from './csv.js';

/** Columns of {@link rosterToCsv}. */
export const ROSTER_CSV_COLUMNS = ['cadre_id', 'cadre_name', 'role', 'gate_id', 'gate_name', 'village', 'town', 'start', 'end', 'pinned'] as const;

/** Columns of {@link gapsToCsv}. */
export const GAPS_CSV_COLUMNS = ['gate_id', 'gate_name', 'village', 'town', 'start', 'end', 'needed', 'filled', 'reason', 'detail', 'detail_zh'] as const;

/**
 * Assignments as CSV (UTF-8 with BOM, CRLF), rows in the given order; times are local
 * `YYYY-MM-DD HH:mm` in `timeZone`. Unknown gates or people leave their name cells empty.
 * No phone numbers: the CSV travels further than the planner's own spreadsheet.
 */
export function rosterToCsv(
  rows: readonly Assignment[],
  gatesById: ReadonlyMap<string, Gate>,
  cadresById: ReadonlyMap<string, Cadre>,
  timeZone: string,
): string {
  return toCsv(
    ROSTER_CSV_COLUMNS,
    rows.map((a) => {
      const gate = gatesById.get(a.gateId);
      const cadre = cadresById.get(a.cadreId);
      return [
        a.cadreId,
        cadre?.name ?? null,
        cadre?.role ?? null,
        a.gateId,
        gate?.name ?? null,
        gate?.village ?? null,
        gate?.town ?? null,
        formatLocalDateTime(a.start, timeZone),
        formatLocalDateTime(a.end, timeZone),
        a.pinned,
      ];
    }),
  );
}

/** Gaps as CSV, like {@link rosterToCsv}; `reason` is the machine code, `detail` the sentence. */
export function gapsToCsv(rows: readonly Gap[], gatesById: ReadonlyMap<string, Gate>, timeZone: string): string {
  return toCsv(
    GAPS_CSV_COLUMNS,
    rows.map((g) => {
      const gate = gatesById.get(g.gateId);
      return [
        g.gateId,
        gate?.name ?? null,
        gate?.village ?? null,
        gate?.town ?? null,
        formatLocalDateTime(g.start, timeZone),
        formatLocalDateTime(g.end, timeZone),
        g.needed,
        g.filled,
        g.reason,
        g.detail,
        g.detailZh,
      ];
    }),
  );
}
