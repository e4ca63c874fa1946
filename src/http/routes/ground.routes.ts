/** The API of what happens on the ground: check-ins, inspections, visit lists (src/ground/). */
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Config } from '../../config.js';
import type { Models } from '../../db/models.js';
import type { GroundSettings } from '../../ground/grounded-roster.js';
import { checkInRoutes } from './checkins.routes.js';
import { inspectionRoutes } from './inspections.routes.js';
import { visitRoutes } from './visits.routes.js';

export interface GroundRouteDeps {
  models: Models;
  ground: GroundSettings;
  config: Config;
}

export function groundRoutes(deps: GroundRouteDeps, registry: OpenAPIRegistry): Router {
  const router = Router();
  const now = deps.ground.now;
  router.use(checkInRoutes({ models: deps.models, now }, registry));
  router.use(inspectionRoutes({ models: deps.models, now, timeZone: deps.config.TIMEZONE }, registry));
  router.use(visitRoutes({ models: deps.models, now, timeZone: deps.config.TIMEZONE }, registry));
  return router;
}
