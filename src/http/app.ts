/**
 * The Express application: wiring only. Domain rules live in the modules the routes call.
 */
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Connection } from 'mongoose';
import { servedOverHttpsOnly, type Config } from '../config.js';
import { isDatabaseReachable } from '../db/connect.js';
import { intakeLimitsOf } from '../directory/upload.js';
import { healthOf, type DatabaseHealth } from '../db/health.js';
import { refuseWhileDatabaseDown } from './database-guard.js';
import type { Models } from '../db/models.js';
import type { Logger } from '../logger.js';
import { authenticate, confineInspectors } from './auth.js';
import { groundSettings } from '../ground/grounded-roster.js';
import { groundRoutes } from './routes/ground.routes.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { createRegistry, jsonResponse, openApiDocument, withServer } from './openapi.js';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { rateLimits } from './rate-limit.js';
import { redactUrl } from './redact.js';
import { sendJson } from './schemas.js';
import { FEED_PREFIX } from './secret-urls.js';
import type { PagesPort } from './page-port.js';
import { absenceRoutes } from './routes/absences.routes.js';
import { claimRoutes } from './routes/claims.routes.js';
import { swapRoutes } from './routes/swaps.routes.js';
import { channelRoutes } from './routes/channels.routes.js';
import { directoryRoutes } from './routes/directory.routes.js';
import { feedRoutes, feedTokenRoutes } from './routes/feeds.routes.js';
import { planRoutes } from './routes/plans.routes.js';
import { campaignRoutes } from './routes/campaigns.routes.js';
import { tokenRoutes } from './routes/tokens.routes.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  connection: Connection;
  models: Models;
  /** Database reachability as this process sees it; default: watch `connection`. */
  health?: DatabaseHealth;
  /** Called after a solve is queued (the in-process worker uses it to start at once). */
  onSolveRequested?: () => void;
  /** Called after a roll is started (the in-process roll worker then carries it on at once). */
  onRollRequested?: () => void;
  /** What time it is, for check-ins and no-shows (src/ground/); tests pass a fixed clock. */
  clock?: () => Date;
  /** The HTML pages (./page-port.ts); without them the app serves the API and the feeds alone. */
  pages?: PagesPort;
}

/**
 * helmet's defaults, except that the HTTPS-only headers (HSTS, `upgrade-insecure-requests`)
 * are sent only when the service is reached over https (see `servedOverHttpsOnly`): on a
 * plain-http LAN host they would break every page.
 */
function helmetOptions(config: Config): Parameters<typeof helmet>[0] {
  const https = servedOverHttpsOnly(config);
  return {
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: https,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: https ? [] : null } },
  };
}

export function createApp(deps: AppDeps): Express {
  const { config, models } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Who the client is for the rate limits: X-Forwarded-For counts only from these proxies.
  app.set('trust proxy', config.TRUST_PROXY);
  app.use(helmet(helmetOptions(config)));
  app.use(
    pinoHttp({
      logger: deps.logger,
      // Feed and page URLs carry secrets: log the route shape, never the secret.
      serializers: { req: (req: { method: string; url: string }) => ({ method: req.method, url: redactUrl(req.url) }) },
    }),
  );

  // Before any route, so a refused request costs no lookup. Express matches mount paths as
  // it matches routes (case-insensitively), so no spelling of a secret URL that reaches its
  // handler skips its limit. The secret pages mount the same limiter (src/pages/index.ts).
  const limits = rateLimits(config);
  app.use(FEED_PREFIX, limits.secretUrls);
  app.use(['/api/v1', '/planner'], limits.failedAuth);

  const registry = createRegistry();
  app.get('/healthz', (_req, res) => {
    sendJson(res, 200, healthSchema, { status: 'ok' });
  });
  const health = deps.health ?? healthOf(deps.connection);
  app.get('/readyz', async (_req, res) => {
    const ready = !health.isDown() && (await isDatabaseReachable(deps.connection));
    sendJson(res, ready ? 200 : 503, readySchema, { status: ready ? 'ready' : 'database unreachable' });
  });
  documentProbes(registry);

  app.use(refuseWhileDatabaseDown(health));

  const api = express.Router();
  api.use(authenticate(models));
  api.use(confineInspectors);
  api.use(limits.uploads);
  // Uploads read their own raw bytes (any format, UPLOAD_LIMIT_MB), so they come before the
  // JSON parser that the other routes use.
  api.use(
    directoryRoutes(
      { models, timeZone: config.TIMEZONE, uploadLimitBytes: config.UPLOAD_LIMIT_MB * 1024 * 1024, intakeLimits: intakeLimitsOf(config) },
      registry,
    ),
  );
  api.use(express.json({ limit: '1mb' }));
  api.use('/tokens', tokenRoutes(models, config.TIMEZONE, registry));
  api.use(absenceRoutes({ models, timeZone: config.TIMEZONE }, registry));
  api.use(channelRoutes(models, config.TIMEZONE, registry));
  const ground = groundSettings(config, deps.clock);
  api.use(planRoutes({ models, onSolveRequested: deps.onSolveRequested, ground }, registry));
  api.use(
    campaignRoutes(
      { models, timeZone: config.TIMEZONE, now: ground.now, onSolveRequested: deps.onSolveRequested, onRollRequested: deps.onRollRequested },
      registry,
    ),
  );
  api.use(groundRoutes({ models, ground, config }, registry));
  api.use(claimRoutes({ models, timeZone: config.TIMEZONE, now: ground.now, claimWaitMs: config.CLAIM_WAIT_MS }, registry));
  api.use(swapRoutes({ models, timeZone: config.TIMEZONE, now: ground.now, claimWaitMs: config.CLAIM_WAIT_MS }, registry));
  api.use(feedTokenRoutes(models, (req) => config.PUBLIC_BASE_URL ?? `${req.protocol}://${req.get('host')}`, registry));
  app.use('/api/v1', api);
  app.use(feedRoutes(models, registry));

  const document = openApiDocument(registry);
  app.locals.openApiDocument = document;
  app.get('/api/openapi.json', (req, res) => {
    res.json(withServer(document, config.PUBLIC_BASE_URL ?? `${req.protocol}://${req.get('host')}`));
  });

  if (deps.pages)
    app.use(
      deps.pages.routes({
        models,
        config,
        onSolveRequested: deps.onSolveRequested,
        onRollRequested: deps.onRollRequested,
        secretUrlLimit: limits.secretUrls,
        uploadLimit: limits.uploads,
        ground,
      }),
    );
  app.use(notFoundHandler);
  app.use(errorHandler(deps.pages));
  return app;
}

const healthSchema = z.strictObject({ status: z.literal('ok') }).openapi('Health');
const readySchema = z.strictObject({ status: z.enum(['ready', 'database unreachable']) }).openapi('Readiness');

/**
 * The probes answer no 4xx (nothing about the request can be wrong), so the lint test
 * (test/integration/openapi.test.ts) waives redocly's operation-4xx-response for exactly these two.
 */
function documentProbes(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'get',
    path: '/healthz',
    operationId: 'getHealth',
    tags: ['health'],
    summary: 'Process is up',
    security: [],
    responses: { 200: jsonResponse('Up', healthSchema) },
  });
  registry.registerPath({
    method: 'get',
    path: '/readyz',
    operationId: 'getReadiness',
    tags: ['health'],
    summary: 'Database reachable',
    security: [],
    responses: { 200: jsonResponse('Ready', readySchema), 503: jsonResponse('Database unreachable', readySchema) },
  });
}
