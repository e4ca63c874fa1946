/**
 * A real app on a real MongoDB-wire server, in a database of its own per test file.
 */
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { registerModels, type Models } from '../../src/db/models.js';
import { createApp } from '../../src/http/app.js';
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
  close(): Promise<void>;
}

export async function createTestApp(env: Record<string, string> = {}, logger: Logger = createLogger('silent'), dbName = `test_${randomBytes(6).toString('hex')}`): Promise<TestApp> {
  const connection = await mongoose.createConnection(`${inject('mongoUri')}${dbName}`).asPromise();
  const models = registerModels(connection);
  await Promise.all(Object.values(connection.models).map((m) => m.createIndexes()));
  const config = loadConfig({ LOG_LEVEL: 'silent', RUN_WORKER: 'false', ...env });
  // Every answer is checked against the OpenAPI document (./contract.ts).
  const app = withContractCheck(createApp({ config, logger, connection, models }));
  return {
    app,
    dbName,
    models,
    config,
    token: async (request) => (await issueToken(models, request)).token,
    async close() {
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    },
  };
}
