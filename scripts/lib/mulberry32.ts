/**
 * mulberry32: a tiny seeded PRNG, fast, good enough for sample data and random test
 * instances, and the same on every machine (no Math.random anywhere that must repeat).
 * One implementation, in src (the visit lists' tests and bench use it too).
 */
export { seededRandom as mulberry32 } from '../../src/ground/random.js';
