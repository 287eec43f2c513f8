/**
 * Child process of clock-optimization.test.ts ("LatencyRecorder and the optimizing compiler"), run with
 * `--allow-natives-syntax --no-concurrent-recompilation`: optimizes a function recording into a LatencyRecorder
 * while the sum of the recorded values is small, records until the sum passes 2^31 ns (2.1 s of latency in all: a
 * long-running process's hot-path recorder gets there), and reports whether V8 still runs the function optimized.
 */
import { register } from 'tsx/esm/api';

register();
const { LatencyRecorder } = await import('../../src/latency/latency-recorder.ts');
const {
  isOptimized,
  optimizeOnNextCall,
  prepareFunctionForOptimization: prepare,
} = await import('@marketpipe/test-support/v8-optimization');

const recorder = new LatencyRecorder();
function record(ns) {
  recorder.record(ns);
}
prepare(record);
for (let i = 0; i < 1_000; i++) record(1_000 + i);
optimizeOnNextCall(record);
record(1_000);
const before = isOptimized(record);
// 1 ms each: past 2^31 ns of sum after ~2 100 records, and checked a few records later, before V8 could optimize
// a deoptimized function again.
for (let i = 0; i < 2_160; i++) record(1_000_000);
const after = isOptimized(record);
const summary = recorder.summary();
process.stdout.write(`${JSON.stringify({ before, after, count: recorder.count, max: summary.max })}\n`);
