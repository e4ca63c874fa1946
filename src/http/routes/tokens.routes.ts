/** Token management for planners: issue (shown once), list (never the secret), revoke. */
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Models } from '../../db/models.js';
import { issueToken, listTokens, revokeToken } from '../../auth/tokens.js';
import { requireRole } from '../auth.js';
import { errorResponses } from '../openapi.js';
import { idParamSchema } from '../schemas.js';

export const tokenRequestSchema = z
  .object({
    role: z.enum(['planner', 'village_head', 'cadre']),
    villages: z.array(z.string().min(1)).optional().describe('For village_head: the villages it may read'),
    cadreId: z.string().min(1).optional().describe('For cadre: whose data it may read'),
    label: z.string().max(200).optional(),
  })
  .openapi('TokenRequest');

const issuedSchema = z.object({ tokenId: z.string(), token: z.string().describe('The secret; shown only in this answer') });

export function tokenRoutes(models: Models, registry: OpenAPIRegistry): Router {
  const router = Router();
  router.use(requireRole('planner'));
  router.post('/', async (req, res) => {
    const issued = await issueToken(models, tokenRequestSchema.parse(req.body));
    res.status(201).json({ token: issued.token, ...issued.principal });
  });
  router.get('/', async (_req, res) => {
    res.json({ items: await listTokens(models) });
  });
  router.delete('/:id', async (req, res) => {
    await revokeToken(models, idParamSchema.parse(req.params).id);
    res.status(204).end();
  });

  registry.registerPath({
    method: 'post',
    path: '/api/v1/tokens',
    summary: 'Issue an API token (planner)',
    request: { body: { content: { 'application/json': { schema: tokenRequestSchema } } } },
    responses: { 201: { description: 'The new token', content: { 'application/json': { schema: issuedSchema } } }, ...errorResponses(400, 403, 422) },
  });
  registry.registerPath({ method: 'get', path: '/api/v1/tokens', summary: 'List tokens without secrets (planner)', responses: { 200: { description: 'Tokens' }, ...errorResponses(403) } });
  registry.registerPath({
    method: 'delete',
    path: '/api/v1/tokens/{id}',
    summary: 'Revoke a token (planner)',
    request: { params: z.object({ id: z.string() }) },
    responses: { 204: { description: 'Revoked' }, ...errorResponses(403, 404) },
  });
  return router;
}
