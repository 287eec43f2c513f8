/**
 * Typed failures of the Cap'n Proto trade codec. The encoder validates every
 * input before it writes a byte, so a thrown error never leaves a half-written
 * message behind; the reader validates framing and pointers before it trusts
 * any offset, so hostile bytes fail here instead of reading out of bounds.
 */
import { hasErrorCode, MarketpipeError } from '@marketpipe/middleware';

/** Which text field of a trade an error refers to. */
export type TradeTextField = 'ticker' | 'tradeId';

/**
 * A ticker or trade id is longer, in UTF-8 bytes, than the encoder's configured
 * maximum. The cap bounds the encoder's buffer and rejects garbage early
 * (a venue never sends a kilobyte-long ticker).
 */
export class TradeTextTooLongError extends MarketpipeError {
  override readonly name = 'TradeTextTooLongError' as const;
  readonly code = 'ERR_TRADE_TEXT_TOO_LONG' as const;

  constructor(
    /** The offending field. */
    readonly field: TradeTextField,
    /** Its length in UTF-8 bytes. */
    readonly byteLength: number,
    /** The configured maximum in UTF-8 bytes. */
    readonly maxBytes: number,
    options?: ErrorOptions,
  ) {
    super(`${field} is ${byteLength} UTF-8 bytes, more than the maximum of ${maxBytes}`, options);
  }

  /** True when `err` is a {@link TradeTextTooLongError}, even from another copy of this package. */
  static is(err: unknown): err is TradeTextTooLongError {
    return hasErrorCode(err, 'ERR_TRADE_TEXT_TOO_LONG');
  }
}

/**
 * A trade field is outside what the schema can represent: a nanosecond time
 * outside 0..2^64-1, a millisecond part that is not a safe non-negative integer,
 * a sub-millisecond part outside 0..999999, a side that is not a `TradeSide`,
 * or a byte range outside its buffer. Encoding it would silently wrap or
 * truncate, so it is rejected instead.
 */
export class InvalidTradeFieldError extends MarketpipeError {
  override readonly name = 'InvalidTradeFieldError' as const;
  readonly code = 'ERR_INVALID_TRADE_FIELD' as const;

  constructor(
    /** The offending field or argument name, e.g. `timestampNanos` or `idStart`. */
    readonly field: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`invalid ${field}: ${reason}`, options);
  }

  /** True when `err` is an {@link InvalidTradeFieldError}, even from another copy of this package. */
  static is(err: unknown): err is InvalidTradeFieldError {
    return hasErrorCode(err, 'ERR_INVALID_TRADE_FIELD');
  }
}

/**
 * Bytes handed to the trade reader are not a well-formed single-segment Cap'n
 * Proto `TradeData` message: truncated framing, several segments, a pointer
 * of the wrong kind or pointing outside the segment, or a text that is not
 * NUL-terminated.
 */
export class CapnpFormatError extends MarketpipeError {
  override readonly name = 'CapnpFormatError' as const;
  readonly code = 'ERR_CAPNP_FORMAT' as const;

  /** True when `err` is a {@link CapnpFormatError}, even from another copy of this package. */
  static is(err: unknown): err is CapnpFormatError {
    return hasErrorCode(err, 'ERR_CAPNP_FORMAT');
  }
}

/** A codec constructor option is out of range (for example a negative `maxTextBytes`). */
export class CodecOptionError extends MarketpipeError {
  override readonly name = 'CodecOptionError' as const;
  readonly code = 'ERR_CODEC_OPTION' as const;

  /** True when `err` is a {@link CodecOptionError}, even from another copy of this package. */
  static is(err: unknown): err is CodecOptionError {
    return hasErrorCode(err, 'ERR_CODEC_OPTION');
  }
}
