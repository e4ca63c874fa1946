/**
 * Plans, solves, publishing and reading rosters. Handlers parse, call one use-case, answer.
 */
import { Router, type Request, type Response } from 'express';
import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Models } from '../../db/models.js';
import { planSpecSchema } from '../../domain/plan.js';
import { instantsAsText, isLocalDate } from '../../domain/time.js';
import { AppError } from '../../errors.js';
import type { Principal } from '../../auth/tokens.js';
import { addPin, createPlan, getPlan, listPlans, removePin, updatePlan, type Plan } from '../../roster/plans.js';
import { publishPlan, rollbackPlan } from '../../roster/publish-protocol.js';
import { listPublications, type Publication } from '../../roster/publish.js';
import { readDiff, readDraftRoster } from '../../roster/read.js';
import { readGroundedReport, readGroundedRoster } from '../../ground/grounded-read.js';
import { getSolve, listSolves, requestSolve, type SolveJob } from '../../roster/solves.js';
import type { GroundSettings } from '../../ground/grounded-roster.js';
import { XLSX_TYPE, reportCsv, reportXlsx } from '../../ground/report-sheets.js';
import { principalOf, requireRole } from '../auth.js';
import { apiResponses, jsonBody, jsonResponse } from '../openapi.js';
import {
  dailyReportSchema,
  diffSchema,
  gapsViewSchema,
  planListSchema,
  planSchema,
  publicationListSchema,
  publishResultSchema,
  rosterViewSchema,
  solveJobListSchema,
  solveJobSchema,
} from '../roster-schemas.js';
import { idParamSchema, instantSchema, plainText, sendJson } from '../schemas.js';

export interface PlanRouteDeps {
  models: Models;
  /** Wakes the in-process worker so a new solve starts without waiting for the next poll. */
  onSolveRequested?: () => void;
  /** The clock and no-show rule: the live version's gaps include no-shows (src/ground/). */
  ground?: GroundSettings;
}

const createPlanSchema = planSpecSchema
  .extend({
    name: plainText(100).min(1),
    // No default here: a plan created into a campaign defaults to proportional (src/roster/plans.ts).
    fairness: z
      .enum(['equal', 'proportional'])
      .optional()
      .describe(
        'equal: hours as equal as rules allow; proportional: in proportion to the hours each person offered. Default equal, or proportional (to what each offered over the campaign) in a campaign',
      ),
  })
  .openapi('PlanCreate');
/**
 * A plan's fields, each optional and without its default, nested groups the same way: an
 * unknown or wrong-typed field is refused here, before the plan is looked up. A nested group
 * is merged field by field with the stored plan and the merged plan validated whole
 * (src/roster/plans.ts), so a group's defaults must not fill in what the patch leaves out.
 */
function patchOf(schema: z.ZodType): z.ZodType {
  let inner = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
  if (inner instanceof z.ZodObject)
    return z.strictObject(Object.fromEntries(Object.entries(inner.shape as Record<string, z.ZodType>).map(([k, v]) => [k, patchOf(v)]))).optional();
  return inner.optional();
}
const patchPlanSchema = z
  .strictObject({
    ...Object.fromEntries(Object.entries(planSpecSchema.shape as Record<string, z.ZodType>).map(([key, field]) => [key, patchOf(field)])),
    name: plainText(100).min(1).optional(),
  })
  .openapi('PlanPatch');
const solveRequestSchema = z
  .strictObject({
    engine: z.enum(['highs', 'jslp']).optional().describe('Override the LP engine for this solve'),
    deadlineSeconds: z.number().positive().max(3600).optional().describe('Override the deadline for this solve'),
  })
  .openapi('SolveRequest');
const publishSchema = z.strictObject({ solveId: z.string().min(1) }).openapi('PublishRequest');
const rollbackSchema = z
  .strictObject({ version: z.number().int().min(1).describe('The earlier version whose roster becomes current again') })
  .openapi('RollbackRequest');
const pinSchema = z
  .strictObject({ cadreId: z.string().min(1), gateId: z.string().min(1), start: instantSchema.describe('Shift start, ISO 8601 instant') })
  .openapi('Pin');
const rosterQuerySchema = z.strictObject({
  version: z.coerce.number().int().min(1).optional().describe('A published version; default the current one'),
  town: z.string().optional().describe('Only gates of this town'),
  village: z.string().optional().describe('Only gates of this village'),
  gateId: z.string().optional().describe('Only this gate'),
  cadreId: z.string().optional().describe('Only this person’s shifts (and no gaps)'),
  from: instantSchema.optional().describe('Only rows overlapping [from, to); ISO 8601 with offset, e.g. 2021-12-13T08:00:00+08:00'),
  to: instantSchema.optional().describe('See from'),
});
const reportQuerySchema = z.strictObject({
  date: z.string().refine(isLocalDate, 'not a date YYYY-MM-DD').describe('Local day of the report, YYYY-MM-DD'),
  version: z.coerce.number().int().min(1).optional().describe('A published version; default the current one'),
});
const diffQuerySchema = z.strictObject({
  from: z.coerce.number().int().min(1).describe('The earlier version'),
  to: z.coerce.number().int().min(1).describe('The later version'),
});

export function planRoutes(deps: PlanRouteDeps, registry: OpenAPIRegistry): Router {
  const router = Router();
  const { models } = deps;
  const planner = requireRole('planner');
  const planId = (req: Request) => idParamSchema.parse(req.params).id;

  router.post('/plans', planner, async (req, res) => {
    const { name, ...spec } = createPlanSchema.parse(req.body);
    sendJson(res, 201, planSchema, planView(principalOf(req), await createPlan(models, name, spec)));
  });
  router.get('/plans', async (req, res) => {
    const principal = principalOf(req);
    sendJson(res, 200, planListSchema, { items: (await listPlans(models)).map((plan) => planView(principal, plan)) });
  });
  router.get('/plans/:id', async (req, res) => {
    sendJson(res, 200, planSchema, planView(principalOf(req), await getPlan(models, planId(req))));
  });
  router.patch('/plans/:id', planner, async (req, res) => {
    const { name, ...spec } = patchPlanSchema.parse(req.body);
    sendJson(res, 200, planSchema, planView(principalOf(req), await updatePlan(models, planId(req), { name, spec: spec })));
  });

  router.post('/plans/:id/solve', planner, async (req, res) => {
    const job = await requestSolve(models, planId(req), solveRequestSchema.parse(req.body ?? {}), principalOf(req).tokenId);
    deps.onSolveRequested?.();
    res.location(`/api/v1/solves/${job.id}`);
    sendJson(res, 202, solveJobSchema, await solveView(models, job));
  });
  router.get('/plans/:id/solves', planner, async (req, res) => {
    const id = planId(req);
    const [jobs, plan] = await Promise.all([listSolves(models, id), getPlan(models, id)]);
    sendJson(res, 200, solveJobListSchema, { items: jobs.map((job) => jobView(job, plan.spec.timezone)) });
  });
  router.get('/solves/:id', planner, async (req, res) => {
    sendJson(res, 200, solveJobSchema, await solveView(models, await getSolve(models, idParamSchema.parse(req.params).id)));
  });
  router.get('/solves/:id/roster', planner, async (req, res) => {
    const roster = await readDraftRoster(models, idParamSchema.parse(req.params).id, rosterQuerySchema.parse(req.query));
    sendRoster(req, res, rosterViewSchema, roster.view, roster.csv);
  });

  router.post('/plans/:id/publish', planner, async (req, res) => {
    const { solveId } = publishSchema.parse(req.body);
    const id = planId(req);
    const result = await withInstantsOfPlan(models, id, () => publishPlan(models, id, solveId, principalOf(req).tokenId));
    // Publishing the current version again is not an error and makes no new version.
    sendJson(res, result.created ? 201 : 200, publishResultSchema, instantsAsText(result, (await getPlan(models, id)).spec.timezone));
  });
  router.post('/plans/:id/rollback', planner, async (req, res) => {
    const { version } = rollbackSchema.parse(req.body);
    const id = planId(req);
    const result = await withInstantsOfPlan(models, id, () => rollbackPlan(models, id, version, principalOf(req).tokenId));
    sendJson(res, result.created ? 201 : 200, publishResultSchema, instantsAsText(result, (await getPlan(models, id)).spec.timezone));
  });
  router.get('/plans/:id/versions', async (req, res) => {
    const principal = principalOf(req);
    const id = planId(req);
    const [plan, versions] = await Promise.all([getPlan(models, id), listPublications(models, id)]);
    const items = versions.map((publication) => instantsAsText(publicationFor(principal, publication), plan.spec.timezone));
    sendJson(res, 200, publicationListSchema, { items });
  });

  router.post('/plans/:id/pins', planner, async (req, res) => {
    sendJson(res, 201, planSchema, planView(principalOf(req), await addPin(models, planId(req), pinSchema.parse(req.body))));
  });
  router.delete('/plans/:id/pins', planner, async (req, res) => {
    const pin = pinSchema.parse({ ...req.query, ...(req.body ?? {}) });
    sendJson(res, 200, planSchema, planView(principalOf(req), await removePin(models, planId(req), pin)));
  });

  router.get('/plans/:id/roster', async (req, res) => {
    const roster = await readGroundedRoster(models, principalOf(req), planId(req), rosterQuerySchema.parse(req.query), deps.ground);
    sendRoster(req, res, rosterViewSchema, roster.view, roster.csv);
  });
  router.get('/plans/:id/gaps', async (req, res) => {
    const roster = await readGroundedRoster(models, principalOf(req), planId(req), rosterQuerySchema.parse(req.query), deps.ground);
    const { planId: id, version, publishedAt, timezone, gaps } = roster.view;
    if (version === null || publishedAt === null) throw new Error('a published roster has a version');
    sendRoster(req, res, gapsViewSchema, { planId: id, version, publishedAt, timezone, gaps }, roster.gapsCsv);
  });
  router.get('/plans/:id/report', async (req, res) => {
    const { date, version } = reportQuerySchema.parse(req.query);
    const report = await readGroundedReport(models, principalOf(req), planId(req), date, version, deps.ground);
    // JSON by default; the same figures as CSV, or as the xlsx an office sends upward.
    const wanted = req.accepts(['application/json', 'text/csv', XLSX_TYPE]);
    if (wanted === XLSX_TYPE) {
      res
        .attachment(`report-${date}.xlsx`)
        .type(XLSX_TYPE)
        .send(await reportXlsx(report));
      return;
    }
    sendRoster(req, res, dailyReportSchema, report, () => reportCsv(report));
  });
  router.get('/plans/:id/diff', async (req, res) => {
    const { from, to } = diffQuerySchema.parse(req.query);
    sendJson(res, 200, diffSchema, await readDiff(models, principalOf(req), planId(req), from, to));
  });

  document(registry);
  return router;
}

/**
 * A plan as the caller may read it, instants in the plan's offset. Pins name people and
 * gates of every village, and they are the planner's input to the next solve rather than who
 * is on duty (that is the published roster, which is scoped per token): for village heads
 * and people they go, whole. So does the gate list (other villages' gates) and the running
 * solve's id (solves are the planners').
 */
function planView(principal: Principal, plan: Plan): z.output<typeof planSchema> {
  const whole = instantsAsText(plan, plan.spec.timezone);
  if (principal.role === 'planner') return whole;
  const { pins: _pins, activeSolveId: _activeSolveId, spec, ...rest } = whole;
  const { gateIds: _gateIds, ...ruleSpec } = spec;
  return { ...rest, spec: ruleSpec };
}

async function solveView(models: Models, job: SolveJob): Promise<z.output<typeof solveJobSchema>> {
  return jobView(job, (await getPlan(models, job.planId)).spec.timezone);
}

/** A job's figures are the solver's SolveMetrics without the per-person loads (src/roster/solves.ts stores them so). */
function jobView(job: SolveJob, timeZone: string): z.output<typeof solveJobSchema> {
  const { metrics, ...rest } = instantsAsText(job, timeZone);
  return { ...rest, metrics: metrics as z.output<typeof solveJobSchema>['metrics'] };
}

/** Who published (a planner's token id) and from which solve is the planners' business. */
function publicationFor(principal: Principal, publication: Publication): Omit<Publication, 'publishedBy' | 'solveId'> & Partial<Publication> {
  if (principal.role === 'planner') return publication;
  const { publishedBy: _publishedBy, solveId: _solveId, ...rest } = publication;
  return rest;
}

/**
 * Runs a publish; a refusal naming double-booked shifts gets their instants in the plan's
 * offset, like every other answer.
 */
async function withInstantsOfPlan<T>(models: Models, planId: string, publish: () => Promise<T>): Promise<T> {
  try {
    return await publish();
  } catch (error) {
    if (error instanceof AppError && error.code === 'conflict' && error.details && typeof error.details === 'object' && 'doubleBooked' in error.details) {
      const plan = await getPlan(models, planId);
      throw new AppError(error.code, error.message, instantsAsText(error.details, plan.spec.timezone));
    }
    throw error;
  }
}

/** JSON by default; CSV (UTF-8 with BOM, for Excel) when the client asks for text/csv. */
function sendRoster<S extends z.ZodType>(req: Request, res: Response, schema: S, json: z.output<S>, csv: () => string): void {
  if (req.accepts(['application/json', 'text/csv']) === 'text/csv') {
    res.type('text/csv; charset=utf-8').send(csv());
    return;
  }
  sendJson(res, 200, schema, json);
}

function document(registry: OpenAPIRegistry): void {
  const id = z.strictObject({ id: z.string().describe('The plan’s id') });
  const solveId = z.strictObject({ id: z.string().describe('The solve’s id') });
  const csvOr = (description: string, schema: z.ZodType, csvColumns: string) => ({
    description,
    content: {
      'application/json': { schema },
      'text/csv': { schema: z.string().describe(`UTF-8 with BOM, CRLF; local times YYYY-MM-DD HH:mm; columns ${csvColumns}`) },
    },
  });
  const rosterColumns = 'cadre_id, cadre_name, role, gate_id, gate_name, village, town, start, end, pinned';
  const gapColumns = 'gate_id, gate_name, village, town, start, end, needed, filled, reason, detail, detail_zh';
  const anyToken = 'Any token; village heads and people read it without pins, the gate list and the running solve.';
  const rosterScope =
    'Scoped: a village head sees their villages, a cadre token its own shifts; filters only narrow (one naming a village or person outside the scope matches nothing). Metrics, pin conflicts and the solve id for planners only.';
  const op = (config: Omit<RouteConfig, 'tags'> & { tags?: string[] }) => registry.registerPath({ tags: ['plans'], ...config });
  op({
    method: 'post',
    path: '/api/v1/plans',
    operationId: 'createPlan',
    summary: 'Create a plan (planner)',
    description: '422 for a campaign that does not exist or starts after the plan.',
    request: jsonBody(createPlanSchema),
    responses: apiResponses({ 201: jsonResponse('The plan', planSchema) }, 400, 403, 413, 415, 422),
  });
  op({
    method: 'get',
    path: '/api/v1/plans',
    operationId: 'listPlans',
    summary: 'List plans, newest first (any token)',
    description: anyToken,
    responses: apiResponses({ 200: jsonResponse('Plans', planListSchema) }),
  });
  op({
    method: 'get',
    path: '/api/v1/plans/{id}',
    operationId: 'getPlan',
    summary: 'One plan with its published version (any token)',
    description: anyToken,
    request: { params: id },
    responses: apiResponses({ 200: jsonResponse('The plan', planSchema) }, 404),
  });
  op({
    method: 'patch',
    path: '/api/v1/plans/{id}',
    operationId: 'updatePlan',
    summary: 'Change a plan (planner); the merged plan is validated whole',
    request: { params: id, ...jsonBody(patchPlanSchema) },
    responses: apiResponses({ 200: jsonResponse('The plan', planSchema) }, 400, 403, 404, 413, 415, 422),
  });
  op({
    method: 'post',
    path: '/api/v1/plans/{id}/solve',
    operationId: 'startSolve',
    tags: ['solves'],
    summary: 'Queue a solve (planner); 409 while one runs',
    request: { params: id, body: { required: false, content: { 'application/json': { schema: solveRequestSchema } } } },
    responses: apiResponses(
      { 202: jsonResponse('The solve job; poll its Location', solveJobSchema, z.object({ Location: z.string().describe('/api/v1/solves/{id}') })) },
      400,
      403,
      404,
      409,
      413,
      415,
    ),
  });
  op({
    method: 'get',
    path: '/api/v1/plans/{id}/solves',
    operationId: 'listSolves',
    tags: ['solves'],
    summary: 'A plan’s solves, newest first (planner)',
    request: { params: id },
    responses: apiResponses({ 200: jsonResponse('Solve jobs', solveJobListSchema) }, 403, 404),
  });
  op({
    method: 'get',
    path: '/api/v1/solves/{id}',
    operationId: 'getSolve',
    tags: ['solves'],
    summary: 'Solve status, progress and figures (planner)',
    request: { params: solveId },
    responses: apiResponses({ 200: jsonResponse('The solve job', solveJobSchema) }, 403, 404),
  });
  op({
    method: 'get',
    path: '/api/v1/solves/{id}/roster',
    operationId: 'getDraftRoster',
    tags: ['solves'],
    summary: 'Draft roster of a finished solve (planner); JSON, or CSV with Accept: text/csv',
    request: { params: solveId, query: rosterQuerySchema.omit({ version: true }) },
    responses: apiResponses({ 200: csvOr('Assignments, gaps, metrics', rosterViewSchema, rosterColumns) }, 400, 403, 404),
  });
  op({
    method: 'post',
    path: '/api/v1/plans/{id}/publish',
    operationId: 'publishPlan',
    summary: 'Publish a solve as the plan’s next version (planner)',
    description:
      'Publishing the current version’s solve again answers 200 and changes nothing. 409 while another publish is written, or when the roster puts people on duty who stand duty then in another published plan (`details.doubleBooked`; solve again). 422 for a solve of another plan.',
    request: { params: id, ...jsonBody(publishSchema) },
    responses: apiResponses(
      { 201: jsonResponse('The new version', publishResultSchema), 200: jsonResponse('Already the current version; nothing changed', publishResultSchema) },
      400,
      403,
      404,
      409,
      413,
      415,
      422,
    ),
  });
  op({
    method: 'post',
    path: '/api/v1/plans/{id}/rollback',
    operationId: 'rollbackPlan',
    summary: 'Make an earlier version current again, as a new version (planner)',
    description: '200 when that roster already is current. 409 as for publishing.',
    request: { params: id, ...jsonBody(rollbackSchema) },
    responses: apiResponses(
      { 201: jsonResponse('The new version', publishResultSchema), 200: jsonResponse('That roster is already current; nothing changed', publishResultSchema) },
      400,
      403,
      404,
      409,
      413,
      415,
      422,
    ),
  });
  op({
    method: 'get',
    path: '/api/v1/plans/{id}/versions',
    operationId: 'listVersions',
    tags: ['rosters'],
    summary: 'Published versions of a plan (any token)',
    description: 'Who published and from which solve for planners only.',
    request: { params: id },
    responses: apiResponses({ 200: jsonResponse('Versions', publicationListSchema) }, 404),
  });
  op({
    method: 'post',
    path: '/api/v1/plans/{id}/pins',
    operationId: 'addPin',
    summary: 'Pin a person to a gate-shift (planner)',
    description: '422 for an unknown person or gate.',
    request: { params: id, ...jsonBody(pinSchema) },
    responses: apiResponses({ 201: jsonResponse('The plan', planSchema) }, 400, 403, 404, 413, 415, 422),
  });
  op({
    method: 'delete',
    path: '/api/v1/plans/{id}/pins',
    operationId: 'removePin',
    summary: 'Remove a pin (planner)',
    description: 'The pin in the query (cadreId, gateId, start), or in a JSON body.',
    request: { params: id, query: pinSchema.partial() },
    responses: apiResponses({ 200: jsonResponse('The plan', planSchema) }, 400, 403, 404),
  });
  op({
    method: 'get',
    path: '/api/v1/plans/{id}/roster',
    operationId: 'getRoster',
    tags: ['rosters'],
    summary: 'Published roster; JSON, or CSV with Accept: text/csv',
    description: rosterScope,
    request: { params: id, query: rosterQuerySchema },
    responses: apiResponses({ 200: csvOr('The roster', rosterViewSchema, rosterColumns) }, 400, 403, 404),
  });
  op({
    method: 'get',
    path: '/api/v1/plans/{id}/gaps',
    operationId: 'getGaps',
    tags: ['rosters'],
    summary: 'Gaps of the published roster; JSON, or CSV with Accept: text/csv',
    description: rosterScope,
    request: { params: id, query: rosterQuerySchema },
    responses: apiResponses({ 200: csvOr('The gaps', gapsViewSchema, gapColumns) }, 400, 403, 404),
  });
  op({
    method: 'get',
    path: '/api/v1/plans/{id}/report',
    operationId: 'getDailyReport',
    tags: ['rosters'],
    summary: 'Daily report (一日一报) per town and village (planners, village heads); JSON, CSV or xlsx by Accept',
    description:
      'A village head’s report covers their villages; cadre and inspector tokens answer 403. Beside the roster’s coverage, `ground` counts check-ins, no-shows, walk-ins, inspections and their problems.',
    request: { params: id, query: reportQuerySchema },
    responses: apiResponses(
      {
        200: {
          description: 'The report',
          content: {
            'application/json': { schema: dailyReportSchema },
            'text/csv': { schema: z.string().describe('UTF-8 with BOM: a row per village, town and the district; the columns of the xlsx') },
            [XLSX_TYPE]: {
              schema: z
                .string()
                .describe('Accept this type: a summary sheet (a row per town) and a sheet per town (a row per village), as an office sends it upward'),
            },
          },
        },
      },
      400,
      403,
      404,
    ),
  });
  op({
    method: 'get',
    path: '/api/v1/plans/{id}/diff',
    operationId: 'getDiff',
    tags: ['rosters'],
    summary: 'Who gained and lost which shifts between two versions',
    description: 'Scoped like the roster.',
    request: { params: id, query: diffQuerySchema },
    responses: apiResponses({ 200: jsonResponse('The diff', diffSchema) }, 400, 403, 404),
  });
}
