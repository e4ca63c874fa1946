/**
 * Messages to work groups: channels, the outbox, the delivery worker. See README "Messages to
 * work groups" and each module's opening comment.
 *
 * Layers above messaging that stage messages on the worker's tick (the ground's no-show
 * sweep, src/ground/no-show-alerts.ts) hand their sweeps in as `Sweep`s: messaging names none
 * of them (docs/architecture.md), src/server.ts wires them.
 */
import type { Config } from '../config.js';
import type { Models } from '../db/models.js';
import { AlertSweep } from './alerts.js';
import type { DeliveryOptions } from './delivery-worker.js';

export { DeliveryWorker, type DeliveryOptions } from './delivery-worker.js';
export { AlertSweep } from './alerts.js';

/** Work run on every tick of the delivery worker, after the gap alerts; it keeps its own pace. */
export interface Sweep {
  maybeRun(): Promise<void>;
}

/** The worker's settings from the configuration; `sweeps` run after the gap alerts, in order. */
export function deliveryOptionsOf(config: Config, models: Models, sweeps: readonly Sweep[] = []): DeliveryOptions {
  const alerts = new AlertSweep(models, { timeZone: config.TIMEZONE, dailyReportAt: config.DAILY_REPORT_AT });
  return {
    onTick: async () => {
      await alerts.maybeRun();
      for (const sweep of sweeps) await sweep.maybeRun();
    },
    pollMs: config.DELIVERY_POLL_MS,
    retryBaseMs: config.DELIVERY_RETRY_BASE_MS,
    retryMaxMs: config.DELIVERY_RETRY_MAX_MS,
    maxAttempts: config.DELIVERY_MAX_ATTEMPTS,
    robotRatePerMin: config.ROBOT_RATE_PER_MIN,
    mail: { smtpUrl: config.SMTP_URL, from: config.SMTP_FROM },
  };
}
