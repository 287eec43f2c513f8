/**
 * Times operations in batches: `process.hrtime.bigint()` is read only around a batch, never per operation, so the
 * clock's own cost is spread over thousands of operations.
 */
import type { BenchProfile } from './bench-profile.js';

/**
 * Runs `iterations` operations and returns a number derived from their results. The harness adds every returned
 * value into a sink that is printed at exit, so the JIT cannot prove the work unused and drop it.
 */
export type BatchBody = (iterations: number) => number;

/** One case timed in batches. */
export interface BatchMeasurement {
  /** Median of the rounds, in ns per operation. */
  nsPerOp: number;
  /** Every timed round, in ns per operation, in the order they ran. */
  roundsNsPerOp: number[];
  /** Operations per timed round (calibrated to the profile's round time). */
  iterations: number;
}

let sink = 0;

/** Folds the results of every timed batch; printed by the suite so the work stays observable. */
export function benchSink(): number {
  return sink;
}

/** One case of a side-by-side measurement. */
export interface BenchCase {
  body: BatchBody;
  /** Cap on iterations per batch for this case (e.g. what fits in a ring without draining). */
  maxIterations?: number;
  /** Untimed work before every batch, e.g. draining a ring the previous batch filled. */
  reset?: () => void;
  /**
   * Called once, after calibration and warm-up and right before the timed rounds: e.g. to clear a latency recorder
   * that the case's body feeds, so that it holds the timed rounds only.
   */
  beforeTimedRounds?: () => void;
}

/** Elapsed ns of one batch of `iterations` (the case's `reset` runs first, untimed). */
export function timeBatch(benchCase: BenchCase, iterations: number): number {
  benchCase.reset?.();
  const body = benchCase.body;
  const start = process.hrtime.bigint();
  const result = body(iterations);
  const elapsed = Number(process.hrtime.bigint() - start);
  sink += result;
  return elapsed;
}

/**
 * Finds the iteration count that makes one batch last about `profile.roundMs` by doubling from 1; the doubling
 * also serves as the first warm-up. Never more than `profile.maxIterations` or the case's own cap.
 *
 * A batch long enough to extrapolate from is timed a second time first, and the faster of the two counts: the first
 * calls of a case run cold (lazy compilation, inline caches, first touches of a ring's pages, the heap another case
 * left behind), and one cold call can outlast an eighth of the round on its own. Extrapolating from it gave a case a
 * handful of iterations per round, each round then timed a few cold calls after the case's `reset`: the peers suite
 * on Node 26 read 13-24 µs per message for a runner that takes 0.86 µs, its first call having taken 6.1 ms.
 */
export function calibrate(benchCase: BenchCase, profile: BenchProfile): number {
  const limit = Math.min(benchCase.maxIterations ?? Number.POSITIVE_INFINITY, profile.maxIterations);
  const targetNs = profile.roundMs * 1e6;
  let iterations = 1;
  for (;;) {
    let elapsed = timeBatch(benchCase, iterations);
    if (iterations >= limit) return limit;
    // Stop doubling once a batch is long enough to extrapolate from (an eighth of the target), twice in a row.
    if (elapsed * 8 >= targetNs) {
      elapsed = Math.min(elapsed, timeBatch(benchCase, iterations));
      if (elapsed * 8 >= targetNs)
        return Math.max(1, Math.min(limit, Math.round((iterations * targetNs) / elapsed)));
    }
    iterations = Math.min(limit, iterations * 2);
  }
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Measures several cases side by side, as the design's "before vs after" rows need: each case is calibrated and
 * warmed up, then timed rounds alternate between the cases (A B A B ...), so a burst of noise from a neighbour on
 * the machine hits every case alike instead of one case's whole measurement.
 *
 * @example
 * ```ts
 * const [before, after] = measureSideBySide([{ body: dateNowLoop }, { body: clockLoop }], FULL_PROFILE);
 * console.log(before.nsPerOp / after.nsPerOp); // speed-up
 * ```
 */
export function measureSideBySide(cases: readonly BenchCase[], profile: BenchProfile): BatchMeasurement[] {
  const iterations = cases.map((benchCase) => calibrate(benchCase, profile));
  for (let w = 0; w < profile.warmupRounds; w++) {
    cases.forEach((benchCase, i) => {
      timeBatch(benchCase, iterations[i]!);
    });
  }
  for (const benchCase of cases) benchCase.beforeTimedRounds?.();
  const rounds: number[][] = cases.map(() => []);
  for (let r = 0; r < profile.rounds; r++) {
    cases.forEach((benchCase, i) => {
      rounds[i]!.push(timeBatch(benchCase, iterations[i]!) / iterations[i]!);
    });
  }
  return cases.map((_, i) => ({
    nsPerOp: median(rounds[i]!),
    roundsNsPerOp: rounds[i]!,
    iterations: iterations[i]!,
  }));
}
