/**
 * In-process wake-up for the re-plan worker: an absence accepted by this process starts its
 * re-plan at once instead of at the next poll. Other processes find it by polling; nothing
 * depends on the signal arriving.
 */
import { EventEmitter } from 'node:events';

const emitter = new EventEmitter();

export function absenceAccepted(): void {
  emitter.emit('absence');
}

export function onAbsenceAccepted(listener: () => void): () => void {
  emitter.on('absence', listener);
  return () => emitter.off('absence', listener);
}
