/**
 * Expected failures: one error type with a stable machine code. Anything else thrown is a
 * programmer error or broken infrastructure, answered as a 500 with no internals.
 */
export type ErrorCode =
  | 'validation_failed'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'bad_request'
  | 'rate_limited'
  | 'unavailable';

const STATUS: Record<ErrorCode, number> = {
  validation_failed: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  bad_request: 400,
  unavailable: 503,
  rate_limited: 429,
};

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = STATUS[code];
  }
}

/** One problem with one cell of an uploaded sheet; row 1 is the header, as the user sees it. */
export interface RowProblem {
  row: number;
  column: string;
  value: string;
  /** English, with the Chinese terms the sheet uses (e.g. `unknown role "村长"; use village_cadre/村干部, ...`). */
  message: string;
  /** The same problem in Chinese, for the district offices (e.g. `身份"村长"无法识别，请填写 村干部、下沉干部 或 志愿者`). */
  messageZh: string;
}
