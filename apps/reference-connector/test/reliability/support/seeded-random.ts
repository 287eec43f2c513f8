/**
 * Seeds for the randomized reliability tests. Each run picks a fresh seed
 * (more coverage over many CI runs) unless `MARKETPIPE_RELIABILITY_SEED` pins
 * one; the seed is printed so any failure can be replayed exactly.
 */

/** The seed for `suite`: `MARKETPIPE_RELIABILITY_SEED` when set, else random; printed either way. */
export function reliabilitySeed(suite: string): number {
  const pinned = process.env.MARKETPIPE_RELIABILITY_SEED;
  const seed =
    pinned !== undefined && pinned !== '' ? Number(pinned) >>> 0 : Math.floor(Math.random() * 2 ** 31);
  console.log(`[${suite}] seed ${seed} (rerun with MARKETPIPE_RELIABILITY_SEED=${seed})`);
  return seed;
}

/**
 * mulberry32: a small, fast, well-distributed generator of numbers in `[0, 1)`.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * const delayMs = Math.floor(random() * 100);
 * ```
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
