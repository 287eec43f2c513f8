/**
 * Wall-clock sources for stamping records. The writer samples the clock once
 * per record, so a sample must not allocate: it refreshes two number fields
 * (`seconds`, `nanos`) instead of returning a BigInt.
 */
import { performance } from 'node:perf_hooks';

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
 * The flusher's default clock: anchors the wall clock once (from
 * `performance.timeOrigin + performance.now()`, or from `startWallNanos`) and
 * adds monotonic `performance.now()` deltas. Stamps therefore never go
 * backwards, are unaffected by NTP steps after the anchor, and are exact
 * integer nanoseconds. Seconds and the sub-second part are kept apart so every
 * intermediate value stays below 2^53.
 *
 * @example
 * ```ts
 * const clock = new AnchoredWallClock();
 * clock.sample();
 * console.log(clock.seconds, clock.nanos);
 * ```
 */
export class AnchoredWallClock implements WallClock {
  seconds = 0;
  nanos = 0;
  private readonly anchorSeconds: number;
  private readonly anchorNanos: number;
  private readonly anchorMs: number;

  /** @param startWallNanos wall time at construction; defaults to now (tests pass a time just before midnight). */
  constructor(startWallNanos?: bigint) {
    this.anchorMs = performance.now();
    const start =
      startWallNanos ?? BigInt(Math.round((performance.timeOrigin + this.anchorMs) * 1000)) * 1000n;
    this.anchorSeconds = Number(start / NS_PER_SECOND);
    this.anchorNanos = Number(start % NS_PER_SECOND);
    this.seconds = this.anchorSeconds;
    this.nanos = this.anchorNanos;
  }

  sample(): void {
    const elapsedMs = performance.now() - this.anchorMs;
    const elapsedSeconds = Math.floor(elapsedMs / 1000);
    let seconds = this.anchorSeconds + elapsedSeconds;
    let nanos = this.anchorNanos + Math.floor((elapsedMs - elapsedSeconds * 1000) * 1e6);
    if (nanos >= 1e9) {
      seconds += 1;
      nanos -= 1e9;
    }
    // Float rounding at a second boundary could step back by a nanosecond; stamps must not.
    if (seconds > this.seconds || (seconds === this.seconds && nanos > this.nanos)) {
      this.seconds = seconds;
      this.nanos = nanos;
    }
  }
}

/**
 * Adapts a `() => bigint` nanosecond source (typically a test's fake clock) to
 * {@link WallClock}. Each sample allocates a BigInt, so production code uses
 * {@link AnchoredWallClock}.
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
