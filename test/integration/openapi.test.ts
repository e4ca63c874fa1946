/**
 * /api/openapi.json: an OpenAPI 3.1 document that covers every route the app serves, passes
 * redocly's recommended rules and swagger-parser, and is the contract every integration
 * test's answers are checked against (test/helpers/contract.ts, checked here too).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { DOCUMENT_FILE, staleFiles } from '../../scripts/openapi.js';
import { ContractChecker, type Answer, type OpenApiDoc } from '../helpers/contract.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

interface Operation {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string; type?: string } }> }>;
}
let t: TestApp;
let doc: {
  openapi: string;
  info: { title: string; version: string; license?: { name: string; identifier?: string } };
  servers?: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components?: { securitySchemes?: object; schemas?: Record<string, { properties?: Record<string, { properties?: Record<string, unknown> }> }> };
};

beforeAll(async () => {
  t = await createTestApp();
  doc = (await request(t.app).get('/api/openapi.json').set('Host', 'gate-duty.example.test:8080').expect(200)).body;
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
      expect(
        responses.some((s) => s.startsWith('2')),
        route,
      ).toBe(true);
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

const operations = () => Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));

describe('openapi document: completeness', () => {
  it('when every operation is listed, then each has a unique operationId, a tag and a summary', () => {
    // Arrange
    const ops = operations();

    // Assert
    expect(ops.length).toBeGreaterThan(30);
    for (const { path, method, op } of ops) {
      expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z]+$/);
      expect(op.tags?.length, `${method} ${path}`).toBeGreaterThan(0);
    }
    const ids = ops.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('when an /api/v1 operation is documented, then it lists 400, 401, 429, 500 and 503 with their named error bodies', () => {
    // Assert
    for (const { path, method, op } of operations().filter((o) => o.path.startsWith('/api/v1/'))) {
      const refs = Object.fromEntries(Object.entries(op.responses ?? {}).map(([status, r]) => [status, r.content?.['application/json']?.schema?.$ref]));
      expect(refs, `${method} ${path}`).toMatchObject({
        400: '#/components/schemas/BadRequestError',
        401: '#/components/schemas/UnauthorizedError',
        429: '#/components/schemas/RateLimitedError',
        500: '#/components/schemas/InternalError',
        503: '#/components/schemas/UnavailableError',
      });
    }
  });

  it('when a response has a JSON body, then it is a named schema (no bare object)', () => {
    // Assert
    for (const { path, method, op } of operations()) {
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const schema = response.content?.['application/json']?.schema;
        if (schema) expect(schema.$ref, `${method} ${path} ${status}`).toMatch(/^#\/components\/schemas\/\w+$/);
      }
    }
  });

  it('when each error body is read, then its details are typed for its code and required', () => {
    // Arrange
    const schemas = doc.components?.schemas ?? {};
    const errors = Object.keys(schemas).filter((name) => name.endsWith('Error'));

    // Assert
    expect(errors.sort()).toEqual(
      [
        'BadRequestError',
        'ConflictError',
        'ForbiddenError',
        'InternalError',
        'NotFoundError',
        'PayloadTooLargeError',
        'RateLimitedError',
        'UnauthorizedError',
        'UnavailableError',
        'UnsupportedMediaTypeError',
        'ValidationFailedError',
      ].sort(),
    );
    for (const name of errors) {
      const inner = schemas[name]?.properties?.error as { required?: string[]; properties?: Record<string, object> } | undefined;
      expect(inner?.required, name).toEqual(['code', 'message', 'details']);
      expect(inner?.properties?.details, name).toBeDefined();
      expect(JSON.stringify(inner?.properties?.details), name).not.toBe('{}');
    }
  });

  it('when the document is served, then it names this server and a license', () => {
    // Assert
    expect(doc.servers).toEqual([expect.objectContaining({ url: 'http://gate-duty.example.test:8080' })]);
    expect(doc.info.license).toEqual(expect.objectContaining({ name: expect.any(String), identifier: expect.any(String) }));
  });
});

describe('openapi document: linters', () => {
  it('when redocly lints the document with its recommended rules, then 0 errors and 0 warnings (only the probes’ 4xx rule is waived)', async () => {
    // Arrange: the probes cannot answer a 4xx, so that one rule is waived for those two operations only.
    const dir = mkdtempSync(join(tmpdir(), 'gate-duty-openapi-'));
    writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc, null, 2));
    writeFileSync(join(dir, 'redocly.yaml'), 'extends:\n  - recommended\n');
    writeFileSync(
      join(dir, '.redocly.lint-ignore.yaml'),
      "openapi.json:\n  operation-4xx-response:\n    - '#/paths/~1healthz/get/responses'\n    - '#/paths/~1readyz/get/responses'\n",
    );

    try {
      // Act
      const bin = join(process.cwd(), 'node_modules/.bin/redocly');
      const { stdout } = await promisify(execFile)(bin, ['lint', 'openapi.json', '--format=json'], {
        cwd: dir,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      });
      const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number; ignored: number }; problems: unknown[] };

      // Assert
      expect(report.problems).toEqual([]);
      expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 2 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when a standard validator (ajv 2020-12) reads the served document, then nullable instants take null and an instant, solve metrics take their own fields, and no allOf branch forbids its siblings’ properties', () => {
    // The document exactly as served, its schemas under $defs so that its $refs resolve.
    const schemas = JSON.parse(JSON.stringify(doc.components?.schemas ?? {}).replaceAll('#/components/schemas/', 'served.json#/$defs/')) as Record<
      string,
      unknown
    >;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ $id: 'served.json', $defs: schemas });
    const of = (ref: string) => ajv.compile({ $ref: `served.json#/$defs/${ref}` });
    const revokedAt = ajv.compile({ $ref: 'served.json#/$defs/TokenInfo/properties/revokedAt' });
    expect(revokedAt(null), JSON.stringify(revokedAt.errors)).toBe(true);
    expect(revokedAt('2021-12-13T08:00:00+08:00')).toBe(true);
    expect(revokedAt({ $gt: '' })).toBe(false);
    for (const path of ['SolveJob/properties/startedAt', 'Roster/properties/publishedAt', 'Roll/properties/freezeUntil', 'Delivery/properties/sentAt']) {
      expect(ajv.compile({ $ref: `served.json#/$defs/${path}` })(null), path).toBe(true);
    }
    // Solve metrics: every field the summary has, plus perPerson, and nothing else.
    const summary = schemas.SolveSummary as { properties: Record<string, unknown>; required: string[] };
    const metrics = schemas.SolveMetrics as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(metrics.properties).sort()).toEqual([...Object.keys(summary.properties), 'perPerson'].sort());
    expect(of('SolveMetrics')({ perPerson: [], unexpected: 1 })).toBe(false);
    const walk = (value: unknown, where: string, found: string[]): string[] => {
      if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${where}[${i}]`, found));
      else if (value && typeof value === 'object') {
        const branches = (value as { allOf?: { additionalProperties?: unknown; type?: unknown }[] }).allOf;
        if (branches && branches.length > 1 && branches.some((b) => b.additionalProperties === false || (Array.isArray(b.type) && b.type.includes('null'))))
          found.push(where);
        for (const [k, v] of Object.entries(value)) walk(v, `${where}/${k}`, found);
      }
      return found;
    };
    expect(walk(doc.components?.schemas, '#/components/schemas', [])).toEqual([]);
  });

  it('when swagger-parser validates the document, then it is valid OpenAPI 3.1 with every $ref resolved', async () => {
    // Act
    const api = await SwaggerParser.validate(structuredClone(doc) as never);

    // Assert
    expect((api as { openapi: string }).openapi).toBe('3.1.0');
  });
});

describe('committed document and client types', () => {
  it(`when ${DOCUMENT_FILE} and the client types are compared with what the code generates, then they are the same (else: npm run openapi)`, async () => {
    // Act
    const stale = await staleFiles();

    // Assert
    expect(stale).toEqual([]);
  });
});

describe('contract checker', () => {
  const answer = (over: Partial<Answer> & { json?: unknown }): Answer => ({
    method: 'GET',
    url: '/api/v1/villages',
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: Buffer.from(JSON.stringify(over.json ?? { items: [{ village: '东村', town: '庄市街道', gates: 2 }] })),
    ...over,
  });
  let checker: ContractChecker;
  beforeAll(() => {
    checker = new ContractChecker(doc as unknown as OpenApiDoc);
  });

  it('when an answer matches its operation, status and schema, then nothing is reported', () => {
    // Act, Assert
    expect(checker.check(answer({}))).toEqual([]);
  });

  it('when an answer carries a field the document does not list, then it is reported', () => {
    // Act
    const problems = checker.check(answer({ json: { items: [{ village: '东村', town: '庄市街道', gates: 2, secret: 1 }] } }));

    // Assert
    expect(problems).toEqual([expect.stringContaining('secret')]);
  });

  it('when an answer has a status the operation does not list, then it is reported', () => {
    // Act
    const problems = checker.check(answer({ status: 418 }));

    // Assert
    expect(problems).toEqual([expect.stringContaining('status 418 is not documented for listVillages')]);
  });

  it('when an instant is written in UTC with Z, then it is reported', () => {
    // Act
    const problems = checker.check(
      answer({
        url: '/api/v1/availability',
        json: {
          items: [{ cadreId: 'P1', windows: [{ start: '2021-12-14T00:00:00.000Z', end: '2021-12-14T09:00:00+08:00', kind: 'unavailable' }] }],
          page: 1,
          pageSize: 100,
          total: 1,
        },
      }),
    );

    // Assert
    expect(problems).toEqual([expect.stringContaining('/items/0/windows/0/start must match pattern')]);
  });

  it('when an error has no details or a 429 has no Retry-After, then it is reported', () => {
    // Act
    const noDetails = checker.check(answer({ status: 404, url: '/api/v1/gates/G9', json: { error: { code: 'not_found', message: 'no gate' } } }));
    const noRetry = checker.check(
      answer({
        status: 429,
        json: { error: { code: 'rate_limited', message: 'slow down', details: { limit: 'failed_auth', max: 30, windowSeconds: 60, retryAfterSeconds: 5 } } },
      }),
    );

    // Assert
    expect(noDetails).toEqual([expect.stringContaining("must have required property 'details'")]);
    expect(noRetry).toEqual([expect.stringContaining('must send the header Retry-After')]);
  });

  it('when a page or static file answers, then it is no part of the API contract', () => {
    // Act, Assert
    expect(checker.check(answer({ url: '/planner', headers: { 'content-type': 'text/html' }, body: Buffer.from('<html>') }))).toEqual([]);
  });
});

describe('errors', () => {
  it('when a request has no token, is forbidden or names nothing, then the error still has details', async () => {
    // Arrange
    const head = await t.token({ role: 'cadre', cadreId: 'nobody' }).catch(() => null);

    // Act
    const unauthorized = await request(t.app).get('/api/v1/gates');
    const notFound = await request(t.app)
      .get('/api/v1/nothing-here')
      .set('Authorization', `Bearer ${await t.token({ role: 'planner' })}`);

    // Assert
    expect(head).toBeNull(); // a cadre token needs a known person
    expect(unauthorized.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String), details: {} } });
    expect(notFound.status).toBe(404);
    expect(notFound.body.error.details).toEqual({});
  });

  it('when a path is not valid percent-encoding, then 400 bad_request, not 500', async () => {
    // Arrange
    const planner = await t.token({ role: 'planner' });

    // Act
    const res = await request(t.app).get('/api/v1/gates/%E0%A4%A').set('Authorization', `Bearer ${planner}`);

    // Assert
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'bad_request', message: expect.stringContaining('percent-encoding'), details: {} });
  });
});
