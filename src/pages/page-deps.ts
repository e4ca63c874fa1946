/**
 * What the pages are given by the app that mounts them. Its own module so that the page
 * groups (./planner/, ./village/, ...) can name it without importing ./index.ts, which
 * imports them.
 */
import type { RequestHandler } from 'express';
import type { Config } from '../config.js';
import type { Models } from '../db/models.js';
import type { GroundSettings } from '../ground/grounded-roster.js';

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
