/**
 * Opens the database: the given MongoDB URI, or the embedded FerretDB when none is set.
 * Returns a mongoose Connection (not the global default) so tests can hold several.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import { canConnect, startEmbeddedFerretDb, type EmbeddedFerretDb } from './embedded-ferretdb.js';
import { registerModels } from './models.js';

export interface Database {
  connection: Connection;
  /** Where the database is, without credentials, for logs. */
  describe: string;
  close(): Promise<void>;
}

/**
 * With no `uri`, the embedded FerretDB over `dataDir` is used. A running service records its
 * embedded server's address in the data dir; `reuseRunning` (for CLI tools) connects to that
 * one instead of opening the same SQLite files in a second server.
 */
export async function openDatabase(options: { uri?: string; dataDir: string; dbName?: string; reuseRunning?: boolean }): Promise<Database> {
  let embedded: EmbeddedFerretDb | undefined;
  let uri = options.uri;
  const dbName = options.dbName ?? 'gate-duty';
  const addressFile = join(options.dataDir, 'ferretdb.address');
  if (!uri && options.reuseRunning) {
    const running = await runningEmbeddedUri(addressFile);
    if (running) uri = `${running}${dbName}`;
  }
  if (!uri) {
    embedded = await startEmbeddedFerretDb({ dataDir: options.dataDir });
    uri = `${embedded.uri}${dbName}`;
    if (!options.reuseRunning) writeFileSync(addressFile, `${embedded.port}\n`);
  }
  try {
    const connection = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 10_000 }).asPromise();
    registerModels(connection);
    await Promise.all(Object.values(connection.models).map((m) => m.createIndexes()));
    return {
      connection,
      describe: embedded ? `embedded FerretDB at 127.0.0.1:${embedded.port}` : redactUri(uri),
      async close() {
        await connection.close();
        if (embedded && !options.reuseRunning) rmSync(addressFile, { force: true });
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}

/** True when the database answers a ping within the driver's timeout. */
export async function isDatabaseReachable(connection: Connection): Promise<boolean> {
  try {
    if (connection.readyState !== 1 || !connection.db) return false;
    await connection.db.admin().ping();
    return true;
  } catch {
    return false;
  }
}

async function runningEmbeddedUri(addressFile: string): Promise<string | null> {
  let port: number;
  try {
    port = Number(readFileSync(addressFile, 'utf8').trim());
  } catch {
    return null;
  }
  return port > 0 && (await canConnect(port)) ? `mongodb://127.0.0.1:${port}/` : null;
}

function redactUri(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}
