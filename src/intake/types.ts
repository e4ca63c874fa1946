/**
 * The shapes intake works with: an upload as it arrives, what intake needs to know about data
 * already stored, and the all-or-nothing result.
 */
import type { RowProblem } from '../errors.js';

export type Entity = 'gates' | 'cadres' | 'availability';

/** The raw body of an upload and its `Content-Type` header (may carry `;charset=`). */
export interface UploadFile {
  body: Buffer;
  contentType: string;
}

/** What intake checks rows against, taken from what is already stored. */
export interface IntakeContext {
  /** IANA zone the planner's local times are in. */
  timeZone: string;
  /** Known village -> its town (from the gates already stored, or just parsed). */
  villages: Map<string, string>;
  /** Known cadre ids. */
  cadreIds: Set<string>;
}

/**
 * Every record, or the problems: validation is all-or-nothing. A refusal lists the first
 * MAX_PROBLEMS problems in row order and counts them all in `total`.
 */
export type IntakeResult<T> = { ok: true; records: T[]; warnings: RowProblem[] } | Refusal;
export type Refusal = { ok: false; problems: RowProblem[]; total: number };

/**
 * One cell as read: CSV gives strings; JSON may give numbers and booleans; Excel also gives
 * Dates (a UTC Date holding the wall-clock time the sheet shows).
 */
export type Cell = string | number | boolean | Date | null;

/** A sheet as read: the header row and the data rows, each with its row number as the user sees it. */
export interface Table {
  headerRow: number;
  headers: string[];
  rows: { row: number; cells: Cell[] }[];
  /** Cells hold the JSON types the file wrote (a JSON upload): each must be its column's (ColumnSpec.json). */
  jsonTypes?: true;
}
