import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { clock, createMonotonicClock, MonotonicClock } from './clock.js';

const NS_PER_MS = 1_000_000n;

/** Asserts `wall` lies within 1 ms of the Date.now() interval [before, after] taken around it. */
function expectWithinOneMs(wall: bigint, beforeMs: number, afterMs: number): void {
  // Date.now() truncates, so the true time at the `after` read is below (after + 1) ms.
  expect(wall).toBeGreaterThan(BigInt(beforeMs) * NS_PER_MS - NS_PER_MS);
  expect(wall).toBeLessThan(BigInt(afterMs + 1) * NS_PER_MS + NS_PER_MS);
}

describe('MonotonicClock.nowNanos', () => {
  it('returns non-decreasing integer nanoseconds', () => {
    const c = new MonotonicClock();
    let previous = c.nowNanos();
    let bad = 0;
    for (let i = 0; i < 200_000; i++) {
      const now = c.nowNanos();
      if (now < previous || !Number.isInteger(now)) bad++;
      previous = now;
    }
    expect(bad).toBe(0);
  });

  it('counts nanoseconds: agrees with Date.now over a sleep', async () => {
    const c = new MonotonicClock();
    // Two nested brackets give a lower and an upper bound that hold however the thread is scheduled.
    const outerStart = c.nowNanos();
    const wallStart = Date.now();
    const innerStart = c.nowNanos();
    await sleep(30);
    const innerEnd = c.nowNanos();
    const wallEnd = Date.now();
    const outerEnd = c.nowNanos();
    const wallElapsedMs = wallEnd - wallStart;
    expect(innerEnd - innerStart).toBeLessThan((wallElapsedMs + 1) * 1e6);
    expect(outerEnd - outerStart).toBeGreaterThan((wallElapsedMs - 1) * 1e6);
  });
});

describe('MonotonicClock wall time', () => {
  it('is within 1 ms of Date.now', () => {
    const c = new MonotonicClock();
    for (let i = 0; i < 50; i++) {
      const before = Date.now();
      const wall = c.wallNanos();
      const after = Date.now();
      expectWithinOneMs(wall, before, after);
    }
    expect(c.anchorUncertaintyNanos).toBeLessThan(1e6);
  });

  it('converts a monotonic stamp taken earlier to the wall time of that moment', async () => {
    const c = new MonotonicClock();
    const before = Date.now();
    const stamp = c.nowNanos();
    const after = Date.now();
    await sleep(20);
    expectWithinOneMs(c.toWallNanos(stamp), before, after);
    expect(c.toWallNanos(stamp + 5_000_000) - c.toWallNanos(stamp)).toBe(5_000_000n);
  });

  it('anchors lazily, on the first wall conversion', () => {
    const c = new MonotonicClock();
    expect(c.anchorMonoNanos).toBeNaN();
    expect(c.anchorUncertaintyNanos).toBe(Number.POSITIVE_INFINITY);
    c.wallNanos();
    expect(c.anchorMonoNanos).toBeGreaterThan(0);
  });

  it('the shared instance works', () => {
    const before = Date.now();
    const wall = clock.wallNanos();
    const after = Date.now();
    expectWithinOneMs(wall, before, after);
    expect(clock.nowNanos()).toBeGreaterThan(0);
  });

  it('rejects non-finite stamps and bad options with typed errors', () => {
    const c = new MonotonicClock();
    expect(() => c.toWallNanos(Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => c.toWallNanos(Number.POSITIVE_INFINITY)).toThrow(InvalidArgumentError);
    let caught: unknown;
    try {
      new MonotonicClock({ reanchorIntervalMs: -1 });
    } catch (err) {
      caught = err;
    }
    expect(caught instanceof InvalidArgumentError).toBe(true);
  });
});

describe('MonotonicClock re-anchoring', () => {
  it('reanchor() picks up a step of the wall clock', () => {
    let stepMs = 0;
    const c = createMonotonicClock({
      wallMillis: () => Date.now() + stepMs,
      reanchorIntervalMs: Number.POSITIVE_INFINITY,
    });
    let before = Date.now();
    let wall = c.wallNanos();
    let after = Date.now();
    expectWithinOneMs(wall, before, after);
    const firstAnchor = c.anchorMonoNanos;

    stepMs = 5_000;
    before = Date.now();
    wall = c.wallNanos();
    after = Date.now();
    // Automatic re-anchoring is off, so the step is not seen yet.
    expectWithinOneMs(wall, before, after);

    c.reanchor();
    expect(c.anchorMonoNanos).toBeGreaterThan(firstAnchor);
    before = Date.now();
    wall = c.wallNanos();
    after = Date.now();
    expectWithinOneMs(wall, before + stepMs, after + stepMs);
  });

  it('re-anchors automatically once the interval has passed', async () => {
    let stepMs = 0;
    const c = createMonotonicClock({ wallMillis: () => Date.now() + stepMs, reanchorIntervalMs: 20 });
    c.wallNanos();
    const firstAnchor = c.anchorMonoNanos;
    stepMs = -3_000;
    await sleep(40);
    const before = Date.now();
    const wall = c.wallNanos();
    const after = Date.now();
    expect(c.anchorMonoNanos).toBeGreaterThan(firstAnchor);
    expectWithinOneMs(wall, before + stepMs, after + stepMs);
  });

  it('falls back to a single sample when the wall source never ticks', () => {
    const frozenMs = 1_700_000_000_123;
    const c = createMonotonicClock({ wallMillis: () => frozenMs });
    const started = performance.now();
    c.reanchor();
    const wall = c.wallNanos();
    const elapsedNanos = BigInt(Math.ceil((performance.now() - started) * 1e6));
    expect(c.anchorUncertaintyNanos).toBeGreaterThanOrEqual(500_000);
    // Anchored on the sampled millisecond's middle; then the time that passed since, which on a loaded machine
    // (a CI run beside a build) has been several ms: bounded by what this test measured, not by a guess.
    expect(wall).toBeGreaterThanOrEqual(BigInt(frozenMs) * NS_PER_MS + NS_PER_MS / 2n);
    expect(wall).toBeLessThanOrEqual(BigInt(frozenMs) * NS_PER_MS + NS_PER_MS / 2n + elapsedNanos + 1_000n);
  });
});
