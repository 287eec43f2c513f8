import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, fullJitterDelay, validateBackoff } from './reconnect-backoff.js';

describe('fullJitterDelay', () => {
  const curve = { initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2 };

  it('grows the ceiling exponentially up to the maximum', () => {
    const almostOne = () => 0.999_999;
    expect([0, 1, 2, 3, 4, 5, 30].map((attempt) => fullJitterDelay(attempt, curve, almostOne))).toEqual([
      99, 199, 399, 799, 999, 999, 999,
    ]);
  });

  it('draws uniformly below the ceiling (full jitter)', () => {
    expect(fullJitterDelay(2, curve, () => 0)).toBe(0);
    expect(fullJitterDelay(2, curve, () => 0.5)).toBe(200);
    expect(fullJitterDelay(2, curve, () => 0.25)).toBe(100);
  });

  it('does not overflow for huge attempt counts', () => {
    expect(fullJitterDelay(10_000, curve, () => 0.5)).toBe(500);
  });
});

describe('validateBackoff', () => {
  it('accepts the defaults and rejects shrinking or broken curves', () => {
    expect(() => validateBackoff(DEFAULT_BACKOFF)).not.toThrow();
    for (const bad of [
      { initialDelayMs: -1, maxDelayMs: 10, multiplier: 2 },
      { initialDelayMs: 100, maxDelayMs: 10, multiplier: 2 },
      { initialDelayMs: 1, maxDelayMs: 10, multiplier: 0.5 },
      { initialDelayMs: 1, maxDelayMs: Number.POSITIVE_INFINITY, multiplier: 2 },
      { initialDelayMs: Number.NaN, maxDelayMs: 10, multiplier: 2 },
    ]) {
      expect(() => validateBackoff(bad), JSON.stringify(bad)).toThrow(InvalidArgumentError);
    }
  });
});
