/**
 * Where the ports of the lower layers are filled in (docs/architecture.md), for every process
 * that runs the service's code: the service itself, the test apps, the scripts that publish.
 * - `wireModels`: a database's models, with messaging handed to the publish as its
 *   participant (src/roster/publish-participants.ts).
 * - `createServiceApp`: the app with its pages (src/http/page-port.ts).
 */
import type { Express } from 'express';
import type { Connection } from 'mongoose';
import { registerModels, type Models } from './db/models.js';
import { createApp, type AppDeps } from './http/app.js';
import { publishMessages } from './messaging/outbox.js';
import { servicePages } from './pages/index.js';
import { wirePublishParticipants } from './roster/publish-participants.js';

export function wireModels(connection: Connection): Models {
  const models = registerModels(connection);
  wirePublishParticipants(models, [publishMessages]);
  return models;
}

export function createServiceApp(deps: Omit<AppDeps, 'pages'>): Express {
  return createApp({ ...deps, pages: servicePages });
}
