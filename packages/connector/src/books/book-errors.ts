/**
 * Typed failures of the order-book codec. The encoder validates every input
 * before it writes a byte, so a thrown error never leaves a half-written
 * message behind. Malformed encoded bytes fail in the reader with the shared
 * `CapnpFormatError`.
 */
import { hasErrorCode, MarketpipeError } from '@marketpipe/middleware';

/**
 * A book update field is outside what the schema or the encoder's limits
 * accept: a time outside 0..2^64-1, a sequence that is not a non-negative safe
 * integer, a ticker longer than `maxTextBytes`, or more levels on a side than
 * `maxLevels`. Encoding it would wrap or truncate silently, so it is rejected.
 */
export class InvalidBookFieldError extends MarketpipeError {
  override readonly name = 'InvalidBookFieldError' as const;
  readonly code = 'ERR_INVALID_BOOK_FIELD' as const;

  constructor(
    /** The offending field, e.g. `sequence` or `bids`. */
    readonly field: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`invalid book ${field}: ${reason}`, options);
  }

  /** True when `err` is an {@link InvalidBookFieldError}, even from another copy of this package. */
  static is(err: unknown): err is InvalidBookFieldError {
    return hasErrorCode(err, 'ERR_INVALID_BOOK_FIELD');
  }
}
