import { InvalidArgumentError } from '../errors.js';
import type { Clock, WallParts } from './clock.js';

/** Options for {@link ManualClock}. */
export interface ManualClockOptions {
  /** Initial monotonic reading. Default 0. */
  monoNanos?: number;
  /** Wall-clock epoch nanoseconds at the initial monotonic reading. Default 0n (1970-01-01T00:00:00Z). */
  wallNanos?: bigint;
}

/**
 * A {@link Clock} that only moves when told to, for deterministic tests: latency arithmetic, timeouts, file
 * rotation across UTC midnight, behaviour when the system clock is stepped.
 *
 * `advance` moves monotonic and wall time together, as real time passing does; `setWallNanos` steps the wall clock
 * alone, as an NTP step or an operator would.
 *
 * @example
 * ```ts
 * const nanosPerMs = 1_000_000n;
 * const clock = new ManualClock({ wallNanos: BigInt(Date.UTC(2024, 0, 1, 23, 59, 59)) * nanosPerMs });
 * clock.advance(2_000_000_000); // two seconds later it is 2024-01-02T00:00:01Z
 * new Date(Number(clock.wallNanos() / nanosPerMs)).toISOString(); // '2024-01-02T00:00:01.000Z'
 * ```
 */
export class ManualClock implements Clock {
  private mono: number;
  // Wall time minus monotonic time; a wall step changes only this.
  private wallOffset: bigint;

  constructor(options: ManualClockOptions = {}) {
    this.mono = checkNanos('monoNanos', options.monoNanos ?? 0);
    this.wallOffset = (options.wallNanos ?? 0n) - BigInt(this.mono);
  }

  /** The current monotonic reading. */
  nowNanos(): number {
    return this.mono;
  }

  /**
   * Epoch nanoseconds at monotonic time `monoNanos`, using the current wall offset.
   *
   * @throws InvalidArgumentError when `monoNanos` is not a safe integer.
   */
  toWallNanos(monoNanos: number): bigint {
    return this.wallOffset + BigInt(checkNanos('monoNanos', monoNanos));
  }

  /** Epoch nanoseconds now. */
  wallNanos(): bigint {
    return this.wallOffset + BigInt(this.mono);
  }

  /** Wall time of `parts.mono` by the current wall offset, so a step shows at once (allocates: tests only). */
  wallParts(parts: WallParts): void {
    const wall = this.toWallNanos(parts.mono);
    let ms = wall / NANOS_PER_MILLI;
    let sub = wall % NANOS_PER_MILLI;
    if (sub < 0n) {
      sub += NANOS_PER_MILLI;
      ms -= 1n;
    }
    parts.ms = Number(ms);
    parts.subMsNanos = Number(sub);
  }

  /**
   * Lets `nanos` pass: monotonic and wall time both move forward by it.
   *
   * @throws InvalidArgumentError when `nanos` is negative or not a safe integer; a monotonic clock cannot go back.
   */
  advance(nanos: number): void {
    if (checkNanos('nanos', nanos) < 0)
      throw new InvalidArgumentError(`cannot advance by ${nanos} ns: negative`, { argument: 'nanos' });
    // Past the safe range the fault is the step taken, so the error names `nanos`.
    this.mono = checkNanos('monoNanos', this.mono + nanos, 'nanos');
  }

  /** Steps the wall clock to `wallNanos` without moving monotonic time (an NTP step, a manual change). */
  setWallNanos(wallNanos: bigint): void {
    this.wallOffset = wallNanos - BigInt(this.mono);
  }
}

const NANOS_PER_MILLI = 1_000_000n;

/** `value` when it is a safe integer; else throws, naming `name` in the message and `argument` as the argument. */
function checkNanos(name: string, value: number, argument = name): number {
  if (!Number.isSafeInteger(value))
    throw new InvalidArgumentError(`${name} must be a safe integer, got ${value}`, { argument });
  return value;
}
