/**
 * Wall-clock receive times for the hot path without BigInt or a syscall:
 * a wall anchor (epoch ms + sub-ms ns) taken once from the {@link Clock}, plus
 * the monotonic delta of each reading. Re-anchored off the hot path (the
 * runner does it once a second) so a stepped system clock is followed.
 */
import type { Clock } from '@marketpipe/middleware';
import type { EpochMsParts } from '../codec/trade-encoder.js';

const NANOS_PER_MILLI = 1_000_000;
const BIG_NANOS_PER_MILLI = 1_000_000n;

/**
 * Converts a monotonic clock reading to wall time split as epoch ms + ns
 * within the ms. The reading goes in through the {@link WallTime.mono} field
 * rather than an argument: a double passed to a call V8 does not inline is
 * boxed into a heap number, a double stored in a field is not.
 */
export class WallTime implements EpochMsParts {
  /** The monotonic reading (ns) that {@link WallTime.update} converts. */
  mono = 0.5;
  /** Epoch milliseconds of {@link WallTime.mono}, after {@link WallTime.update}. */
  ms = 0;
  /** Nanoseconds within that millisecond (0..999999). */
  subMsNanos = 0;
  #anchorMono = 0.5;
  #anchorMs = 0;
  #anchorSub = 0;

  constructor(private readonly clock: Clock) {
    this.reanchor();
  }

  /** Takes a fresh anchor from the clock's wall conversion (allocates a BigInt: call it off the hot path). */
  reanchor(): void {
    const mono = this.clock.nowNanos();
    const wall = this.clock.toWallNanos(mono);
    this.#anchorMono = mono;
    this.#anchorMs = Number(wall / BIG_NANOS_PER_MILLI);
    this.#anchorSub = Number(wall % BIG_NANOS_PER_MILLI);
  }

  /** Sets {@link WallTime.ms} and {@link WallTime.subMsNanos} to the wall time of {@link WallTime.mono}. */
  update(): void {
    const sub = this.#anchorSub + Math.round(this.mono - this.#anchorMono);
    const carry = Math.floor(sub / NANOS_PER_MILLI);
    this.ms = this.#anchorMs + carry;
    this.subMsNanos = sub - carry * NANOS_PER_MILLI;
  }
}
