/**
 * While the database is known to be down, requests that need it are answered 503 with
 * Retry-After at once, instead of each waiting out the driver's timeouts (10 s) and then
 * failing with a 500. Feeds pass: they are served from memory where they can be
 * (src/roster/feed-cache.ts), and answer the same 503 where they cannot.
 */
import type { RequestHandler } from 'express';
import { databaseDownError } from '../db/database-down.js';
import type { DatabaseHealth } from '../db/health.js';

export function refuseWhileDatabaseDown(health: DatabaseHealth): RequestHandler {
  return (req, _res, next) => {
    if (!health.isDown() || req.path.toLowerCase().startsWith('/feeds/') || req.path.startsWith('/pages-static/')) {
      next();
      return;
    }
    next(databaseDownError());
  };
}
