/**
 * The one place the environment is read: parsed once at start through a zod schema, then
 * frozen. Every key is documented in `.env.example`.
 */
import { z } from 'zod';
import { isValidTimeZone } from './domain/time.js';

const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe('HTTP port (0 = any free port)'),
  HOST: z.string().default('127.0.0.1').describe('Interface to bind'),
  MONGODB_URI: z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .describe('MongoDB 6+ connection string; empty = start the embedded FerretDB'),
  DATA_DIR: z.string().default('.data').describe('Where the embedded FerretDB keeps its SQLite files'),
  TIMEZONE: z.string().default('Asia/Shanghai').refine(isValidTimeZone, 'not an IANA time zone').describe('Default local time zone for uploads and plans'),
  PUBLIC_BASE_URL: z
    .string()
    .url()
    .optional()
    .transform((v) => v?.replace(/\/+$/, ''))
    .describe('Base URL people reach the service at, used in feed links; default http://HOST:PORT'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  UPLOAD_LIMIT_MB: z.coerce.number().positive().max(512).default(20).describe('Largest accepted upload'),
  UPLOAD_MAX_ROWS: z.coerce.number().int().positive().max(1_000_000).default(50_000).describe('Most data rows one upload may have (413 beyond)'),
  UPLOAD_MAX_XLSX_MB: z.coerce
    .number()
    .positive()
    .max(1024)
    .default(64)
    .describe('Most an .xlsx may unpack to, sized from its zip directory before inflating (413 beyond)'),
  SOLVER: z.enum(['highs', 'jslp']).default('highs').describe('Default LP engine'),
  SOLVE_DEADLINE_S: z.coerce.number().positive().default(60).describe('Default deadline per solve'),
  RUN_WORKER: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1')
    .describe('Run the solve worker inside the web process'),
  FERRETDB_MAX_RESTARTS: z.coerce
    .number()
    .int()
    .min(0)
    .max(100)
    .default(6)
    .describe('Restarts of a dead embedded FerretDB (backoff 0.5 s doubling to 10 s) before the service exits non-zero'),
  TRUST_PROXY: z
    .string()
    .default('loopback')
    .transform(trustProxyValue)
    .describe("Express 'trust proxy': which proxies' X-Forwarded-For gives the client address the rate limits count by"),
  TLS_AT_PROXY: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1')
    .describe(
      'TLS ends at a reverse proxy in front of this service: send the HTTPS-only headers (HSTS, upgrade-insecure-requests) even when PUBLIC_BASE_URL is not https',
    ),
  RATE_LIMIT_FAILED_SECRETS_PER_MIN: limitPerWindow(30).describe(
    'Unknown feed/page secrets (404/401 on /feeds, /me, /village) per address per minute; 0 = off',
  ),
  RATE_LIMIT_SECRET_REQUESTS_PER_MIN: limitPerWindow(1200).describe('All requests to /feeds, /me, /village per address per minute, valid or not; 0 = off'),
  RATE_LIMIT_FAILED_AUTH_PER_MIN: limitPerWindow(30).describe('Rejected bearer tokens and console sign-ins (401) per address per minute; 0 = off'),
  RATE_LIMIT_UPLOADS_PER_HOUR: limitPerWindow(240).describe('Uploads (PUT) per token per hour, API and console together; 0 = off'),
  RUN_DELIVERY: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1')
    .describe('Run the message delivery worker (work-group robots, webhooks, email) inside the web process'),
  CLAIM_WAIT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(60_000)
    .default(5000)
    .describe('How long a claim request waits for its publish before answering 202 (the claim stands either way)'),
  DELIVERY_POLL_MS: z.coerce.number().int().min(50).max(600_000).default(1000).describe('How often the delivery worker looks for messages to send'),
  DELIVERY_RETRY_BASE_MS: z.coerce.number().int().min(10).default(5000).describe('First wait after a failed send; doubles per attempt'),
  DELIVERY_RETRY_MAX_MS: z.coerce.number().int().min(10).default(300_000).describe('Longest wait between two attempts of one message'),
  DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(30).describe('Attempts before a message is marked failed'),
  ROBOT_RATE_PER_MIN: z.coerce
    .number()
    .int()
    .min(1)
    .default(20)
    .describe('Messages a minute this service posts to one WeCom or DingTalk robot (their limit is 20)'),
  DAILY_REPORT_AT: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
    .default('20:00')
    .describe('Local time (TIMEZONE) of the daily report (一日一报) to town groups and planners'),
  NO_SHOW_AFTER_MIN: z.coerce
    .number()
    .int()
    .min(1)
    .max(480)
    .default(15)
    .describe('Minutes after a shift starts at which a rostered person without a check-in is a no-show (未到岗) gap'),
  SMTP_URL: z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .describe('smtp://user:pass@host:port for email channels; empty = email channels fail with a clear answer'),
  SMTP_FROM: z.string().default('gate-duty@localhost').describe('From address of email messages'),
});

/** A non-negative whole number of events per window; 0 switches that limit off. */
function limitPerWindow(fallback: number) {
  return z.coerce.number().int().min(0).default(fallback);
}

/** `true`/`false`, a hop count, or addresses/subnets/names (loopback, uniquelocal), as Express takes them. */
function trustProxyValue(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^\d+$/.test(value) ? Number(value) : value;
}

export type Config = Readonly<z.infer<typeof configSchema>>;

/** Parse and freeze configuration; throws a readable error naming each bad key. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze(parsed.data);
}

/**
 * Whether people reach the service over https only, so that HSTS and
 * `upgrade-insecure-requests` help rather than break it: PUBLIC_BASE_URL is https, or
 * TLS_AT_PROXY says a proxy in front terminates TLS. On a plain-http LAN (the office box at
 * http://192.168.x.x:3000) those headers would send every stylesheet, script and form to an
 * https port that does not exist.
 */
export function servedOverHttpsOnly(config: Pick<Config, 'PUBLIC_BASE_URL' | 'TLS_AT_PROXY'>): boolean {
  return config.TLS_AT_PROXY || (config.PUBLIC_BASE_URL?.startsWith('https://') ?? false);
}

export function publicBaseUrl(config: Config, port: number): string {
  return config.PUBLIC_BASE_URL ?? `http://${config.HOST}:${port}`;
}
