/**
 * The real service as a separate process (`src/server.ts`), for tests that kill it: the
 * crash harness, the dead-database test and the several-processes test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/db/embedded-ferretdb.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServiceProcess {
  baseUrl: string;
  child: ChildProcess;
  /** Settles with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string | null>;
  output(): string;
  /** The API as a planner: JSON in, `{ status, body }` out; a dropped connection gives status 0. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- like supertest's res.body: the tests' assertions check its shape
  api(method: string, path: string, token: string, body?: unknown, contentType?: string): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

/** Every rate limit off: these tests make many requests from one address on purpose. */
const NO_RATE_LIMITS = {
  RATE_LIMIT_FAILED_SECRETS_PER_MIN: '0',
  RATE_LIMIT_SECRET_REQUESTS_PER_MIN: '0',
  RATE_LIMIT_FAILED_AUTH_PER_MIN: '0',
  RATE_LIMIT_UPLOADS_PER_HOUR: '0',
};

export async function startServiceProcess(env: Record<string, string>, options: { waitReady?: boolean } = {}): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), ...NO_RATE_LIMITS, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  child.stderr?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  const exited = new Promise<number | string | null>((done) => child.once('exit', (code, signal) => done(code ?? signal)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const service: ServiceProcess = {
    baseUrl,
    child,
    exited,
    output: () => output,
    async api(method, path, token, body, contentType = 'application/json') {
      try {
        const res = await fetch(`${baseUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
          body: body === undefined ? undefined : Buffer.isBuffer(body) || typeof body === 'string' ? body : JSON.stringify(body),
          signal: AbortSignal.timeout(180_000),
        });
        const text = await res.text();
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON (a feed, a CSV)
        }
        return { status: res.status, body: parsed, headers: res.headers };
      } catch {
        return { status: 0, body: null, headers: new Headers() };
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  if (options.waitReady !== false) await waitReady(service);
  return service;
}

async function waitReady(service: ServiceProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  let settled = false;
  void service.exited.then(() => (settled = true));
  while (Date.now() < deadline) {
    if (settled) throw new Error(`the service exited before it was ready:\n${service.output()}`);
    try {
      const res = await fetch(`${service.baseUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the service was not ready within 60 s:\n${service.output()}`);
}

/** Polls until `check` gives a value (not undefined) or the time runs out. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 60_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
