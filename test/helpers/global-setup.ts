/**
 * Starts one throwaway FerretDB for the whole run (or uses MONGODB_URI_TEST); each test file
 * then works in a database of its own (see ./test-app.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedFerretDb } from '../../src/db/embedded-ferretdb.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.MONGODB_URI_TEST;
  if (given) {
    project.provide('mongoUri', given.endsWith('/') ? given : `${given}/`);
    return async () => {};
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'gate-duty-test-'));
  const db = await startEmbeddedFerretDb({ dataDir });
  project.provide('mongoUri', db.uri);
  return async () => {
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
