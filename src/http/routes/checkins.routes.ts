/**
 * Check-in and check-out at a gate for other clients than the gate page: a cadre token checks
 * its own person in. Handlers parse, call one use-case, answer.
 */
import { Router, type Request } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Models } from '../../db/models.js';
import { AppError } from '../../errors.js';
import { isoWithOffset } from '../../domain/time.js';
import { MAX_BACKDATE_MS, checkIn, checkOut, type CheckInResult } from '../../ground/checkins.js';
import { principalOf, requireRole } from '../auth.js';
import { assertActsFor } from '../../auth/act-for.js';
import { apiResponses, instantOutSchema, jsonBody, jsonResponse, nullableInstantSchema } from '../openapi.js';
import { instantSchema, sendJson } from '../schemas.js';

export interface CheckInRouteDeps {
  models: Models;
  now: () => Date;
}

const checkInRequestSchema = z
  .strictObject({
    gateId: z.string().min(1).max(64).describe('The gate one is at'),
    cadreId: z.string().min(1).max(64).optional().describe('Who checks in; only the token’s own person (403 for anyone else). Default: the token’s person'),
    at: instantSchema.optional().describe('When, ISO 8601; default now. At most 12 h ago (a tap queued offline), never in the future'),
  })
  .openapi('CheckInRequest');

export const checkInSchema = z
  .strictObject({
    planId: z.string(),
    gateId: z.string(),
    gateName: z.string(),
    village: z.string(),
    cadreId: z.string(),
    start: instantOutSchema.describe('Start of the gate-shift this check-in counts for'),
    end: instantOutSchema,
    checkedInAt: instantOutSchema,
    checkedOutAt: nullableInstantSchema,
    walkIn: z.boolean().describe('Not on the live roster at this gate-shift: recorded, fills a gap or stands in for a no-show'),
    via: z.enum(['gate', 'api']),
  })
  .openapi('CheckIn');

/** Future taps are refused, as are taps older than a phone could have queued them. */
function checkedAt(requested: Date | undefined, now: Date): Date {
  if (!requested) return now;
  if (requested.getTime() > now.getTime() + 60_000)
    throw new AppError('validation_failed', '`at` is in the future', { problems: [{ field: 'at', message: 'in the future' }] });
  if (requested.getTime() < now.getTime() - MAX_BACKDATE_MS)
    throw new AppError('validation_failed', '`at` is more than 12 hours ago', { problems: [{ field: 'at', message: 'more than 12 hours ago' }] });
  return requested;
}

export function checkInView(result: CheckInResult): z.output<typeof checkInSchema> {
  const at = (d: Date) => isoWithOffset(d, result.timezone);
  const c = result.checkIn;
  return {
    planId: c.planId,
    gateId: c.gateId,
    gateName: result.gate.name,
    village: result.gate.village,
    cadreId: c.cadreId,
    start: at(c.start),
    end: at(c.end),
    checkedInAt: at(c.checkedInAt),
    checkedOutAt: c.checkedOutAt ? at(c.checkedOutAt) : null,
    walkIn: result.walkIn,
    via: c.via,
  };
}

export function checkInRoutes(deps: CheckInRouteDeps, registry: OpenAPIRegistry): Router {
  const router = Router();
  const { models } = deps;
  /** The token's own person: a check-in is made only by the person themself (src/auth/act-for.ts). */
  const cadreOf = async (req: Request, named: string | undefined): Promise<string> => {
    const principal = principalOf(req);
    if (named !== undefined) assertActsFor(principal, { id: named }, ['self']);
    const cadreId = principal.cadreId;
    if (!cadreId || !(await models.Cadre.exists({ _id: cadreId })))
      throw new AppError('validation_failed', 'this token’s person is no longer in the directory');
    return cadreId;
  };
  const gateOf = async (gateId: string): Promise<string> => {
    if (!(await models.Gate.exists({ _id: gateId })))
      throw new AppError('validation_failed', `unknown gate "${gateId}"`, { problems: [{ field: 'gateId', message: 'unknown gate' }] });
    return gateId;
  };

  router.post('/checkins', requireRole('cadre'), async (req, res) => {
    const body = checkInRequestSchema.parse(req.body);
    const result = await checkIn(models, {
      cadreId: await cadreOf(req, body.cadreId),
      gateId: await gateOf(body.gateId),
      at: checkedAt(body.at, deps.now()),
      via: 'api',
    });
    sendJson(res, result.created ? 201 : 200, checkInSchema, checkInView(result));
  });
  router.post('/checkins/check-out', requireRole('cadre'), async (req, res) => {
    const body = checkInRequestSchema.parse(req.body);
    sendJson(
      res,
      200,
      checkInSchema,
      checkInView(await checkOut(models, { cadreId: await cadreOf(req, body.cadreId), gateId: await gateOf(body.gateId), at: checkedAt(body.at, deps.now()) })),
    );
  });

  registry.registerPath({
    method: 'post',
    path: '/api/v1/checkins',
    operationId: 'checkIn',
    tags: ['ground'],
    summary: 'Check in at a gate (cadre token, as its own person)',
    description:
      'Counts for the person’s own shift at this gate (from 30 min before its start) or, if they have none then, as a walk-in at the gate-shift on now. Checking in twice is one check-in (200). 422 when no published roster needs anyone at that gate then, or for an unknown gate.',
    request: jsonBody(checkInRequestSchema),
    responses: apiResponses(
      { 201: jsonResponse('Checked in', checkInSchema), 200: jsonResponse('Already checked in for this gate-shift', checkInSchema) },
      400,
      403,
      413,
      415,
      422,
    ),
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/checkins/check-out',
    operationId: 'checkOut',
    tags: ['ground'],
    summary: 'Check out of a gate (cadre token)',
    description: 'Closes the latest open check-in at this gate (up to 2 h after its shift ended); 422 when there is none.',
    request: jsonBody(checkInRequestSchema),
    responses: apiResponses({ 200: jsonResponse('Checked out', checkInSchema) }, 400, 403, 413, 415, 422),
  });
  return router;
}
