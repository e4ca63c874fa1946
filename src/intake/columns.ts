/**
 * Header row -> which column holds which field. Headers may be English (any case) or Chinese,
 * in any order; unknown, doubled and missing columns are problems on row 1 (the header row).
 */
import type { RowProblem } from '../errors.js';
import { clip, problem } from './problem.js';
import { cellText } from './values.js';
import type { Cell, Table } from './types.js';

export interface ColumnSpec<K extends string = string> {
  key: K;
  english: string;
  chinese: string;
  required: boolean;
  /** Longest cell text accepted, in characters (see LENGTH). */
  max: number;
  /**
   * The JSON type a JSON upload gives this column. A string is also taken in number and
   * true/false columns (the sheet's own spelling, e.g. "2", "yes", "是"); nothing else is: a
   * number in a text column, an object or an array anywhere is a problem of that cell.
   */
  json: 'string' | 'number' | 'boolean';
  /** The value becomes a document key (`_id`, a map's key): no leading `$`, no `.` (see idProblem). */
  id?: true;
}

/** Where each field was found, and the header text the user wrote for it. */
export interface ColumnMap<K extends string> {
  index: Map<K, number>;
  header: Map<K, string>;
  /** Column indexes with any header text, known or not: a value elsewhere is a problem. */
  named: Set<number>;
}

export const columnLabel = (c: ColumnSpec): string => `${c.english}/${c.chinese}`;

export function mapColumns<K extends string>(table: Table, specs: readonly ColumnSpec<K>[], problems: RowProblem[]): ColumnMap<K> | null {
  const byName = new Map<string, ColumnSpec<K>>();
  for (const spec of specs) byName.set(spec.english.toLowerCase(), spec).set(spec.chinese, spec);
  const map: ColumnMap<K> = { index: new Map(), header: new Map(), named: new Set() };
  const row = table.headerRow;
  table.headers.forEach((header, i) => {
    if (header === '') return;
    map.named.add(i);
    const spec = byName.get(header.toLowerCase()); // Chinese has no case: lowercasing keeps it
    if (!spec) {
      problems.push(
        problem(row, header, header, {
          en: `unknown column "${clip(header)}"; expected ${specs.map(columnLabel).join(', ')}`,
          zh: `列名"${clip(header)}"无法识别，可用的列：${specs.map((s) => s.chinese).join('、')}`,
        }),
      );
    } else if (map.index.has(spec.key)) {
      const other = map.header.get(spec.key);
      problems.push(
        problem(row, header, header, {
          en: `column ${columnLabel(spec)} appears twice (also as "${other}")`,
          zh: `"${spec.chinese}"列出现了两次（另一列为"${other}"）`,
        }),
      );
    } else {
      map.index.set(spec.key, i);
      map.header.set(spec.key, header);
    }
  });
  const missing = specs.filter((s) => s.required && !map.index.has(s.key));
  for (const spec of missing) {
    problems.push(problem(row, columnLabel(spec), '', { en: `missing required column ${columnLabel(spec)}`, zh: `缺少必填的"${spec.chinese}"列` }));
  }
  // Without a required column every row would fail for the same reason: report it once.
  return missing.length > 0 ? null : map;
}

/** The row's cells keyed by field (null for an absent column), plus problems for stray values. */
export function rowRecord<K extends string>(cells: Cell[], row: number, columns: ColumnMap<K>, problems: RowProblem[]): Record<K, Cell> {
  const record = {} as Record<K, Cell>;
  for (const [key, i] of columns.index) record[key] = cells[i] ?? null;
  cells.forEach((cell, i) => {
    const text = cellText(cell);
    if (columns.named.has(i) || text === '') return;
    const letter = columnLetter(i);
    problems.push(problem(row, `column ${letter}`, text, { en: 'a value in a column with no header', zh: `${letter} 列没有列名，却填了内容"${clip(text)}"` }));
  });
  return record;
}

/** Spreadsheet column letter for a 0-based index: 0 -> A, 26 -> AA. */
function columnLetter(i: number): string {
  let out = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) out = String.fromCharCode(65 + ((n - 1) % 26)) + out;
  return out;
}
