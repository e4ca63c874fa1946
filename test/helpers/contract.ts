/**
 * The contract test: every answer the integration tests get from the app is checked against
 * the OpenAPI document the app serves. A status the operation does not list, a media type it
 * does not list, a missing required header or a JSON body that its schema refuses (strict
 * objects: an undocumented field too) is a violation, and the test that caused it fails
 * (see `failOnViolations`, registered for every file that imports this module).
 *
 * The check runs inside `res.end`, before the bytes reach the client, so a violation is
 * recorded before the test can look at the answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, afterEach } from 'vitest';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Express } from 'express';

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => void;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface MediaObject {
  schema?: Json;
}
interface ResponseObject {
  content?: Record<string, MediaObject>;
  headers?: Record<string, { required?: boolean }>;
}
interface Operation {
  operationId?: string;
  responses?: Record<string, ResponseObject>;
}
export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Json> };
}

/** One answer as the checker sees it. */
export interface Answer {
  method: string;
  /** Path and query as requested. */
  url: string;
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: Buffer;
}

interface Route {
  template: string;
  pattern: RegExp;
  /** Fewer parameters win: `/plans/{id}/roster` beats a hypothetical `/plans/{id}/{view}`. */
  params: number;
}

/** Checks answers against one document. */
export class ContractChecker {
  private readonly ajv: Ajv2020;
  private readonly routes: Route[];
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly errorBodies: ValidateFunction;

  constructor(private readonly doc: OpenApiDoc) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'openapi.json', $defs: rewriteRefs(doc.components?.schemas ?? {}) });
    this.routes = Object.keys(doc.paths)
      .map((template) => ({
        template,
        pattern: new RegExp(
          `^${template
            .split(/\{[^}]+\}/)
            .map(escapeRegExp)
            .join('([^/]+)')}/?$`,
          'i',
        ),
        params: (template.match(/\{/g) ?? []).length,
      }))
      .sort((a, b) => a.params - b.params);
    const errorNames = Object.keys(doc.components?.schemas ?? {}).filter((n) => n.endsWith('Error'));
    this.errorBodies = this.ajv.compile({ anyOf: errorNames.map((n) => ({ $ref: `openapi.json#/$defs/${n}` })) });
  }

  /** What is wrong with this answer; empty when it keeps the contract (or is no API answer). */
  check(answer: Answer): string[] {
    const pathname = answer.url.split('?')[0] ?? '';
    const method = answer.method.toLowerCase() === 'head' ? 'get' : answer.method.toLowerCase();
    const where = `${answer.method} ${pathname} -> ${answer.status}`;
    const route = this.routes.find((r) => r.pattern.test(pathname) && this.doc.paths[r.template]?.[method]);
    if (!route) {
      // Pages and static files are no part of the API; an unknown /api path must still answer a documented error.
      if (!/^\/api\/v1(\/|$)/i.test(pathname)) return [];
      return this.checkJson(where, answer, this.errorBodies, 'an error body');
    }
    const operation = this.doc.paths[route.template]?.[method] as Operation;
    const name = `${operation.operationId ?? `${method} ${route.template}`}`;
    const response = operation.responses?.[String(answer.status)];
    if (!response)
      return [`${where}: status ${answer.status} is not documented for ${name} (documented: ${Object.keys(operation.responses ?? {}).join(', ')})`];
    const problems: string[] = [];
    for (const [header, spec] of Object.entries(response.headers ?? {})) {
      if (spec.required && answer.headers[header.toLowerCase()] === undefined) problems.push(`${where}: ${name} must send the header ${header}`);
    }
    if (answer.body.length === 0 || answer.method.toLowerCase() === 'head') {
      if (response.content && Object.keys(response.content).length > 0 && answer.method.toLowerCase() !== 'head')
        problems.push(`${where}: ${name} documents a body but sent none`);
      if (problems.length === 0) this.record(name, answer.status);
      return problems;
    }
    const mediaType =
      String(answer.headers['content-type'] ?? '')
        .split(';')[0]
        ?.trim()
        .toLowerCase() ?? '';
    const media = response.content?.[mediaType];
    if (!media)
      return [
        ...problems,
        `${where}: ${name} answered ${mediaType || 'a body without Content-Type'}, documented: ${Object.keys(response.content ?? {}).join(', ') || 'no body'}`,
      ];
    if (mediaType !== 'application/json') {
      if (problems.length === 0) this.record(name, answer.status);
      return problems;
    }
    const key = `${route.template} ${method} ${answer.status}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(rewriteRefs(media.schema ?? {}) as object);
      this.validators.set(key, validate);
    }
    const found = [...problems, ...this.checkJson(`${where} (${name})`, answer, validate, 'its documented schema')];
    if (found.length === 0) this.record(name, answer.status);
    return found;
  }

  /** operationId -> the statuses of the answers that kept the contract (the every-operation test reads it). */
  readonly validated = new Map<string, Set<number>>();

  private record(operationId: string, status: number): void {
    const statuses = this.validated.get(operationId) ?? new Set<number>();
    statuses.add(status);
    this.validated.set(operationId, statuses);
  }

  private checkJson(where: string, answer: Answer, validate: ValidateFunction, what: string): string[] {
    let body: unknown;
    try {
      body = JSON.parse(answer.body.toString('utf8'));
    } catch {
      return [`${where}: the body is not JSON`];
    }
    if (validate(body)) return [];
    const errors = (validate.errors ?? [])
      .slice(0, 8)
      .map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
    return [`${where}: the body does not match ${what}: ${errors.join('; ')}; body: ${answer.body.toString('utf8').slice(0, 300)}`];
  }
}

function rewriteRefs(value: Json): Json {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k === '$ref' && typeof v === 'string' ? v.replace(/^#\/components\/schemas\//, 'openapi.json#/$defs/') : rewriteRefs(v),
      ]),
    );
  }
  return value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---- the hook in the test app --------------------------------------------------------------

const violations: string[] = [];
const checkers = new WeakMap<object, ContractChecker>();

/**
 * `app`, answering exactly as before, with each answer checked against the document the app
 * serves. A function proxy: `request(app)`, `app.router` and `app.locals` keep working.
 */
export function withContractCheck(app: Express): Express {
  const doc = app.locals.openApiDocument as OpenApiDoc;
  let checker = checkers.get(doc);
  if (!checker) {
    checker = new ContractChecker(doc);
    checkers.set(doc, checker);
  }
  const contract = checker;
  return new Proxy(app, {
    apply(target, thisArg, args: [IncomingMessage, ServerResponse, ...unknown[]]) {
      observe(args[0], args[1], contract);
      return Reflect.apply(target, thisArg, args);
    },
  });
}

function observe(req: IncomingMessage, res: ServerResponse, checker: ContractChecker): void {
  // The URL as it arrived: a mounted router rewrites req.url (\`/api/v1/tokens\` -> \`/\`) while
  // its handler runs, so reading it in \`end\` saw \`/\`, matched no operation, and the answer
  // was taken for a page and never checked.
  const method = req.method ?? 'GET';
  const url = req.url ?? '/';
  const chunks: Buffer[] = [];
  const keep = (chunk: unknown, encoding?: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
  };
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.write = ((...args: unknown[]) => {
    keep(args[0], args[1]);
    return write(...args);
  }) as typeof res.write;
  res.end = ((...args: unknown[]) => {
    keep(args[0], args[1]);
    const problems = checker.check({ method, url, status: res.statusCode, headers: res.getHeaders(), body: Buffer.concat(chunks) });
    violations.push(...problems);
    return end(...args);
  }) as typeof res.end;
}

/** The checker of this app's document (the one `withContractCheck` put in front of it). */
export function checkerOf(app: Express): ContractChecker {
  const checker = checkers.get(app.locals.openApiDocument as object);
  if (!checker) throw new Error('checkerOf: this app was not wrapped by withContractCheck');
  return checker;
}

/** Violations recorded since the last call, and forgets them. */
export function takeViolations(): string[] {
  return violations.splice(0, violations.length);
}

function failOnViolations(): void {
  const found = takeViolations();
  if (found.length > 0) throw new Error(`the answers broke the OpenAPI contract:\n- ${found.join('\n- ')}`);
}

afterEach(failOnViolations);
afterAll(failOnViolations);
