/**
 * The process's one wall-clock anchor: a (CLOCK_MONOTONIC ns, epoch ns) pair in shared memory, written by the
 * thread that measures it and read by every thread that converts with it (the flusher worker), so a published
 * receive time and an on-disk stamp never come from two anchors. Design: docs/design/wall-clock.md.
 */
import { performance } from 'node:perf_hooks';
import { InvalidArgumentError } from '../errors.js';

const NANOS_PER_MILLI = 1_000_000;
const BIG_NANOS_PER_MILLI = 1_000_000n;
// Layout: Int32 generation (even: stable, odd: being written; 0: never anchored), then three 8-byte fields.
const GENERATION = 0;
const HR_INDEX = 1; // BigInt64 index: process.hrtime.bigint() at the anchor
const WALL_INDEX = 2; // BigInt64 index: epoch ns at the anchor
const UNCERTAINTY_INDEX = 3; // Float64 index: worst-case error of the pair, ns
/**
 * Where `MonotonicClock.nowNanos` starts: 2^32 ns (about 4.3 s) before the thread's `performance.now()` origin, so
 * that no reading ever fits in a 32-bit integer. V8 keeps integers below 2^31 as small integers and compiles the
 * code that handles them for small integers; a clock counting from 0 crossed 2^31 about 2.1 s after each thread
 * started, and every optimized function doing arithmetic on its readings was thrown back to the interpreter there
 * ("lost precision", "wrong map") and recompiled later: the runner's hot path, the publisher's encoder and the
 * flusher's loop, for about 1.5 s at 1 000 msg/s (docs/design/latency-tail.md, "The clock's 2^31 crossing").
 * Readings stay exact integers up to 2^53 ns, about 104 days.
 */
export const MONO_ORIGIN_OFFSET_NANOS = 2 ** 32;

/** Bytes of the shared anchor block. */
export const WALL_ANCHOR_BYTES = 32;
const ORIGIN_ATTEMPTS = 9;

/**
 * `performance.now()` counts from each thread's own start (a worker's origin is later than the main thread's),
 * while `process.hrtime` is one CLOCK_MONOTONIC for the whole process. This thread's origin on the hrtime scale,
 * bracketed between two hrtime reads (best of several), lets a thread turn the shared hrtime anchor into its own
 * `performance.now()` scale.
 */
let originHr: bigint | undefined;
let originUncertainty = 0;

function threadOrigin(): bigint {
  if (originHr !== undefined) return originHr;
  let best = Number.POSITIVE_INFINITY;
  let bestOrigin = 0n;
  for (let attempt = 0; attempt < ORIGIN_ATTEMPTS; attempt++) {
    const before = process.hrtime.bigint();
    const perf = performance.now();
    const after = process.hrtime.bigint();
    const bracket = Number(after - before);
    if (bracket < best) {
      best = bracket;
      bestOrigin =
        before +
        (after - before) / 2n -
        BigInt(Math.round(perf * NANOS_PER_MILLI + MONO_ORIGIN_OFFSET_NANOS));
    }
  }
  originHr = bestOrigin;
  originUncertainty = best / 2 + 1;
  return bestOrigin;
}

/**
 * A view of the shared anchor on this thread's monotonic scale (`MonotonicClock.nowNanos`). Only the owner
 * writes; any thread may read. Plain number fields so conversions on the hot path neither allocate nor call out.
 */
export class WallAnchor {
  /** The shared block; hand it to a worker, which attaches with {@link WallAnchor.attach}. */
  readonly shared: SharedArrayBuffer;
  /** True for the thread that measures the anchor; attached views only follow it. */
  readonly owner: boolean;
  /** Anchor instant on this thread's `nowNanos` scale; NaN before the first anchor. */
  mono = Number.NaN;
  /** Epoch milliseconds at the anchor. */
  wallMs = 0;
  /** Nanoseconds within that millisecond. */
  wallSubMs = 0;
  /** Epoch ns at the anchor. */
  wall = 0n;
  /** Worst-case error of conversions on this thread, ns; Infinity before the first anchor. */
  uncertainty = Number.POSITIVE_INFINITY;
  readonly #control: Int32Array;
  readonly #times: BigInt64Array;
  readonly #floats: Float64Array;
  #seen = 0;

  private constructor(shared: SharedArrayBuffer, owner: boolean) {
    this.shared = shared;
    this.owner = owner;
    this.#control = new Int32Array(shared, 0, 2);
    this.#times = new BigInt64Array(shared, 0, 3);
    this.#floats = new Float64Array(shared, 0, 4);
  }

  /** A new, not yet measured anchor owned by this thread. */
  static create(): WallAnchor {
    return new WallAnchor(new SharedArrayBuffer(WALL_ANCHOR_BYTES), true);
  }

  /**
   * A read-only view of an anchor another thread owns.
   *
   * @throws InvalidArgumentError when `shared` is not an anchor block.
   */
  static attach(shared: SharedArrayBuffer): WallAnchor {
    if (!(shared instanceof SharedArrayBuffer) || shared.byteLength !== WALL_ANCHOR_BYTES) {
      // Named as in MonotonicClock.attach, the public way to get here.
      throw new InvalidArgumentError(`a wall anchor is a SharedArrayBuffer of ${WALL_ANCHOR_BYTES} bytes`, {
        argument: 'sharedAnchor',
      });
    }
    const anchor = new WallAnchor(shared, false);
    anchor.sync();
    return anchor;
  }

  /** Times the owner has anchored; 0 before the first anchor. */
  get generation(): number {
    return Atomics.load(this.#control, GENERATION) >>> 1;
  }

  /**
   * Publishes a new anchor: this thread's monotonic reading `mono` was wall time `wallNanos`, to within
   * `uncertaintyNanos`. Owner only.
   */
  publish(mono: number, wallNanos: bigint, uncertaintyNanos: number): void {
    if (!this.owner) throw new InvalidArgumentError('only the thread that owns a wall anchor can publish it');
    const hr = threadOrigin() + BigInt(Math.round(mono));
    const control = this.#control;
    // A seqlock: readers retry (keep their old view) while the generation is odd or moved under them.
    Atomics.add(control, GENERATION, 1);
    Atomics.store(this.#times, HR_INDEX, hr);
    Atomics.store(this.#times, WALL_INDEX, wallNanos);
    this.#floats[UNCERTAINTY_INDEX] = uncertaintyNanos + originUncertainty;
    Atomics.add(control, GENERATION, 1);
    this.sync();
  }

  /**
   * Loads the owner's newest anchor into the fields if it changed. Costs one atomic load when it did not;
   * allocates only when it did (a re-anchor, every few seconds at most).
   */
  sync(): void {
    const control = this.#control;
    const generation = Atomics.load(control, GENERATION);
    if (generation === this.#seen || (generation & 1) === 1) return;
    const hr = Atomics.load(this.#times, HR_INDEX);
    const wall = Atomics.load(this.#times, WALL_INDEX);
    const uncertainty = this.#floats[UNCERTAINTY_INDEX]!;
    if (Atomics.load(control, GENERATION) !== generation) return;
    this.#seen = generation;
    this.mono = Number(hr - threadOrigin());
    this.wall = wall;
    this.wallMs = Number(wall / BIG_NANOS_PER_MILLI);
    this.wallSubMs = Number(wall % BIG_NANOS_PER_MILLI);
    this.uncertainty = this.owner ? uncertainty - originUncertainty : uncertainty + originUncertainty;
  }

  /** Epoch ns at process-wide monotonic time `hr` (a `process.hrtime.bigint()` reading), by this view's anchor. */
  wallNanosAtHr(hr: bigint): bigint {
    this.sync();
    return this.wall + (hr - threadOrigin()) - BigInt(this.mono);
  }
}
