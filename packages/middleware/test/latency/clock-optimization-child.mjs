/**
 * Child process of clock-optimization.test.ts, run with `--allow-natives-syntax --no-concurrent-recompilation`: optimizes a function that stamps
 * with `wallParts` while the readings are close to the anchor (as in the first two seconds after any anchor), then
 * gives it a reading 3 s after the anchor (past 2^31 ns) and reports whether V8 still runs it optimized, with the
 * wall time it computed.
 */
import { register } from 'tsx/esm/api';

register();
const { MonotonicClock } = await import('../../src/latency/clock.ts');
const {
  isOptimized,
  optimizeOnNextCall,
  prepareFunctionForOptimization: prepare,
} = await import('@marketpipe/test-support/v8-optimization');
const clock = new MonotonicClock({ reanchorIntervalMs: Number.POSITIVE_INFINITY });
const first = clock.nowNanos();
clock.wallParts({ mono: first, ms: 0, subMsNanos: 0 });
const parts = { mono: 0.5, ms: 0, subMsNanos: 0 };

function stamp(offsetNanos) {
  parts.mono = first + offsetNanos;
  clock.wallParts(parts);
  return parts.ms * 1_000_000 + parts.subMsNanos;
}

prepare(stamp);
for (let i = 0; i < 2_000; i++) stamp(i * 1_000);
optimizeOnNextCall(stamp);
stamp(1);
const before = isOptimized(stamp);
stamp(3_000_000_000);
const after = isOptimized(stamp);
const wall = BigInt(parts.ms) * 1_000_000n + BigInt(parts.subMsNanos);
const expected = clock.toWallNanos(first + 3_000_000_000);
process.stdout.write(
  `${JSON.stringify({ before, after, wall: String(wall), expected: String(expected) })}\n`,
);
