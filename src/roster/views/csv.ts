/**
 * A small RFC 4180 CSV writer for spreadsheets people open in Excel.
 */

/** A cell: text is quoted and guarded; numbers and booleans are written as they are. */
export type CsvCell = string | number | boolean | null;

/** Excel reads a file as UTF-8 (Chinese intact) only when it starts with this mark. */
export const UTF8_BOM = '\uFEFF';

/**
 * Characters that make a spreadsheet treat a cell as a formula (or, for tab and CR, that
 * Excel strips before doing so). See OWASP "CSV Injection".
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell as CSV text: formula-like text gets a leading apostrophe, then quoted if needed. */
export function csvCell(value: CsvCell): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}

/** A whole CSV document: BOM, header, rows, CRLF line ends (as RFC 4180 and Excel expect). */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const lines = [header, ...rows].map((row) => row.map(csvCell).join(','));
  return UTF8_BOM + lines.map((line) => `${line}\r\n`).join('');
}
