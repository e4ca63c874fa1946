/** The day's unannounced visit list of a squad (inspector token), or every list (planner). */
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Models } from '../../db/models.js';
import { isLocalDate, isoWithOffset } from '../../domain/time.js';
import { currentVisitDate, visitDay } from '../../ground/visit-days.js';
import { principalOf } from '../auth.js';
import { apiResponses, instantOutSchema, jsonResponse } from '../openapi.js';
import { sendJson } from '../schemas.js';

export interface VisitRouteDeps {
  models: Models;
  now: () => Date;
  timeZone: string;
}

const visitQuerySchema = z.strictObject({
  date: z.string().refine(isLocalDate, 'not a date YYYY-MM-DD').optional().describe('The visit day (it starts with the plan’s first shift); default today'),
});

const visitListSchema = z
  .strictObject({
    date: z.string(),
    dayStart: instantOutSchema,
    dayEnd: instantOutSchema,
    nightHours: z.array(z.string()).describe('Local windows counted as night, e.g. 00:00-06:00'),
    lists: z
      .array(
        z.strictObject({
          squadId: z.string().describe('The squad’s token id'),
          visits: z.array(
            z.strictObject({
              gateId: z.string(),
              gateName: z.string(),
              village: z.string(),
              town: z.string(),
              start: instantOutSchema.describe('Arrive within [start, end)'),
              end: instantOutSchema,
              night: z.boolean(),
              due: z.boolean().describe('Last day of this gate’s window: do not skip it'),
            }),
          ),
        }),
      )
      .describe('An inspector gets its own list only; a planner every list'),
    unplanned: z
      .array(z.strictObject({ gateId: z.string(), reason: z.enum(['no_squad_in_scope', 'no_free_window']) }))
      .describe('Planners only: gates due today that no list could take'),
  })
  .openapi('VisitLists');

export function visitRoutes(deps: VisitRouteDeps, registry: OpenAPIRegistry): Router {
  const router = Router();
  router.get('/visits', async (req, res) => {
    const query = visitQuerySchema.parse(req.query);
    const now = deps.now();
    const date = query.date ?? (await currentVisitDate(deps.models, now, deps.timeZone));
    const { plan, layout, gateNames } = await visitDay(deps.models, principalOf(req), date, now, deps.timeZone);
    const at = (d: Date) => isoWithOffset(d, layout.timezone);
    sendJson(res, 200, visitListSchema, {
      date: plan.date,
      dayStart: at(plan.dayStart),
      dayEnd: at(plan.dayEnd),
      nightHours: plan.nightHours,
      lists: plan.lists.map((l) => ({
        squadId: l.squadId,
        visits: l.visits.map((v) => ({
          gateId: v.gateId,
          gateName: gateNames.get(v.gateId) ?? v.gateId,
          village: v.village,
          town: v.town,
          start: at(v.start),
          end: at(v.end),
          night: v.night,
          due: v.due,
        })),
      })),
      unplanned: plan.unplanned,
    });
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/visits',
    operationId: 'getVisitLists',
    tags: ['ground'],
    summary: 'The day’s unannounced visit list: a squad (inspector token) its own, a planner every squad’s',
    description: 'Drawn once per day at the first request from the start of that day, then kept. 403 before the day starts, and for village heads and cadres.',
    request: { query: visitQuerySchema },
    responses: apiResponses({ 200: jsonResponse('The lists', visitListSchema) }, 400, 403),
  });
  return router;
}
