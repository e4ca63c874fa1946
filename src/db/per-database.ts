/**
 * What a module keeps for one database while the process runs (a cache, a memo, reads in
 * flight). Keyed by the connection, so every set of models registered on one database shares
 * one value and a test or bench that opens several databases in one process keeps them
 * apart; the value goes with the connection.
 */
import type { Connection } from 'mongoose';
import type { Models } from './models.js';

/** `make` runs once per database, at the first call for it. */
export function perDatabase<T>(make: (models: Models) => T): (models: Models) => T {
  const values = new WeakMap<Connection, T>();
  return (models) => {
    const connection = models.Meta.db;
    let value = values.get(connection);
    if (value === undefined) values.set(connection, (value = make(models)));
    return value;
  };
}
