/** Which published plan a page shows: the one asked for, else the most recently published. */
import type { Models } from '../db/models.js';
import { listPlans } from '../roster/plans.js';
import { listPublications } from '../roster/publish.js';

export interface PublishedPlanChoice {
  planId: string;
  name: string;
}

/** The plans that have a published roster, most recently published first. */
export async function publishedPlans(models: Models): Promise<PublishedPlanChoice[]> {
  const plans = (await listPlans(models)).filter((p) => p.publishedVersion !== null);
  const latest = await Promise.all(
    plans.map(async (p) => {
      const versions = await listPublications(models, p.id);
      const current = versions.find((v) => v.version === p.publishedVersion);
      return { planId: p.id, name: p.name, at: current ? new Date(current.publishedAt).getTime() : 0 };
    }),
  );
  return latest.sort((a, b) => b.at - a.at).map(({ planId, name }) => ({ planId, name }));
}

export async function choosePublishedPlan(
  models: Models,
  asked: string | undefined,
): Promise<{ chosen: PublishedPlanChoice | null; all: PublishedPlanChoice[] }> {
  const all = await publishedPlans(models);
  const chosen = (asked ? all.find((p) => p.planId === asked) : undefined) ?? all[0] ?? null;
  return { chosen, all };
}
