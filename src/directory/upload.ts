/**
 * Upload use-cases: parse and validate a whole file against what is stored, then write it.
 * One bad row and nothing is written (the 422 lists every problem).
 */
import type { Models } from '../db/models.js';
import { withDirectoryWrite } from '../db/directory-lock.js';
import { syncByKey, type SyncCounts } from '../db/sync-by-key.js';
import type { AvailabilityWindow } from '../domain/types.js';
import { AppError } from '../errors.js';
import {
  parseAvailabilityUpload,
  parseCadresUpload,
  parseGatesUpload,
  type IntakeContext,
  type IntakeResult,
  type UploadFile,
} from '../intake/index.js';

export type UploadEntity = 'gates' | 'cadres' | 'availability';

export interface UploadOptions {
  replace: boolean;
  timeZone: string;
}

export async function uploadGates(models: Models, file: UploadFile, options: UploadOptions): Promise<SyncCounts> {
  const gates = accepted(await parseGatesUpload(file, await intakeContext(models, options.timeZone)));
  return withDirectoryWrite(models, () => syncByKey(models.Gate, 'id', gates, options));
}

export async function uploadCadres(models: Models, file: UploadFile, options: UploadOptions): Promise<SyncCounts> {
  const cadres = accepted(await parseCadresUpload(file, await intakeContext(models, options.timeZone)));
  return withDirectoryWrite(models, async () => {
    const counts = await syncByKey(models.Cadre, 'id', cadres, options);
    if (options.replace) {
      // People no longer listed take their availability with them.
      await models.Availability.deleteMany({ _id: { $nin: cadres.map((c) => c.id) } });
    }
    return counts;
  });
}

/** Availability rows replace all windows of the cadres they name (one document per cadre). */
export async function uploadAvailability(models: Models, file: UploadFile, options: UploadOptions): Promise<SyncCounts> {
  const windows = accepted(await parseAvailabilityUpload(file, await intakeContext(models, options.timeZone)));
  return withDirectoryWrite(models, () => syncByKey(models.Availability, 'cadreId', groupByCadre(windows), options));
}

function accepted<T>(result: IntakeResult<T>): T[] {
  if (!result.ok) {
    throw new AppError('validation_failed', `the file has ${result.problems.length} problem(s); nothing was written`, {
      problems: result.problems,
    });
  }
  return result.records;
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
