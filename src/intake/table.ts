/**
 * Rows as a reader meets them -> one Table. Blank rows (Excel leaves them) are skipped, the
 * first non-blank row is the header, and reading stops at the first data row past the limit,
 * so a file of a million rows costs no more than one of UPLOAD_MAX_ROWS.
 */
import type { AppError } from '../errors.js';
import { tooLarge } from './problem.js';
import type { Cell, Table } from './types.js';

export class TableBuilder {
  private header: { row: number; cells: Cell[] } | null = null;
  private readonly rows: Table['rows'] = [];

  constructor(private readonly maxRows: number) {}

  /** Throws `payload_too_large` when this row is one too many. */
  add(row: number, cells: Cell[]): void {
    if (isBlank(cells)) return;
    if (!this.header) this.header = { row, cells };
    else if (this.rows.length >= this.maxRows) throw tooManyRows(this.maxRows);
    else this.rows.push({ row, cells });
  }

  table(): Table {
    if (!this.header) return { headerRow: 1, headers: [''], rows: [] };
    return { headerRow: this.header.row, headers: this.header.cells.map((c) => (c === null ? '' : String(c).trim())), rows: this.rows };
  }
}

export function tooManyRows(maxRows: number): AppError {
  const n = maxRows.toLocaleString('en-US');
  return tooLarge(
    {
      en: `the file has more than ${n} data rows, the most one upload may have (UPLOAD_MAX_ROWS); split it into several files (行数过多)`,
      zh: `文件超过 ${n} 行数据（单次上传的上限），请拆分成几个文件分别上传`,
    },
    { maxRows },
  );
}

export function isBlank(cells: Cell[]): boolean {
  return cells.every((c) => c === null || (typeof c === 'string' && c.trim() === ''));
}
