/**
 * The port through which the app takes its pages (docs/architecture.md): the pages sit one
 * floor above http and render over its helpers, so http names no page. The composition hands
 * `createApp` the pages (src/wiring.ts); an app built without them serves the API alone.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../config.js';
import type { Models } from '../db/models.js';
import type { GroundSettings } from '../ground/grounded-roster.js';

/** What the pages are given by the app that mounts them. */
export interface PageDeps {
  models: Models;
  config: Config;
  /** Wakes the in-process solve worker after the console queues a solve. */
  onSolveRequested?: () => void;
  /** Wakes the in-process roll worker after the console starts a roll. */
  onRollRequested?: () => void;
  /** The limits on secret links, shared with the feeds (see src/http/rate-limit.ts). */
  secretUrlLimit: RequestHandler[];
  /** The per-token upload limit, shared with the API's uploads. */
  uploadLimit: RequestHandler;
  /** The clock and no-show rule (src/ground/): gate pages, no-shows on the village page. */
  ground: GroundSettings;
}

export interface PagesPort {
  /** The pages' routes, mounted after the API and the feeds. */
  routes(deps: PageDeps): RequestHandler;
  /** Answers a browser's page request while the database is down with a page it can read. */
  databaseDown(req: Request, res: Response, status: number): void;
}
