/**
 * The OpenAPI document, generated from the same zod schemas the routes parse with and type
 * their answers by. Each route module documents its paths on the shared registry as it
 * defines them, through `apiResponses`, which adds the errors every API call can answer.
 *
 * Every error status maps to exactly one `code` (src/errors.ts), so each status has one named
 * schema whose `details` is typed for that code. The contract test
 * (test/helpers/contract.ts) checks every answer of the integration tests against this
 * document, so a field, status or shape missing from it fails the suite.
 */
import { CLAIM_REFUSAL_CODES, type ClaimRefusalCode } from '../claims/refusals.js';
import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { ErrorCode } from '../errors.js';

extendZodWithOpenApi(z);

// ---- error bodies, one per status ----------------------------------------------------------

export const rowProblemSchema = z
  .strictObject({
    row: z.number().int().describe('Row as the user sees the sheet: row 1 is the header'),
    column: z.string().describe('Column header as written in the file; empty for a file-level problem'),
    value: z.string().describe('The cell, clipped to 100 characters'),
    message: z.string().describe('English, with the Chinese terms of the sheet'),
    messageZh: z.string().describe('The same problem in Chinese'),
  })
  .openapi('RowProblem');

const fieldProblemSchema = z
  .strictObject({ field: z.string().describe('Dotted path of the field, e.g. rules.minRestHours'), message: z.string() })
  .openapi('FieldProblem');

const requestIssueSchema = z
  .strictObject({ path: z.string().describe('Dotted path of the parameter or body field'), message: z.string() })
  .openapi('RequestIssue');

const instantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

/**
 * An instant as every answer writes it: ISO 8601 to the second with the offset of the plan's
 * time zone (of the deployment's TIMEZONE where no plan is involved), never `Z`.
 */
export const instantOutSchema = z
  .string()
  .regex(instantPattern)
  .openapi('Instant', { description: 'ISO 8601 with the offset of the plan’s (or the deployment’s) time zone', example: '2021-12-13T08:00:00+08:00' });

/**
 * An instant or null. A union, not `.nullable()`: on a registered schema that generates
 * `allOf: [{$ref: Instant}, {type: [string, null]}]`, which null can never satisfy.
 */
export const nullableInstantSchema = z.union([instantOutSchema, z.null()]);

const emptyDetails = z
  .strictObject({})
  .openapi('NoDetails', { description: 'Nothing more to say; always present, so clients can read `details` unconditionally' });

const doubleBookingSchema = z
  .strictObject({
    cadreId: z.string(),
    start: instantOutSchema,
    otherPlanId: z.string().describe('The published plan that already has this person on duty then'),
  })
  .openapi('DoubleBooking');

/** Why a person may not claim an open shift (src/claims/refusals.ts). */
export const claimRefusalSchema = z
  .strictObject({
    code: z.enum(CLAIM_REFUSAL_CODES as [ClaimRefusalCode, ...ClaimRefusalCode[]]).describe('Why the place is not open to this person (stable)'),
    messageZh: z.string().describe('For the person, in Chinese'),
    message: z.string(),
  })
  .openapi('ClaimRefusal');

const DETAILS = {
  bad_request: z
    .strictObject({ issues: z.array(requestIssueSchema).optional().describe('Each parameter or field that did not parse') })
    .openapi('BadRequestDetails'),
  unauthorized: emptyDetails,
  forbidden: emptyDetails,
  not_found: emptyDetails,
  conflict: z
    .union([
      z.strictObject({ solveId: z.string().describe('The plan’s solve that is queued or running') }).openapi('SolveInProgressDetails'),
      z
        .strictObject({
          doubleBooked: z.array(doubleBookingSchema).describe('The first 100 shifts that clash'),
          total: z.number().int().describe('How many shifts clash in all'),
        })
        .openapi('DoubleBookedDetails'),
      z.strictObject({ refusal: claimRefusalSchema }).openapi('ClaimRefusedDetails'),
      emptyDetails,
    ])
    .describe(
      'A solve already in progress (`solveId`); people already on duty in another published plan (`doubleBooked`); an open shift this person may not claim (`refusal`); or another upload or publish being written right now (no details: send it again in a moment)',
    ),
  payload_too_large: z
    .strictObject({
      problems: z.array(rowProblemSchema).optional().describe('The reason as a row-1 problem, in English and Chinese'),
      total: z.number().int().optional(),
      maxRows: z.number().int().optional().describe('UPLOAD_MAX_ROWS, when the file has more data rows'),
      unpackedBytes: z.number().int().optional().describe('What the .xlsx unpacks to'),
      maxUnpackedBytes: z.number().int().optional().describe('UPLOAD_MAX_XLSX_MB in bytes'),
      limitBytes: z.number().optional().describe('The body size limit that was exceeded, in bytes'),
    })
    .openapi('PayloadTooLargeDetails'),
  unsupported_media_type: z
    .strictObject({ accepted: z.array(z.string()).optional().describe('Content types an upload may have') })
    .openapi('UnsupportedMediaTypeDetails'),
  validation_failed: z
    .union([
      z
        .strictObject({
          problems: z.array(rowProblemSchema).describe('The first 1,000 problems, in sheet order'),
          total: z.number().int().describe('How many problems the file has in all'),
        })
        .openapi('UploadProblemsDetails'),
      z.strictObject({ problems: z.array(fieldProblemSchema) }).openapi('FieldProblemsDetails'),
      emptyDetails,
    ])
    .describe('An upload’s problems by row and column; a plan’s problems by field; or none (the message says what is wrong)'),
  rate_limited: z
    .strictObject({
      limit: z.enum(['failed_auth', 'failed_secret_lookups', 'secret_url_requests', 'uploads']).describe('Which limit refused the request'),
      max: z.number().int().describe('Requests the limit allows per window'),
      windowSeconds: z.number().int(),
      retryAfterSeconds: z.number().int().describe('Same as the Retry-After header'),
    })
    .openapi('RateLimitedDetails'),
  unavailable: z.strictObject({ retryAfterSeconds: z.number().int().describe('Same as the Retry-After header') }).openapi('UnavailableDetails'),
  internal: emptyDetails,
} satisfies Record<ErrorCode | 'internal', z.ZodType>;

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503;

const ERRORS: Record<ErrorStatus, { code: ErrorCode | 'internal'; name: string; description: string }> = {
  400: { code: 'bad_request', name: 'BadRequestError', description: 'A parameter or the body did not parse' },
  401: { code: 'unauthorized', name: 'UnauthorizedError', description: 'Missing, unknown or revoked token' },
  403: { code: 'forbidden', name: 'ForbiddenError', description: 'Outside the token’s role or scope' },
  404: { code: 'not_found', name: 'NotFoundError', description: 'No such record' },
  409: { code: 'conflict', name: 'ConflictError', description: 'Conflicts with work in progress or with another plan' },
  413: { code: 'payload_too_large', name: 'PayloadTooLargeError', description: 'The body is larger than allowed' },
  415: { code: 'unsupported_media_type', name: 'UnsupportedMediaTypeError', description: 'The body’s content type or encoding is not accepted' },
  422: { code: 'validation_failed', name: 'ValidationFailedError', description: 'The request parsed but is not valid; nothing was written' },
  429: { code: 'rate_limited', name: 'RateLimitedError', description: 'Too many requests; see Retry-After' },
  500: { code: 'internal', name: 'InternalError', description: 'A fault of the service; nothing internal is shown' },
  503: { code: 'unavailable', name: 'UnavailableError', description: 'The database is not reachable right now; see Retry-After' },
};

const errorBodies = new Map<ErrorStatus, z.ZodType>();

/** The named body of one error status: `{ error: { code, message, details } }`. */
export function errorBodyOf(status: ErrorStatus): z.ZodType {
  let body = errorBodies.get(status);
  if (!body) {
    const { code, name } = ERRORS[status];
    body = z
      .strictObject({
        error: z.strictObject({
          code: z.literal(code).describe('Stable machine code'),
          message: z.string().describe('For people; may change'),
          details: DETAILS[code],
        }),
      })
      .openapi(name);
    errorBodies.set(status, body);
  }
  return body;
}

const retryAfterHeader = z.string().describe('Seconds to wait before trying again');

function errorResponse(status: ErrorStatus): ResponseConfig {
  const retry = status === 429 || status === 503;
  return {
    description: ERRORS[status].description,
    ...(retry ? { headers: z.object({ 'Retry-After': retryAfterHeader }) } : {}),
    content: { 'application/json': { schema: errorBodyOf(status) } },
  };
}

/** Error statuses a route may add to those every API call can answer. */
export type RouteErrorStatus = 400 | 403 | 404 | 409 | 413 | 415 | 422;

/**
 * Responses of a `/api/v1` operation: its own answers, the errors it names, and those every
 * API call can answer (400 a URL that is not valid percent-encoding or a body that is not
 * JSON, 401 token, 422 a parameter or field not accepted, 429 rate limits, 503 database down, 500).
 */
export function apiResponses(success: Record<number, ResponseConfig>, ...errors: RouteErrorStatus[]): Record<number, ResponseConfig> {
  // 422 too: every path parameter, query and body is parsed strictly (an unknown field or a
  // wrong type is refused by name).
  return responsesWith(success, [...errors, 400, 401, 422, 429, 500, 503]);
}

/** Responses of an operation outside the bearer-token API (feeds, probes). */
export function responsesWith(success: Record<number, ResponseConfig>, errors: ErrorStatus[]): Record<number, ResponseConfig> {
  const sorted = [...new Set(errors)].sort((a, b) => a - b);
  return { ...success, ...Object.fromEntries(sorted.map((s) => [s, errorResponse(s)])) };
}

/** A JSON response with a named schema. */
export function jsonResponse(description: string, schema: z.ZodType, headers?: z.ZodObject): ResponseConfig {
  return { description, ...(headers ? { headers } : {}), content: { 'application/json': { schema } } };
}

/** Request body (JSON) and parameters of an operation that takes them. */
export function jsonBody(schema: z.ZodType, description?: string) {
  return { body: { required: true, ...(description ? { description } : {}), content: { 'application/json': { schema } } } };
}

// ---- the document ----------------------------------------------------------------------

export function createRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token (`gd_…`) from `npm run token` or `POST /api/v1/tokens`',
  });
  return registry;
}

const TAGS = [
  { name: 'directory', description: 'Gates, people and availability: uploads and scoped reads' },
  { name: 'tokens', description: 'API tokens (planners)' },
  { name: 'plans', description: 'Plans, pins and publishing' },
  { name: 'solves', description: 'Solve jobs and their draft rosters (planners)' },
  { name: 'rosters', description: 'Published rosters, gaps, the daily report and diffs (scoped)' },
  { name: 'feeds', description: 'Calendar feeds and their secret links' },
  { name: 'ground', description: 'On the ground: check-ins at the gate, inspections and visit lists' },
  { name: 'health', description: 'Probes for a process supervisor or load balancer' },
];

/** Where a client reaches the service when no request says (the default PORT and HOST). */
export const DEFAULT_SERVER = 'http://127.0.0.1:3000';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

export function openApiDocument(registry: OpenAPIRegistry, serverUrl = DEFAULT_SERVER): OpenApiDocument {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Gate duty roster service',
      version: '1',
      description:
        'Who can stand duty when, which gates need cover, fair rosters, iCal feeds and coverage. ' +
        'Every error is `{"error":{"code","message","details"}}`; instants are ISO 8601 with the plan’s offset.',
      license: { name: 'Proprietary; all rights reserved', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: serverUrl, description: 'This service' }],
    tags: TAGS,
    security: [{ bearer: [] }],
  });
}

/** The document with `servers` naming where this request reached the service. */
export function withServer(document: OpenApiDocument, serverUrl: string): OpenApiDocument {
  return { ...document, servers: [{ url: serverUrl, description: 'This service' }] };
}
