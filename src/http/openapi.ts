/**
 * The OpenAPI document, generated from the same zod schemas the routes parse with. Each
 * route module documents its paths on the shared registry as it defines them.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable machine code, e.g. validation_failed, not_found, forbidden'),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error');

export function createRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  return registry;
}

export function openApiDocument(registry: OpenAPIRegistry): object {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Gate duty roster service',
      version: '1',
      description: 'Who can stand duty when, which gates need cover, fair rosters, iCal feeds and coverage.',
    },
    security: [{ bearer: [] }],
  });
}

/** Standard error answers for an authenticated endpoint. */
export function errorResponses(...statuses: number[]): Record<number, { description: string; content: object }> {
  const descriptions: Record<number, string> = {
    400: 'Bad request',
    401: 'Missing or invalid token',
    403: 'Outside the token’s scope',
    404: 'Not found',
    409: 'Conflict',
    413: 'Upload too large',
    415: 'Unsupported content type',
    422: 'Validation failed; details list every problem',
  };
  return Object.fromEntries(
    [401, ...statuses].map((s) => [s, { description: descriptions[s] ?? 'Error', content: { 'application/json': { schema: errorBodySchema } } }]),
  );
}
