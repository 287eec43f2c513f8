import { hasErrorCode, MarketpipeError } from '../errors.js';

/**
 * Thrown when a caller passes a value outside what an API accepts: a bad constructor option, a byte range that
 * does not fit its buffer, a percentile outside 0..100, a negative clock step.
 *
 * It signals a programming error, so callers normally let it propagate instead of handling it.
 *
 * @example
 * ```ts
 * try { new Interner({ maxEntries: 0 }); }
 * catch (err) { if (InvalidArgumentError.is(err)) console.error(err.message); }
 * ```
 */
export class InvalidArgumentError extends MarketpipeError {
  override readonly name = 'InvalidArgumentError' as const;
  readonly code = 'ERR_INVALID_ARGUMENT' as const;

  /** True when `err` carries this class's code, even if it comes from another copy of the package. */
  static is(err: unknown): err is InvalidArgumentError {
    return hasErrorCode(err, 'ERR_INVALID_ARGUMENT');
  }
}
