/**
 * Opens the database: the given MongoDB URI, or the embedded FerretDB when none is set.
 * Returns a mongoose Connection (not the global default) so tests can hold several.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import { lockDataDir } from './data-dir-lock.js';
import { canConnect, startEmbeddedFerretDb } from './embedded-ferretdb.js';
import { startSupervisedFerretDb } from './ferretdb-supervisor.js';
import { DatabaseHealth, watchConnection } from './health.js';
import { registerModels } from './models.js';

export interface Database {
  connection: Connection;
  /** Where the database is, without credentials, for logs. */
  describe: string;
  health: DatabaseHealth;
  close(): Promise<void>;
}

export interface OpenOptions {
  uri?: string;
  dataDir: string;
  dbName?: string;
  /** CLI tools: use the embedded server a running service has open, if there is one. */
  reuseRunning?: boolean;
  /** The service: own the data folder, restart the embedded server when it dies. */
  supervise?: { maxRestarts: number; onGiveUp: (error: Error) => void };
}

/**
 * With no `uri`, the embedded FerretDB over `dataDir` is used. A running service records its
 * embedded server's address in the data dir; `reuseRunning` (for CLI tools) connects to that
 * one instead of opening the same SQLite files in a second server.
 */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  let uri = options.uri;
  const dbName = options.dbName ?? 'gate-duty';
  const addressFile = join(options.dataDir, 'ferretdb.address');
  if (!uri && options.reuseRunning) {
    const running = await runningEmbeddedUri(addressFile);
    if (running) uri = `${running}${dbName}`;
  }
  const health = new DatabaseHealth();
  let embedded: { port: number; stop(): Promise<void> } | undefined;
  let unlock: (() => void) | undefined;
  if (!uri) {
    // Whoever opens the files owns the folder: a CLI tool (restore) as much as the service.
    unlock = lockDataDir(options.dataDir).release;
    if (options.supervise) {
      const supervised = await startSupervisedFerretDb(
        { dataDir: options.dataDir, maxRestarts: options.supervise.maxRestarts },
        { onDown: () => health.markDown(), onUp: () => health.markUp(), onGiveUp: options.supervise.onGiveUp },
      );
      embedded = supervised;
    } else {
      embedded = await startEmbeddedFerretDb({ dataDir: options.dataDir });
    }
    uri = `mongodb://127.0.0.1:${embedded.port}/${dbName}`;
    if (!options.reuseRunning) writeFileSync(addressFile, `${embedded.port}\n`);
  }
  try {
    const connection = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 10_000, heartbeatFrequencyMS: 2_000 }).asPromise();
    watchConnection(connection, health);
    registerModels(connection);
    await Promise.all(Object.values(connection.models).map((m) => m.createIndexes()));
    return {
      connection,
      describe: embedded ? `embedded FerretDB at 127.0.0.1:${embedded.port}` : redactUri(uri),
      health,
      async close() {
        await connection.close();
        if (embedded && !options.reuseRunning) rmSync(addressFile, { force: true });
        await embedded?.stop();
        unlock?.();
      },
    };
  } catch (error) {
    await embedded?.stop();
    unlock?.();
    throw error;
  }
}

/** True when the database answers a ping within the driver's timeout. */
export async function isDatabaseReachable(connection: Connection): Promise<boolean> {
  try {
    if (connection.readyState !== mongoose.ConnectionStates.connected || !connection.db) return false;
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
