/** /api/openapi.json: an OpenAPI 3.1 document that covers every route the app serves. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let doc: { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>; components?: { securitySchemes?: object } };

beforeAll(async () => {
  t = await createTestApp();
  doc = (await request(t.app).get('/api/openapi.json').expect(200)).body;
});
afterAll(async () => {
  await t.close();
});

/** The routes these integration tests exercise, as OpenAPI writes them. */
const EXERCISED = [
  'put /api/v1/gates',
  'put /api/v1/cadres',
  'put /api/v1/availability',
  'get /api/v1/gates',
  'get /api/v1/gates/{id}',
  'delete /api/v1/gates/{id}',
  'get /api/v1/cadres',
  'get /api/v1/cadres/{id}',
  'delete /api/v1/cadres/{id}',
  'get /api/v1/availability',
  'delete /api/v1/availability/{id}',
  'get /api/v1/villages',
  'post /api/v1/tokens',
  'get /api/v1/tokens',
  'delete /api/v1/tokens/{id}',
].sort();

interface Layer {
  rawPath?: string;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every `method path` the Express app routes, mounted prefixes included (Express 5 layers keep rawPath). */
function servedRoutes(stack: Layer[], prefix = ''): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = `${prefix}${layer.route.path === '/' ? '' : layer.route.path}`.replace(/:(\w+)/g, '{$1}') || '/';
      return Object.keys(layer.route.methods).map((m) => `${m} ${path}`);
    }
    if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      return servedRoutes(layer.handle.stack, prefix + mount);
    }
    return [];
  });
}

describe('openapi document', () => {
  it('when /api/openapi.json is fetched without a token, then it is an OpenAPI 3.1 document with bearer security', () => {
    // Assert
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.info.title).toEqual(expect.any(String));
    expect(doc.info.version).toEqual(expect.any(String));
    expect(doc.components?.securitySchemes).toHaveProperty('bearer');
  });

  it('when the document is compared with the routes Express serves under /api/v1, then every route is documented', () => {
    // Arrange
    const served = servedRoutes((t.app as unknown as { router: { stack: Layer[] } }).router.stack)
      .filter((r) => r.split(' ')[1]!.startsWith('/api/v1/'))
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))
      .filter((r) => r.split(' ')[1]!.startsWith('/api/v1/'))
      .sort();

    // Assert
    // Other features add routes; the intake ones exercised here must be among them.
    expect(served).toEqual(expect.arrayContaining(EXERCISED));
    expect(documented).toEqual(served);
  });

  it('when an upload or read path is documented, then its success and error answers are described', () => {
    // Assert
    for (const route of EXERCISED) {
      const [method, path] = route.split(' ') as [string, string];
      const responses = Object.keys(doc.paths[path]?.[method]?.responses ?? {});
      expect(responses.some((s) => s.startsWith('2')), route).toBe(true);
      expect(responses, route).toContain('401');
    }
    expect(Object.keys(doc.paths['/api/v1/gates']!.put!.responses!)).toEqual(expect.arrayContaining(['200', '403', '413', '415', '422']));
  });

  it('when the probes are documented, then /healthz and /readyz are listed', () => {
    // Assert
    expect(doc.paths['/healthz']?.get).toBeDefined();
    expect(doc.paths['/readyz']?.get).toBeDefined();
  });
});
