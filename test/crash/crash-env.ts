/**
 * The environment of a service process in a crash test: the test database, messages
 * delivered and retried quickly, the solve worker only where the test needs it, and the
 * fault point (src/faults.ts) at which the process kills itself, if any.
 */
import { inject } from 'vitest';

export function crashEnv(dbName: string, fault?: string, options: { worker?: boolean } = {}): Record<string, string> {
  return {
    MONGODB_URI: `${inject('mongoUri')}${dbName}`,
    RUN_WORKER: options.worker ? 'true' : 'false',
    RUN_DELIVERY: 'true',
    DELIVERY_POLL_MS: '100',
    DELIVERY_RETRY_BASE_MS: '100',
    ...(fault ? { FAULT_AT: fault } : {}),
  };
}
