import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { ManualClock } from './manual-clock.js';

const NS_PER_MS = 1_000_000n;

function isoOf(wallNanos: bigint): string {
  return new Date(Number(wallNanos / NS_PER_MS)).toISOString();
}

describe('ManualClock', () => {
  it('starts where it is told and only moves on advance', () => {
    const c = new ManualClock({ monoNanos: 1_000, wallNanos: 5_000_000_000n });
    expect(c.nowNanos()).toBe(1_000);
    expect(c.wallNanos()).toBe(5_000_000_000n);
    expect(c.nowNanos()).toBe(1_000);
    c.advance(250);
    expect(c.nowNanos()).toBe(1_250);
    expect(c.wallNanos()).toBe(5_000_000_250n);
    expect(c.toWallNanos(1_000)).toBe(5_000_000_000n);
  });

  it('defaults to the epoch at monotonic 0', () => {
    const c = new ManualClock();
    expect(c.nowNanos()).toBe(0);
    expect(c.wallNanos()).toBe(0n);
  });

  it('crosses UTC midnight', () => {
    const c = new ManualClock({ wallNanos: BigInt(Date.UTC(2024, 0, 1, 23, 59, 59, 500)) * NS_PER_MS });
    expect(isoOf(c.wallNanos())).toBe('2024-01-01T23:59:59.500Z');
    c.advance(1_000_000_000);
    expect(isoOf(c.wallNanos())).toBe('2024-01-02T00:00:00.500Z');
  });

  it('steps the wall clock without moving monotonic time', () => {
    const c = new ManualClock({ monoNanos: 10, wallNanos: 100n });
    const stamp = c.nowNanos();
    c.setWallNanos(1_000n);
    expect(c.nowNanos()).toBe(10);
    expect(c.wallNanos()).toBe(1_000n);
    expect(c.toWallNanos(stamp)).toBe(1_000n);
    c.advance(5);
    expect(c.wallNanos()).toBe(1_005n);
  });

  it('refuses to go backwards or take fractional nanoseconds', () => {
    const c = new ManualClock();
    expect(() => c.advance(-1)).toThrow(InvalidArgumentError);
    expect(() => c.advance(0.5)).toThrow(InvalidArgumentError);
    expect(() => c.toWallNanos(Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => new ManualClock({ monoNanos: 1.5 })).toThrow(InvalidArgumentError);
    expect(c.nowNanos()).toBe(0);
  });
});
