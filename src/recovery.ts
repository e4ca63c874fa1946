/**
 * Start-up repair: whatever a crash (kill -9, power loss) left half done is finished or
 * undone before the service takes requests. Each protocol states its own recovery; this
 * only runs them in order. Safe to run at any time and from any process: a protocol
 * whose lease is held by a live process is left alone.
 */
import type { Models } from './db/models.js';
import { recoverDirectory } from './directory/write-protocol.js';
import type { Logger } from './logger.js';
import { recoverPublishing } from './roster/publish-protocol.js';
import { recoverSolves } from './roster/solves.js';
import { recoverAbsences } from './replan/absence-reports.js';

export async function recoverAfterCrash(models: Models, logger: Logger): Promise<void> {
  if (await recoverDirectory(models)) logger.warn('finished a directory upload that a stopped process left half written');
  if (await recoverPublishing(models)) logger.warn('repaired a publish that a stopped process left unfinished');
  const cleared = await recoverSolves(models);
  if (cleared) logger.warn({ plans: cleared }, 'released plans whose solve had ended before the stopped process released them');
  // Accepted absences get their windows now; the re-plan worker resumes their re-plan (its
  // round, if one was under way, is in the plan's Replan document).
  const absences = await recoverAbsences(models);
  if (absences) logger.warn({ absences }, 'accepted absences wait for their re-plan; the re-plan worker resumes it');
}
