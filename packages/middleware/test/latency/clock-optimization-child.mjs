/**
 * Child process of clock-optimization.test.ts, run with `--allow-natives-syntax --no-concurrent-recompilation`: optimizes a function that stamps
 * with `wallParts` while the readings are close to the anchor (as in the first two seconds after any anchor), then
 * gives it a reading 3 s after the anchor (past 2^31 ns) and reports whether V8 still runs it optimized, with the
 * wall time it computed.
 */
import { register } from 'tsx/esm/api';

register();
const { MonotonicClock } = await import('../../src/latency/clock.ts');
// V8's test intrinsics, compiled at run time so that this file stays plain JavaScript for the linter.
const intrinsic = (name) => new Function('fn', `return %${name}(fn);`);
const prepare = intrinsic('PrepareFunctionForOptimization');
const optimizeOnNextCall = intrinsic('OptimizeFunctionOnNextCall');
const status = intrinsic('GetOptimizationStatus');
const clock = new MonotonicClock({ reanchorIntervalMs: Number.POSITIVE_INFINITY });
const first = clock.nowNanos();
clock.wallParts({ mono: first, ms: 0, subMsNanos: 0 });
const parts = { mono: 0.5, ms: 0, subMsNanos: 0 };

function stamp(offsetNanos) {
  parts.mono = first + offsetNanos;
  clock.wallParts(parts);
  return parts.ms * 1_000_000 + parts.subMsNanos;
}

// The status bits that mean "optimized" moved between V8 versions: take them from a function optimized here,
// less those of one never optimized.
function probe(x) {
  return x + 1;
}
function never(x) {
  return x - 1;
}
prepare(probe);
probe(1);
probe(2);
optimizeOnNextCall(probe);
probe(3);
never(1);
const OPTIMIZED = status(probe) & ~status(never);
const isOptimized = (fn) => OPTIMIZED !== 0 && (status(fn) & OPTIMIZED) === OPTIMIZED;
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
