/**
 * In-process wake-ups: a claim inserted by this process starts its round at once, and a
 * round that decided claims wakes the requests waiting for them. Other processes find both
 * by polling; nothing depends on a signal arriving.
 */
import { EventEmitter } from 'node:events';

const emitter = new EventEmitter();
emitter.setMaxListeners(0);

export function signalClaim(): void {
  emitter.emit('claim');
}

export function onClaim(listener: () => void): () => void {
  emitter.on('claim', listener);
  return () => emitter.off('claim', listener);
}

export function signalClaimsChanged(): void {
  emitter.emit('decided');
}

export function onClaimsChanged(listener: () => void): () => void {
  emitter.on('decided', listener);
  return () => emitter.off('decided', listener);
}

/**
 * Reads `read` until `pending` says it is decided or `waitMs` passes: again at every round
 * of this process that decided something, and every OTHERS_POLL_MS for rounds of others.
 */
/** A read by id: a claim decided by another process's round is answered within this. */
const OTHERS_POLL_MS = 100;

export async function waitWhilePending<T>(read: () => Promise<T>, pending: (value: T) => boolean, first: T, waitMs: number): Promise<T> {
  const until = Date.now() + waitMs;
  let current = first;
  while (pending(current) && Date.now() < until) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.min(OTHERS_POLL_MS, Math.max(0, until - Date.now())));
      const unsubscribe = onClaimsChanged(done);
      function done(): void {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }
    });
    current = await read();
  }
  return current;
}
