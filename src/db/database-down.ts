import { AppError } from '../errors.js';

/** The 503 every caller gives while the database is down; clients retry after a few seconds. */
export function databaseDownError(): AppError {
  return new AppError('unavailable', 'the database is not reachable right now; try again in a few seconds', { retryAfterSeconds: 5 });
}
