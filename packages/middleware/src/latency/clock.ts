import { performance } from 'node:perf_hooks';
import { InvalidArgumentError } from '../errors.js';

/**
 * Time source of the pipeline: a cheap monotonic clock for the hot path, and a conversion to wall-clock time for
 * the times a message carries.
 *
 * Hot code stamps messages with `nowNanos()` (a plain number, no syscall-heavy work, no BigInt) and subtracts
 * stamps to get latencies; the connector's runner turns a message's stamp into the epoch time it publishes with
 * `toWallNanos`, re-anchored about once a second (connector `runner/wall-time.ts`). Take a `Clock` as a parameter
 * instead of using {@link clock} directly so tests can pass a {@link ManualClock}.
 */
export interface Clock {
  /** Monotonic nanoseconds from an arbitrary origin, as an integer-valued number. Never goes backwards. */
  nowNanos(): number;
  /** Wall-clock nanoseconds since the Unix epoch at the moment this clock read `monoNanos`. */
  toWallNanos(monoNanos: number): bigint;
  /** Wall-clock nanoseconds since the Unix epoch, now. */
  wallNanos(): bigint;
}

/** Options for {@link MonotonicClock}. */
export interface MonotonicClockOptions {
  /**
   * Re-anchor automatically when a wall conversion is asked for more than this long after the last anchor, so a
   * step of the system clock (NTP step, manual change) is picked up. Default 10 000 ms; `Infinity` turns it off.
   */
  reanchorIntervalMs?: number;
  /**
   * Wall-clock source in integer milliseconds since the epoch. Default `Date.now`. Exists for tests that need to
   * simulate a step of the system clock.
   */
  wallMillis?: () => number;
}

const NANOS_PER_MILLI = 1_000_000;
const BIGINT_NANOS_PER_MILLI = 1_000_000n;
const DEFAULT_REANCHOR_INTERVAL_MS = 10_000;
// A bracket this narrow gives an anchor error of 10 µs at most; typical brackets are a few hundred ns.
const GOOD_BRACKET_NANOS = 20_000;
const ANCHOR_ATTEMPTS = 5;
// Date.now ticks every millisecond; if it has not ticked after this long the source is frozen or fake.
const TICK_WAIT_LIMIT_NANOS = 3 * NANOS_PER_MILLI;

/** Unrounded reading of the monotonic source, for anchoring where sub-nanosecond midpoints matter. */
function monoNanosExact(): number {
  return performance.now() * NANOS_PER_MILLI;
}

/**
 * Default {@link Clock}: `performance.now()` for monotonic time, anchored to `Date.now()` for wall time.
 *
 * Monotonic source: measured on Node 20 (x64), `performance.now()` costs ~40 ns and returns a plain double;
 * `process.hrtime()` (~35 ns) allocates a two-element array per call and `process.hrtime.bigint()` (~30 ns) a
 * BigInt, which become ~43 ns once converted to a number. All three read the same CLOCK_MONOTONIC, so the choice is
 * about allocation: `performance.now()` allocated the least (Node 20 may still box the returned double; a true
 * TSC read needs a native addon). The millisecond double is scaled and rounded to integer nanoseconds; its
 * resolution stays below 1 ns for centuries of uptime, and rounding keeps the sequence non-decreasing.
 *
 * Wall anchoring: `reanchor()` spins until `Date.now()` ticks to a new millisecond, bracketing the tick between
 * two monotonic reads. At the tick the wall clock equals that integer millisecond exactly, so the anchor
 * `(monotonic midpoint, tick ms)` is off by at most half the bracket ({@link MonotonicClock.anchorUncertaintyNanos},
 * typically well under 1 µs, retried up to 5 times while above 10 µs) instead of the 1 ms truncation of a single
 * `Date.now()` sample. Conversions add the monotonic delta to the anchor. CLOCK_MONOTONIC is slewed by NTP together
 * with the wall clock, so the two do not drift apart; they diverge only when the wall clock is stepped, which
 * the automatic re-anchor picks up within `reanchorIntervalMs`. Error bound versus the system wall clock: the
 * anchor uncertainty, plus any step taken since the last anchor. If `Date.now()` never ticks (a frozen source), a
 * single sample is used and the bound becomes 0.5 ms plus half the read time.
 *
 * Cost: the first wall conversion and every re-anchor spin for up to ~1 ms (until the next millisecond tick) on
 * the calling thread. That happens only inside `toWallNanos`/`wallNanos`/`reanchor`, never in `nowNanos`; call
 * `reanchor()` from an idle moment, or set `reanchorIntervalMs: Infinity` and re-anchor on your own timer, if even
 * that must stay off the writer. Wall time is not monotonic across a re-anchor: it moves by the correction.
 *
 * @example
 * ```ts
 * const clock = new MonotonicClock();
 * const received = clock.nowNanos();
 * // ... parse, publish ...
 * const latencyNs = clock.nowNanos() - received;
 * const wallNs = clock.toWallNanos(received); // bigint, exact ns since the epoch, for the journal record
 * ```
 */
export class MonotonicClock implements Clock {
  private readonly reanchorIntervalNanos: number;
  private readonly wallMillis: () => number;
  // NaN until the first anchor, so that the first conversion always anchors.
  private anchorMono = Number.NaN;
  private anchorWall = 0n;
  private uncertainty = Number.POSITIVE_INFINITY;

  constructor(options: MonotonicClockOptions = {}) {
    const intervalMs = options.reanchorIntervalMs ?? DEFAULT_REANCHOR_INTERVAL_MS;
    if (!(intervalMs >= 0)) {
      throw new InvalidArgumentError(`reanchorIntervalMs must be >= 0 or Infinity, got ${intervalMs}`);
    }
    this.reanchorIntervalNanos = intervalMs * NANOS_PER_MILLI;
    this.wallMillis = options.wallMillis ?? Date.now;
  }

  /** Monotonic integer nanoseconds since process start. Hot path: a single `performance.now()` read. */
  nowNanos(): number {
    return Math.round(performance.now() * NANOS_PER_MILLI);
  }

  /**
   * Epoch nanoseconds at monotonic time `monoNanos` (a value from {@link MonotonicClock.nowNanos}). Anchors on
   * first use, and re-anchors first when `monoNanos` is more than `reanchorIntervalMs` past the last anchor.
   *
   * @throws InvalidArgumentError when `monoNanos` is not a finite number.
   */
  toWallNanos(monoNanos: number): bigint {
    if (!Number.isFinite(monoNanos))
      throw new InvalidArgumentError(`monoNanos must be finite, got ${monoNanos}`);
    // Written as a negated <= so that the NaN of a never-anchored clock also triggers an anchor.
    if (!(monoNanos - this.anchorMono <= this.reanchorIntervalNanos)) this.reanchor();
    return this.anchorWall + BigInt(Math.round(monoNanos - this.anchorMono));
  }

  /** Epoch nanoseconds now. */
  wallNanos(): bigint {
    return this.toWallNanos(this.nowNanos());
  }

  /**
   * Re-measures the offset between the monotonic and the wall clock (see the class notes for the method). Spins
   * for up to ~1 ms, more if the thread is preempted and attempts are retried.
   */
  reanchor(): void {
    const wallMillis = this.wallMillis;
    let bestBracket = Number.POSITIVE_INFINITY;
    let bestMono = 0;
    let bestMillis = 0;
    for (let attempt = 0; attempt < ANCHOR_ATTEMPTS && bestBracket > GOOD_BRACKET_NANOS; attempt++) {
      // The tick happened after the previous wall read, which itself happened after `before`.
      let before = monoNanosExact();
      const startMillis = wallMillis();
      const spinStart = before;
      for (;;) {
        const readStart = monoNanosExact();
        const millis = wallMillis();
        const readEnd = monoNanosExact();
        if (millis > startMillis) {
          if (readEnd - before < bestBracket) {
            bestBracket = readEnd - before;
            bestMono = (before + readEnd) / 2;
            bestMillis = millis;
          }
          break;
        }
        if (readEnd - spinStart > TICK_WAIT_LIMIT_NANOS) break;
        before = readStart;
      }
    }
    if (bestBracket === Number.POSITIVE_INFINITY) {
      this.anchorOnSample();
      return;
    }
    this.anchorMono = bestMono;
    this.anchorWall = BigInt(Math.floor(bestMillis)) * BIGINT_NANOS_PER_MILLI;
    this.uncertainty = bestBracket / 2;
  }

  /** Monotonic time of the last anchor, NaN before the first one. */
  get anchorMonoNanos(): number {
    return this.anchorMono;
  }

  /** Worst-case error of the last anchor in ns (half its measurement bracket); Infinity before the first one. */
  get anchorUncertaintyNanos(): number {
    return this.uncertainty;
  }

  // Fallback for a wall source that does not tick: the true time lies somewhere in the sampled millisecond, so
  // anchor on its middle.
  private anchorOnSample(): void {
    const readStart = monoNanosExact();
    const millis = this.wallMillis();
    const readEnd = monoNanosExact();
    this.anchorMono = (readStart + readEnd) / 2;
    this.anchorWall = BigInt(Math.floor(millis)) * BIGINT_NANOS_PER_MILLI + BIGINT_NANOS_PER_MILLI / 2n;
    this.uncertainty = NANOS_PER_MILLI / 2 + (readEnd - readStart) / 2;
  }
}

/**
 * Process-wide default {@link MonotonicClock}. Creating it costs nothing; it anchors on the first wall conversion.
 *
 * @example
 * ```ts
 * const t0 = clock.nowNanos();
 * const stamp = clock.wallNanos(); // bigint epoch ns
 * ```
 */
export const clock: MonotonicClock = new MonotonicClock();
