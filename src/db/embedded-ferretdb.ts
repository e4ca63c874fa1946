/**
 * Starts and stops the embedded FerretDB (SQLite backend) that stands in for MongoDB when
 * no MONGODB_URI is given. The launcher is built by scripts/ensure-ferretdb.sh.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FERRETDB_BINARY = resolve(fileURLToPath(new URL('../../.tools/bin/ferretdb-embedded', import.meta.url)));

export interface EmbeddedFerretDb {
  /** Connection string without a database name, e.g. `mongodb://127.0.0.1:41234/`. */
  uri: string;
  port: number;
  pid: number;
  /** Settles when the server process exits, for whatever reason (its exit code). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export async function startEmbeddedFerretDb(options: { dataDir: string; port?: number; logLevel?: string }): Promise<EmbeddedFerretDb> {
  if (!existsSync(FERRETDB_BINARY)) {
    throw new Error(
      `Embedded FerretDB is not built (${FERRETDB_BINARY} missing). Run "npm run setup:ferretdb" ` + '(needs Go), or set MONGODB_URI to a MongoDB 6+ server.',
    );
  }
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const port = options.port || (await freePort());
  const child = spawn(
    FERRETDB_BINARY,
    [`-listen-addr=127.0.0.1:${port}`, `-data-dir=${dataDir}`, `-log-level=${options.logLevel ?? 'error'}`, '-exit-on-stdin-close'],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  await waitForPort(port, child, () => stderr);
  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    port,
    pid: child.pid ?? 0,
    exited,
    stop: () => stopChild(child),
  };
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`FerretDB exited with code ${child.exitCode}: ${stderr()}`);
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`FerretDB did not listen on 127.0.0.1:${port} within 20 s: ${stderr()}`);
}

export function canConnect(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** A port the OS says is free now (a tiny race with other processes is accepted). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}
