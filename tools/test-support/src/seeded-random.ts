/**
 * A seeded pseudo-random generator for tests and benchmark fixtures: the same
 * seed replays the same run, so a failing case can be reproduced from its seed.
 */

/**
 * Returns a generator of numbers in `[0, 1)` fully determined by `seed`
 * (mulberry32: 32-bit state, fast, fine for test data, not for cryptography).
 * It is the algorithm of the connector's simulator, so a seed means the same
 * sequence in both.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * random(); // the same value on every run
 * ```
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
