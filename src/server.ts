/**
 * Starts the service: config, database (embedded FerretDB when MONGODB_URI is unset), HTTP.
 * Stops cleanly on SIGINT/SIGTERM, taking the embedded database down with it.
 */
import type { Server } from 'node:http';
import { loadConfig, publicBaseUrl, type Config } from './config.js';
import { openDatabase, type Database } from './db/connect.js';
import { createServiceApp, wireModels } from './wiring.js';
import { createLogger, type Logger } from './logger.js';
import { recoverAfterCrash } from './recovery.js';
import { SolveWorker } from './roster/solves.js';
import { DeliveryWorker, deliveryOptionsOf } from './messaging/index.js';
import { groundSettings } from './ground/grounded-roster.js';
import { NoShowSweep } from './ground/no-show-alerts.js';
import { ReplanWorker } from './replan/replan-protocol.js';
import { ClaimWorker } from './claims/rounds.js';
import { RollWorker } from './roster/roll-protocol.js';

export interface RunningService {
  config: Config;
  db: Database;
  server: Server;
  port: number;
  baseUrl: string;
  logger: Logger;
  stop(): Promise<void>;
}

/**
 * `onFatal` is called when the database cannot be brought back (the embedded server would
 * not restart); run as a program, the service then exits with code 1.
 */
export async function startService(config: Config = loadConfig(), onFatal: (error: Error) => void = () => undefined): Promise<RunningService> {
  const logger = createLogger(config.LOG_LEVEL);
  const db = await openDatabase({
    uri: config.MONGODB_URI,
    dataDir: config.DATA_DIR,
    supervise: {
      maxRestarts: config.FERRETDB_MAX_RESTARTS,
      onGiveUp: (error) => {
        logger.fatal({ err: error }, 'the database cannot be brought back; stopping');
        onFatal(error);
      },
    },
  });
  let closing = false;
  db.connection.on('disconnected', () => {
    if (!closing) logger.warn('database connection lost; API answers 503 until it is back');
  });
  db.connection.on('reconnected', () => logger.info('database connection back'));
  logger.info({ database: db.describe }, 'database ready');
  const models = wireModels(db.connection);
  await recoverAfterCrash(models, logger);
  const worker = config.RUN_WORKER ? new SolveWorker(models, logger, { engine: config.SOLVER, deadlineSeconds: config.SOLVE_DEADLINE_S }) : undefined;
  await worker?.start();
  // Re-plans after accepted absences need solves, so they run where the solve worker may.
  const replanner = config.RUN_WORKER ? new ReplanWorker(models, logger, { onSolveRequested: () => worker?.nudge() }) : undefined;
  replanner?.start();
  // Rolls solve too: open ones are carried on and daily ones started where solves may run.
  const roller = config.RUN_WORKER ? new RollWorker(models, logger, { onSolveRequested: () => worker?.nudge() }) : undefined;
  roller?.start();
  // Claims need no solve: every process decides them (one at a time per plan, by lease), so
  // a claim is published wherever it arrived without waiting for a worker process.
  const claims = new ClaimWorker(models, logger);
  claims.start();
  // The ground's no-show sweep stages its messages on the delivery worker's tick.
  const delivery = config.RUN_DELIVERY
    ? new DeliveryWorker(models, logger, deliveryOptionsOf(config, models, [new NoShowSweep(models, groundSettings(config))]))
    : undefined;
  delivery?.start();
  const app = createServiceApp({
    config,
    logger,
    connection: db.connection,
    health: db.health,
    models,
    onSolveRequested: () => worker?.nudge(),
    onRollRequested: () => roller?.nudge(),
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const baseUrl = publicBaseUrl(config, port);
  logger.info({ url: baseUrl }, 'listening');
  let stopping: Promise<void> | undefined;
  return {
    config,
    db,
    server,
    port,
    baseUrl,
    logger,
    stop: () =>
      (stopping ??= (async () => {
        closing = true;
        await new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await replanner?.stop();
        await roller?.stop();
        await claims.stop();
        await worker?.stop();
        await delivery?.stop();
        await db.close();
      })()),
  };
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const service = await startService(undefined, () => process.exit(1)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      service.logger.info({ signal }, 'stopping');
      void service.stop().then(() => process.exit(0));
    });
  }
}
