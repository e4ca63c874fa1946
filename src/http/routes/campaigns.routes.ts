/**
 * Campaigns and rolling a plan's horizon. Handlers parse, call one use-case, answer.
 */
import { Router } from 'express';
import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Models } from '../../db/models.js';
import { campaignSpecSchema } from '../../domain/campaign.js';
import { instantsAsText } from '../../domain/time.js';
import { AppError } from '../../errors.js';
import { createCampaign, getCampaign, listCampaigns, updateCampaign } from '../../roster/campaigns.js';
import { getPlan } from '../../roster/plans.js';
import { getRoll, requestRoll, type RollRound } from '../../roster/roll-protocol.js';
import { readCampaignFigures } from '../../roster/views/campaign-figures.js';
import { principalOf, requireRole } from '../auth.js';
import { apiResponses, instantOutSchema as instant, jsonBody, jsonResponse, nullableInstantSchema } from '../openapi.js';
import { loadSpreadSchema } from '../roster-schemas.js';
import { idParamSchema, plainText, sendJson } from '../schemas.js';

export interface CampaignRouteDeps {
  models: Models;
  /** The deployment's zone, for a campaign's instants. */
  timeZone: string;
  /** What time it is (a roll drops the days that ended before it); tests pass a fixed clock. */
  now: () => Date;
  /** Wakes the in-process solve worker. */
  onSolveRequested?: () => void;
  /** Wakes the in-process roll worker, which carries a started roll on. */
  onRollRequested?: () => void;
}

const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .describe('Local date YYYY-MM-DD');
const createCampaignSchema = z.strictObject({ ...campaignSpecSchema.shape, name: plainText(100).min(1) }).openapi('CampaignCreate');
const patchCampaignSchema = z
  .strictObject({
    name: plainText(100).min(1).optional(),
    start: campaignSpecSchema.shape.start.optional(),
    windowDays: z.number().int().min(1).max(366).nullable().optional().describe('See CampaignCreate'),
  })
  .openapi('CampaignPatch');
const rollRequestSchema = z
  .strictObject({
    days: z.number().int().min(1).max(31).default(1).describe('Whole days added at the end of the plan (default 1); days that have ended drop from the front'),
  })
  .openapi('RollRequest');

const campaignSchema = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    spec: z.strictObject({
      start: localDate,
      windowDays: z.number().int().nullable().describe('Fairness counts the last this many days; null = since the start'),
    }),
    createdAt: instant,
    updatedAt: instant,
  })
  .openapi('Campaign');
const campaignListSchema = z.strictObject({ items: z.array(campaignSchema).describe('Newest first') }).openapi('CampaignList');
const spread = z.strictObject({ min: z.number(), median: z.number(), max: z.number() });
const campaignFiguresSchema = z
  .strictObject({
    campaignId: z.string(),
    name: z.string(),
    from: localDate.describe('First day counted: the fairness window as the next plan would count it'),
    to: localDate.describe('Last published day of the campaign’s plans'),
    plans: z
      .array(z.strictObject({ planId: z.string(), name: z.string(), version: z.number().int() }))
      .describe('The campaign’s plans with a published version'),
    loadSpread: loadSpreadSchema,
    villages: z.array(
      z.strictObject({ village: z.string(), town: z.string(), people: z.number().int(), hours: spread, nights: spread, loadSpread: loadSpreadSchema }),
    ),
    people: z.array(
      z.strictObject({
        cadreId: z.string(),
        name: z.string(),
        village: z.string(),
        hours: z.number(),
        nights: z.number().int(),
        offeredHours: z.number().describe('Hours offered over the same days, within weekly caps'),
      }),
    ),
  })
  .openapi('CampaignFigures');
const horizonSchema = z.strictObject({ start: localDate, days: z.number().int() });
const rollSchema = z
  .strictObject({
    planId: z.string(),
    phase: z.enum(['solving', 'publishing', 'idle']).describe('idle: ended (see result)'),
    solveId: z.string().nullable().describe('The roll’s re-plan solve'),
    baseVersion: z.number().int().nullable().describe('The published version the roll re-plans from'),
    from: horizonSchema.nullable().describe('The plan’s days before the roll'),
    to: horizonSchema.nullable().describe('The plan’s days after it'),
    freezeUntil: nullableInstantSchema.describe('Published shifts starting before this stay exactly as they were'),
    publish: z.enum(['publish', 'draft']),
    requestedBy: z.string().nullable().describe('The planner’s token id, or "daily at HH:mm"'),
    resolves: z.number().int().describe('Solved again because another version was published meanwhile'),
    result: z
      .strictObject({
        publishedVersion: z.number().int().nullable(),
        draftSolveId: z.string().nullable().describe('Policy draft: the solve waiting for a planner to publish'),
        error: z.string().nullable(),
      })
      .nullable(),
    dailyOn: localDate.nullable().describe('Local date of the last daily roll'),
    updatedAt: nullableInstantSchema,
  })
  .openapi('Roll');

export function campaignRoutes(deps: CampaignRouteDeps, registry: OpenAPIRegistry): Router {
  const router = Router();
  const { models } = deps;
  const planner = requireRole('planner');
  const id = (req: { params: unknown }) => idParamSchema.parse(req.params).id;
  const zone = deps.timeZone;

  router.post('/campaigns', planner, async (req, res) => {
    const { name, ...spec } = createCampaignSchema.parse(req.body);
    sendJson(res, 201, campaignSchema, instantsAsText(await createCampaign(models, name, spec), zone));
  });
  router.get('/campaigns', planner, async (req, res) => {
    sendJson(res, 200, campaignListSchema, { items: (await listCampaigns(models)).map((c) => instantsAsText(c, zone)) });
  });
  router.get('/campaigns/:id', planner, async (req, res) => {
    sendJson(res, 200, campaignSchema, instantsAsText(await getCampaign(models, id(req)), zone));
  });
  router.patch('/campaigns/:id', planner, async (req, res) => {
    const { name, ...spec } = patchCampaignSchema.parse(req.body);
    sendJson(res, 200, campaignSchema, instantsAsText(await updateCampaign(models, id(req), { name, spec }), zone));
  });
  router.get('/campaigns/:id/figures', async (req, res) => {
    sendJson(res, 200, campaignFiguresSchema, await readCampaignFigures(models, principalOf(req), id(req)));
  });

  router.post('/plans/:id/roll', planner, async (req, res) => {
    const { days } = rollRequestSchema.parse(req.body ?? {});
    const round = await requestRoll(models, id(req), { extend: days }, deps.now(), principalOf(req).tokenId, deps.onSolveRequested);
    deps.onRollRequested?.();
    sendJson(res, 202, rollSchema, await rollView(models, round));
  });
  router.get('/plans/:id/roll', planner, async (req, res) => {
    const round = await getRoll(models, id(req));
    if (!round || !round.to) throw new AppError('not_found', 'this plan has not been rolled');
    sendJson(res, 200, rollSchema, await rollView(models, round));
  });

  document(registry);
  return router;
}

async function rollView(models: Models, round: RollRound): Promise<z.output<typeof rollSchema>> {
  return instantsAsText(round, (await getPlan(models, round.planId)).spec.timezone);
}

function document(registry: OpenAPIRegistry): void {
  const campaignId = z.strictObject({ id: z.string().describe('The campaign’s id') });
  const planId = z.strictObject({ id: z.string().describe('The plan’s id') });
  const op = (config: Omit<RouteConfig, 'tags'> & { tags?: string[] }) => registry.registerPath({ tags: ['campaigns'], ...config });
  op({
    method: 'post',
    path: '/api/v1/campaigns',
    operationId: 'createCampaign',
    summary: 'Create a campaign (planner)',
    description: 'Plans join it with `campaignId` (POST /api/v1/plans, PATCH /api/v1/plans/{id}).',
    request: jsonBody(createCampaignSchema),
    responses: apiResponses({ 201: jsonResponse('The campaign', campaignSchema) }, 400, 403, 413, 415),
  });
  op({
    method: 'get',
    path: '/api/v1/campaigns',
    operationId: 'listCampaigns',
    summary: 'List campaigns, newest first (planner)',
    responses: apiResponses({ 200: jsonResponse('Campaigns', campaignListSchema) }, 403),
  });
  op({
    method: 'get',
    path: '/api/v1/campaigns/{id}',
    operationId: 'getCampaign',
    summary: 'One campaign (planner)',
    request: { params: campaignId },
    responses: apiResponses({ 200: jsonResponse('The campaign', campaignSchema) }, 403, 404),
  });
  op({
    method: 'patch',
    path: '/api/v1/campaigns/{id}',
    operationId: 'updateCampaign',
    summary: 'Change a campaign (planner)',
    description: '422 for a start after a plan of the campaign begins.',
    request: { params: campaignId, ...jsonBody(patchCampaignSchema) },
    responses: apiResponses({ 200: jsonResponse('The campaign', campaignSchema) }, 400, 403, 404, 413, 415, 422),
  });
  op({
    method: 'get',
    path: '/api/v1/campaigns/{id}/figures',
    operationId: 'getCampaignFigures',
    summary: 'The campaign to date (planners, village heads): hours, nights and offered hours per village and person',
    description: 'Over the campaign’s published plans within its fairness window. A village head sees their villages; cadre and inspector tokens answer 403.',
    request: { params: campaignId },
    responses: apiResponses({ 200: jsonResponse('Figures', campaignFiguresSchema) }, 403, 404),
  });
  op({
    method: 'post',
    path: '/api/v1/plans/{id}/roll',
    operationId: 'rollPlan',
    tags: ['plans'],
    summary: 'Roll the plan forward (planner)',
    description:
      'Adds whole days at the end, drops the days that have ended, keeps published shifts starting within the plan’s freeze window (rollPolicy.freezeHours) as they are and re-plans the rest with as few changes as possible; then publishes or leaves a draft per rollPolicy.publish. 202: the roll goes on in the background; poll GET …/roll. 409 before the plan’s first publish or while a roll is open; 422 when the days would not reach today or exceed 31.',
    request: { params: planId, body: { required: false, content: { 'application/json': { schema: rollRequestSchema } } } },
    responses: apiResponses({ 202: jsonResponse('The roll', rollSchema) }, 400, 403, 404, 409, 413, 415, 422),
  });
  op({
    method: 'get',
    path: '/api/v1/plans/{id}/roll',
    operationId: 'getRoll',
    tags: ['plans'],
    summary: 'The plan’s roll in progress, or its last one (planner)',
    request: { params: planId },
    responses: apiResponses({ 200: jsonResponse('The roll', rollSchema) }, 403, 404),
  });
}
