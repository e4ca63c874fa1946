/**
 * Calendar feeds: the public `/feeds/<secret>.ics` endpoint (the secret is the only key;
 * unknown or revoked answers 404) and the API that issues, rotates and revokes the secrets.
 */
import { Router, type ErrorRequestHandler, type Request } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Models } from '../../db/models.js';
import { AppError } from '../../errors.js';
import { webcalUrl } from '../../feeds/index.js';
import { feedSubject, issueFeedToken, readFeed, revokeFeedTokens, type FeedKind } from '../../roster/feed-store.js';
import { assertVillageReadable } from '../../auth/scope.js';
import { principalOf } from '../auth.js';
import { assertActsFor } from '../../auth/act-for.js';
import { apiResponses, jsonResponse, responsesWith } from '../openapi.js';
import { sendJson } from '../schemas.js';

const feedHeaders = z.object({
  ETag: z.string().describe('Changes when the feed does'),
  'Last-Modified': z.string().describe('The latest change of any event in the feed'),
});

const linksSchema = z
  .strictObject({
    url: z.string().url().describe('https (or http) link to the .ics'),
    webcal: z.string().describe('The same link as webcal://, which opens a calendar app'),
  })
  .openapi('FeedLinks');

/** `/feeds/<token>.ics`: no bearer token; the secret in the path is the credential. */
export function feedRoutes(models: Models, registry: OpenAPIRegistry): Router {
  const router = Router();
  router.get('/feeds/:file', async (req, res) => {
    const match = /^([A-Za-z0-9_-]{20,200})\.ics$/.exec(req.params.file);
    const subject = match?.[1] ? await feedSubject(models, match[1]) : null;
    if (!subject) throw new AppError('not_found', 'no such feed');
    const feed = await readFeed(models, subject.kind, subject.subject);
    res.set({
      'Content-Type': 'text/calendar; charset=utf-8',
      ETag: feed.etag,
      'Last-Modified': feed.lastModified.toUTCString(),
      'Cache-Control': 'private, no-cache',
    });
    if (notModified(req, feed.etag, feed.lastModified)) {
      res.status(304).end();
      return;
    }
    res.send(feed.ics);
  });
  router.use('/feeds', undecodableFeed);
  registry.registerPath({
    method: 'get',
    path: '/feeds/{token}.ics',
    operationId: 'getFeed',
    tags: ['feeds'],
    summary: 'A calendar feed (iCalendar); the secret in the path is the credential',
    description:
      'ETag and Last-Modified; If-None-Match / If-Modified-Since answer 304. Unknown and revoked secrets answer 404 and count towards RATE_LIMIT_FAILED_SECRETS_PER_MIN.',
    security: [],
    request: { params: z.object({ token: z.string().describe('The feed secret') }) },
    responses: responsesWith(
      {
        200: { description: 'The feed', headers: feedHeaders, content: { 'text/calendar': { schema: z.string().describe('iCalendar (RFC 5545)') } } },
        304: { description: 'Not modified', headers: feedHeaders },
      },
      [404, 429, 500, 503],
    ),
  });
  return router;
}

/**
 * A feed path that is not valid percent-encoding fails in the router's param decoding, before
 * the handler, with a URIError that quotes the secret: it would reach the error log whole.
 * It is an unknown feed like any other (and counts as a failed lookup).
 */
const undecodableFeed: ErrorRequestHandler = (err, _req, _res, next) => {
  next(err instanceof URIError ? new AppError('not_found', 'no such feed') : err);
};

/** Issue/rotate and revoke feed links (under /api/v1, after authentication). */
export function feedTokenRoutes(models: Models, baseUrl: (req: Request) => string, registry: OpenAPIRegistry): Router {
  const router = Router();
  const routes: { path: string; kind: FeedKind; param: string; allowed: (req: Request, subject: string) => void; what: string }[] = [
    {
      path: '/cadres/:id/feed-token',
      kind: 'cadre',
      param: 'id',
      what: 'a person’s own calendar (planner, or the person’s own cadre token)',
      allowed: (req, subject) => void assertActsFor(principalOf(req), { id: subject }, ['self', 'planner']),
    },
    {
      path: '/villages/:id/feed-token',
      kind: 'village',
      param: 'id',
      what: 'a village’s duty calendar (planner, or a head of that village)',
      allowed: (req, subject) => assertVillageReadable(principalOf(req), subject),
    },
  ];
  for (const route of routes) {
    router.post(route.path, async (req, res) => {
      const subject = String(req.params[route.param]);
      route.allowed(req, subject);
      const token = await issueFeedToken(models, route.kind, subject);
      const url = `${baseUrl(req)}/feeds/${token}.ics`;
      sendJson(res, 201, linksSchema, { url, webcal: webcalUrl(url) });
    });
    router.delete(route.path, async (req, res) => {
      const subject = String(req.params[route.param]);
      route.allowed(req, subject);
      await revokeFeedTokens(models, route.kind, subject);
      res.status(204).end();
    });
    const path = `/api/v1${route.path.replace(':id', '{id}')}`;
    const params = z.object({ id: z.string().describe(route.kind === 'cadre' ? 'The person’s id' : 'The village’s name') });
    const noun = route.kind === 'cadre' ? 'Cadre' : 'Village';
    registry.registerPath({
      method: 'post',
      path,
      operationId: `issue${noun}FeedLink`,
      tags: ['feeds'],
      summary: `Issue or rotate the secret link of ${route.what}; shown once`,
      request: { params },
      responses: apiResponses({ 201: jsonResponse('The links; any earlier link stops working', linksSchema) }, 403, 404),
    });
    registry.registerPath({
      method: 'delete',
      path,
      operationId: `revoke${noun}FeedLink`,
      tags: ['feeds'],
      summary: `Revoke the link of ${route.what}`,
      request: { params },
      responses: apiResponses({ 204: { description: 'Revoked' } }, 403, 404),
    });
  }
  return router;
}

/** RFC 9110: If-None-Match wins; If-Modified-Since only when there is no If-None-Match. */
function notModified(req: Request, etag: string, lastModified: Date): boolean {
  const ifNoneMatch = req.get('if-none-match');
  if (ifNoneMatch !== undefined) return ifNoneMatch.split(',').some((t) => t.trim() === etag || t.trim() === '*');
  const since = req.get('if-modified-since');
  if (!since) return false;
  const sinceMs = Date.parse(since);
  return !Number.isNaN(sinceMs) && Math.floor(lastModified.getTime() / 1000) * 1000 <= sinceMs;
}
