/**
 * Strict inputs, by construction: every operation of the served OpenAPI document that takes
 * a query or a JSON body is sent an unknown field and a wrong-typed field, and must answer 422
 * `validation_failed` naming that field. The operations come from the document, so a new one
 * is walked without anyone adding it here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { CADRES, seedDirectory } from '../helpers/fixtures.js';

type Schema = { $ref?: string; type?: string | string[]; properties?: Record<string, Schema>; required?: string[] };
interface Parameter {
  in: 'query' | 'path' | 'header';
  name: string;
  schema?: Schema;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
interface Doc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

let t: TestApp;
let doc: Doc;
/** Tried in this order; the first whose answer is not 401/403 is the one that counts. */
let tokens: { role: string; token: string }[];

beforeAll(async () => {
  t = await createTestApp();
  const planner = await t.token({ role: 'planner' });
  await seedDirectory(t.app, planner);
  const cadreId = String(CADRES[0]!.id);
  const village = String(CADRES[0]!.village);
  tokens = [
    { role: 'planner', token: planner },
    { role: 'cadre', token: await t.token({ role: 'cadre', cadreId }) },
    { role: 'inspector', token: await t.token({ role: 'inspector' }) },
    { role: 'village_head', token: await t.token({ role: 'village_head', villages: [village] }) },
  ];
  doc = (await request(t.app).get('/api/openapi.json').expect(200)).body as Doc;
});
afterAll(async () => {
  await t.close();
});

const UNKNOWN = 'zzNotAField';

function resolve(schema: Schema | undefined): Schema {
  let s = schema ?? {};
  while (s.$ref) s = doc.components.schemas[s.$ref.replace('#/components/schemas/', '')] ?? {};
  return s;
}

/** A value of another JSON type than the schema's: an operator object where a scalar belongs. */
function wrongValue(schema: Schema): unknown {
  const type = resolve(schema).type;
  return type === 'object' ? 'not-an-object' : { $gt: '' };
}

function pathOf(template: string): string {
  return template.replace(/\{index\}/g, '0').replace(/\{[^}]+\}/g, 'x');
}

interface Probe {
  operation: string;
  kind: string;
  field: string;
  send: (token: string) => request.Test;
}

/** Every probe the document asks for: per operation, unknown and wrong-typed query and body fields. */
function probes(): Probe[] {
  const out: Probe[] = [];
  for (const [template, ops] of Object.entries(doc.paths)) {
    if (!template.startsWith('/api/v1/')) continue;
    for (const [method, op] of Object.entries(ops)) {
      const call = (token: string, query: string, body?: unknown) => {
        const r = request(t.app)
          [method as 'get'](`${pathOf(template)}${query}`)
          .set('Authorization', `Bearer ${token}`);
        return body === undefined ? r : r.send(body as object);
      };
      const query = (op.parameters ?? []).filter((p) => p.in === 'query');
      if (query.length > 0) {
        out.push({ operation: op.operationId, kind: 'unknown query parameter', field: UNKNOWN, send: (tk) => call(tk, `?${UNKNOWN}=1`) });
        const typed = query.find((p) => ['integer', 'number'].includes(String(resolve(p.schema).type)));
        // A number that is no number; else a parameter given twice (an array where one value belongs).
        const wrong = typed ? `?${typed.name}=not-a-number` : `?${query[0]!.name}=a&${query[0]!.name}=b`;
        out.push({ operation: op.operationId, kind: 'wrong-typed query parameter', field: (typed ?? query[0]!).name, send: (tk) => call(tk, wrong) });
      }
      const json = resolve(op.requestBody?.content?.['application/json']?.schema);
      // Uploads document the file as a string; their rows are walked by the upload tests.
      if (json.type === 'object') {
        out.push({ operation: op.operationId, kind: 'unknown body field', field: UNKNOWN, send: (tk) => call(tk, '', { [UNKNOWN]: 1 }) });
        const [name, schema] =
          Object.entries(json.properties ?? {}).find(([n]) => json.required?.includes(n)) ?? Object.entries(json.properties ?? {})[0] ?? [];
        if (name)
          out.push({ operation: op.operationId, kind: 'wrong-typed body field', field: name, send: (tk) => call(tk, '', { [name]: wrongValue(schema!) }) });
      }
    }
  }
  return out;
}

describe('strict inputs: every operation of the document', () => {
  it('when an operation is sent an unknown or a wrong-typed query or body field, then 422 validation_failed names the field', async () => {
    // Arrange
    const all = probes();
    const failures: string[] = [];

    // Act
    for (const probe of all) {
      let answer: request.Response | undefined;
      for (const { token } of tokens) {
        answer = await probe.send(token);
        if (answer.status !== 403 && answer.status !== 401) break;
      }
      const fields = ((answer?.body?.error?.details?.problems ?? []) as { field?: string }[]).map((p) => p.field);

      // Assert (collected, so one run lists every operation that does not hold)
      if (answer?.status !== 422 || answer.body.error.code !== 'validation_failed' || !fields.includes(probe.field)) {
        failures.push(`${probe.operation} (${probe.kind} ${probe.field}): ${answer?.status} ${JSON.stringify(answer?.body).slice(0, 200)}`);
      }
    }

    expect(all.length).toBeGreaterThan(40);
    expect(failures).toEqual([]);
  });

  it('when POST /api/v1/plans has a field it does not know (follows), then 422 names it and no plan is created', async () => {
    // Act
    const res = await request(t.app)
      .post('/api/v1/plans')
      .set('Authorization', `Bearer ${tokens[0]!.token}`)
      .send({ name: 'week', start: '2021-12-13', days: 7, follows: 'p1' });

    // Assert
    expect(res.status).toBe(422);
    expect(res.body.error.details.problems).toEqual([{ field: 'follows', message: expect.any(String) }]);
    expect(await t.models.Plan.countDocuments()).toBe(0);
  });
});
