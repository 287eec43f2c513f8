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

/** The workspace's seeded generator of numbers in `[0, 1)` (mulberry32, as in the connector's simulator). */
export { seededRandom } from '@marketpipe/test-support/seeded-random';
