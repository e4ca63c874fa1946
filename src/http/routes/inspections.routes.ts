/**
 * Inspections (spot checks by squads) and fixing their problems. Handlers parse, call one
 * use-case, answer; the scope rules are in src/ground/inspections.ts.
 */
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Models } from '../../db/models.js';
import { AppError } from '../../errors.js';
import { isoWithOffset } from '../../domain/time.js';
import { PROBLEM_CATEGORIES, fixProblem, getInspection, listInspections, recordInspection, type Inspection } from '../../ground/inspections.js';
import { principalOf, requireRole } from '../auth.js';
import { apiResponses, instantOutSchema, jsonBody, jsonResponse, nullableInstantSchema } from '../openapi.js';
import { idParamSchema, instantSchema, plainText, sendJson } from '../schemas.js';

export interface InspectionRouteDeps {
  models: Models;
  now: () => Date;
  /** The deployment's TIMEZONE: instants are answered with its offset. */
  timeZone: string;
}

/** How far back a squad may date a spot check it enters late (a form filled after a night round). */
const MAX_BACKDATE_MS = 7 * 86_400_000;

const categorySchema = z
  .enum(PROBLEM_CATEGORIES)
  .describe(
    'unstaffed 无人值守, understaffed 值守人数不足, off_post 脱岗离岗, no_registration 未落实来访登记, no_temperature 未落实测温, supplies 防疫物资不足, other 其他',
  );

const inspectionRequestSchema = z
  .strictObject({
    gateId: z.string().min(1).max(64),
    at: instantSchema.optional().describe('When the gate was checked, ISO 8601; default now; at most 7 days ago, never in the future'),
    staffSeen: z.number().int().min(0).max(50).describe('People found on duty at the gate'),
    namesChecked: z.array(plainText(100).min(1)).max(20).default([]).describe('Names of the people checked'),
    visitorRegistration: z.boolean().describe('Visitors are being registered (来访登记)'),
    temperatureChecks: z.boolean().describe('Temperatures are being taken (测温)'),
    problems: z
      .array(
        z.strictObject({
          category: categorySchema,
          text: plainText(500).min(1),
          fixedOnSpot: z.boolean().default(false).describe('Put right before the squad left (当场整改)'),
        }),
      )
      .max(20)
      .default([]),
    clientRef: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional()
      .describe('The client’s own id for this record: sending the same one again (a retry on a weak signal) answers 200 with the first record'),
  })
  .openapi('InspectionRequest');

const problemSchema = z
  .strictObject({
    index: z.number().int().describe('Position in the inspection; fix it at …/problems/{index}/fix'),
    category: categorySchema,
    text: z.string(),
    fixedOnSpot: z.boolean(),
    open: z.boolean().describe('Neither fixed on the spot nor marked fixed since'),
    fixedAt: nullableInstantSchema,
    fixedNote: z.string().describe('What the village head wrote when marking it fixed'),
  })
  .openapi('InspectionProblem');

export const inspectionSchema = z
  .strictObject({
    id: z.string(),
    gateId: z.string(),
    gateName: z.string(),
    village: z.string(),
    town: z.string(),
    at: instantOutSchema,
    planId: z.string().nullable().describe('The live plan whose gate-shift was on then'),
    staffSeen: z.number().int(),
    staffRostered: z.number().int().nullable().describe('People the roster had there then; null when no live plan needed anyone'),
    staffCheckedIn: z.number().int().nullable().describe('People checked in there then'),
    namesChecked: z.array(z.string()),
    visitorRegistration: z.boolean(),
    temperatureChecks: z.boolean(),
    problems: z.array(problemSchema),
    squad: z.string().describe('The label of the squad’s token'),
  })
  .openapi('Inspection');

const inspectionListSchema = z.strictObject({ items: z.array(inspectionSchema).describe('Latest first') }).openapi('InspectionList');

const listQuerySchema = z.strictObject({
  village: z.string().min(1).optional(),
  town: z.string().min(1).optional(),
  gateId: z.string().min(1).optional(),
  from: instantSchema.optional().describe('Only inspections at or after this instant'),
  to: instantSchema.optional().describe('Only inspections before this instant'),
  open: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .describe('true: only inspections with a problem still open'),
});

const fixRequestSchema = z.strictObject({ note: plainText(500).min(1).describe('How it was put right, e.g. 已补充一名值守人员') }).openapi('ProblemFixRequest');
const problemParams = z.strictObject({ id: z.string().min(1), index: z.coerce.number().int().min(0).max(19) });

export function inspectionRoutes(deps: InspectionRouteDeps, registry: OpenAPIRegistry): Router {
  const router = Router();
  const { models } = deps;
  // Cadres have no inspections in their scope at all: refused outright rather than an empty list.
  const readers = requireRole('planner', 'village_head', 'inspector');
  const view = (i: Inspection): z.output<typeof inspectionSchema> => {
    const at = (d: Date) => isoWithOffset(d, deps.timeZone);
    const { recordedBy: _recordedBy, problems, ...rest } = i;
    return { ...rest, at: at(i.at), problems: problems.map(({ fixedBy: _fixedBy, fixedAt, ...p }) => ({ ...p, fixedAt: fixedAt ? at(fixedAt) : null })) };
  };

  router.post('/inspections', requireRole('inspector', 'planner'), async (req, res) => {
    const body = inspectionRequestSchema.parse(req.body);
    const now = deps.now();
    const at = body.at ?? now;
    if (at.getTime() > now.getTime() + 60_000)
      throw new AppError('validation_failed', '`at` is in the future', { problems: [{ field: 'at', message: 'in the future' }] });
    if (at.getTime() < now.getTime() - MAX_BACKDATE_MS)
      throw new AppError('validation_failed', '`at` is more than 7 days ago', { problems: [{ field: 'at', message: 'more than 7 days ago' }] });
    const { inspection, created } = await recordInspection(models, principalOf(req), { ...body, at });
    sendJson(res, created ? 201 : 200, inspectionSchema, view(inspection));
  });
  router.get('/inspections', readers, async (req, res) => {
    sendJson(res, 200, inspectionListSchema, { items: (await listInspections(models, principalOf(req), listQuerySchema.parse(req.query))).map(view) });
  });
  router.get('/inspections/:id', readers, async (req, res) => {
    sendJson(res, 200, inspectionSchema, view(await getInspection(models, principalOf(req), idParamSchema.parse(req.params).id)));
  });
  router.post('/inspections/:id/problems/:index/fix', requireRole('village_head', 'planner'), async (req, res) => {
    const { id, index } = problemParams.parse(req.params);
    const { note } = fixRequestSchema.parse(req.body);
    sendJson(res, 200, inspectionSchema, view(await fixProblem(models, principalOf(req), id, index, note, deps.now())));
  });

  const op = (config: Parameters<OpenAPIRegistry['registerPath']>[0]) => registry.registerPath({ ...config, tags: ['ground'] });
  op({
    method: 'post',
    path: '/api/v1/inspections',
    operationId: 'recordInspection',
    summary: 'Record a spot check at a gate (inspector in its towns, or planner)',
    description:
      'The service adds who the live roster had at the gate then and who had checked in. 403 for a gate outside the squad’s towns, and for village heads and cadres.',
    request: jsonBody(inspectionRequestSchema),
    responses: apiResponses(
      { 201: jsonResponse('Recorded', inspectionSchema), 200: jsonResponse('Already recorded under this clientRef; nothing changed', inspectionSchema) },
      400,
      403,
      413,
      415,
      422,
    ),
  });
  op({
    method: 'get',
    path: '/api/v1/inspections',
    operationId: 'listInspections',
    summary: 'Inspections in scope, latest first',
    description: 'Planners: all; inspectors: their towns; village heads: their villages; cadres: 403. Filters only narrow.',
    request: { query: listQuerySchema },
    responses: apiResponses({ 200: jsonResponse('Inspections', inspectionListSchema) }, 400, 403),
  });
  op({
    method: 'get',
    path: '/api/v1/inspections/{id}',
    operationId: 'getInspection',
    summary: 'One inspection (scoped as the list)',
    request: { params: z.strictObject({ id: z.string() }) },
    responses: apiResponses({ 200: jsonResponse('The inspection', inspectionSchema) }, 403, 404),
  });
  op({
    method: 'post',
    path: '/api/v1/inspections/{id}/problems/{index}/fix',
    operationId: 'fixInspectionProblem',
    summary: 'Mark a problem fixed, with a note (the village head of that gate, or a planner)',
    description: '409 when it is already fixed (on the spot, or by someone else).',
    request: { params: z.strictObject({ id: z.string(), index: z.number().int().min(0).max(19) }), ...jsonBody(fixRequestSchema) },
    responses: apiResponses({ 200: jsonResponse('The inspection', inspectionSchema) }, 400, 403, 404, 409, 413, 415),
  });
  return router;
}
