/** The publish use-case: move the plan's pointer, then bring every touched feed up to date. */
import type { Models } from '../db/models.js';
import { refreshFeedsAfterPublish } from './feed-store.js';
import { publish, publishedRoster, requirePublished, type Publication } from './publish.js';

export async function publishPlan(models: Models, planId: string, solveId: string, publishedBy: string): Promise<Publication & { feedsRefreshed: { cadres: number; villages: number } }> {
  const previous = await publishedRoster(models, planId);
  const publication = await publish(models, planId, solveId, publishedBy);
  const current = await requirePublished(models, planId, publication.version);
  const feedsRefreshed = await refreshFeedsAfterPublish(models, previous, current);
  return { ...publication, feedsRefreshed };
}
