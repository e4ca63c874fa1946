/**
 * Absences: mark one person out for a span without re-uploading availability (planners, or
 * the head of that person's village), and accept what people reported themselves on their
 * own page. An accepted absence re-plans the published rosters it touches (src/replan/).
 * Handlers parse, call one use-case, answer.
 */
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Models } from '../../db/models.js';
import { acceptAbsence, listAbsenceRecords, recordAbsence, withdrawAbsence, type AbsenceRecord } from '../../replan/absence-reports.js';
import { isoWithOffset } from '../../domain/time.js';
import type { Principal } from '../../auth/tokens.js';
import { principalOf, requireRole } from '../auth.js';
import { apiResponses, instantOutSchema, jsonBody, jsonResponse } from '../openapi.js';
import { idParamSchema, instantSchema, plainText } from '../schemas.js';

export interface AbsenceRouteDeps {
  models: Models;
  /** The deployment's TIMEZONE: instants are answered with its offset. */
  timeZone: string;
}

const absenceRequestSchema = z
  .strictObject({
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
    status: z
      .enum(['reported', 'accepted'])
      .describe(
        'reported: the person reported it on their page and it waits for a village head or planner to accept it (not yet in effect); accepted: in effect',
      ),
    source: z
      .enum(['self', 'planner', 'village_head', 'upload'])
      .describe('Who entered it: the person (self), a planner, a village head, or an availability upload'),
    replan: z
      .strictObject({
        status: z
          .enum(['none', 'pending', 'done', 'failed'])
          .describe('none: not accepted yet; pending: the published rosters it touches are being re-planned; done; failed (see error)'),
        results: z
          .array(
            z.strictObject({
              planId: z.string(),
              solveId: z.string().optional().describe('Planners only: the re-plan solve'),
              publishedVersion: z
                .number()
                .int()
                .nullable()
                .describe('Version published at once with the fill-ins within the plan’s publishFillInsWithinHours; null when none were'),
              draftSolveId: z.string().nullable().optional().describe('Planners only: the whole re-plan as a draft, when part of it waits for the planner'),
            }),
          )
          .describe('One per plan re-planned for this absence'),
        error: z.string().nullable(),
      })
      .nullable()
      .describe('The automatic re-plan; null for absences that came from an upload'),
  })
  .openapi('Absence');

const absenceListSchema = z.strictObject({ items: z.array(absenceSchema) }).openapi('AbsenceList');

const listQuerySchema = z.strictObject({
  cadreId: z.string().min(1).optional(),
  village: z.string().min(1).optional(),
  from: instantSchema.optional().describe('Only absences overlapping [from, to)'),
  to: instantSchema.optional(),
});

export function absenceRoutes(deps: AbsenceRouteDeps, registry: OpenAPIRegistry): Router {
  const router = Router();
  const { models, timeZone } = deps;
  const allowed = requireRole('planner', 'village_head');
  // Solve ids are the planners' business (as in plan and roster answers).
  const view = (a: AbsenceRecord, principal: Principal) => ({
    ...a,
    from: isoWithOffset(a.from, timeZone),
    to: isoWithOffset(a.to, timeZone),
    replan:
      a.replan && principal.role !== 'planner'
        ? { ...a.replan, results: a.replan.results.map(({ planId, publishedVersion }) => ({ planId, publishedVersion })) }
        : a.replan,
  });

  router.post('/absences', allowed, async (req, res) => {
    const { absence, created } = await recordAbsence(models, principalOf(req), absenceRequestSchema.parse(req.body));
    res.status(created ? 201 : 200).json(view(absence, principalOf(req)));
  });
  router.get('/absences', allowed, async (req, res) => {
    res.json({ items: (await listAbsenceRecords(models, principalOf(req), listQuerySchema.parse(req.query))).map((a) => view(a, principalOf(req))) });
  });
  router.post('/absences/:id/accept', allowed, async (req, res) => {
    res.json(view(await acceptAbsence(models, principalOf(req), idParamSchema.parse(req.params).id), principalOf(req)));
  });
  router.delete('/absences/:id', allowed, async (req, res) => {
    await withdrawAbsence(models, principalOf(req), idParamSchema.parse(req.params).id);
    res.status(204).end();
  });

  const id = z.strictObject({ id: z.string() });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/absences',
    operationId: 'addAbsence',
    tags: ['directory'],
    summary:
      'Mark a person absent (an unavailable window beside their other windows), accepted at once; the published rosters it touches are re-planned. Planner, or the head of their village',
    request: jsonBody(absenceRequestSchema),
    responses: apiResponses(
      { 201: jsonResponse('The absence', absenceSchema), 200: jsonResponse('The same absence was already there; nothing changed', absenceSchema) },
      400,
      403,
      404,
      409,
      422,
    ),
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/absences',
    operationId: 'listAbsences',
    tags: ['directory'],
    summary: 'Absences of the people in scope, soonest first: unavailable windows, and self-reports waiting for acceptance (planner or village head)',
    request: { query: listQuerySchema },
    responses: apiResponses({ 200: jsonResponse('Absences', absenceListSchema) }, 400, 403),
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/absences/{id}/accept',
    operationId: 'acceptAbsence',
    tags: ['directory'],
    summary:
      'Accept an absence the person reported on their page (when the plan’s policy asks for acceptance): it takes effect and the published rosters it touches are re-planned. Planner, or the head of their village; accepting again changes nothing',
    request: { params: id },
    responses: apiResponses({ 200: jsonResponse('The absence, accepted', absenceSchema) }, 403, 404, 409),
  });
  registry.registerPath({
    method: 'delete',
    path: '/api/v1/absences/{id}',
    operationId: 'removeAbsence',
    tags: ['directory'],
    summary:
      'Remove one absence, or decline one waiting for acceptance; the person’s other windows stay (planner, or the head of their village). Shifts already re-planned stay as published',
    request: { params: id },
    responses: apiResponses({ 204: { description: 'Removed' } }, 403, 404, 409),
  });
  return router;
}
