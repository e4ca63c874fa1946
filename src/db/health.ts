/**
 * Whether the database is reachable right now, as this process last saw it. While it is
 * down the HTTP layer answers 503 at once (with Retry-After) instead of letting every
 * request wait out the driver's timeouts, and feeds are served from memory where they can.
 *
 * It learns from the driver (mongoose connection events), from the embedded database's
 * supervisor (the server process exited / is back), and from requests that failed with a
 * network error.
 */
import type { Connection } from 'mongoose';

export class DatabaseHealth {
  private down = false;

  isDown(): boolean {
    return this.down;
  }

  markDown(): void {
    this.down = true;
  }

  markUp(): void {
    this.down = false;
  }
}

const registry = new WeakMap<object, DatabaseHealth>();

/** Lets `health` follow the driver's view of `connection`, and finds it by connection. */
export function watchConnection(connection: Connection, health: DatabaseHealth): void {
  connection.on('disconnected', () => health.markDown());
  connection.on('connected', () => health.markUp());
  connection.on('reconnected', () => health.markUp());
  registry.set(connection, health);
}

/** The health of a connection (watching it from first use if nobody did before). */
export function healthOf(connection: Connection): DatabaseHealth {
  let health = registry.get(connection);
  if (!health) {
    health = new DatabaseHealth();
    watchConnection(connection, health);
  }
  return health;
}

/** True for errors that mean "the database did not answer", not "the request was wrong". */
export function isDatabaseUnreachable(error: unknown): boolean {
  const name = (error as { name?: string })?.name ?? '';
  const message = (error as { message?: string })?.message ?? '';
  return (
    /^Mongo(Network|ServerSelection|NetworkTimeout|TopologyClosed|NotConnected)Error$/.test(name) ||
    /buffering timed out|connection .* closed|ECONNREFUSED|Client must be connected/i.test(message)
  );
}
