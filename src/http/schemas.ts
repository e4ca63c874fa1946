/** zod schemas shared by several routes: they parse requests and document them in OpenAPI. */
import type { Response } from 'express';
import { z } from 'zod';
import { isLocalDate } from '../domain/time.js';
import { ROLES } from '../domain/types.js';
import { textProblem } from '../intake/text-guard.js';
import { instantOutSchema, rowProblemSchema } from './openapi.js';

/**
 * One line of text for people (a plan's name, an absence reason): at most `max` characters
 * and no control characters, the same rule every uploaded cell follows.
 */
export function plainText(max: number): z.ZodString {
  return z
    .string()
    .max(max)
    .refine((text) => textProblem(text, max) === null, `one line of at most ${max} characters, without control characters`);
}

export const pageQuerySchema = z.strictObject({
  page: z.coerce.number().int().min(1).default(1).describe('1-based page number'),
  pageSize: z.coerce.number().int().min(1).max(1000).default(100).describe('Items per page (max 1000)'),
});

export const placeQuerySchema = z.strictObject({
  village: z.string().min(1).optional().describe('Only this village (村社)'),
  town: z.string().min(1).optional().describe('Only this town (镇街)'),
});

export const roleSchema = z.enum(ROLES as [string, ...string[]]).describe('village_cadre, dispatched or volunteer');

export const idParamSchema = z.strictObject({ id: z.string().min(1) });

/**
 * An instant in ISO 8601, e.g. `2021-12-13T08:00:00+08:00`. `new Date()` (and so
 * z.coerce.date) quietly rolls a day that does not exist into the next month (`2021-02-30` ->
 * March 2nd), so the calendar date is checked before the text is parsed.
 */
export const instantSchema = z
  .string()
  .refine(
    (text) => isLocalDate(text.slice(0, 10)) && !Number.isNaN(Date.parse(text)),
    'not an ISO 8601 date and time that exists, e.g. 2021-12-13T08:00:00+08:00',
  )
  .transform((text) => new Date(text));

export const replaceQuerySchema = z.strictObject({
  replace: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1')
    .describe('Also remove what the file does not list'),
});

export const gateSchema = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    village: z.string(),
    town: z.string(),
    staffPerShift: z.number().int(),
    coverFrom: z.string().describe('Local HH:mm'),
    coverTo: z.string().describe('Local HH:mm; 24:00 = midnight'),
    activeFrom: z.string().nullable(),
    activeTo: z.string().nullable(),
    leadRequired: z.boolean(),
  })
  .openapi('Gate');

export const cadreSchema = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    phone: z.string().nullable().describe('Planners only; null for other tokens'),
    role: roleSchema,
    village: z.string(),
    serves: z.array(z.string()),
    maxHoursWeek: z.number().nullable(),
    nightOk: z.boolean(),
  })
  .openapi('Cadre');

export const availabilitySchema = z
  .strictObject({
    cadreId: z.string(),
    windows: z.array(
      z.strictObject({
        start: instantOutSchema.describe('Start, with the offset of the deployment’s TIMEZONE'),
        end: instantOutSchema,
        kind: z.enum(['available', 'unavailable', 'preferred']),
      }),
    ),
  })
  .openapi('Availability');

export const syncCountsSchema = z
  .strictObject({
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    removed: z.number().int(),
    warnings: z
      .array(rowProblemSchema)
      .optional()
      .describe('Rows kept with a safe reading the planner should check (e.g. preferred overlapping unavailable: unavailable wins); absent when none'),
  })
  .openapi('UploadCounts', {
    description:
      'Records new, changed, unchanged and (with replace=true) removed. Gates and people count one per row; ' +
      'availability counts people, not rows: all windows of one person are one record, replaced as a whole.',
  });

export const villageListSchema = z
  .strictObject({ items: z.array(z.strictObject({ village: z.string(), town: z.string(), gates: z.number().int() })) })
  .openapi('VillageList');

/** A page of `item`, registered as the named component `name`. */
export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z
    .strictObject({ items: z.array(item), page: z.number().int(), pageSize: z.number().int(), total: z.number().int().describe('Items on all pages') })
    .openapi(name);
}

/**
 * Sends `body` as JSON; `schema` is the answer's documented schema, so the compiler holds the
 * code to the document (the contract test holds the running service to it).
 */
export function sendJson<S extends z.ZodType>(res: Response, status: number, _schema: S, body: z.output<S>): void {
  res.status(status).json(body);
}
