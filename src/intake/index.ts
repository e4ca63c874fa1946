/**
 * Intake: planners' files (CSV in UTF-8 or GBK, Excel .xlsx, JSON) -> validated domain
 * records, or the problems with the row and column the user sees. Pure: no HTTP, no database.
 * The parse functions are async only because exceljs reads workbooks asynchronously; the
 * service runs them in a worker thread (parseInThread) so a big file never blocks requests.
 */
export type { Cell, Entity, IntakeContext, IntakeResult, Refusal, UploadFile } from './types.js';
export { DEFAULT_LIMITS, LENGTH, MAX_PROBLEMS, type IntakeLimits } from './limits.js';
export { parseInThread } from './parse-thread.js';
export { ACCEPTED_CONTENT_TYPES, CSV_TYPE, JSON_TYPE, XLSX_TYPE, formatOf } from './read-table.js';
export { columnLabel, type ColumnSpec } from './columns.js';
export { GATE_COLUMNS, parseGatesUpload } from './gates.js';
export { CADRE_COLUMNS, parseCadresUpload } from './cadres.js';
export { AVAILABILITY_COLUMNS, parseAvailabilityUpload } from './availability.js';
export { KIND_NAMES, ROLE_NAMES } from './values.js';
