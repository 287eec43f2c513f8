import fc from 'fast-check';
import { build } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { LatencyRecorder, type LatencyRecorderOptions } from './latency-recorder.js';

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

const PERCENTILES = [0, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100];

describe('LatencyRecorder', () => {
  it('reports zeros when empty', () => {
    const recorder = new LatencyRecorder();
    expect(recorder.count).toBe(0);
    expect(recorder.percentile(99)).toBe(0);
    expect(recorder.summary()).toEqual({
      count: 0,
      min: 0,
      mean: 0,
      p50: 0,
      p90: 0,
      p99: 0,
      p999: 0,
      max: 0,
    });
  });

  it('summarises 1..1000 exactly (single-unit resolution below 2048)', () => {
    const recorder = new LatencyRecorder();
    for (let ns = 1000; ns >= 1; ns--) recorder.record(ns);
    expect(recorder.summary()).toEqual({
      count: 1000,
      min: 1,
      mean: 500.5,
      p50: 500,
      p90: 900,
      p99: 990,
      p999: 999,
      max: 1000,
    });
    expect(recorder.percentile(0)).toBe(1);
    expect(recorder.percentile(100)).toBe(1000);
  });

  it('keeps 3 significant digits at large magnitudes and exact min/max', () => {
    const recorder = new LatencyRecorder();
    recorder.record(1_234_567);
    recorder.record(45_678_901_234);
    const p50 = recorder.percentile(50);
    expect(Math.abs(p50 - 1_234_567) / 1_234_567).toBeLessThan(0.001);
    expect(recorder.summary()).toMatchObject({ min: 1_234_567, max: 45_678_901_234, p999: 45_678_901_234 });
  });

  it('clamps values above the maximum and counts them, without throwing', () => {
    const recorder = new LatencyRecorder({ highestTrackableNanos: 1_000_000 });
    recorder.record(500);
    recorder.record(5_000_000);
    recorder.record(Number.POSITIVE_INFINITY);
    recorder.record(Number.MAX_VALUE);
    expect(recorder.count).toBe(4);
    expect(recorder.overflowCount).toBe(3);
    expect(recorder.underflowCount).toBe(0);
    expect(recorder.summary()).toMatchObject({ min: 500, max: 1_000_000, p50: 1_000_000 });
    expect(recorder.percentile(25)).toBe(500);
  });

  it('records negative values and NaN as 0 and counts them', () => {
    const recorder = new LatencyRecorder();
    recorder.record(-5);
    recorder.record(Number.NaN);
    recorder.record(Number.NEGATIVE_INFINITY);
    recorder.record(10.9);
    expect(recorder.underflowCount).toBe(3);
    expect(recorder.overflowCount).toBe(0);
    expect(recorder.summary()).toMatchObject({ count: 4, min: 0, max: 10, p50: 0, mean: 2.5 });
  });

  it('updates percentiles after more values are recorded', () => {
    const recorder = new LatencyRecorder();
    recorder.record(100);
    expect(recorder.percentile(50)).toBe(100);
    recorder.record(300);
    recorder.record(300);
    expect(recorder.percentile(50)).toBe(300);
  });

  it('reset forgets everything', () => {
    const recorder = new LatencyRecorder({ highestTrackableNanos: 1000 });
    recorder.record(-1);
    recorder.record(2000);
    recorder.record(50);
    expect(recorder.percentile(50)).toBeGreaterThan(0);
    recorder.reset();
    expect(recorder.count).toBe(0);
    expect(recorder.overflowCount).toBe(0);
    expect(recorder.underflowCount).toBe(0);
    expect(recorder.summary().max).toBe(0);
    recorder.record(7);
    expect(recorder.summary()).toMatchObject({ count: 1, min: 7, max: 7, p50: 7, mean: 7 });
  });

  it('merge equals recording everything in one recorder', () => {
    const a = new LatencyRecorder({ highestTrackableNanos: 1_000_000 });
    const b = new LatencyRecorder({ highestTrackableNanos: 1_000_000 });
    const all = new LatencyRecorder({ highestTrackableNanos: 1_000_000 });
    for (let i = 0; i < 5000; i++) {
      const value = (i * 7919) % 2_000_000;
      (i % 3 === 0 ? a : b).record(value);
      all.record(value);
    }
    b.record(-1);
    all.record(-1);
    a.merge(b);
    expect(a.summary()).toEqual(all.summary());
    expect(a.overflowCount).toBe(all.overflowCount);
    expect(a.underflowCount).toBe(1);
    expect(b.count).toBe(3333 + 1);
  });

  it('refuses to merge recorders with different options', () => {
    const a = new LatencyRecorder();
    const b = new LatencyRecorder({ significantDigits: 2 });
    expect(caught(() => a.merge(b)) instanceof InvalidArgumentError).toBe(true);
  });

  it('summary reads several percentiles from one bucket', () => {
    const recorder = new LatencyRecorder();
    for (let i = 0; i < 1_000; i++) recorder.record(700);
    recorder.record(5_000);
    expect(recorder.summary()).toMatchObject({ p50: 700, p90: 700, p99: 700, p999: 700, max: 5_000 });
  });

  it('countsAtOrBelow gives cumulative counts at each bound, exact below 2048 ns and to the precision above', () => {
    const recorder = new LatencyRecorder({ highestTrackableNanos: 1_000_000 });
    for (const value of [100, 500, 500, 1_000, 5_000, 50_000, 2_000_000]) recorder.record(value);
    recorder.record(-3);
    expect(
      recorder.countsAtOrBelow([-1, 0, 99, 100, 499, 500, 999, 1_000, 4_999, 5_000, 60_000, 1_000_000]),
    ).toEqual([0, 1, 1, 2, 2, 4, 4, 5, 5, 6, 7, 8]);
    // Above 2048 a bucket spans several values: 5 003 shares 5 000's bucket (4 ns wide there).
    expect(recorder.countsAtOrBelow([4_996, 5_003, 5_004])).toEqual([5, 6, 6]);
    expect(recorder.countsAtOrBelow([Number.POSITIVE_INFINITY])).toEqual([8]);
    expect(new LatencyRecorder().countsAtOrBelow([1, 2])).toEqual([0, 0]);
    expect(caught(() => recorder.countsAtOrBelow([10, 5]))).toBeInstanceOf(InvalidArgumentError);
    expect(caught(() => recorder.countsAtOrBelow([Number.NaN]))).toBeInstanceOf(InvalidArgumentError);
  });

  it('copyInto makes an exact copy, replacing what the target held', () => {
    const source = new LatencyRecorder();
    const target = new LatencyRecorder();
    for (const value of [5_000_000_000, 70_000, 3]) target.record(value);
    target.record(-1);
    for (const value of [10, 200, 3_000, 45_000]) source.record(value);
    source.copyInto(target);
    expect(target.summary()).toEqual(source.summary());
    expect(target.underflowCount).toBe(0);
    // Nothing of the target's old values is left, above the source's max or below it: recording more into both
    // would reach them.
    source.record(6_000_000_000);
    target.record(6_000_000_000);
    for (const p of PERCENTILES) expect(target.percentile(p)).toBe(source.percentile(p));
    new LatencyRecorder().copyInto(target);
    expect(target.summary()).toEqual(new LatencyRecorder().summary());
    expect(caught(() => source.copyInto(new LatencyRecorder({ significantDigits: 2 })))).toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it('subtract leaves what was recorded since the copy: exact counts and mean, percentiles to the precision', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5, max: 100_000_000 }), { maxLength: 300 }),
        fc.array(fc.integer({ min: -5, max: 100_000_000 }), { maxLength: 300 }),
        (before, during) => {
          const options = { highestTrackableNanos: 50_000_000 };
          const recorder = new LatencyRecorder(options);
          const start = new LatencyRecorder(options);
          const interval = new LatencyRecorder(options);
          const only = new LatencyRecorder(options);
          for (const value of before) recorder.record(value);
          recorder.copyInto(start);
          for (const value of during) {
            recorder.record(value);
            only.record(value);
          }
          recorder.copyInto(interval);
          interval.subtract(start);
          const got = interval.summary();
          const want = only.summary();
          expect(got.count).toBe(want.count);
          expect(got.mean).toBe(want.mean);
          expect(interval.overflowCount).toBe(only.overflowCount);
          expect(interval.underflowCount).toBe(only.underflowCount);
          // Within the 3 significant digits: a bucket's width is under 1/1000 of its values (exact below 2048).
          const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(b / 1000);
          for (const p of PERCENTILES) close(interval.percentile(p), only.percentile(p));
          close(got.min, want.min);
          close(got.max, want.max);
          expect(got.min).toBeLessThanOrEqual(want.min);
          expect(got.max).toBeGreaterThanOrEqual(want.max);
          // The recorder itself and the copy subtracted are unchanged.
          expect(recorder.count).toBe(before.length + during.length);
          expect(start.count).toBe(before.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('subtract refuses a recorder that is not an earlier copy, and changes nothing then', () => {
    const recorder = new LatencyRecorder();
    const start = new LatencyRecorder();
    for (const value of [100, 200, 300]) recorder.record(value);
    recorder.copyInto(start);
    recorder.reset();
    recorder.record(100);
    const before = recorder.summary();
    expect(caught(() => recorder.subtract(start))).toBeInstanceOf(InvalidArgumentError);
    expect(recorder.summary()).toEqual(before);
    expect(caught(() => recorder.subtract(new LatencyRecorder({ significantDigits: 2 })))).toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it('keeps 5 significant digits when asked', () => {
    const recorder = new LatencyRecorder({ significantDigits: 5, highestTrackableNanos: 10_000_000_000 });
    for (const value of [123_456_789, 123_457_789, 9_876_543_210]) recorder.record(value);
    const p33 = recorder.percentile(33);
    expect(Math.abs(p33 - 123_456_789) / 123_456_789).toBeLessThan(0.00001);
    expect(recorder.percentile(66)).toBeGreaterThan(123_457_000);
    expect(recorder.percentile(66)).toBeLessThanOrEqual(123_457_789 * 1.00001);
  });

  it('rejects invalid options and percentiles with typed errors', () => {
    const bad: LatencyRecorderOptions[] = [
      { lowestDiscernibleNanos: 0 },
      { lowestDiscernibleNanos: 1.5 },
      { highestTrackableNanos: 1 },
      { lowestDiscernibleNanos: 100, highestTrackableNanos: 150 },
      { significantDigits: 6 as 5 },
      { lowestDiscernibleNanos: 2 ** 30, significantDigits: 5 },
    ];
    for (const options of bad)
      expect(caught(() => new LatencyRecorder(options)) instanceof InvalidArgumentError).toBe(true);
    const recorder = new LatencyRecorder();
    for (const p of [-1, 100.1, Number.NaN])
      expect(caught(() => recorder.percentile(p)) instanceof InvalidArgumentError).toBe(true);
  });

  it('agrees with hdr-histogram-js fed directly, for any options and values', () => {
    const config = fc
      .record({
        lowest: fc.integer({ min: 1, max: 1000 }),
        // 5 digits is left out to keep memory low (4M buckets at wide ranges); it is covered by the next test.
        digits: fc.constantFrom<1 | 2 | 3 | 4>(1, 2, 3, 4),
        highestFactor: fc.integer({ min: 2, max: 2 ** 40 }),
      })
      .filter(
        ({ lowest, digits }) => Math.floor(Math.log2(lowest)) + Math.ceil(Math.log2(2 * 10 ** digits)) <= 31,
      );
    fc.assert(
      fc.property(
        config,
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 300 }),
        (options, exponents) => {
          const highest = Math.min(Number.MAX_SAFE_INTEGER, options.lowest * options.highestFactor);
          const recorder = new LatencyRecorder({
            lowestDiscernibleNanos: options.lowest,
            highestTrackableNanos: highest,
            significantDigits: options.digits,
          });
          const reference = build({
            bitBucketSize: 64,
            autoResize: false,
            lowestDiscernibleValue: options.lowest,
            highestTrackableValue: highest,
            numberOfSignificantValueDigits: options.digits,
          });
          let min = Number.POSITIVE_INFINITY;
          let max = 0;
          for (const millionths of exponents) {
            // Spread values evenly over every magnitude, not only the top buckets.
            const value = Math.floor(highest ** (millionths / 1_000_000));
            recorder.record(value);
            reference.recordValue(value);
            min = Math.min(min, value);
            max = Math.max(max, value);
          }
          expect(recorder.count).toBe(reference.totalCount);
          const expected = (p: number) => Math.min(Math.max(reference.getValueAtPercentile(p), min), max);
          for (const p of PERCENTILES) expect(recorder.percentile(p)).toBe(expected(p));
          // The summary reads its four percentiles in one walk of the buckets.
          const { p50, p90, p99, p999 } = recorder.summary();
          expect([p50, p90, p99, p999]).toEqual([50, 90, 99, 99.9].map(expected));
        },
      ),
      { numRuns: 100 },
    );
  });
});
