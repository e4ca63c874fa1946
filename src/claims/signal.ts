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
