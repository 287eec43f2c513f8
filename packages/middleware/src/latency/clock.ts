import { performance } from 'node:perf_hooks';
import { InvalidArgumentError } from '../errors.js';
import { MONO_ORIGIN_OFFSET_NANOS, WallAnchor } from './wall-anchor.js';

/**
 * Time source of the pipeline: a cheap monotonic clock for the hot path, and a conversion to wall-clock time for
 * the times a message carries.
 *
 * Hot code stamps messages with `nowNanos()` (a plain number, no syscall-heavy work, no BigInt) and subtracts
 * stamps to get latencies; the connector's runner turns a message's stamp into the epoch time it publishes with
 * `wallParts`, and the flusher worker stamps records through the same clock's anchor
 * ({@link MonotonicClock.attach}). Take a `Clock` as a parameter instead of using {@link clock} directly so tests
 * can pass a {@link ManualClock}.
 */
export interface Clock {
  /** Monotonic nanoseconds from an arbitrary origin, as an integer-valued number. Never goes backwards. */
  nowNanos(): number;
  /** Wall-clock nanoseconds since the Unix epoch at the moment this clock read `monoNanos`. */
  toWallNanos(monoNanos: number): bigint;
  /** Wall-clock nanoseconds since the Unix epoch, now. */
  wallNanos(): bigint;
  /**
   * Sets `parts.ms` and `parts.subMsNanos` to the wall time of `parts.mono` (a `nowNanos()` reading), by the same
   * anchor as `toWallNanos`, without allocating: the hot path's conversion. Never re-anchors (that may spin).
   */
  wallParts(parts: WallParts): void;
}

/**
 * A monotonic reading and its wall time, split so both stay exact doubles: the argument and the result of
 * {@link Clock.wallParts}. The reading travels in a field because a double passed to a call V8 does not inline
 * is boxed into a heap number, a double stored in a field is not.
 */
export interface WallParts {
  /** The monotonic reading (ns, from `nowNanos()`) to convert. */
  mono: number;
  /** Epoch milliseconds of `mono`. */
  ms: number;
  /** Nanoseconds within that millisecond, `0 <= subMsNanos < 1e6`. */
  subMsNanos: number;
}

/** Options for {@link MonotonicClock}. */
export interface MonotonicClockOptions {
  /**
   * Re-anchor automatically when a wall conversion is asked for more than this long after the last anchor, so a
   * step of the system clock (NTP step, manual change) is picked up. Default 10 000 ms; `Infinity` turns it off.
   */
  reanchorIntervalMs?: number;
}

/**
 * {@link MonotonicClockOptions} and the seam tests use to simulate a step of the system clock; reached through
 * `@marketpipe/middleware/internal` ({@link createMonotonicClock}), never a public entry. A user who needs a wall
 * clock that steps on demand has {@link ManualClock}.
 */
export interface MonotonicClockInternalOptions extends MonotonicClockOptions {
  /** Wall-clock source in integer milliseconds since the epoch. Default `Date.now`. */
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
  return performance.now() * NANOS_PER_MILLI + MONO_ORIGIN_OFFSET_NANOS;
}

/**
 * Default {@link Clock}: `performance.now()` for monotonic time, anchored to `Date.now()` for wall time by
 * bracketing a millisecond tick (error {@link MonotonicClock.anchorUncertaintyNanos}, typically under 1 µs). One
 * anchor for all threads: a worker attaches with {@link MonotonicClock.attach}; only the owner re-anchors.
 *
 * Cost: the first wall conversion and every re-anchor spin for up to ~1 ms on the calling thread, only inside
 * `toWallNanos`/`wallNanos`/`reanchor`, never in `nowNanos` or `wallParts`. Wall time moves by the correction at a
 * re-anchor. Measurements, error bounds and design: docs/design/wall-clock.md.
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
  #anchor: WallAnchor = WallAnchor.create();

  constructor(options: MonotonicClockOptions = {}) {
    // The public type leaves the test seam out; the clock still takes it (createMonotonicClock passes it).
    const { wallMillis }: MonotonicClockInternalOptions = options;
    const intervalMs = options.reanchorIntervalMs ?? DEFAULT_REANCHOR_INTERVAL_MS;
    if (!(intervalMs >= 0)) {
      throw new InvalidArgumentError(`reanchorIntervalMs must be >= 0 or Infinity, got ${intervalMs}`, {
        argument: 'reanchorIntervalMs',
      });
    }
    this.reanchorIntervalNanos = intervalMs * NANOS_PER_MILLI;
    this.wallMillis = wallMillis ?? Date.now;
  }

  /**
   * A clock on this thread that converts with the anchor another thread's clock owns (its
   * {@link MonotonicClock.sharedAnchor}, passed in `workerData`). It never anchors by itself: each conversion
   * first picks up the owner's newest anchor (one atomic load when there is none), and `reanchor()` only does that.
   *
   * @throws InvalidArgumentError when `sharedAnchor` is not an anchor block.
   */
  static attach(sharedAnchor: SharedArrayBuffer): MonotonicClock {
    const attached = new MonotonicClock({ reanchorIntervalMs: Number.POSITIVE_INFINITY });
    attached.#anchor = WallAnchor.attach(sharedAnchor);
    return attached;
  }

  /**
   * The anchor block to hand another thread for {@link MonotonicClock.attach}. Anchors first if this clock has
   * not yet, so an attached clock never sees an empty anchor.
   */
  get sharedAnchor(): SharedArrayBuffer {
    const anchor = this.#anchor;
    if (anchor.owner && anchor.generation === 0) this.reanchor();
    return anchor.shared;
  }

  /**
   * Monotonic integer nanoseconds on this thread's scale, for differences and for {@link MonotonicClock.wallParts}:
   * the count starts 2^32 ns before the thread did, so that no reading fits in 32 bits and the JIT compiles the code
   * using them once, for the values it sees for the thread's whole life. Hot path: a single `performance.now()` read.
   */
  nowNanos(): number {
    return Math.round(performance.now() * NANOS_PER_MILLI + MONO_ORIGIN_OFFSET_NANOS);
  }

  /**
   * Epoch nanoseconds at monotonic time `monoNanos` (a value from {@link MonotonicClock.nowNanos}). The owner
   * anchors on first use, and re-anchors first when `monoNanos` is more than `reanchorIntervalMs` past the last
   * anchor; an attached clock takes the owner's newest anchor.
   *
   * @throws InvalidArgumentError when `monoNanos` is not a finite number.
   */
  toWallNanos(monoNanos: number): bigint {
    if (!Number.isFinite(monoNanos))
      throw new InvalidArgumentError(`monoNanos must be finite, got ${monoNanos}`, { argument: 'monoNanos' });
    const anchor = this.#anchor;
    if (!anchor.owner) anchor.sync();
    // Written as a negated <= so that the NaN of a never-anchored clock also triggers an anchor.
    else if (!(monoNanos - anchor.mono <= this.reanchorIntervalNanos)) this.reanchor();
    return anchor.wall + BigInt(Math.round(monoNanos - anchor.mono));
  }

  /** Epoch nanoseconds now. */
  wallNanos(): bigint {
    return this.toWallNanos(this.nowNanos());
  }

  /** Wall time of `parts.mono` into `parts.ms` / `parts.subMsNanos`; no allocation, no re-anchor once anchored. */
  wallParts(parts: WallParts): void {
    const anchor = this.#anchor;
    if (!anchor.owner) anchor.sync();
    else if (Number.isNaN(anchor.mono)) this.reanchor();
    // Milliseconds since the anchor's whole millisecond. Each step takes a double operand from the first call on
    // (readings are above 2^32, see MONO_ORIGIN_OFFSET_NANOS), so none starts as a small integer and outgrows 32
    // bits 2.1 s after an anchor: the code is compiled for doubles once, not deoptimized there. Exact to well under
    // a nanosecond for integer readings up to days after the anchor (it is renewed every 10 s by default).
    const sinceMs = (anchor.wallSubMs + (parts.mono - anchor.mono)) / NANOS_PER_MILLI;
    let carry = Math.floor(sinceMs);
    let sub = Math.round((sinceMs - carry) * NANOS_PER_MILLI);
    // Only a fractional reading can round up to the next millisecond.
    if (sub === NANOS_PER_MILLI) {
      sub = 0;
      carry += 1;
    }
    parts.ms = anchor.wallMs + carry;
    parts.subMsNanos = sub;
  }

  /**
   * Re-measures the offset between the monotonic and the wall clock (see the class notes for the method) and
   * publishes it to every attached clock. Spins for up to ~1 ms, more if the thread is preempted and attempts are
   * retried. On an attached clock it only picks up the owner's newest anchor.
   */
  reanchor(): void {
    if (!this.#anchor.owner) {
      this.#anchor.sync();
      return;
    }
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
    this.#anchor.publish(
      bestMono,
      BigInt(Math.floor(bestMillis)) * BIGINT_NANOS_PER_MILLI,
      bestBracket / 2 + 0.5,
    );
  }

  /** Monotonic time of the last anchor, NaN before the first one. */
  get anchorMonoNanos(): number {
    return this.#anchor.mono;
  }

  /**
   * Worst-case error of the last anchor in ns (half its measurement bracket, plus on an attached clock the error
   * of relating the two threads' monotonic scales); Infinity before the first one.
   */
  get anchorUncertaintyNanos(): number {
    return this.#anchor.uncertainty;
  }

  // Fallback for a wall source that does not tick: the true time lies somewhere in the sampled millisecond, so
  // anchor on its middle.
  private anchorOnSample(): void {
    const readStart = monoNanosExact();
    const millis = this.wallMillis();
    const readEnd = monoNanosExact();
    this.#anchor.publish(
      (readStart + readEnd) / 2,
      BigInt(Math.floor(millis)) * BIGINT_NANOS_PER_MILLI + BIGINT_NANOS_PER_MILLI / 2n,
      NANOS_PER_MILLI / 2 + (readEnd - readStart) / 2 + 0.5,
    );
  }
}

/**
 * A {@link MonotonicClock} with the test seams of {@link MonotonicClockInternalOptions}. Internal: exported from
 * `@marketpipe/middleware/internal` only.
 */
export function createMonotonicClock(options: MonotonicClockInternalOptions): MonotonicClock {
  return new MonotonicClock(options);
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
