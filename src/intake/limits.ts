/**
 * What an upload may cost before it is refused. Every bound here is checked before the work
 * it guards (rows are counted while they are read, an .xlsx is sized from its zip directory
 * before anything is inflated, JSON nesting is scanned before JSON.parse), so a hostile or
 * broken file is refused cheaply instead of being paid for in full.
 */

/** Per-deployment bounds (UPLOAD_MAX_ROWS, UPLOAD_MAX_XLSX_MB). */
export interface IntakeLimits {
  /** Data rows per upload (the header row not counted). */
  maxRows: number;
  /** Bytes an .xlsx may unpack to: the sum of the entries that are read (sheet, shared strings, styles, workbook). */
  maxUnpackedBytes: number;
}

export const DEFAULT_LIMITS: IntakeLimits = { maxRows: 50_000, maxUnpackedBytes: 64 * 1024 * 1024 };

/**
 * Longest cell text per kind of column, in characters. Ids are keys, names are printed on
 * rosters and in calendar feeds, free text is a list of places; a number, date, time or choice
 * longer than `value` is not one.
 */
export const LENGTH = { id: 64, name: 100, value: 100, text: 500 } as const;

/** A 422 lists the first this many problems (in row order) and the total. */
export const MAX_PROBLEMS = 1000;

/** Characters of a cell or header echoed back in a problem; the rest becomes '…'. */
export const ECHO_MAX = 100;

/** JSON uploads are an array of flat objects (depth 2); deeper nesting is refused before parsing. */
export const JSON_MAX_DEPTH = 16;

/** Threads that parse uploads at once; more uploads wait their turn. */
export const PARSE_THREADS = 2;
/** A parse that takes longer is stopped and the upload refused. */
export const PARSE_TIMEOUT_MS = 60_000;
/** Heap of one parse thread: a file that needs more is refused, not the process killed. */
export const PARSE_HEAP_MB = 512;
/** An idle parse thread is ended after this long, returning its heap to the OS. */
export const PARSE_IDLE_MS = 30_000;
