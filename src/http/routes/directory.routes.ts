/**
 * Gates, people and availability: uploads (PUT, planners only), scoped reads, deletes.
 * Handlers parse, call one use-case, answer.
 */
import express, { Router, type Request } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Models } from '../../db/models.js';
import { uploadAvailability, uploadCadres, uploadGates, type UploadOptions } from '../../directory/upload.js';
import * as queries from '../../directory/queries.js';
import type { SyncCounts } from '../../db/sync-by-key.js';
import type { IntakeLimits, UploadFile } from '../../intake/index.js';
import { ACCEPTED_CONTENT_TYPES } from '../../intake/index.js';
import { principalOf, requireRole } from '../auth.js';
import { errorResponses } from '../openapi.js';
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
  syncCountsSchema,
} from '../schemas.js';

export interface DirectoryDeps {
  models: Models;
  timeZone: string;
  uploadLimitBytes: number;
  /** Rows and unpacked size per upload (UPLOAD_MAX_ROWS, UPLOAD_MAX_XLSX_MB); default DEFAULT_LIMITS. */
  intakeLimits?: IntakeLimits;
}

type Uploader = (models: Models, file: UploadFile, options: UploadOptions) => Promise<SyncCounts>;

const UPLOADS: { path: string; what: string; upload: Uploader }[] = [
  { path: '/gates', what: 'gates (门岗); villages and towns come from here', upload: uploadGates },
  { path: '/cadres', what: 'people (人员); villages must be known from gates', upload: uploadCadres },
  { path: '/availability', what: 'availability windows; replaces all windows of the people named', upload: uploadAvailability },
];

export function directoryRoutes(deps: DirectoryDeps, registry: OpenAPIRegistry): Router {
  const router = Router();
  const { models } = deps;
  const rawBody = express.raw({ type: () => true, limit: deps.uploadLimitBytes });

  for (const { path, what, upload } of UPLOADS) {
    router.put(path, requireRole('planner'), rawBody, async (req, res) => {
      const { replace } = replaceQuerySchema.parse(req.query);
      const counts = await upload(models, uploadFileOf(req), { replace, timeZone: deps.timeZone, limits: deps.intakeLimits });
      res.json(counts);
    });
    registry.registerPath({
      method: 'put',
      path: `/api/v1${path}`,
      summary: `Upload ${what}`,
      description:
        'CSV (UTF-8 with or without BOM, or GBK/GB18030), Excel .xlsx, or JSON. All-or-nothing: one bad row and nothing is written. ' +
        'A 422 lists the first 1,000 problems (row, column, value clipped to 100 characters, message, messageZh) and `details.total`. ' +
        'Ids are at most 64 characters, names 100, free text 500, with no control characters. ' +
        'A 413 (with the reason as a row-1 problem) for more than UPLOAD_MAX_ROWS data rows, an .xlsx unpacking to more than UPLOAD_MAX_XLSX_MB, or a file that takes more than 60 s or 512 MB to read.',
      request: {
        query: replaceQuerySchema,
        body: { content: Object.fromEntries(ACCEPTED_CONTENT_TYPES.map((t) => [t, { schema: z.string() }])) },
      },
      responses: { 200: { description: 'Counts of what changed', content: { 'application/json': { schema: syncCountsSchema } } }, ...errorResponses(403, 413, 415, 422) },
    });
  }

  const gatesQuery = pageQuerySchema.extend(placeQuerySchema.shape);
  router.get('/gates', async (req, res) => {
    res.json(await queries.listGates(models, principalOf(req), gatesQuery.parse(req.query)));
  });
  router.get('/gates/:id', async (req, res) => {
    res.json(await queries.getGate(models, principalOf(req), idParamSchema.parse(req.params).id));
  });
  router.delete('/gates/:id', requireRole('planner'), async (req, res) => {
    await queries.deleteGate(models, idParamSchema.parse(req.params).id);
    res.status(204).end();
  });

  const cadresQuery = gatesQuery.extend({ role: roleSchema.optional() });
  router.get('/cadres', async (req, res) => {
    const query = cadresQuery.parse(req.query);
    res.json(await queries.listCadres(models, principalOf(req), { ...query, role: query.role as never }));
  });
  router.get('/cadres/:id', async (req, res) => {
    res.json(await queries.getCadre(models, principalOf(req), idParamSchema.parse(req.params).id));
  });
  router.delete('/cadres/:id', requireRole('planner'), async (req, res) => {
    await queries.deleteCadre(models, idParamSchema.parse(req.params).id);
    res.status(204).end();
  });

  const availabilityQuery = pageQuerySchema.extend({ cadreId: z.string().optional(), village: z.string().optional() });
  router.get('/availability', async (req, res) => {
    res.json(await queries.listAvailability(models, principalOf(req), availabilityQuery.parse(req.query)));
  });
  router.delete('/availability/:id', requireRole('planner'), async (req, res) => {
    await queries.deleteAvailability(models, idParamSchema.parse(req.params).id);
    res.status(204).end();
  });

  router.get('/villages', async (req, res) => {
    res.json({ items: await queries.listVillages(models, principalOf(req)) });
  });

  documentReads(registry, { gatesQuery, cadresQuery, availabilityQuery });
  return router;
}

function uploadFileOf(req: Request): UploadFile {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  return { body, contentType: req.get('content-type') ?? '' };
}

function documentReads(
  registry: OpenAPIRegistry,
  q: { gatesQuery: z.ZodObject; cadresQuery: z.ZodObject; availabilityQuery: z.ZodObject },
): void {
  const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
  const idParams = z.object({ id: z.string() });
  registry.registerPath({ method: 'get', path: '/api/v1/gates', summary: 'List gates (scoped)', request: { query: q.gatesQuery }, responses: { 200: json(pageOf(gateSchema), 'A page of gates'), ...errorResponses(400, 403) } });
  registry.registerPath({ method: 'get', path: '/api/v1/gates/{id}', summary: 'One gate', request: { params: idParams }, responses: { 200: json(gateSchema, 'The gate'), ...errorResponses(403, 404) } });
  registry.registerPath({ method: 'delete', path: '/api/v1/gates/{id}', summary: 'Delete a gate (planner)', request: { params: idParams }, responses: { 204: { description: 'Deleted' }, ...errorResponses(403, 404) } });
  registry.registerPath({ method: 'get', path: '/api/v1/cadres', summary: 'List people (scoped; phone for planners only)', request: { query: q.cadresQuery }, responses: { 200: json(pageOf(cadreSchema), 'A page of people'), ...errorResponses(400, 403) } });
  registry.registerPath({ method: 'get', path: '/api/v1/cadres/{id}', summary: 'One person', request: { params: idParams }, responses: { 200: json(cadreSchema, 'The person'), ...errorResponses(403, 404) } });
  registry.registerPath({ method: 'delete', path: '/api/v1/cadres/{id}', summary: 'Delete a person and their availability (planner)', request: { params: idParams }, responses: { 204: { description: 'Deleted' }, ...errorResponses(403, 404) } });
  registry.registerPath({ method: 'get', path: '/api/v1/availability', summary: 'Availability windows per person (scoped)', request: { query: q.availabilityQuery }, responses: { 200: json(pageOf(availabilitySchema), 'A page of availability'), ...errorResponses(400, 403) } });
  registry.registerPath({ method: 'delete', path: '/api/v1/availability/{id}', summary: 'Delete all windows of a person (planner)', request: { params: idParams }, responses: { 204: { description: 'Deleted' }, ...errorResponses(403, 404) } });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/villages',
    summary: 'Villages with their town and gate count (scoped)',
    responses: { 200: json(z.object({ items: z.array(z.object({ village: z.string(), town: z.string(), gates: z.number() })) }), 'Villages'), ...errorResponses(403) },
  });
}
