/**
 * Wall-clock sources for stamping records. The writer samples the clock once
 * per record or batch, so a sample must not allocate: it refreshes two number
 * fields (`seconds`, `nanos`) instead of returning a BigInt.
 */
// The latency entry, not the main one: the flusher worker loads this file and needs no transport.
import { type Clock, clock as defaultClock, type WallParts } from '@marketpipe/middleware/latency';

/** A wall clock read without allocating: `sample()` refreshes `seconds` and `nanos`. */
export interface WallClock {
  /** Reads the clock; afterwards `seconds` and `nanos` hold the new time. */
  sample(): void;
  /** Whole seconds since the Unix epoch (UTC) at the last `sample()`. */
  readonly seconds: number;
  /** Nanoseconds within that second, `0 <= nanos < 1e9`, at the last `sample()`. */
  readonly nanos: number;
}

const NS_PER_SECOND = 1_000_000_000n;

/**
 * The flusher's clock: the wall time of a {@link Clock} (in the worker, one attached to the runner's anchor, so
 * record stamps and published receive times share one anchor), never stepping back: after the anchor moves back
 * (a re-anchor that follows a backward step of the system clock) stamps hold until time catches up, so a file's
 * records stay in order.
 *
 * @example
 * ```ts
 * const stamps = new ClockWallClock(MonotonicClock.attach(workerData.wallAnchor));
 * stamps.sample();
 * console.log(stamps.seconds, stamps.nanos);
 * ```
 */
export class ClockWallClock implements WallClock {
  seconds = 0;
  nanos = 0;
  readonly #clock: Clock;
  readonly #parts: WallParts = { mono: 0.5, ms: 0, subMsNanos: 0 };

  constructor(clock: Clock = defaultClock) {
    this.#clock = clock;
  }

  sample(): void {
    const parts = this.#parts;
    parts.mono = this.#clock.nowNanos();
    this.#clock.wallParts(parts);
    const seconds = Math.floor(parts.ms / 1000);
    const nanos = (parts.ms - seconds * 1000) * 1_000_000 + parts.subMsNanos;
    if (seconds > this.seconds || (seconds === this.seconds && nanos > this.nanos)) {
      this.seconds = seconds;
      this.nanos = nanos;
    }
  }
}

/**
 * Adapts a `() => bigint` nanosecond source (typically a test's fake clock) to
 * {@link WallClock}. Each sample allocates a BigInt, so production code uses
 * {@link ClockWallClock}.
 */
export class FunctionWallClock implements WallClock {
  seconds = 0;
  nanos = 0;

  constructor(private readonly wallNanos: () => bigint) {}

  sample(): void {
    const now = this.wallNanos();
    this.seconds = Number(now / NS_PER_SECOND);
    this.nanos = Number(now % NS_PER_SECOND);
  }
}
