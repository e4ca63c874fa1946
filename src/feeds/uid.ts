/**
 * Stable, opaque event UIDs. A calendar client updates an event in place only when its UID
 * is unchanged, so the UID depends on what the event *is* (who, which gate, which shift) and
 * never on the roster version. Hashing keeps ids and names (ids may be phone-like codes) out
 * of the feed.
 */
import { sha256Hex } from './hash.js';

const UID_DOMAIN = 'gate-duty';
/** 128 bits of the hash: no collisions at any plausible roster size. */
const UID_HEX_LENGTH = 32;

/**
 * UID of one person's duty at one gate-shift of one plan, in that person's feed. Two plans
 * may cover the same days, so the plan is part of what the event is.
 */
export function eventUid(cadreId: string, gateId: string, shiftStart: Date, planId = ''): string {
  return uidOf(['cadre', cadreId, gateId, shiftStart.getTime(), planId]);
}

/** UID of one gate-shift in a village's feed (one event lists everyone on it, or its gap). */
export function villageEventUid(village: string, gateId: string, shiftStart: Date): string {
  return uidOf(['village', village, gateId, shiftStart.getTime()]);
}

function uidOf(parts: readonly (string | number)[]): string {
  // JSON keeps parts containing separators from colliding; the feed kind is part of the key.
  return `${sha256Hex(JSON.stringify(parts)).slice(0, UID_HEX_LENGTH)}@${UID_DOMAIN}`;
}
