import { DOUBLE_FIELD } from '../double-field.js';
import { InvalidArgumentError } from '../errors.js';
import { checkInteger } from '../validate.js';

/** Options for {@link LatencyRecorder}. */
export interface LatencyRecorderOptions {
  /** Smallest latency told apart from 0, in ns; values below share the first bucket. Default 1. */
  lowestDiscernibleNanos?: number;
  /** Largest latency tracked, in ns; larger ones are clamped to it and counted in `overflowCount`. Default 60 s. */
  highestTrackableNanos?: number;
  /** Decimal digits of precision kept at every magnitude (3 means within 0.1 %). Default 3. */
  significantDigits?: 1 | 2 | 3 | 4 | 5;
}

/** Latency distribution in ns, as returned by {@link LatencyRecorder.summary}. All fields are 0 when empty. */
export interface LatencySummary {
  /** Values recorded, clamped ones included. */
  count: number;
  /** Exact smallest recorded value. */
  min: number;
  /** Exact arithmetic mean of the recorded values. */
  mean: number;
  /** Median. Percentiles are the top of their HdrHistogram bucket, clamped into `[min, max]`. */
  p50: number;
  /** 90th percentile. */
  p90: number;
  /** 99th percentile. */
  p99: number;
  /** 99.9th percentile. */
  p999: number;
  /** Exact largest recorded value. */
  max: number;
}

const TWO_POW_32 = 2 ** 32;
/** The percentiles of {@link LatencyRecorder.summary}, ascending. */
const SUMMARY_PERCENTILES: readonly number[] = [50, 90, 99, 99.9];
const DEFAULT_HIGHEST_NANOS = 60_000_000_000;
// `value | subBucketMask` is an int32 operation, so the mask must fit 31 bits.
const MAX_MASK_BITS = 31;

/**
 * Per-message latency statistics in nanoseconds, with HdrHistogram precision (3 significant digits by default,
 * from 1 ns to 60 s), for the hot path.
 *
 * Why not call `hdr-histogram-js` directly per message: its `recordValue` costs ~100 ns on Node 20 (it indexes
 * with `Math.log2` and `Math.pow`), more than the work being measured. `record` instead computes the same bucket
 * index with integer bit tricks into a `Float64Array` laid out exactly like HdrHistogram's counts (~8 ns on Node 26, no
 * allocation, counts exact up to 2^53 so they never wrap). Percentiles walk those counts the way HdrHistogram's
 * `getValueAtPercentile` does (the tests check they agree with `hdr-histogram-js`), without loading it: with its
 * WebAssembly build and pako, it cost a run's end 30-300 ms (docs/design/whole-process.md). Min, max and mean are
 * tracked exactly beside the buckets; percentiles are HdrHistogram's (the highest value equivalent to the
 * bucket), clamped into `[min, max]`.
 *
 * Out-of-range values never throw on the hot path: values above `highestTrackableNanos` are recorded as that
 * maximum and counted in `overflowCount`; negative values (a clock read out of order) and NaN are recorded as 0
 * and counted in `underflowCount`. Fractions are truncated.
 *
 * @example
 * ```ts
 * const latency = new LatencyRecorder();
 * const start = clock.nowNanos();
 * handle(message);
 * latency.record(clock.nowNanos() - start);
 * // later, off the hot path
 * const { p50, p99, max } = latency.summary();
 * latency.reset();
 * ```
 */
export class LatencyRecorder {
  /** Smallest discernible latency given at construction, in ns. */
  readonly lowestDiscernibleNanos: number;
  /** Largest tracked latency given at construction, in ns. */
  readonly highestTrackableNanos: number;
  /** Significant decimal digits given at construction. */
  readonly significantDigits: number;

  private readonly unitMagnitude: number;
  private readonly subBucketHalfCountMagnitude: number;
  private readonly subBucketHalfCount: number;
  private readonly subBucketMask: number;
  private readonly counts: Float64Array;
  // Doubles from the start (DOUBLE_FIELD, zeroed in the constructor): the sum passes 2^31 ns after 2.1 s of
  // recorded latency, which deoptimized `record` and the hot path it is inlined into.
  private total = DOUBLE_FIELD;
  private sum = DOUBLE_FIELD;
  private minValue = Number.POSITIVE_INFINITY;
  private maxValue = DOUBLE_FIELD;
  private overflows = 0;
  private underflows = 0;

  constructor(options: LatencyRecorderOptions = {}) {
    const lowest = checkInteger('lowestDiscernibleNanos', options.lowestDiscernibleNanos ?? 1, 1, 2 ** 30);
    const highest = checkInteger(
      'highestTrackableNanos',
      options.highestTrackableNanos ?? DEFAULT_HIGHEST_NANOS,
      2 * lowest,
      Number.MAX_SAFE_INTEGER,
    );
    const digits = checkInteger('significantDigits', options.significantDigits ?? 3, 1, 5);
    this.lowestDiscernibleNanos = lowest;
    this.highestTrackableNanos = highest;
    this.significantDigits = digits;

    // Same derivation as HdrHistogram, so that both agree on every bucket boundary.
    this.unitMagnitude = Math.floor(Math.log2(lowest));
    const subBucketCountMagnitude = Math.ceil(Math.log2(2 * 10 ** digits));
    if (this.unitMagnitude + subBucketCountMagnitude > MAX_MASK_BITS) {
      throw new InvalidArgumentError(
        `lowestDiscernibleNanos ${lowest} is too large for ${digits} significant digits (needs more than 31 bits)`,
        { argument: 'lowestDiscernibleNanos' },
      );
    }
    this.subBucketHalfCountMagnitude = subBucketCountMagnitude - 1;
    const subBucketCount = 2 ** subBucketCountMagnitude;
    this.subBucketHalfCount = subBucketCount / 2;
    this.subBucketMask = (subBucketCount - 1) * 2 ** this.unitMagnitude;
    let bucketCount = 1;
    let smallestUntrackable = subBucketCount * 2 ** this.unitMagnitude;
    while (smallestUntrackable <= highest) {
      smallestUntrackable *= 2;
      bucketCount++;
    }
    this.counts = new Float64Array((bucketCount + 1) * this.subBucketHalfCount);
    this.total = 0;
    this.sum = 0;
    this.maxValue = 0;
  }

  /** Records one latency in ns. Never throws, never allocates. */
  record(ns: number): void {
    let value = Math.floor(ns);
    if (!(value >= 0)) {
      this.underflows++;
      value = 0;
    } else if (value > this.highestTrackableNanos) {
      this.overflows++;
      value = this.highestTrackableNanos;
    }
    const index = this.indexOf(value);
    this.counts[index] = this.counts[index]! + 1;
    this.total++;
    this.sum += value;
    if (value < this.minValue) this.minValue = value;
    if (value > this.maxValue) this.maxValue = value;
  }

  /** Number of values recorded since construction or the last `reset`, clamped ones included. */
  get count(): number {
    return this.total;
  }

  /** How many recorded values were above `highestTrackableNanos` and clamped to it. */
  get overflowCount(): number {
    return this.overflows;
  }

  /** How many recorded values were negative or NaN and recorded as 0. */
  get underflowCount(): number {
    return this.underflows;
  }

  /**
   * Latency at percentile `p` (0..100): the value that `p` % of recorded values are at or below, to the configured
   * precision. 0 when nothing was recorded. Costs a scan of the buckets: call it off the hot path.
   *
   * @throws InvalidArgumentError when `p` is outside 0..100.
   */
  percentile(p: number): number {
    if (!(p >= 0 && p <= 100))
      throw new InvalidArgumentError(`percentile must be in 0..100, got ${p}`, { argument: 'p' });
    if (this.total === 0) return 0;
    const values = [0];
    this.valuesAtPercentiles([p], values);
    return values[0]!;
  }

  /** Count, exact min/mean/max and the usual percentiles, in ns. One pass over the buckets. */
  summary(): LatencySummary {
    if (this.total === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
    const values = [0, 0, 0, 0];
    this.valuesAtPercentiles(SUMMARY_PERCENTILES, values);
    return {
      count: this.total,
      min: this.minValue,
      mean: this.sum / this.total,
      p50: values[0]!,
      p90: values[1]!,
      p99: values[2]!,
      p999: values[3]!,
      max: this.maxValue,
    };
  }

  /**
   * The value at each of `percentiles` (ascending, 0..100) into `into`, in one walk of the buckets (a summary once a
   * second used to walk them once per percentile: ~0.3 ms of the event loop with a millisecond tail recorded).
   */
  private valuesAtPercentiles(percentiles: readonly number[], into: number[]): void {
    const counts = this.counts;
    let seen = 0;
    let i = 0;
    for (let k = 0; k < percentiles.length; k++) {
      const p = percentiles[k]!;
      // HdrHistogram's rank: round up, less one ulp, so that floating-point error cannot skip a count.
      const exact = (p / 100) * this.total;
      const rank = Math.max(Math.ceil(exact - 2 ** (Math.floor(Math.log2(exact)) - 52)), 1);
      // Resume where the previous percentile stopped: its bucket may hold this rank too.
      while (seen + counts[i]! < rank && i < counts.length - 1) {
        seen += counts[i]!;
        i++;
      }
      // The top of the bucket (its lowest value for p = 0), as HdrHistogram reports it.
      const value = p === 0 ? this.valueAt(i) : this.valueAt(i + 1) - 1;
      into[k] = Math.min(Math.max(value, this.minValue), this.maxValue);
    }
  }

  /**
   * How many recorded values are at or below each of `boundsNanos` (ascending), in one pass over the buckets: the
   * cumulative bucket counts of a Prometheus histogram with those upper bounds, for example. To the recorder's
   * precision: a value in the same HdrHistogram bucket as a bound counts as at or below it (so it may lie above it by
   * 1 part in 10^significantDigits); values clamped to `highestTrackableNanos` count there. Off the hot path.
   *
   * @example
   * ```ts
   * latency.countsAtOrBelow([1_000, 10_000, 100_000]); // e.g. [812, 990, 1000]
   * ```
   *
   * @throws InvalidArgumentError when the bounds are not ascending numbers.
   */
  countsAtOrBelow(boundsNanos: readonly number[]): number[] {
    const result: number[] = [];
    const counts = this.counts;
    let seen = 0;
    let i = 0;
    let previous = Number.NEGATIVE_INFINITY;
    for (const bound of boundsNanos) {
      if (!(bound >= previous)) {
        throw new InvalidArgumentError(`bounds must be ascending numbers, got ${bound} after ${previous}`, {
          argument: 'boundsNanos',
        });
      }
      previous = bound;
      if (bound < 0) {
        result.push(0);
        continue;
      }
      if (bound >= this.highestTrackableNanos) {
        result.push(this.total);
        continue;
      }
      const last = this.indexOf(Math.floor(bound));
      while (i <= last) seen += counts[i++]!;
      result.push(seen);
    }
    return result;
  }

  /** Forgets everything recorded, including the overflow and underflow counts; keeps the memory. */
  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.sum = 0;
    this.minValue = Number.POSITIVE_INFINITY;
    this.maxValue = 0;
    this.overflows = 0;
    this.underflows = 0;
  }

  /**
   * Adds everything `other` recorded into this recorder (for example per-worker recorders into one report).
   * `other` is unchanged.
   *
   * @throws InvalidArgumentError when the two were built with different bounds or precision.
   */
  merge(other: LatencyRecorder): void {
    this.checkSameOptions(other, 'merge', 'other');
    const counts = this.counts;
    const otherCounts = other.counts;
    for (let i = 0; i < counts.length; i++) counts[i] = counts[i]! + otherCounts[i]!;
    this.total += other.total;
    this.sum += other.sum;
    this.minValue = Math.min(this.minValue, other.minValue);
    this.maxValue = Math.max(this.maxValue, other.maxValue);
    this.overflows += other.overflows;
    this.underflows += other.underflows;
  }

  /**
   * Makes `target` an exact copy of this recorder (counts, min, max, mean, overflow and underflow counts),
   * replacing what it held and keeping its memory. This recorder is unchanged. With
   * {@link LatencyRecorder.subtract} it gives the statistics of an interval from a recorder that keeps counting:
   * copy it at the start of the interval, and at the end subtract that copy from a fresh one (see the example there).
   *
   * @throws InvalidArgumentError when the two were built with different bounds or precision.
   */
  copyInto(target: LatencyRecorder): void {
    this.checkSameOptions(target, 'copy', 'target');
    if (target === this) return;
    // Buckets above a recorder's max are empty, so only the part below the higher of the two maxima moves.
    const top = this.total === 0 ? 0 : this.indexOf(this.maxValue) + 1;
    const targetTop = target.total === 0 ? 0 : target.indexOf(target.maxValue) + 1;
    target.counts.set(this.counts.subarray(0, top));
    if (targetTop > top) target.counts.fill(0, top, targetTop);
    target.total = this.total;
    target.sum = this.sum;
    target.minValue = this.minValue;
    target.maxValue = this.maxValue;
    target.overflows = this.overflows;
    target.underflows = this.underflows;
  }

  /**
   * Removes from this recorder what `earlier` holds, where `earlier` is a copy of this recorder taken before
   * ({@link LatencyRecorder.copyInto}): what is left is exactly what was recorded in between (counts, mean, overflow
   * and underflow counts). Min and max, which a histogram does not keep per interval, become the bounds of the lowest
   * and highest non-empty bucket, clamped into this recorder's exact min and max: within its precision.
   * `earlier` is unchanged.
   *
   * @example
   * ```ts
   * const latency = new LatencyRecorder(); // recorded into on the hot path, never reset
   * const start = new LatencyRecorder();
   * const interval = new LatencyRecorder();
   * setInterval(() => {
   *   latency.copyInto(interval);
   *   interval.subtract(start); // what the last second recorded
   *   latency.copyInto(start);
   *   console.log(interval.summary().p99);
   * }, 1000);
   * ```
   *
   * @throws InvalidArgumentError when the two were built with different bounds or precision, or when `earlier`
   * holds more of some value than this recorder: it is not an earlier state of it (for example, this recorder was
   * reset since). This recorder is then unchanged.
   */
  subtract(earlier: LatencyRecorder): void {
    this.checkSameOptions(earlier, 'subtract', 'earlier');
    if (earlier.total === 0) return;
    const counts = this.counts;
    const earlierCounts = earlier.counts;
    const top = earlier.indexOf(earlier.maxValue) + 1;
    for (let i = 0; i < top; i++) {
      if (earlierCounts[i]! > counts[i]!) {
        throw new InvalidArgumentError(
          'cannot subtract a latency recorder that is not an earlier copy of this one (was this one reset since?)',
          { argument: 'earlier' },
        );
      }
    }
    for (let i = 0; i < top; i++) counts[i] = counts[i]! - earlierCounts[i]!;
    this.total -= earlier.total;
    this.sum -= earlier.sum;
    this.overflows -= earlier.overflows;
    this.underflows -= earlier.underflows;
    if (this.total === 0) {
      this.sum = 0;
      this.minValue = Number.POSITIVE_INFINITY;
      this.maxValue = 0;
      return;
    }
    const end = this.indexOf(this.maxValue) + 1;
    let low = 0;
    while (counts[low] === 0) low++;
    let high = end - 1;
    while (counts[high] === 0) high--;
    this.minValue = Math.max(this.minValue, this.valueAt(low));
    this.maxValue = Math.min(this.maxValue, this.valueAt(high + 1) - 1);
  }

  /** @param argument - the parameter `other` was passed as, named by the error. */
  private checkSameOptions(other: LatencyRecorder, operation: string, argument: string): void {
    if (
      other.lowestDiscernibleNanos !== this.lowestDiscernibleNanos ||
      other.highestTrackableNanos !== this.highestTrackableNanos ||
      other.significantDigits !== this.significantDigits
    ) {
      throw new InvalidArgumentError(`cannot ${operation} latency recorders built with different options`, {
        argument,
      });
    }
  }

  // HdrHistogram's countsArrayIndex, with integer bit operations instead of log2/pow for values below 2^32
  // (4.3 s), which is every latency worth measuring precisely.
  private indexOf(value: number): number {
    let bucket: number;
    let subBucket: number;
    if (value < TWO_POW_32) {
      bucket =
        31 - Math.clz32(value | this.subBucketMask) - this.subBucketHalfCountMagnitude - this.unitMagnitude;
      subBucket = value >>> (bucket + this.unitMagnitude);
    } else {
      // Exact floor(log2(value)): Math.log2 can round up just below a power of two.
      const log2 = 63 - Math.clz32(Math.floor(value / TWO_POW_32));
      bucket = log2 - this.subBucketHalfCountMagnitude - this.unitMagnitude;
      subBucket = Math.floor(value / 2 ** (bucket + this.unitMagnitude));
    }
    return (bucket + 1) * this.subBucketHalfCount + subBucket - this.subBucketHalfCount;
  }

  // Inverse of indexOf: the lowest value that lands in bucket `index`.
  private valueAt(index: number): number {
    let bucket = Math.floor(index / this.subBucketHalfCount) - 1;
    let subBucket = (index % this.subBucketHalfCount) + this.subBucketHalfCount;
    if (bucket < 0) {
      subBucket -= this.subBucketHalfCount;
      bucket = 0;
    }
    return subBucket * 2 ** (bucket + this.unitMagnitude);
  }
}
