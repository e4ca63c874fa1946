/**
 * Plans, solves, publishing and reading rosters. Handlers parse, call one use-case, answer.
 */
import { Router, type Request, type Response } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Models } from '../../db/models.js';
import { planSpecSchema } from '../../domain/plan.js';
import { isLocalDate } from '../../domain/time.js';
import type { Principal } from '../../auth/tokens.js';
import { addPin, createPlan, getPlan, listPlans, removePin, updatePlan, type Plan } from '../../roster/plans.js';
import { publishPlan, rollbackPlan } from '../../roster/publish-protocol.js';
import { listPublications, type Publication } from '../../roster/publish.js';
import { readDiff, readDraftRoster, readPublishedRoster, readReport } from '../../roster/read.js';
import { getSolve, listSolves, requestSolve } from '../../roster/solves.js';
import { principalOf, requireRole } from '../auth.js';
import { errorResponses } from '../openapi.js';
import { idParamSchema, instantSchema } from '../schemas.js';

export interface PlanRouteDeps {
  models: Models;
  /** Wakes the in-process worker so a new solve starts without waiting for the next poll. */
  onSolveRequested?: () => void;
}

const createPlanSchema = planSpecSchema.extend({ name: z.string().min(1).max(200) }).openapi('PlanCreate');
const patchPlanSchema = z.object({ name: z.string().min(1).max(200).optional() }).catchall(z.unknown()).openapi('PlanPatch');
const solveRequestSchema = z
  .object({
    engine: z.enum(['highs', 'jslp']).optional().describe('Override the LP engine for this solve'),
    deadlineSeconds: z.number().positive().max(3600).optional().describe('Override the deadline for this solve'),
  })
  .openapi('SolveRequest');
const publishSchema = z.object({ solveId: z.string().min(1) }).openapi('PublishRequest');
const rollbackSchema = z.object({ version: z.number().int().min(1).describe('The earlier version whose roster becomes current again') }).openapi('RollbackRequest');
const pinSchema = z
  .object({ cadreId: z.string().min(1), gateId: z.string().min(1), start: instantSchema.describe('Shift start, ISO 8601 instant') })
  .openapi('Pin');
const rosterQuerySchema = z.object({
  version: z.coerce.number().int().min(1).optional().describe('A published version; default the current one'),
  town: z.string().optional(),
  village: z.string().optional(),
  gateId: z.string().optional(),
  cadreId: z.string().optional(),
  from: instantSchema.optional().describe('Only rows overlapping [from, to)'),
  to: instantSchema.optional(),
});
const reportQuerySchema = z.object({
  date: z.string().refine(isLocalDate, 'not a date YYYY-MM-DD').describe('Local day of the report'),
  version: z.coerce.number().int().min(1).optional(),
});
const diffQuerySchema = z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) });

export function planRoutes(deps: PlanRouteDeps, registry: OpenAPIRegistry): Router {
  const router = Router();
  const { models } = deps;
  const planner = requireRole('planner');

  router.post('/plans', planner, async (req, res) => {
    const { name, ...spec } = createPlanSchema.parse(req.body);
    res.status(201).json(await createPlan(models, name, spec));
  });
  router.get('/plans', async (req, res) => {
    const principal = principalOf(req);
    res.json({ items: (await listPlans(models)).map((plan) => planFor(principal, plan)) });
  });
  router.get('/plans/:id', async (req, res) => {
    res.json(planFor(principalOf(req), await getPlan(models, idParamSchema.parse(req.params).id)));
  });
  router.patch('/plans/:id', planner, async (req, res) => {
    const { name, ...spec } = patchPlanSchema.parse(req.body);
    res.json(await updatePlan(models, idParamSchema.parse(req.params).id, { name, spec: spec as never }));
  });

  router.post('/plans/:id/solve', planner, async (req, res) => {
    const job = await requestSolve(models, idParamSchema.parse(req.params).id, solveRequestSchema.parse(req.body ?? {}), principalOf(req).tokenId);
    deps.onSolveRequested?.();
    res.status(202).location(`/api/v1/solves/${job.id}`).json(job);
  });
  router.get('/plans/:id/solves', planner, async (req, res) => {
    res.json({ items: await listSolves(models, idParamSchema.parse(req.params).id) });
  });
  router.get('/solves/:id', planner, async (req, res) => {
    res.json(await getSolve(models, idParamSchema.parse(req.params).id));
  });
  router.get('/solves/:id/roster', planner, async (req, res) => {
    const roster = await readDraftRoster(models, idParamSchema.parse(req.params).id, rosterQuerySchema.parse(req.query));
    sendRoster(req, res, roster.view, roster.csv);
  });

  router.post('/plans/:id/publish', planner, async (req, res) => {
    const { solveId } = publishSchema.parse(req.body);
    const result = await publishPlan(models, idParamSchema.parse(req.params).id, solveId, principalOf(req).tokenId);
    // Publishing the current version again is not an error and makes no new version.
    res.status(result.created ? 201 : 200).json(result);
  });
  router.post('/plans/:id/rollback', planner, async (req, res) => {
    const { version } = rollbackSchema.parse(req.body);
    const result = await rollbackPlan(models, idParamSchema.parse(req.params).id, version, principalOf(req).tokenId);
    res.status(result.created ? 201 : 200).json(result);
  });
  router.get('/plans/:id/versions', async (req, res) => {
    const principal = principalOf(req);
    const versions = await listPublications(models, idParamSchema.parse(req.params).id);
    res.json({ items: versions.map((publication) => publicationFor(principal, publication)) });
  });

  router.post('/plans/:id/pins', planner, async (req, res) => {
    res.status(201).json(await addPin(models, idParamSchema.parse(req.params).id, pinSchema.parse(req.body)));
  });
  router.delete('/plans/:id/pins', planner, async (req, res) => {
    res.json(await removePin(models, idParamSchema.parse(req.params).id, pinSchema.parse({ ...req.query, ...(req.body ?? {}) })));
  });

  router.get('/plans/:id/roster', async (req, res) => {
    const roster = await readPublishedRoster(models, principalOf(req), idParamSchema.parse(req.params).id, rosterQuerySchema.parse(req.query));
    sendRoster(req, res, roster.view, roster.csv);
  });
  router.get('/plans/:id/gaps', async (req, res) => {
    const roster = await readPublishedRoster(models, principalOf(req), idParamSchema.parse(req.params).id, rosterQuerySchema.parse(req.query));
    const { planId, version, publishedAt, timezone, gaps } = roster.view;
    sendRoster(req, res, { planId, version, publishedAt, timezone, gaps }, roster.gapsCsv);
  });
  router.get('/plans/:id/report', async (req, res) => {
    const { date, version } = reportQuerySchema.parse(req.query);
    res.json(await readReport(models, principalOf(req), idParamSchema.parse(req.params).id, date, version));
  });
  router.get('/plans/:id/diff', async (req, res) => {
    const { from, to } = diffQuerySchema.parse(req.query);
    res.json(await readDiff(models, principalOf(req), idParamSchema.parse(req.params).id, from, to));
  });

  document(registry);
  return router;
}

/**
 * A plan as a village head or a person may read it. Pins name people and gates of every
 * village, and they are the planner's input to the next solve rather than who is on duty
 * (that is the published roster, which is scoped per token): they go, whole. So does the gate
 * list (other villages' gates) and the running solve's id (solves are the planners').
 */
function planFor(principal: Principal, plan: Plan) {
  if (principal.role === 'planner') return plan;
  const { pins: _pins, activeSolveId: _activeSolveId, spec, ...rest } = plan;
  const { gateIds: _gateIds, ...ruleSpec } = spec;
  return { ...rest, spec: ruleSpec };
}

/** Who published (a planner's token id) and from which solve is the planners' business. */
function publicationFor(principal: Principal, publication: Publication) {
  if (principal.role === 'planner') return publication;
  const { publishedBy: _publishedBy, solveId: _solveId, ...rest } = publication;
  return rest;
}

/** JSON by default; CSV (UTF-8 with BOM, for Excel) when the client asks for text/csv. */
function sendRoster(req: Request, res: Response, json: object, csv: () => string): void {
  if (req.accepts(['application/json', 'text/csv']) === 'text/csv') {
    res.type('text/csv; charset=utf-8').send(csv());
    return;
  }
  res.json(json);
}

function document(registry: OpenAPIRegistry): void {
  const json = (description: string, schema?: z.ZodType) => ({ description, ...(schema ? { content: { 'application/json': { schema } } } : {}) });
  const id = z.object({ id: z.string() });
  const rosterBoth = (description: string) => ({ description, content: { 'application/json': { schema: z.object({}).passthrough() }, 'text/csv': { schema: z.string() } } });
  const body = (schema: z.ZodType) => ({ body: { content: { 'application/json': { schema } } } });
  registry.registerPath({ method: 'post', path: '/api/v1/plans', summary: 'Create a plan (planner)', request: body(createPlanSchema), responses: { 201: json('The plan'), ...errorResponses(400, 403, 422) } });
  registry.registerPath({ method: 'get', path: '/api/v1/plans', summary: 'List plans; pins, gate list and active solve for planners only', responses: { 200: json('Plans') } });
  registry.registerPath({ method: 'get', path: '/api/v1/plans/{id}', summary: 'One plan with its published version; pins, gate list and active solve for planners only', request: { params: id }, responses: { 200: json('The plan'), ...errorResponses(404) } });
  registry.registerPath({ method: 'patch', path: '/api/v1/plans/{id}', summary: 'Change a plan (planner); the merged plan is validated whole', request: { params: id, ...body(patchPlanSchema) }, responses: { 200: json('The plan'), ...errorResponses(403, 404, 422) } });
  registry.registerPath({ method: 'post', path: '/api/v1/plans/{id}/solve', summary: 'Queue a solve (planner); 409 while one runs', request: { params: id, ...body(solveRequestSchema) }, responses: { 202: json('The solve job'), ...errorResponses(403, 404, 409) } });
  registry.registerPath({ method: 'get', path: '/api/v1/plans/{id}/solves', summary: 'A plan’s solves, newest first (planner)', request: { params: id }, responses: { 200: json('Solve jobs'), ...errorResponses(403, 404) } });
  registry.registerPath({ method: 'get', path: '/api/v1/solves/{id}', summary: 'Solve status, progress and metrics (planner)', request: { params: id }, responses: { 200: json('The solve job'), ...errorResponses(403, 404) } });
  registry.registerPath({ method: 'get', path: '/api/v1/solves/{id}/roster', summary: 'Draft roster of a finished solve (planner)', request: { params: id, query: rosterQuerySchema }, responses: { 200: rosterBoth('Assignments, gaps, metrics'), ...errorResponses(403, 404) } });
  registry.registerPath({ method: 'post', path: '/api/v1/plans/{id}/publish', summary: 'Publish a solve as the plan’s next version (planner); publishing the current one again answers 200 and changes nothing', request: { params: id, ...body(publishSchema) }, responses: { 201: json('The publication'), 200: json('Already the current version'), ...errorResponses(403, 404, 409, 422) } });
  registry.registerPath({ method: 'post', path: '/api/v1/plans/{id}/rollback', summary: 'Make an earlier version current again, as a new version (planner); 200 when it already is', request: { params: id, ...body(rollbackSchema) }, responses: { 201: json('The new publication'), 200: json('That roster is already current'), ...errorResponses(400, 403, 404, 409) } });
  registry.registerPath({ method: 'get', path: '/api/v1/plans/{id}/versions', summary: 'Published versions of a plan; who published and from which solve for planners only', request: { params: id }, responses: { 200: json('Versions'), ...errorResponses(404) } });
  registry.registerPath({ method: 'post', path: '/api/v1/plans/{id}/pins', summary: 'Pin a person to a gate-shift (planner)', request: { params: id, ...body(pinSchema) }, responses: { 201: json('The plan'), ...errorResponses(403, 404, 422) } });
  registry.registerPath({ method: 'delete', path: '/api/v1/plans/{id}/pins', summary: 'Remove a pin (planner); the pin in the body or query', request: { params: id, ...body(pinSchema) }, responses: { 200: json('The plan'), ...errorResponses(403, 404) } });
  registry.registerPath({ method: 'get', path: '/api/v1/plans/{id}/roster', summary: 'Published roster (scoped); JSON, or CSV with Accept: text/csv', request: { params: id, query: rosterQuerySchema }, responses: { 200: rosterBoth('The roster'), ...errorResponses(403, 404) } });
  registry.registerPath({ method: 'get', path: '/api/v1/plans/{id}/gaps', summary: 'Gaps of the published roster (scoped); JSON or CSV', request: { params: id, query: rosterQuerySchema }, responses: { 200: rosterBoth('The gaps'), ...errorResponses(403, 404) } });
  registry.registerPath({ method: 'get', path: '/api/v1/plans/{id}/report', summary: 'Daily report (一日一报) per town and village (scoped)', request: { params: id, query: reportQuerySchema }, responses: { 200: json('The report'), ...errorResponses(400, 403, 404) } });
  registry.registerPath({ method: 'get', path: '/api/v1/plans/{id}/diff', summary: 'Who gained and lost which shifts between two versions (scoped)', request: { params: id, query: diffQuerySchema }, responses: { 200: json('The diff'), ...errorResponses(400, 403, 404) } });
}
