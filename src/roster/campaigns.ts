/**
 * Campaigns (src/domain/campaign.ts): created, listed, changed. A campaign is one small
 * document; plans join it through `spec.campaignId`, so joining or leaving is a plan edit.
 */
import { randomBytes } from 'node:crypto';
import { withDocLock } from '../db/doc-lock.js';
import type { Models } from '../db/models.js';
import { campaignSpecSchema, type CampaignSpec } from '../domain/campaign.js';
import { AppError, fieldProblemsOf } from '../errors.js';

export interface Campaign {
  id: string;
  name: string;
  spec: CampaignSpec;
  createdAt: Date;
  updatedAt: Date;
}

/** A campaign as stored (src/db/models.ts campaignSchema). */
interface CampaignDoc {
  _id: string;
  name: string;
  /** `windowDays` is defaulted when read, so a document without it still reads. */
  spec: Omit<CampaignSpec, 'windowDays'> & Partial<Pick<CampaignSpec, 'windowDays'>>;
  createdAt: Date;
  updatedAt: Date;
}

export async function createCampaign(models: Models, name: string, input: unknown): Promise<Campaign> {
  const spec = parseCampaignSpec(input);
  const id = `c_${randomBytes(6).toString('hex')}`;
  await models.Campaign.create({ _id: id, name, spec });
  return getCampaign(models, id);
}

export async function getCampaign(models: Models, id: string): Promise<Campaign> {
  const doc = await models.Campaign.findOne({ _id: id }).lean<CampaignDoc>();
  if (!doc) throw new AppError('not_found', `no campaign "${id}"`);
  return toCampaign(doc);
}

export async function listCampaigns(models: Models): Promise<Campaign[]> {
  const docs = await models.Campaign.find({}).sort({ createdAt: -1 }).lean<CampaignDoc[]>();
  return docs.map(toCampaign);
}

/** Changes the name and/or spec fields; a start after a member plan's first day is refused. */
export async function updateCampaign(models: Models, id: string, change: { name?: string; spec?: Partial<CampaignSpec> }): Promise<Campaign> {
  const campaign = await getCampaign(models, id);
  const spec = change.spec ? parseCampaignSpec({ ...campaign.spec, ...change.spec }) : campaign.spec;
  if (spec.start > campaign.spec.start) {
    const members = await models.Plan.find({ 'spec.campaignId': id }, { _id: 1, spec: 1, origin: 1 }).lean<
      { _id: string; spec: { start: string }; origin?: string }[]
    >();
    const early = members.find((p) => (p.origin ?? p.spec.start) < spec.start);
    if (early)
      throw new AppError(
        'validation_failed',
        `plan "${early._id}" starts on ${early.origin ?? early.spec.start}, before ${spec.start}: a campaign starts no later than its plans`,
        { problems: [{ field: 'start', message: 'after a plan of the campaign starts' }] },
      );
  }
  await withDocLock(`campaign:${id}`, () => models.Campaign.updateOne({ _id: id }, { $set: { name: change.name ?? campaign.name, spec } }));
  return getCampaign(models, id);
}

/** The campaign a plan may join: it exists and starts no later than the plan. */
export async function campaignForPlan(models: Models, campaignId: string, planStart: string): Promise<Campaign> {
  const doc = await models.Campaign.findOne({ _id: campaignId }).lean<CampaignDoc>();
  if (!doc) throw new AppError('validation_failed', `no campaign "${campaignId}"`, { problems: [{ field: 'campaignId', message: 'no such campaign' }] });
  const campaign = toCampaign(doc);
  if (planStart < campaign.spec.start)
    throw new AppError('validation_failed', `the plan starts on ${planStart}, before its campaign (${campaign.spec.start})`, {
      problems: [{ field: 'start', message: `before the campaign's start ${campaign.spec.start}` }],
    });
  return campaign;
}

function parseCampaignSpec(input: unknown): CampaignSpec {
  const parsed = campaignSpecSchema.safeParse(input);
  if (!parsed.success) {
    throw new AppError('validation_failed', 'the campaign is not valid', {
      problems: fieldProblemsOf(parsed.error),
    });
  }
  return parsed.data;
}

function toCampaign(doc: CampaignDoc): Campaign {
  return { id: doc._id, name: doc.name, spec: { windowDays: null, ...doc.spec }, createdAt: doc.createdAt, updatedAt: doc.updatedAt };
}
