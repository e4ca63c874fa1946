/**
 * Random sources for the visit lists. Production draws from the OS's cryptographic
 * generator, so nobody who reads the code, the history or past lists can reconstruct the next
 * draw; tests and the bench use a seeded generator so a run repeats exactly.
 */
import { randomFillSync } from 'node:crypto';

/** A number in [0, 1), like Math.random. */
export type RandomSource = () => number;

/** Unpredictable draws from node:crypto (53 bits each), buffered so a list costs one syscall. */
export function cryptoRandom(): RandomSource {
  const buffer = new Uint32Array(512);
  let next = buffer.length;
  return () => {
    if (next + 2 > buffer.length) {
      randomFillSync(buffer);
      next = 0;
    }
    const high = (buffer[next++] as number) >>> 5; // 27 bits
    const low = (buffer[next++] as number) >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  };
}

/**
 * mulberry32, a tiny seeded generator (scripts/lib/mulberry32.ts re-exports it for sample
 * data and random test instances): same seed, same draws, on every machine. Never for production.
 */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniformly chosen element; undefined for an empty list. */
export function pickOne<T>(items: readonly T[], random: RandomSource): T | undefined {
  return items.length === 0 ? undefined : items[Math.floor(random() * items.length)];
}

/** A uniformly shuffled copy (Fisher-Yates). */
export function shuffled<T>(items: readonly T[], random: RandomSource): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
