/**
 * The one pipeline every entity goes through: read the table, map the header, guard each cell
 * (length, control characters), convert it with its zod schema, then let the entity check
 * across rows and build its records. All-or-nothing: one problem anywhere and no records are
 * returned.
 */
import type { z } from 'zod';
import type { RowProblem } from '../errors.js';
import { mapColumns, rowRecord, type ColumnSpec } from './columns.js';
import { DEFAULT_LIMITS, MAX_PROBLEMS, type IntakeLimits } from './limits.js';
import { problem, refusal, type Bilingual } from './problem.js';
import { readTable } from './read-table.js';
import { idProblem, jsonTypeProblem, textProblem } from './text-guard.js';
import type { Cell, IntakeContext, IntakeResult, UploadFile } from './types.js';
import { cellText, issueMessage } from './values.js';

export type Fields<K extends string> = Record<K, z.ZodType<unknown, Cell>>;

/** One data row after cell conversion: a field is undefined when its cell had a problem. */
export interface ParsedRow<F extends Fields<string>> {
  row: number;
  values: { [K in keyof F]?: z.output<F[K]> };
  /** The cell as the user wrote it, for problem messages. */
  text: (key: keyof F & string) => string;
  /** Every field converted without a problem. */
  complete: boolean;
}

/** Report a problem at a row and field; the column is named as the user's header names it. */
export type Report<K extends string> = (row: number, key: K, value: string, message: Bilingual) => void;

export interface EntityParser<K extends string, F extends Fields<K>, T> {
  columns: readonly ColumnSpec<K>[];
  fields(ctx: IntakeContext): F;
  /** Checks within a row and across rows, then the records (only used when no problem exists). */
  finish(rows: ParsedRow<F>[], ctx: IntakeContext, report: Report<K>, warn: Report<K>): T[];
}

export async function parseUpload<K extends string, F extends Fields<K>, T>(
  file: UploadFile,
  ctx: IntakeContext,
  entity: EntityParser<K, F, T>,
  limits: IntakeLimits = DEFAULT_LIMITS,
): Promise<IntakeResult<T>> {
  const read = await readTable(file, limits);
  if (!read.ok) return read;
  const problems: RowProblem[] = [];
  const columns = mapColumns(read.table, entity.columns, problems);
  if (!columns) return refusal(problems);

  const fields = entity.fields(ctx);
  const specOf = new Map(entity.columns.map((c) => [c.key, c]));
  const jsonTypes = read.table.jsonTypes === true;
  const headerOf = (key: K): string => columns.header.get(key) ?? entity.columns.find((c) => c.key === key)?.english ?? key;
  const report: Report<K> = (row, key, value, message) => problems.push(problem(row, headerOf(key), value, message));
  // Warnings: rows kept with a safe reading the planner should still see (the 200 lists them).
  const warnings: RowProblem[] = [];
  const warn: Report<K> = (row, key, value, message) => warnings.push(problem(row, headerOf(key), value, message));

  const rows = read.table.rows.map(({ row, cells }): ParsedRow<F> => {
    const record = rowRecord(cells, row, columns, problems);
    const values: ParsedRow<F>['values'] = {};
    let complete = true;
    for (const key of Object.keys(fields) as K[]) {
      const cell = record[key] ?? null;
      const text = cellText(cell);
      // Guarded first: an overlong cell never reaches a schema whose message would quote it.
      const spec = specOf.get(key) as ColumnSpec<K>;
      const guarded = (jsonTypes ? jsonTypeProblem(cell, spec.json) : null) ?? textProblem(text, spec.max) ?? (spec.id ? idProblem(text) : null);
      const result = guarded ? null : fields[key].safeParse(cell);
      if (result?.success) {
        values[key] = result.data;
      } else {
        complete = false;
        if (guarded) report(row, key, text, guarded);
        for (const issue of result?.error.issues ?? []) report(row, key, text, issueMessage(issue));
      }
    }
    return { row, values, complete, text: (key) => cellText(record[key as K] ?? null) };
  });

  const records = entity.finish(rows, ctx, report, warn);
  if (problems.length > 0) return refusal(sortProblems(problems, read.table.headers));
  return { ok: true, records, warnings: sortProblems(warnings, read.table.headers).slice(0, MAX_PROBLEMS) };
}

/** By row, then in the order the columns stand in the sheet. */
function sortProblems(problems: RowProblem[], headers: string[]): RowProblem[] {
  const position = (column: string): number => {
    const i = headers.indexOf(column);
    return i === -1 ? headers.length : i;
  };
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.row - b.p.row || position(a.p.column) - position(b.p.column) || a.i - b.i)
    .map(({ p }) => p);
}

/**
 * Report every later row that repeats a key of an earlier one, naming both rows. Rows whose
 * key failed to parse are left out. `what` names the key, e.g. gate id / 门岗编号.
 */
export function reportDuplicates<K extends string, F extends Fields<K>>(rows: ParsedRow<F>[], key: K & keyof F, what: Bilingual, report: Report<K>): void {
  const firstRow = new Map<unknown, number>();
  for (const r of rows) {
    const value = r.values[key];
    if (value === undefined) continue;
    const first = firstRow.get(value);
    if (first === undefined) firstRow.set(value, r.row);
    else {
      report(r.row, key, r.text(key), {
        en: `duplicate ${what.en} "${r.text(key)}": already on row ${first} (rows ${first} and ${r.row})`,
        zh: `${what.zh}"${r.text(key)}"重复（第 ${first} 行与第 ${r.row} 行）`,
      });
    }
  }
}
