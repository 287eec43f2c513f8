/**
 * Reconnect delays: exponential backoff with full jitter, the variant that
 * spreads a crowd of clients best after a venue-wide disconnect
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
 */
import { InvalidArgumentError } from '@marketpipe/middleware/errors';

/** Shape of the backoff curve. */
export interface BackoffOptions {
  /** Ceiling of the first delay, in ms. */
  initialDelayMs: number;
  /** No delay ceiling grows beyond this, in ms. */
  maxDelayMs: number;
  /** Growth of the ceiling per failed attempt (2 doubles it). */
  multiplier: number;
}

/** 0.5 s, doubling, capped at 30 s: a venue outage is retried about twice a minute once it lasts. */
export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  multiplier: 2,
});

/**
 * The delay before reconnect attempt `attempt` (0 for the first retry):
 * a uniformly random whole number of ms in `[0, min(max, initial * multiplier^attempt))`.
 *
 * @param random - a source of numbers in `[0, 1)`; injectable so tests can pin the delays.
 * @example
 * ```ts
 * fullJitterDelay(3, { initialDelayMs: 100, maxDelayMs: 10_000, multiplier: 2 }, () => 0.5); // 400
 * ```
 */
export function fullJitterDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * options.multiplier ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * Throws {@link InvalidArgumentError} unless `options` describe a usable, non-shrinking curve.
 *
 * @param option - the caller's name for `options`, prefixed to the field in the error's `argument`.
 */
export function validateBackoff(options: BackoffOptions, option = 'backoff'): void {
  const { initialDelayMs, maxDelayMs, multiplier } = options;
  if (!(Number.isFinite(initialDelayMs) && initialDelayMs >= 0)) {
    throw new InvalidArgumentError(
      `backoff initialDelayMs must be a finite number >= 0, got ${initialDelayMs}`,
      { argument: `${option}.initialDelayMs` },
    );
  }
  if (!(Number.isFinite(maxDelayMs) && maxDelayMs >= initialDelayMs)) {
    throw new InvalidArgumentError(
      `backoff maxDelayMs must be finite and >= initialDelayMs, got ${maxDelayMs}`,
      { argument: `${option}.maxDelayMs` },
    );
  }
  if (!(Number.isFinite(multiplier) && multiplier >= 1)) {
    throw new InvalidArgumentError(`backoff multiplier must be a finite number >= 1, got ${multiplier}`, {
      argument: `${option}.multiplier`,
    });
  }
}
