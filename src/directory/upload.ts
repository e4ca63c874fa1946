/**
 * Upload use-cases: parse and validate a whole file against what is stored, then write it.
 * One bad row and nothing is written (the 422 lists the first 1,000 problems and their total).
 * Parsing runs in a worker thread, so a big file never holds up other requests.
 */
import type { Config } from '../config.js';
import type { Models } from '../db/models.js';
import { diffByKey, type SyncCounts } from '../db/sync-by-key.js';
import type { AvailabilityWindow } from '../domain/types.js';
import { AppError, type RowProblem } from '../errors.js';
import { writeDirectory } from './write-protocol.js';
import { parseInThread, type IntakeContext, type IntakeLimits, type IntakeResult, type UploadFile } from '../intake/index.js';

export type UploadEntity = 'gates' | 'cadres' | 'availability';

/** What an upload changed, and the rows it kept with a safe reading (present only if any). */
export type UploadResult = SyncCounts & { warnings?: RowProblem[] };

export interface UploadOptions {
  replace: boolean;
  timeZone: string;
  /** Rows and unpacked size an upload may have; default DEFAULT_LIMITS (see intakeLimitsOf). */
  limits?: IntakeLimits;
}

/** The intake limits a deployment configured. */
export function intakeLimitsOf(config: Pick<Config, 'UPLOAD_MAX_ROWS' | 'UPLOAD_MAX_XLSX_MB'>): IntakeLimits {
  return { maxRows: config.UPLOAD_MAX_ROWS, maxUnpackedBytes: config.UPLOAD_MAX_XLSX_MB * 1024 * 1024 };
}

export async function uploadGates(models: Models, file: UploadFile, options: UploadOptions): Promise<UploadResult> {
  const { records: gates, warnings } = accepted(await parseInThread('gates', file, await intakeContext(models, options.timeZone), options.limits));
  return writeDirectory(models, async () => {
    const { counts, put, keepOnly } = await diffByKey(models.Gate, 'id', gates, options);
    return { ops: [{ collection: 'Gate', put, keepOnly }], result: withWarnings(counts, warnings) };
  });
}

export async function uploadCadres(models: Models, file: UploadFile, options: UploadOptions): Promise<UploadResult> {
  const { records: cadres, warnings } = accepted(await parseInThread('cadres', file, await intakeContext(models, options.timeZone), options.limits));
  return writeDirectory(models, async () => {
    const { counts, put, keepOnly } = await diffByKey(models.Cadre, 'id', cadres, options);
    // People no longer listed take their availability with them.
    return {
      ops: [{ collection: 'Cadre', put, keepOnly }, ...(keepOnly ? [{ collection: 'Availability' as const, keepOnly }] : [])],
      result: withWarnings(counts, warnings),
    };
  });
}

/** Availability rows replace all windows of the cadres they name (one document per cadre). */
export async function uploadAvailability(models: Models, file: UploadFile, options: UploadOptions): Promise<UploadResult> {
  const { records: windows, warnings } = accepted(await parseInThread('availability', file, await intakeContext(models, options.timeZone), options.limits));
  return writeDirectory(models, async () => {
    const { counts, put, keepOnly } = await diffByKey(models.Availability, 'cadreId', groupByCadre(windows), options);
    return { ops: [{ collection: 'Availability', put, keepOnly }], result: withWarnings(counts, warnings) };
  });
}

function withWarnings(counts: SyncCounts, warnings: RowProblem[]): UploadResult {
  return warnings.length ? { ...counts, warnings } : counts;
}

function accepted<T>(result: IntakeResult<T>): { records: T[]; warnings: RowProblem[] } {
  if (!result.ok) {
    // The first MAX_PROBLEMS problems, and how many there are in all.
    throw new AppError('validation_failed', `the file has ${result.total} problem(s); nothing was written`, {
      problems: result.problems,
      total: result.total,
    });
  }
  return { records: result.records, warnings: result.warnings };
}

/** What the intake checks rows against: stored villages (with their town) and cadre ids. */
async function intakeContext(models: Models, timeZone: string): Promise<IntakeContext> {
  const [villagePairs, cadreIds] = await Promise.all([
    models.Gate.aggregate<{ _id: { village: string; town: string } }>([{ $group: { _id: { village: '$village', town: '$town' } } }]),
    models.Cadre.distinct('id'),
  ]);
  return {
    timeZone,
    villages: new Map(villagePairs.map((p) => [p._id.village, p._id.town])),
    cadreIds: new Set(cadreIds.map(String)),
  };
}

function groupByCadre(windows: AvailabilityWindow[]): { cadreId: string; windows: Omit<AvailabilityWindow, 'cadreId'>[] }[] {
  const byCadre = new Map<string, Omit<AvailabilityWindow, 'cadreId'>[]>();
  for (const { cadreId, start, end, kind } of windows) {
    const list = byCadre.get(cadreId) ?? [];
    list.push({ start, end, kind });
    byCadre.set(cadreId, list);
  }
  for (const list of byCadre.values()) list.sort((a, b) => a.start.getTime() - b.start.getTime() || a.kind.localeCompare(b.kind));
  return [...byCadre].map(([cadreId, list]) => ({ cadreId, windows: list }));
}
