/**
 * The Express application: wiring only. Domain rules live in the modules the routes call.
 */
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Connection } from 'mongoose';
import type { Config } from '../config.js';
import { isDatabaseReachable } from '../db/connect.js';
import { intakeLimitsOf } from '../directory/upload.js';
import { healthOf, type DatabaseHealth } from '../db/health.js';
import { refuseWhileDatabaseDown } from './database-guard.js';
import type { Models } from '../db/models.js';
import type { Logger } from '../logger.js';
import { authenticate } from './auth.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { createRegistry, openApiDocument } from './openapi.js';
import { rateLimits } from './rate-limit.js';
import { redactUrl } from './redact.js';
import { FEED_PREFIX } from './secret-urls.js';
import { pageRoutes } from '../pages/index.js';
import { directoryRoutes } from './routes/directory.routes.js';
import { feedRoutes, feedTokenRoutes } from './routes/feeds.routes.js';
import { planRoutes } from './routes/plans.routes.js';
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
}

export function createApp(deps: AppDeps): Express {
  const { config, models } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Who the client is for the rate limits: X-Forwarded-For counts only from these proxies.
  app.set('trust proxy', config.TRUST_PROXY);
  app.use(helmet({ referrerPolicy: { policy: 'no-referrer' } }));
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
    res.json({ status: 'ok' });
  });
  const health = deps.health ?? healthOf(deps.connection);
  app.get('/readyz', async (_req, res) => {
    const ready = !health.isDown() && (await isDatabaseReachable(deps.connection));
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'database unreachable' });
  });
  registry.registerPath({ method: 'get', path: '/healthz', summary: 'Process is up', security: [], responses: { 200: { description: 'Up' } } });
  registry.registerPath({ method: 'get', path: '/readyz', summary: 'Database reachable', security: [], responses: { 200: { description: 'Ready' }, 503: { description: 'Database unreachable' } } });

  app.use(refuseWhileDatabaseDown(health));

  const api = express.Router();
  api.use(authenticate(models));
  api.use(limits.uploads);
  // Uploads read their own raw bytes (any format, UPLOAD_LIMIT_MB), so they come before the
  // JSON parser that the other routes use.
  api.use(directoryRoutes({ models, timeZone: config.TIMEZONE, uploadLimitBytes: config.UPLOAD_LIMIT_MB * 1024 * 1024, intakeLimits: intakeLimitsOf(config) }, registry));
  api.use(express.json({ limit: '1mb' }));
  api.use('/tokens', tokenRoutes(models, registry));
  api.use(planRoutes({ models, onSolveRequested: deps.onSolveRequested }, registry));
  api.use(feedTokenRoutes(models, (req) => config.PUBLIC_BASE_URL ?? `${req.protocol}://${req.get('host')}`, registry));
  app.use('/api/v1', api);
  app.use(feedRoutes(models, registry));

  const document = openApiDocument(registry);
  app.get('/api/openapi.json', (_req, res) => {
    res.json(document);
  });

  app.use(pageRoutes({ models, config, onSolveRequested: deps.onSolveRequested, secretUrlLimit: limits.secretUrls, uploadLimit: limits.uploads }));
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
