import type { ZodError } from 'zod';

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

/** One field of a request or a plan that is wrong; `field` is its dotted path (`rules.minRestHours`). */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * zod's issues as field problems. zod reports unknown keys once, on the object that holds
 * them; here each is a problem of its own, named by its own path, so a client sees which field
 * it sent that is not accepted.
 */
export function fieldProblemsOf(error: ZodError): FieldProblem[] {
  return error.issues.flatMap((issue) => {
    const at = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ field: [...at, key].join('.'), message: 'unknown field; not accepted here' }));
    return [{ field: at.join('.'), message: issue.message }];
  });
}

/** A request (body, query or path) that zod refused: 422 naming each field, as a plan's problems are. */
export function invalidRequest(error: ZodError, what = 'the request is not valid'): AppError {
  const problems = fieldProblemsOf(error);
  const named = problems
    .slice(0, 5)
    .map((p) => `${p.field || '(body)'}: ${p.message}`)
    .join('; ');
  return new AppError('validation_failed', `${what}: ${named}`, { problems });
}
