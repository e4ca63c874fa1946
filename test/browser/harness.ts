/**
 * A real listening service for browser tests: the app and an in-process solve worker on a
 * database of its own (from the run's FerretDB), a planner token, and Debian's chromium.
 */
import type { Express } from 'express';
import { ClaimWorker } from '../../src/claims/rounds.js';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import mongoose from 'mongoose';
import { inject } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { issueToken } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config.js';
import type { Models } from '../../src/db/models.js';
import { createServiceApp, wireModels } from '../../src/wiring.js';
import { createLogger } from '../../src/logger.js';
import { SolveWorker } from '../../src/roster/solves.js';

export const CHROMIUM = '/usr/bin/chromium';
const ROOT = new URL('../..', import.meta.url).pathname;
const RUN_SHOTS = join(ROOT, 'test-results/screenshots');
const COMMITTED_SHOTS = join(ROOT, 'test/screenshots');
const UPDATE_SCREENSHOTS = ['1', 'true', 'yes'].includes((process.env.UPDATE_SCREENSHOTS ?? '').toLowerCase());

/**
 * A full-page screenshot into test-results/screenshots/; with UPDATE_SCREENSHOTS=1 (npm run
 * screenshots) also over the committed copy in test/screenshots/ that the README shows.
 */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(RUN_SHOTS, { recursive: true });
  const path = join(RUN_SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  if (UPDATE_SCREENSHOTS) {
    mkdirSync(COMMITTED_SHOTS, { recursive: true });
    copyFileSync(path, join(COMMITTED_SHOTS, `${name}.png`));
  }
}
/** A host name the browser resolves to this machine, as an office box's name on a LAN. */
export const LAN_HOST = 'roster.lan';

export interface BrowserHarness {
  baseUrl: string;
  /** The app itself, for supertest set-up. */
  app: Express;
  /** The same server by a non-loopback host name (plain http, as on an office LAN). */
  lanUrl: string;
  models: Models;
  browser: Browser;
  plannerToken: string;
  /** Calls the JSON API as the planner (or with `token`). */
  api<T>(path: string, token?: string, method?: string): Promise<T>;
  /** Someone on duty in `village` in the plan's published roster. */
  firstCadreOf(planId: string, village: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/** `clock`: what time the service thinks it is (check-ins and no-shows); default the real time. */
export async function startBrowserHarness(options: { clock?: () => Date } = {}): Promise<BrowserHarness> {
  const connection = await mongoose.createConnection(`${inject('mongoUri')}browser_${randomBytes(6).toString('hex')}`).asPromise();
  const models = wireModels(connection);
  await Promise.all(Object.values(connection.models).map((m) => m.createIndexes()));
  const logger = createLogger('silent');
  const config = loadConfig({ LOG_LEVEL: 'silent', RUN_WORKER: 'false' });
  // The district solves in seconds; the deadline is only a guard, far above what a loaded
  // machine needs, so a slow run is slow rather than a worse roster.
  const worker = new SolveWorker(models, logger, { engine: 'highs', deadlineSeconds: 300 });
  await worker.start();
  const claims = new ClaimWorker(models, logger, { pollMs: 100 });
  claims.start();
  const app = createServiceApp({ config, logger, connection, models, onSolveRequested: () => worker.nudge(), clock: options.clock });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // roster.lan reaches this server as a LAN host name would (not loopback, not https).
    args: [
      `--host-resolver-rules=MAP ${LAN_HOST} 127.0.0.1`,
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const plannerToken = (await issueToken(models, { role: 'planner', label: 'browser test' })).token;

  async function api<T>(path: string, token = plannerToken, method = 'GET'): Promise<T> {
    const response = await fetch(`${baseUrl}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`${method} ${path} -> ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  }

  return {
    baseUrl,
    app,
    lanUrl: baseUrl.replace('127.0.0.1', LAN_HOST),
    models,
    browser,
    plannerToken,
    api,
    async firstCadreOf(planId, village) {
      const roster = await api<{ assignments: { cadreId: string }[] }>(`/plans/${planId}/roster?village=${encodeURIComponent(village)}`);
      return roster.assignments[0]?.cadreId;
    },
    async close() {
      await browser.close().catch(() => undefined);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await claims.stop();
      await worker.stop();
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    },
  };
}
