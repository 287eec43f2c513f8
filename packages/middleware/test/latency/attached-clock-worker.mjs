/**
 * Worker for wall-anchor.test.ts: attaches to the main thread's anchor and, on each request, converts "now"
 * between two process-wide hrtime reads, so the main thread can check the result against its own anchor.
 * Registers tsx itself: on Node 20 `--import tsx` in `execArgv` does not reach a worker's module loader.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { MonotonicClock } = await import('../../src/latency/clock.ts');
const clock = MonotonicClock.attach(workerData.wallAnchor);
const parts = { mono: 0.5, ms: 0, subMsNanos: 0 };

parentPort.on('message', () => {
  const before = process.hrtime.bigint();
  parts.mono = clock.nowNanos();
  clock.wallParts(parts);
  const after = process.hrtime.bigint();
  const viaParts = BigInt(parts.ms) * 1_000_000n + BigInt(parts.subMsNanos);
  parentPort.postMessage({
    before,
    after,
    viaParts,
    viaBigint: clock.toWallNanos(parts.mono),
    uncertainty: clock.anchorUncertaintyNanos,
  });
});
parentPort.postMessage('ready');
