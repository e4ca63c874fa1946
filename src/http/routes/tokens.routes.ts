/** Token management for planners: issue (shown once), list (never the secret), revoke. */
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Models } from '../../db/models.js';
import { issueToken, listTokens, revokeToken } from '../../auth/tokens.js';
import { requireRole } from '../auth.js';
import { isoWithOffset } from '../../domain/time.js';
import { apiResponses, instantOutSchema, jsonBody, jsonResponse, nullableInstantSchema } from '../openapi.js';
import { idParamSchema, sendJson } from '../schemas.js';

const tokenRoleSchema = z
  .enum(['planner', 'village_head', 'cadre', 'inspector'])
  .describe(
    'planner: everything; village_head: read-only, its villages; cadre: its own data; inspector: an inspection squad, inspections and visit lists of its towns',
  );

export const tokenRequestSchema = z
  .strictObject({
    role: tokenRoleSchema,
    villages: z.array(z.string().min(1)).optional().describe('For village_head: the villages it may read'),
    cadreId: z.string().min(1).optional().describe('For cadre: whose data it may read'),
    towns: z.array(z.string().min(1)).optional().describe('For inspector: the towns the squad covers; none = the whole district'),
    personId: z
      .string()
      .min(1)
      .optional()
      .describe(
        'For village_head: the head’s own entry in the people list; people whose absence is too close to report themselves are shown this person’s phone to call',
      ),
    label: z.string().max(200).optional(),
  })
  .openapi('TokenRequest');

const issuedSchema = z
  .strictObject({
    token: z.string().describe('The secret; shown only in this answer'),
    tokenId: z.string().describe('For DELETE /api/v1/tokens/{id}'),
    role: tokenRoleSchema,
    villages: z.array(z.string()).describe('village_head: the villages it may read; empty otherwise'),
    cadreId: z.string().nullable().describe('cadre: whose data it may read; null otherwise'),
    towns: z.array(z.string()).describe('inspector: the towns it covers (empty = the whole district); empty otherwise'),
  })
  .openapi('IssuedToken');

const tokenInfoSchema = z
  .strictObject({
    tokenId: z.string(),
    role: tokenRoleSchema,
    villages: z.array(z.string()),
    cadreId: z.string().nullable(),
    towns: z.array(z.string()),
    label: z.string(),
    revokedAt: nullableInstantSchema,
    createdAt: instantOutSchema,
    updatedAt: instantOutSchema,
  })
  .openapi('TokenInfo');
const tokenListSchema = z.strictObject({ items: z.array(tokenInfoSchema).describe('Oldest first, revoked ones included') }).openapi('TokenList');

/** `timeZone`: the deployment's TIMEZONE, whose offset the instants carry (tokens belong to no plan). */
export function tokenRoutes(models: Models, timeZone: string, registry: OpenAPIRegistry): Router {
  const router = Router();
  router.use(requireRole('planner'));
  router.post('/', async (req, res) => {
    const issued = await issueToken(models, tokenRequestSchema.parse(req.body));
    sendJson(res, 201, issuedSchema, { token: issued.token, ...issued.principal });
  });
  router.get('/', async (_req, res) => {
    const at = (d: Date) => isoWithOffset(new Date(d), timeZone);
    const items = (await listTokens(models)).map((t) => ({
      tokenId: t.tokenId,
      role: t.role,
      villages: t.villages,
      cadreId: t.cadreId,
      towns: t.towns ?? [],
      label: t.label,
      revokedAt: t.revokedAt ? at(t.revokedAt) : null,
      createdAt: at(t.createdAt as Date),
      updatedAt: at((t as { updatedAt?: Date }).updatedAt ?? (t.createdAt as Date)),
    }));
    sendJson(res, 200, tokenListSchema, { items });
  });
  router.delete('/:id', async (req, res) => {
    await revokeToken(models, idParamSchema.parse(req.params).id);
    res.status(204).end();
  });

  registry.registerPath({
    method: 'post',
    path: '/api/v1/tokens',
    operationId: 'issueToken',
    tags: ['tokens'],
    summary: 'Issue an API token (planner)',
    description: 'A village_head token needs known villages; a cadre token a known person (422 otherwise).',
    request: jsonBody(tokenRequestSchema),
    responses: apiResponses({ 201: jsonResponse('The new token; the secret is shown only here', issuedSchema) }, 400, 403, 413, 415, 422),
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/tokens',
    operationId: 'listTokens',
    tags: ['tokens'],
    summary: 'List tokens without secrets (planner)',
    responses: apiResponses({ 200: jsonResponse('Tokens', tokenListSchema) }, 403),
  });
  registry.registerPath({
    method: 'delete',
    path: '/api/v1/tokens/{id}',
    operationId: 'revokeToken',
    tags: ['tokens'],
    summary: 'Revoke a token (planner)',
    request: { params: z.strictObject({ id: z.string().describe('The token id (not the secret)') }) },
    responses: apiResponses({ 204: { description: 'Revoked' } }, 403, 404),
  });
  return router;
}
