/**
 * Messages to work groups: channels, the outbox, the delivery worker. See README "Messages to
 * work groups" and each module's opening comment.
 */
import type { Config } from '../config.js';
import type { Models } from '../db/models.js';
import { AlertSweep } from './alerts.js';
import type { DeliveryOptions } from './delivery-worker.js';
import { groundSettings } from '../ground/grounded-roster.js';
import { NoShowSweep } from '../ground/no-show-alerts.js';

export { DeliveryWorker, type DeliveryOptions } from './delivery-worker.js';
export { AlertSweep } from './alerts.js';

/** The worker's settings from the configuration. */
export function deliveryOptionsOf(config: Config, models: Models): DeliveryOptions {
  const alerts = new AlertSweep(models, { timeZone: config.TIMEZONE, dailyReportAt: config.DAILY_REPORT_AT });
  const noShows = new NoShowSweep(models, groundSettings(config));
  return {
    onTick: async () => {
      await alerts.maybeRun();
      await noShows.maybeRun();
    },
    pollMs: config.DELIVERY_POLL_MS,
    retryBaseMs: config.DELIVERY_RETRY_BASE_MS,
    retryMaxMs: config.DELIVERY_RETRY_MAX_MS,
    maxAttempts: config.DELIVERY_MAX_ATTEMPTS,
    robotRatePerMin: config.ROBOT_RATE_PER_MIN,
    mail: { smtpUrl: config.SMTP_URL, from: config.SMTP_FROM },
  };
}
