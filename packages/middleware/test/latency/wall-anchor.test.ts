import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { createMonotonicClock, MonotonicClock, type WallParts } from '../../src/latency/clock.js';
import { WallAnchor } from '../../src/latency/wall-anchor.js';

interface WorkerReading {
  before: bigint;
  after: bigint;
  viaParts: bigint;
  viaBigint: bigint;
  uncertainty: number;
}

const HOUR_MS = 3_600_000;
// Far from the real time, so a reading by an anchor of the worker's own could not pass for the shared one.
const OFFSET_MS = -20 * 365 * 24 * HOUR_MS;
const workers: Worker[] = [];

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
});

async function startWorker(sharedAnchor: SharedArrayBuffer): Promise<() => Promise<WorkerReading>> {
  const worker = new Worker(new URL('./attached-clock-worker.mjs', import.meta.url), {
    workerData: { wallAnchor: sharedAnchor },
  });
  workers.push(worker);
  const [ready] = await once(worker, 'message');
  expect(ready).toBe('ready');
  return async () => {
    worker.postMessage('read');
    const [reading] = await once(worker, 'message');
    return reading as WorkerReading;
  };
}

/** The worker's reading lies between the main thread's conversions of the hrtime reads around it. */
function expectWithinBracket(reading: WorkerReading, view: WallAnchor, ownerUncertainty: number): void {
  const slack = BigInt(Math.ceil(reading.uncertainty + ownerUncertainty));
  expect(reading.viaParts).toBe(reading.viaBigint);
  expect(reading.viaParts >= view.wallNanosAtHr(reading.before) - slack).toBe(true);
  expect(reading.viaParts <= view.wallNanosAtHr(reading.after) + slack).toBe(true);
}

describe('one wall anchor across threads', () => {
  it('a worker attached to the anchor converts as the owner does, to within the anchor uncertainty', async () => {
    const owner = createMonotonicClock({ wallMillis: () => Date.now() + OFFSET_MS });
    const read = await startWorker(owner.sharedAnchor);
    const view = WallAnchor.attach(owner.sharedAnchor);
    for (let i = 0; i < 5; i++) expectWithinBracket(await read(), view, owner.anchorUncertaintyNanos);
    // The bound is tight: well under a millisecond, not the width of a message round trip.
    const reading = await read();
    expect(reading.uncertainty).toBeLessThan(1_000_000);
  });

  it('a re-anchor of the owner reaches the worker at its next conversion', async () => {
    let stepMs = 0;
    const owner = createMonotonicClock({
      wallMillis: () => Date.now() + OFFSET_MS + stepMs,
      reanchorIntervalMs: Number.POSITIVE_INFINITY,
    });
    const read = await startWorker(owner.sharedAnchor);
    const view = WallAnchor.attach(owner.sharedAnchor);
    const first = await read();
    expect(view.generation).toBe(1);
    stepMs = HOUR_MS;
    owner.reanchor();
    expect(view.generation).toBe(2);
    const second = await read();
    expectWithinBracket(second, view, owner.anchorUncertaintyNanos);
    const jumpMs = Number(second.viaParts - first.viaParts) / 1e6;
    expect(jumpMs).toBeGreaterThan(HOUR_MS);
    expect(jumpMs).toBeLessThan(HOUR_MS + 5_000);
  });
});

describe('MonotonicClock.attach', () => {
  it('refuses a buffer that is not an anchor block', () => {
    expect(() => MonotonicClock.attach(new SharedArrayBuffer(8))).toThrow(InvalidArgumentError);
    expect(() => MonotonicClock.attach(new ArrayBuffer(32) as unknown as SharedArrayBuffer)).toThrow(
      InvalidArgumentError,
    );
  });

  it('on the same thread, follows the owner and never anchors by itself', () => {
    let stepMs = 0;
    const owner = createMonotonicClock({ wallMillis: () => Date.now() + stepMs });
    const attached = MonotonicClock.attach(owner.sharedAnchor);
    const mono = owner.nowNanos();
    expect(attached.toWallNanos(mono)).toBe(owner.toWallNanos(mono));
    stepMs = HOUR_MS;
    attached.reanchor(); // only re-reads the owner's anchor, which has not moved
    expect(attached.toWallNanos(mono)).toBe(owner.toWallNanos(mono));
    owner.reanchor();
    const wall = attached.toWallNanos(mono);
    expect(wall).toBe(owner.toWallNanos(mono));
    expect(Number(wall / 1_000_000n) - Date.now()).toBeGreaterThan(HOUR_MS - 5_000);
  });
});

describe('MonotonicClock.wallParts', () => {
  it('splits exactly what toWallNanos gives, by the same anchor', () => {
    const c = new MonotonicClock();
    const parts: WallParts = { mono: 0.5, ms: 0, subMsNanos: 0 };
    for (const delta of [0, 1, 999_999, 1_000_000, 123_456_789, 5_000_000_000]) {
      parts.mono = c.nowNanos() + delta;
      c.wallParts(parts);
      const wall = c.toWallNanos(parts.mono);
      expect(parts.subMsNanos >= 0 && parts.subMsNanos < 1_000_000).toBe(true);
      expect(BigInt(parts.ms) * 1_000_000n + BigInt(parts.subMsNanos)).toBe(wall);
    }
  });
});
