/**
 * Absences: mark one person out for a span without re-uploading availability (planners, or
 * the head of that person's village). Handlers parse, call one use-case, answer.
 */
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Models } from '../../db/models.js';
import { addAbsence, listAbsences, removeAbsence, type Absence } from '../../directory/absences.js';
import { isoWithOffset } from '../../domain/time.js';
import { principalOf, requireRole } from '../auth.js';
import { apiResponses, instantOutSchema, jsonBody, jsonResponse } from '../openapi.js';
import { idParamSchema, instantSchema, plainText } from '../schemas.js';

export interface AbsenceRouteDeps {
  models: Models;
  /** The deployment's TIMEZONE: instants are answered with its offset. */
  timeZone: string;
}

const absenceRequestSchema = z
  .object({
    cadreId: z.string().min(1).max(64),
    from: instantSchema.describe('First instant of the absence, ISO 8601'),
    to: instantSchema.describe('End of the absence (exclusive), ISO 8601'),
    reason: plainText(500).optional().describe('Free text for people, e.g. 发热 / 隔离'),
  })
  .openapi('AbsenceRequest');

const absenceSchema = z
  .strictObject({
    id: z.string().describe('Stable id of this absence (its person and span)'),
    cadreId: z.string(),
    cadreName: z.string(),
    village: z.string(),
    from: instantOutSchema,
    to: instantOutSchema,
    reason: z.string().describe('Empty when none was given (or the absence came from an upload)'),
  })
  .openapi('Absence');

const absenceListSchema = z.strictObject({ items: z.array(absenceSchema) }).openapi('AbsenceList');

const listQuerySchema = z.object({
  cadreId: z.string().min(1).optional(),
  village: z.string().min(1).optional(),
  from: instantSchema.optional().describe('Only absences overlapping [from, to)'),
  to: instantSchema.optional(),
});

export function absenceRoutes(deps: AbsenceRouteDeps, registry: OpenAPIRegistry): Router {
  const router = Router();
  const { models, timeZone } = deps;
  const allowed = requireRole('planner', 'village_head');
  const view = (a: Absence) => ({ ...a, from: isoWithOffset(a.from, timeZone), to: isoWithOffset(a.to, timeZone) });

  router.post('/absences', allowed, async (req, res) => {
    const { absence, created } = await addAbsence(models, principalOf(req), absenceRequestSchema.parse(req.body));
    res.status(created ? 201 : 200).json(view(absence));
  });
  router.get('/absences', allowed, async (req, res) => {
    res.json({ items: (await listAbsences(models, principalOf(req), listQuerySchema.parse(req.query))).map(view) });
  });
  router.delete('/absences/:id', allowed, async (req, res) => {
    await removeAbsence(models, principalOf(req), idParamSchema.parse(req.params).id);
    res.status(204).end();
  });

  const id = z.object({ id: z.string() });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/absences',
    operationId: 'addAbsence',
    tags: ['directory'],
    summary: 'Mark a person absent (an unavailable window beside their other windows); planner, or the head of their village',
    request: jsonBody(absenceRequestSchema),
    responses: apiResponses({ 201: jsonResponse('The absence', absenceSchema), 200: jsonResponse('The same absence was already there; nothing changed', absenceSchema) }, 400, 403, 404, 409, 422),
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/absences',
    operationId: 'listAbsences',
    tags: ['directory'],
    summary: 'Unavailable windows of the people in scope, soonest first (planner or village head)',
    request: { query: listQuerySchema },
    responses: apiResponses({ 200: jsonResponse('Absences', absenceListSchema) }, 400, 403),
  });
  registry.registerPath({
    method: 'delete',
    path: '/api/v1/absences/{id}',
    operationId: 'removeAbsence',
    tags: ['directory'],
    summary: 'Remove one absence; the person’s other windows stay (planner, or the head of their village)',
    request: { params: id },
    responses: apiResponses({ 204: { description: 'Removed' } }, 403, 404, 409),
  });
  return router;
}
