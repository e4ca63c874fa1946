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
  private downSince: number | null = null;
  private reason = '';

  isDown(): boolean {
    return this.downSince !== null;
  }

  describe(): { down: boolean; since: Date | null; reason: string } {
    return { down: this.isDown(), since: this.downSince === null ? null : new Date(this.downSince), reason: this.reason };
  }

  markDown(reason: string): void {
    if (this.downSince === null) this.downSince = Date.now();
    this.reason = reason;
  }

  markUp(): void {
    this.downSince = null;
    this.reason = '';
  }
}

const registry = new WeakMap<object, DatabaseHealth>();

/** Lets `health` follow the driver's view of `connection`, and finds it by connection. */
export function watchConnection(connection: Connection, health: DatabaseHealth): void {
  connection.on('disconnected', () => health.markDown('the driver lost the database'));
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
