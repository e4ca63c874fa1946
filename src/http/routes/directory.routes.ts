/**
 * Gates, people and availability: uploads (PUT, planners only), scoped reads, deletes.
 * Handlers parse, call one use-case, answer.
 */
import express, { Router, type Request } from 'express';
import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Models } from '../../db/models.js';
import { uploadAvailability, uploadCadres, uploadGates, type UploadOptions } from '../../directory/upload.js';
import * as queries from '../../directory/queries.js';
import type { SyncCounts } from '../../db/sync-by-key.js';
import type { IntakeLimits, UploadFile } from '../../intake/index.js';
import { ACCEPTED_CONTENT_TYPES } from '../../intake/index.js';
import { isoWithOffset } from '../../domain/time.js';
import { principalOf, requireRole } from '../auth.js';
import { apiResponses, jsonResponse } from '../openapi.js';
import {
  availabilitySchema,
  cadreSchema,
  gateSchema,
  idParamSchema,
  pageOf,
  pageQuerySchema,
  placeQuerySchema,
  replaceQuerySchema,
  roleSchema,
  sendJson,
  syncCountsSchema,
  villageListSchema,
} from '../schemas.js';

export interface DirectoryDeps {
  models: Models;
  timeZone: string;
  uploadLimitBytes: number;
  /** Rows and unpacked size per upload (UPLOAD_MAX_ROWS, UPLOAD_MAX_XLSX_MB); default DEFAULT_LIMITS. */
  intakeLimits?: IntakeLimits;
}

type Uploader = (models: Models, file: UploadFile, options: UploadOptions) => Promise<SyncCounts>;

const UPLOADS: { path: string; what: string; upload: Uploader; operationId: string }[] = [
  { path: '/gates', what: 'gates (门岗); villages and towns come from here', upload: uploadGates, operationId: 'uploadGates' },
  { path: '/cadres', what: 'people (人员); villages must be known from gates', upload: uploadCadres, operationId: 'uploadCadres' },
  {
    path: '/availability',
    what: 'availability windows; replaces all windows of the people named',
    upload: uploadAvailability,
    operationId: 'uploadAvailability',
  },
];

export function directoryRoutes(deps: DirectoryDeps, registry: OpenAPIRegistry): Router {
  const router = Router();
  const { models } = deps;
  const rawBody = express.raw({ type: () => true, limit: deps.uploadLimitBytes });

  for (const { path, what, upload, operationId } of UPLOADS) {
    router.put(path, requireRole('planner'), rawBody, async (req, res) => {
      const { replace } = replaceQuerySchema.parse(req.query);
      const counts = await upload(models, uploadFileOf(req), { replace, timeZone: deps.timeZone, limits: deps.intakeLimits });
      sendJson(res, 200, syncCountsSchema, counts);
    });
    registry.registerPath({
      method: 'put',
      path: `/api/v1${path}`,
      operationId,
      tags: ['directory'],
      summary: `Upload ${what} (planner)`,
      description:
        'CSV (UTF-8 with or without BOM, or GBK/GB18030), Excel .xlsx, or JSON. All-or-nothing: one bad row and nothing is written. ' +
        'A 422 lists the first 1,000 problems (row, column, value clipped to 100 characters, message, messageZh) and `details.total`. ' +
        'Ids are at most 64 characters, names 100, free text 500, with no control characters; an id may not start with `$` or contain `.`. ' +
        'JSON: an array of flat objects keyed by the column headers; each value is text, or a number in a number column, or true/false in a true/false column (text such as "2" or "yes" is read as in a sheet), never an object or an array. ' +
        'A 413 (with the reason as a row-1 problem) for a body over UPLOAD_LIMIT_MB, more than UPLOAD_MAX_ROWS data rows, an .xlsx unpacking to more than UPLOAD_MAX_XLSX_MB, or a file that takes more than 60 s or 512 MB to read. ' +
        'A 409 while another upload or delete is being written (send it again). A 429 past RATE_LIMIT_UPLOADS_PER_HOUR uploads per token.',
      request: {
        query: replaceQuerySchema,
        body: { required: true, content: Object.fromEntries(ACCEPTED_CONTENT_TYPES.map((t) => [t, { schema: z.string().describe('The file') }])) },
      },
      responses: apiResponses({ 200: jsonResponse('Counts of what changed', syncCountsSchema) }, 400, 403, 409, 413, 415, 422),
    });
  }

  const gatesQuery = pageQuerySchema.extend(placeQuerySchema.shape);
  router.get('/gates', async (req, res) => {
    sendJson(res, 200, gatePageSchema, await queries.listGates(models, principalOf(req), gatesQuery.parse(req.query)));
  });
  router.get('/gates/:id', async (req, res) => {
    sendJson(res, 200, gateSchema, await queries.getGate(models, principalOf(req), idParamSchema.parse(req.params).id));
  });
  router.delete('/gates/:id', requireRole('planner'), async (req, res) => {
    await queries.deleteGate(models, idParamSchema.parse(req.params).id);
    res.status(204).end();
  });

  const cadresQuery = gatesQuery.extend({ role: roleSchema.optional() });
  router.get('/cadres', async (req, res) => {
    const query = cadresQuery.parse(req.query);
    sendJson(res, 200, cadrePageSchema, await queries.listCadres(models, principalOf(req), { ...query, role: query.role as never }));
  });
  router.get('/cadres/:id', async (req, res) => {
    sendJson(res, 200, cadreSchema, await queries.getCadre(models, principalOf(req), idParamSchema.parse(req.params).id));
  });
  router.delete('/cadres/:id', requireRole('planner'), async (req, res) => {
    await queries.deleteCadre(models, idParamSchema.parse(req.params).id);
    res.status(204).end();
  });

  const availabilityQuery = pageQuerySchema.extend({
    cadreId: z.string().optional().describe('Only this person'),
    village: z.string().optional().describe('Only people of this village'),
  });
  router.get('/availability', async (req, res) => {
    const page = await queries.listAvailability(models, principalOf(req), availabilityQuery.parse(req.query));
    const at = (d: Date) => isoWithOffset(new Date(d), deps.timeZone);
    const items = page.items.map((a) => ({ cadreId: a.cadreId, windows: a.windows.map((w) => ({ start: at(w.start), end: at(w.end), kind: w.kind })) }));
    sendJson(res, 200, availabilityPageSchema, { ...page, items });
  });
  router.delete('/availability/:id', requireRole('planner'), async (req, res) => {
    await queries.deleteAvailability(models, idParamSchema.parse(req.params).id);
    res.status(204).end();
  });

  router.get('/villages', async (req, res) => {
    sendJson(res, 200, villageListSchema, { items: await queries.listVillages(models, principalOf(req)) });
  });

  documentReads(registry, { gatesQuery, cadresQuery, availabilityQuery });
  return router;
}

const gatePageSchema = pageOf(gateSchema, 'GatePage');
const cadrePageSchema = pageOf(cadreSchema, 'CadrePage');
const availabilityPageSchema = pageOf(availabilitySchema, 'AvailabilityPage');

function uploadFileOf(req: Request): UploadFile {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  return { body, contentType: req.get('content-type') ?? '' };
}

function documentReads(registry: OpenAPIRegistry, q: { gatesQuery: z.ZodObject; cadresQuery: z.ZodObject; availabilityQuery: z.ZodObject }): void {
  const idParams = z.strictObject({ id: z.string().describe('The record’s id') });
  const scoped =
    'Scoped: a village head sees their villages, a cadre token its own person. Filters only narrow: one naming something outside the token’s scope matches nothing (200, empty).';
  const op = (
    method: 'get' | 'delete',
    path: string,
    operationId: string,
    summary: string,
    rest: Omit<RouteConfig, 'method' | 'path' | 'operationId' | 'summary'>,
  ) => registry.registerPath({ method, path, operationId, summary, tags: ['directory'], ...rest });
  op('get', '/api/v1/gates', 'listGates', 'List gates (scoped; not for cadre tokens)', {
    description: scoped,
    request: { query: q.gatesQuery },
    responses: apiResponses({ 200: jsonResponse('A page of gates', gatePageSchema) }, 400, 403),
  });
  op('get', '/api/v1/gates/{id}', 'getGate', 'One gate (scoped; not for cadre tokens)', {
    request: { params: idParams },
    responses: apiResponses({ 200: jsonResponse('The gate', gateSchema) }, 403, 404),
  });
  op('delete', '/api/v1/gates/{id}', 'deleteGate', 'Delete a gate (planner)', {
    request: { params: idParams },
    responses: apiResponses({ 204: { description: 'Deleted' } }, 403, 404, 409),
  });
  op('get', '/api/v1/cadres', 'listCadres', 'List people (scoped; phone for planners only)', {
    description: scoped,
    request: { query: q.cadresQuery },
    responses: apiResponses({ 200: jsonResponse('A page of people', cadrePageSchema) }, 400, 403),
  });
  op('get', '/api/v1/cadres/{id}', 'getCadre', 'One person (scoped; phone for planners only)', {
    request: { params: idParams },
    responses: apiResponses({ 200: jsonResponse('The person', cadreSchema) }, 403, 404),
  });
  op('delete', '/api/v1/cadres/{id}', 'deleteCadre', 'Delete a person and their availability (planner)', {
    request: { params: idParams },
    responses: apiResponses({ 204: { description: 'Deleted' } }, 403, 404, 409),
  });
  op('get', '/api/v1/availability', 'listAvailability', 'Availability windows per person (scoped)', {
    description: scoped,
    request: { query: q.availabilityQuery },
    responses: apiResponses({ 200: jsonResponse('A page of availability', availabilityPageSchema) }, 400, 403),
  });
  op('delete', '/api/v1/availability/{id}', 'deleteAvailability', 'Delete all windows of a person (planner); the id is the person’s', {
    request: { params: idParams },
    responses: apiResponses({ 204: { description: 'Deleted' } }, 403, 404, 409),
  });
  op('get', '/api/v1/villages', 'listVillages', 'Villages with their town and gate count (scoped; not for cadre tokens)', {
    responses: apiResponses({ 200: jsonResponse('Villages', villageListSchema) }, 403),
  });
}
