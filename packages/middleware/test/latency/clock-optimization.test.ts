import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MonotonicClock, type WallParts } from '../../src/latency/clock.js';

/** Runs a child script of this folder under V8's test intrinsics and parses the JSON line it prints. */
function runOptimizationChild<T>(script: string): T {
  const out = execFileSync(
    process.execPath,
    [
      '--allow-natives-syntax',
      '--no-concurrent-recompilation',
      fileURLToPath(new URL(script, import.meta.url)),
    ],
    { encoding: 'utf8' },
  );
  return JSON.parse(out) as T;
}

describe('MonotonicClock and the optimizing compiler', () => {
  it('never returns a reading that fits in 32 bits, even right after the thread started', () => {
    const child = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `
        const { MonotonicClock } = await import(${JSON.stringify(new URL('../../src/latency/clock.ts', import.meta.url).href)});
        process.stdout.write(String(new MonotonicClock().nowNanos()));`,
      ],
      { encoding: 'utf8' },
    );
    expect(Number(child)).toBeGreaterThan(2 ** 32);
  });

  // V8 compiles arithmetic it has only seen on small integers for small integers, and deoptimizes when a value
  // outgrows 2^31: with readings counted from the thread's start, or offsets from an anchor, that happened a
  // couple of seconds in, to every function stamping through wallParts (the runner's hot path among them).
  it('keeps a function stamping through wallParts optimized when the offset from the anchor passes 2^31 ns', () => {
    const result = runOptimizationChild<{ before: boolean; after: boolean; wall: string; expected: string }>(
      './clock-optimization-child.mjs',
    );
    expect(result.before).toBe(true);
    expect(result.after).toBe(true);
    expect(result.wall).toBe(result.expected);
  });
});

describe('MonotonicClock.wallParts', () => {
  it('agrees with toWallNanos before, at and long after the anchor, for integer and fractional readings', () => {
    const clock = new MonotonicClock({ reanchorIntervalMs: Number.POSITIVE_INFINITY });
    const anchorAt = clock.nowNanos();
    clock.toWallNanos(anchorAt);
    const parts: WallParts = { mono: 0.5, ms: 0, subMsNanos: 0 };
    const day = 86_400e9;
    const offsets = [
      -5e9,
      -1_000_001,
      -1,
      -0.4,
      0,
      0.4,
      0.6,
      1,
      999_999,
      1_000_000,
      1_000_001,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 31 + 1,
      3e9 + 0.6,
      10e9 - 1,
      3 * day + 123_456_789,
      30 * day + 1,
    ];
    for (let k = 0; k < 2_000; k++) offsets.push(Math.floor(((k * 7_919) % 1_000_003) * 9_973.3));
    const wrong: string[] = [];
    for (const offset of offsets) {
      parts.mono = anchorAt + offset;
      clock.wallParts(parts);
      const viaParts = BigInt(parts.ms) * 1_000_000n + BigInt(parts.subMsNanos);
      const viaBigint = clock.toWallNanos(parts.mono);
      const inRange =
        parts.subMsNanos >= 0 && parts.subMsNanos < 1_000_000 && Number.isInteger(parts.subMsNanos);
      if (viaParts !== viaBigint || !inRange) wrong.push(`${offset}: ${viaParts} vs ${viaBigint}`);
    }
    expect(wrong).toEqual([]);
  });
});

// Its sum of nanoseconds passes 2^31 after 2.1 s of recorded latency; started as a small integer, that crossing
// deoptimized `record` and the hot path it is inlined into (src/double-field.ts).
describe('LatencyRecorder and the optimizing compiler', () => {
  it('keeps a function recording into it optimized when the sum of the values passes 2^31 ns', () => {
    const result = runOptimizationChild<{ before: boolean; after: boolean; count: number; max: number }>(
      './latency-recorder-optimization-child.mjs',
    );
    expect(result.before).toBe(true);
    expect(result.after).toBe(true);
    expect(result.count).toBe(1_000 + 1 + 2_160);
    expect(result.max).toBeGreaterThanOrEqual(1_000_000);
  });
});
