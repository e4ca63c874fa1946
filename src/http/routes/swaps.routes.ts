/**
 * Swaps between people (src/claims/swaps.ts): a person's token offers one of their shifts,
 * lists the offers they could take and accepts one; the head of the shift's village (or a
 * planner) approves where the plan's policy asks for it. Handlers parse, call one use-case,
 * answer.
 */
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Principal } from '../../auth/tokens.js';
import { acceptSwap, decideSwap, getSwap, listSwaps, offerSwap, swapsOpenTo, withdrawSwap, type SwapRecord, type SwapStatus } from '../../claims/swaps.js';
import type { Models } from '../../db/models.js';
import { isoWithOffset } from '../../domain/time.js';
import { AppError } from '../../errors.js';
import { principalOf, requireRole, selfOf } from '../auth.js';
import { apiResponses, claimRefusalSchema, instantOutSchema, jsonBody, jsonResponse, nullableInstantSchema } from '../openapi.js';
import { idParamSchema, instantSchema } from '../schemas.js';

export interface SwapRouteDeps {
  models: Models;
  timeZone: string;
  now: () => Date;
  /** How long an acceptance waits for its publish before answering 202. */
  claimWaitMs?: number;
}

const SWAP_STATUSES = [
  'open',
  'awaiting_approval',
  'pending',
  'published',
  'refused',
  'withdrawn',
  'declined',
  'expired',
] as const satisfies readonly SwapStatus[];

const shiftRefSchema = z.strictObject({ gateId: z.string(), start: instantOutSchema, end: instantOutSchema }).openapi('SwapShift');

const swapSchema = z
  .strictObject({
    id: z.string(),
    planId: z.string(),
    offeredVersion: z.number().int().describe('The published version it was offered in'),
    gateId: z.string(),
    start: instantOutSchema,
    end: instantOutSchema,
    village: z.string().describe('The offered shift’s village (whose head approves)'),
    fromCadreId: z.string().describe('Who offers the shift'),
    toCadreId: z.string().nullable().describe('The colleague it is offered to, or null for anyone who could take it'),
    status: z
      .enum(SWAP_STATUSES)
      .describe(
        'open: nobody took it yet; awaiting_approval: accepted, waiting for the head; pending: accepted (and approved), being published; published (see publishedVersion); refused (a rule no longer held, see refusal); withdrawn; declined by the head; expired (the shift started or changed, see refusal)',
      ),
    takerCadreId: z.string().nullable(),
    inReturn: z.union([shiftRefSchema, z.null()]).describe('The taker’s shift the offerer takes in return, or null for a give-away'),
    decidedBy: z.string().nullable(),
    publishedVersion: z.number().int().nullable(),
    refusal: z.union([claimRefusalSchema, z.null()]),
    createdAt: instantOutSchema,
    decidedAt: nullableInstantSchema,
  })
  .openapi('Swap');

const offerSchema = z
  .strictObject({
    planId: z.string().min(1).max(100),
    gateId: z.string().min(1).max(100),
    start: instantSchema.describe('Start of one of your own published shifts'),
    toCadreId: z.string().min(1).max(64).optional().describe('Offer it to this colleague only; default: anyone who could take it'),
  })
  .openapi('SwapOffer');

const acceptSchema = z
  .strictObject({
    inReturn: z
      .strictObject({ gateId: z.string().min(1).max(100), start: instantSchema })
      .optional()
      .describe('One of your own upcoming shifts the offerer takes in return; default: none (you take theirs)'),
  })
  .openapi('SwapAccept');

const decisionSchema = z.strictObject({ approve: z.boolean() }).openapi('SwapDecision');
const listQuerySchema = z.strictObject({ status: z.enum(SWAP_STATUSES).optional() });
const swapList = z.strictObject({ items: z.array(swapSchema) }).openapi('SwapList');

export function swapRoutes(deps: SwapRouteDeps, registry: OpenAPIRegistry): Router {
  const router = Router();
  const { models, timeZone } = deps;
  const at = (d: Date) => isoWithOffset(d, timeZone);
  const view = (s: SwapRecord) => ({
    ...s,
    start: at(s.start),
    end: at(s.end),
    inReturn: s.inReturn ? { ...s.inReturn, start: at(s.inReturn.start), end: at(s.inReturn.end) } : null,
    createdAt: at(s.createdAt),
    decidedAt: s.decidedAt ? at(s.decidedAt) : null,
  });
  const cadreOnly = requireRole('cadre');
  const anyone = requireRole('planner', 'village_head', 'cadre');

  router.post('/swaps', cadreOnly, async (req, res) => {
    const offer = offerSchema.parse(req.body);
    res.status(201).json(view(await offerSwap(models, selfOf(principalOf(req)), offer, deps.now())));
  });
  router.get('/swaps/open', cadreOnly, async (req, res) => {
    z.strictObject({}).parse(req.query);
    res.json({ items: (await swapsOpenTo(models, selfOf(principalOf(req)), deps.now())).map(view) });
  });
  router.get('/swaps', anyone, async (req, res) => {
    const query = listQuerySchema.parse(req.query);
    const principal = principalOf(req);
    const swaps = await listSwaps(
      models,
      {
        villages: principal.role === 'village_head' ? principal.villages : null,
        ...(principal.role === 'cadre' ? { cadreId: selfOf(principal) } : {}),
        ...(query.status ? { status: query.status } : {}),
      },
      deps.now(),
    );
    res.json({ items: swaps.map(view) });
  });
  router.get('/swaps/:id', anyone, async (req, res) => {
    const swap = await getSwap(models, idParamSchema.parse(req.params).id, deps.now());
    assertSees(principalOf(req), swap);
    res.json(view(swap));
  });
  router.post('/swaps/:id/accept', cadreOnly, async (req, res) => {
    const { id } = idParamSchema.parse(req.params);
    const body = acceptSchema.parse(req.body ?? {});
    const principal = principalOf(req);
    assertSees(principal, await getSwap(models, id, deps.now()), { open: true });
    const swap = await acceptSwap(models, selfOf(principal), id, body, { now: deps.now(), waitMs: deps.claimWaitMs ?? 5000 });
    res.status(swap.status === 'published' ? 200 : 202).json(view(swap));
  });
  router.post('/swaps/:id/withdraw', cadreOnly, async (req, res) => {
    const { id } = idParamSchema.parse(req.params);
    z.strictObject({}).parse(req.body ?? {});
    res.json(view(await withdrawSwap(models, selfOf(principalOf(req)), id, deps.now())));
  });
  router.post('/swaps/:id/decision', requireRole('planner', 'village_head'), async (req, res) => {
    const { id } = idParamSchema.parse(req.params);
    const { approve } = decisionSchema.parse(req.body);
    res.json(view(await decideSwap(models, principalOf(req), id, approve, deps.now())));
  });

  const idParam = { params: z.object({ id: z.string() }) };
  registry.registerPath({
    method: 'post',
    path: '/api/v1/swaps',
    operationId: 'offerSwap',
    tags: ['rosters'],
    summary:
      'Offer one of your own published shifts, to anyone who could take it or to a named colleague. It expires at shift start, or when the shift changes. Cadre token',
    request: jsonBody(offerSchema),
    responses: apiResponses({ 201: jsonResponse('The offer (an open offer of the same shift, if you made one already)', swapSchema) }, 403, 404, 409, 422),
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/swaps/open',
    operationId: 'listOpenSwaps',
    tags: ['rosters'],
    summary: 'Offers this person could accept now without breaking a rule (offered to anyone, or to them by name), soonest first. Cadre token',
    responses: apiResponses({ 200: jsonResponse('Open offers', swapList) }, 403, 422),
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/swaps',
    operationId: 'listSwaps',
    tags: ['rosters'],
    summary: 'Swaps, soonest shift first: a planner’s all, a village head’s of their villages, a cadre’s own (offered, taken, or offered to them by name)',
    request: { query: listQuerySchema },
    responses: apiResponses({ 200: jsonResponse('Swaps', swapList) }, 403, 422),
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/swaps/{id}',
    operationId: 'getSwap',
    tags: ['rosters'],
    summary: 'One swap (planner, the head of its village, or the people in it)',
    request: idParam,
    responses: apiResponses({ 200: jsonResponse('The swap', swapSchema) }, 403, 404),
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/swaps/{id}/accept',
    operationId: 'acceptSwap',
    tags: ['rosters'],
    summary:
      'Accept an open offer (optionally giving one of your shifts in return): refused with the reason unless both rosters stay legal; the first acceptance wins; published at once (or after the head approves, where the plan asks). Cadre token',
    request: { ...idParam, ...jsonBody(acceptSchema) },
    responses: apiResponses(
      {
        200: jsonResponse('Accepted and published', swapSchema),
        202: jsonResponse('Accepted; waiting for the head’s approval, or its publish is still running (GET /api/v1/swaps/{id})', swapSchema),
      },
      403,
      404,
      409,
      422,
    ),
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/swaps/{id}/withdraw',
    operationId: 'withdrawSwap',
    tags: ['rosters'],
    summary: 'Take your offer back (refused once someone accepted it). Cadre token of the offerer',
    request: { ...idParam, ...jsonBody(z.strictObject({}).openapi('SwapWithdraw')) },
    responses: apiResponses({ 200: jsonResponse('The withdrawn offer', swapSchema) }, 403, 404, 409, 422),
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/swaps/{id}/decision',
    operationId: 'decideSwap',
    tags: ['rosters'],
    summary:
      'Approve or decline an accepted swap that waits for approval (the plan’s openShiftPolicy.swapsNeedApproval): a head of the offered shift’s village, or a planner; the first word stands',
    request: { ...idParam, ...jsonBody(decisionSchema) },
    responses: apiResponses({ 200: jsonResponse('The swap as it stands', swapSchema) }, 403, 404, 409, 422),
  });
  return router;
}

/** Planners see every swap, heads their villages', people those they are in (and, to accept, open ones). */
function assertSees(principal: Principal, swap: SwapRecord, options: { open?: boolean } = {}): void {
  if (principal.role === 'planner') return;
  if (principal.role === 'village_head' && principal.villages.includes(swap.village)) return;
  const me = principal.cadreId;
  if (me && (swap.fromCadreId === me || swap.toCadreId === me || swap.takerCadreId === me)) return;
  if (options.open && swap.toCadreId === null) return;
  throw new AppError('not_found', `no swap "${swap.id}"`);
}
