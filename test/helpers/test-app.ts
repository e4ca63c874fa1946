/**
 * A real app on a real MongoDB-wire server, in a database of its own per test file.
 */
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { afterAll, beforeAll, inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import type { Models } from '../../src/db/models.js';
import { createServiceApp, wireModels } from '../../src/wiring.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { issueToken, type TokenRequest } from '../../src/auth/tokens.js';
import type { Express } from 'express';
import { withContractCheck } from './contract.js';

export interface TestApp {
  app: Express;
  /** The database's name on the run's server (`inject('mongoUri') + dbName`). */
  dbName: string;
  models: Models;
  config: Config;
  token(request: TokenRequest): Promise<string>;
  /** Drops the database (unless another app on it lives on: `keepDatabase`) and closes. */
  close(options?: { keepDatabase?: boolean }): Promise<void>;
}

/** `clock`: what time the app thinks it is (check-ins and no-shows, src/ground/). */
export async function createTestApp(
  env: Record<string, string> = {},
  logger: Logger = createLogger('silent'),
  dbName = `test_${randomBytes(6).toString('hex')}`,
  options: { clock?: () => Date } = {},
): Promise<TestApp> {
  const connection = await mongoose.createConnection(`${inject('mongoUri')}${dbName}`).asPromise();
  const models = wireModels(connection);
  await Promise.all(Object.values(connection.models).map((m) => m.createIndexes()));
  const config = loadConfig({ LOG_LEVEL: 'silent', RUN_WORKER: 'false', ...env });
  // Every answer is checked against the OpenAPI document (./contract.ts).
  const app = withContractCheck(createServiceApp({ config, logger, connection, models, clock: options.clock }));
  return {
    app,
    dbName,
    models,
    config,
    token: async (request) => (await issueToken(models, request)).token,
    async close({ keepDatabase = false } = {}) {
      if (!keepDatabase) await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    },
  };
}

/** What most integration files start from: their own app, a planner token, optional seed data. */
export interface PlannerFixture {
  t: TestApp;
  planner: string;
}

/**
 * Registers the usual set-up and tear-down of a file (a fresh app and database, a planner
 * token, then `seed`) and returns the fixture, filled in before the first test runs.
 */
export function usePlannerApp(seed?: (app: Express, planner: string) => Promise<void>): PlannerFixture {
  const fixture = {} as PlannerFixture;
  beforeAll(async () => {
    fixture.t = await createTestApp();
    fixture.planner = await fixture.t.token({ role: 'planner' });
    await seed?.(fixture.t.app, fixture.planner);
  });
  afterAll(async () => {
    await fixture.t?.close();
  });
  return fixture;
}
