/**
 * The Express application: wiring only. Domain rules live in the modules the routes call.
 */
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Connection } from 'mongoose';
import type { Config } from '../config.js';
import { isDatabaseReachable } from '../db/connect.js';
import type { Models } from '../db/models.js';
import type { Logger } from '../logger.js';
import { authenticate } from './auth.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { createRegistry, openApiDocument } from './openapi.js';
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
  /** Called after a solve is queued (the in-process worker uses it to start at once). */
  onSolveRequested?: () => void;
}

export function createApp(deps: AppDeps): Express {
  const { config, models } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet({ referrerPolicy: { policy: 'no-referrer' } }));
  app.use(
    pinoHttp({
      logger: deps.logger,
      // Feed URLs carry secrets in the path: log the route shape, never the token.
      serializers: { req: (req: { method: string; url: string }) => ({ method: req.method, url: redactUrl(req.url) }) },
    }),
  );

  const registry = createRegistry();
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = await isDatabaseReachable(deps.connection);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'database unreachable' });
  });
  registry.registerPath({ method: 'get', path: '/healthz', summary: 'Process is up', security: [], responses: { 200: { description: 'Up' } } });
  registry.registerPath({ method: 'get', path: '/readyz', summary: 'Database reachable', security: [], responses: { 200: { description: 'Ready' }, 503: { description: 'Database unreachable' } } });

  const api = express.Router();
  api.use(authenticate(models));
  // Uploads read their own raw bytes (any format, UPLOAD_LIMIT_MB), so they come before the
  // JSON parser that the other routes use.
  api.use(directoryRoutes({ models, timeZone: config.TIMEZONE, uploadLimitBytes: config.UPLOAD_LIMIT_MB * 1024 * 1024 }, registry));
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

  app.use(pageRoutes({ models, config, onSolveRequested: deps.onSolveRequested }));
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}

/** Replaces secrets in URLs (feed tokens in paths, `token=` in queries) before logging. */
export function redactUrl(url: string): string {
  return url.replace(/\/feeds\/[^/?#]+/g, '/feeds/[redacted]').replace(/([?&]token=)[^&#]*/g, '$1[redacted]');
}
