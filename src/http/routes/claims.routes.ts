/**
 * Open shifts and claims: a person's token lists the gaps they could take now and claims
 * one (the first claim of a place wins; src/claims/); planners and village heads read the
 * claims in their scope. Handlers parse, call one use-case, answer.
 */
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { assertActsFor } from '../../auth/act-for.js';
import { claimOpenShift, ClaimRefused, getClaim, listClaims, type ClaimRecord } from '../../claims/claims.js';
import { openShiftsFor, type OpenShift } from '../../claims/open-shifts.js';
import type { Models } from '../../db/models.js';
import { isoWithOffset } from '../../domain/time.js';
import { AppError } from '../../errors.js';
import { principalOf, requireRole, selfOf } from '../auth.js';
import { apiResponses, claimRefusalSchema, instantOutSchema, jsonBody, jsonResponse, nullableInstantSchema } from '../openapi.js';
import { idParamSchema, instantSchema } from '../schemas.js';

export interface ClaimRouteDeps {
  models: Models;
  timeZone: string;
  now: () => Date;
  /** How long a claim request waits for its round to publish it before answering 202. */
  claimWaitMs?: number;
}

const openShiftSchema = z
  .strictObject({
    planId: z.string(),
    planName: z.string(),
    version: z.number().int().describe('The published version it is offered in'),
    gateId: z.string(),
    gateName: z.string(),
    village: z.string(),
    town: z.string(),
    start: instantOutSchema,
    end: instantOutSchema,
    needed: z.number().int(),
    filled: z.number().int(),
    reason: z.string().describe('Why the solver left it open (a gap reason)'),
    seat: z.number().int().describe('The place of the gate-shift a claim takes first'),
    offeredSince: instantOutSchema,
  })
  .openapi('OpenShift');

const claimSchema = z
  .strictObject({
    id: z.string().describe('The place it took: plan, offered version, gate, shift start (ms), seat'),
    planId: z.string(),
    offeredVersion: z.number().int(),
    gateId: z.string(),
    start: instantOutSchema,
    end: instantOutSchema,
    seat: z.number().int(),
    cadreId: z.string(),
    village: z.string(),
    status: z
      .enum(['pending', 'published', 'refused'])
      .describe('pending: taken, waiting for its round to publish it; published (see publishedVersion); refused (see refusal)'),
    publishedVersion: z.number().int().nullable(),
    refusal: z.union([claimRefusalSchema, z.null()]),
    createdAt: instantOutSchema,
    decidedAt: nullableInstantSchema,
  })
  .openapi('Claim');

const claimRequestSchema = z
  .strictObject({
    planId: z.string().min(1).max(100),
    gateId: z.string().min(1).max(100),
    start: instantSchema.describe('Start of the shift, as the open shift gives it'),
    cadreId: z.string().min(1).max(64).optional().describe('Who claims; only the token’s own person (403 for anyone else). Default: the token’s person'),
  })
  .openapi('ClaimRequest');

const listQuerySchema = z.strictObject({
  status: z.enum(['pending', 'published', 'refused']).optional(),
  cadreId: z.string().min(1).max(64).optional(),
});

export function claimRoutes(deps: ClaimRouteDeps, registry: OpenAPIRegistry): Router {
  const router = Router();
  const { models, timeZone } = deps;
  const at = (d: Date) => isoWithOffset(d, timeZone);
  const shiftView = (o: OpenShift) => ({ ...o, start: at(o.start), end: at(o.end), offeredSince: at(o.offeredSince) });
  const claimView = (c: ClaimRecord) => ({
    ...c,
    start: at(c.start),
    end: at(c.end),
    createdAt: at(c.createdAt),
    decidedAt: c.decidedAt ? at(c.decidedAt) : null,
  });
  const cadreOnly = requireRole('cadre');

  router.get('/open-shifts', cadreOnly, async (req, res) => {
    z.strictObject({}).parse(req.query);
    res.json({ items: (await openShiftsFor(models, selfOf(principalOf(req)), deps.now())).map(shiftView) });
  });
  router.post('/open-shifts/claims', cadreOnly, async (req, res) => {
    const { cadreId: named, ...place } = claimRequestSchema.parse(req.body);
    const principal = principalOf(req);
    if (named !== undefined) assertActsFor(principal, { id: named }, ['self']);
    const claim = await claimOpenShift(models, selfOf(principal), place, { now: deps.now(), waitMs: deps.claimWaitMs ?? 5000 });
    if (claim.status === 'refused' && claim.refusal) throw new ClaimRefused(claim.refusal);
    res.status(claim.status === 'published' ? 200 : 202).json(claimView(claim));
  });
  router.get('/claims', requireRole('planner', 'village_head', 'cadre'), async (req, res) => {
    const query = listQuerySchema.parse(req.query);
    const principal = principalOf(req);
    if (principal.role === 'cadre' && query.cadreId) assertActsFor(principal, { id: query.cadreId }, ['self']);
    const claims = await listClaims(models, {
      villages: principal.role === 'village_head' ? principal.villages : null,
      ...(principal.role === 'cadre' ? { cadreId: selfOf(principal) } : query.cadreId ? { cadreId: query.cadreId } : {}),
      ...(query.status ? { status: query.status } : {}),
    });
    res.json({ items: claims.map(claimView) });
  });
  router.get('/claims/:id', requireRole('planner', 'village_head', 'cadre'), async (req, res) => {
    const claim = await getClaim(models, idParamSchema.parse(req.params).id);
    const principal = principalOf(req);
    const mine = principal.role === 'cadre' && claim.cadreId === principal.cadreId;
    const theirs = principal.role === 'village_head' && principal.villages.includes(claim.village);
    if (principal.role !== 'planner' && !mine && !theirs) throw new AppError('not_found', `no claim "${claim.id}"`);
    res.json(claimView(claim));
  });

  registry.registerPath({
    method: 'get',
    path: '/api/v1/open-shifts',
    operationId: 'listOpenShifts',
    tags: ['rosters'],
    summary:
      'Gaps of published plans starting within the plan’s openShiftPolicy.offerWithinHours that this person could take now without breaking a rule (locality, lead, availability, rest, 24 h and weekly caps, consecutive nights, duty in other plans). Cadre token',
    responses: apiResponses(
      { 200: jsonResponse('Open shifts, soonest first', z.strictObject({ items: z.array(openShiftSchema) }).openapi('OpenShiftList')) },
      403,
    ),
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/open-shifts/claims',
    operationId: 'claimOpenShift',
    tags: ['rosters'],
    summary:
      'Claim an open shift: the first claim of a place wins; it is published at once as a new version (the person’s feed, the village page and the village group’s robot get it). Cadre token',
    request: jsonBody(claimRequestSchema),
    responses: apiResponses(
      {
        200: jsonResponse('Claimed and published', claimSchema),
        202: jsonResponse('Claimed; its publish is still running (GET /api/v1/claims/{id})', claimSchema),
      },
      403,
      404,
      409,
      422,
    ),
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/claims',
    operationId: 'listClaims',
    tags: ['rosters'],
    summary: 'Claims of open shifts, soonest shift first: a planner’s all, a village head’s of their villages, a cadre’s own',
    request: { query: listQuerySchema },
    responses: apiResponses({ 200: jsonResponse('Claims', z.strictObject({ items: z.array(claimSchema) }).openapi('ClaimList')) }, 403, 422),
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/claims/{id}',
    operationId: 'getClaim',
    tags: ['rosters'],
    summary: 'One claim (planner, the head of its village, or the person who claimed)',
    request: { params: z.object({ id: z.string() }) },
    responses: apiResponses({ 200: jsonResponse('The claim', claimSchema) }, 403, 404),
  });
  return router;
}
