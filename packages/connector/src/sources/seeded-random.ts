/**
 * A small seeded pseudo-random generator for the simulator and for tests:
 * the same seed replays the same market, so a failing run can be reproduced.
 */

/**
 * Returns a generator of numbers in `[0, 1)` fully determined by `seed`
 * (mulberry32: 32-bit state, fast, statistically fine for simulation, not for
 * cryptography).
 *
 * @example
 * ```ts
 * const random = createSeededRandom(42);
 * random(); // same value on every run
 * ```
 */
export function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
