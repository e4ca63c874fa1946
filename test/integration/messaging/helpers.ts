/** Shared set-up of the messaging tests: a delivery worker with test timings, and draining it. */
import type { Logger } from '../../../src/logger.js';
import type { Models } from '../../../src/db/models.js';
import { DeliveryWorker, type DeliveryOptions } from '../../../src/messaging/index.js';

export function testDelivery(models: Models, logger: Logger, options: Partial<DeliveryOptions> = {}): DeliveryWorker {
  return new DeliveryWorker(models, logger, {
    pollMs: 50,
    retryBaseMs: 100,
    retryMaxMs: 1000,
    maxAttempts: 5,
    robotRatePerMin: 20,
    mail: { from: 'gate-duty@localhost' },
    timeoutMs: 5000,
    ...options,
  });
}

/** Runs passes until nothing sendable is left. */
export async function drain(worker: DeliveryWorker, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await worker.runOnce();
    if (await worker.idle()) return;
    if (Date.now() > deadline) throw new Error('the outbox did not drain in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
