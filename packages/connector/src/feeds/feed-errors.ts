/**
 * Typed failures of the venue feeds. A malformed venue message is never
 * thrown out of a parser: the parser records one of these as `lastError` and
 * counts it, so a single bad frame cannot stop a feed.
 */
import { hasErrorCode, MarketpipeError } from '@marketpipe/middleware';
import type { VenueName } from './venue-feed.js';

/**
 * Why a message was rejected. Fixed strings, so recording a reason never
 * builds a string on the hot path.
 */
export type MalformedReason =
  /** The bytes are not valid UTF-8. */
  | 'invalid-utf8'
  /** The text is not valid JSON (truncated, trailing garbage, bad escape...). */
  | 'invalid-json'
  /** A trade message lacks a required field. */
  | 'missing-field'
  /** A field has the wrong JSON type (string instead of number, ...). */
  | 'wrong-type'
  /** A price, size or count is not a finite decimal in range. */
  | 'invalid-number'
  /** A trade time is not a valid epoch or RFC 3339 UTC time at or after 1970. */
  | 'invalid-timestamp'
  /** A trade id is empty, negative, fractional or not an integer. */
  | 'invalid-trade-id'
  /** The side is not one the venue defines. */
  | 'invalid-side'
  /** The ticker is empty. */
  | 'invalid-symbol'
  /** A trade message carries no trades. */
  | 'empty-trade-list';

/**
 * A venue message that claims to carry trades (or is not JSON at all) but
 * cannot be read without guessing. Recorded by the parser, never thrown.
 */
export class MalformedVenueMessageError extends MarketpipeError {
  override readonly name = 'MalformedVenueMessageError' as const;
  readonly code = 'ERR_MALFORMED_VENUE_MESSAGE' as const;

  constructor(
    /** The venue whose parser rejected the message. */
    readonly venue: VenueName,
    /** Why it was rejected. */
    readonly reason: MalformedReason,
    /** The venue's name of the offending field, or `null` when the whole message is at fault. */
    readonly field: string | null,
    options?: ErrorOptions,
  ) {
    super(`malformed ${venue} message: ${reason}${field === null ? '' : ` (field ${field})`}`, options);
  }

  /** True when `err` is a {@link MalformedVenueMessageError}, even from another copy of this package. */
  static is(err: unknown): err is MalformedVenueMessageError {
    return hasErrorCode(err, 'ERR_MALFORMED_VENUE_MESSAGE');
  }
}

/**
 * The `simdjson` parser backend was requested but the optional native
 * `simdjson` package is not installed or its addon was not built (the
 * package then silently re-exports `JSON`, which is not what was asked for).
 */
export class SimdjsonUnavailableError extends MarketpipeError {
  override readonly name = 'SimdjsonUnavailableError' as const;
  readonly code = 'ERR_SIMDJSON_UNAVAILABLE' as const;

  constructor(reason: string, options?: ErrorOptions) {
    super(`the simdjson parser backend is unavailable: ${reason}`, options);
  }

  /** True when `err` is a {@link SimdjsonUnavailableError}, even from another copy of this package. */
  static is(err: unknown): err is SimdjsonUnavailableError {
    return hasErrorCode(err, 'ERR_SIMDJSON_UNAVAILABLE');
  }
}

/** A venue name or parser backend outside the supported set (reachable from untyped JavaScript or config). */
export class UnknownFeedOptionError extends MarketpipeError {
  override readonly name = 'UnknownFeedOptionError' as const;
  readonly code = 'ERR_UNKNOWN_FEED_OPTION' as const;

  constructor(
    /** `venue` or `backend`. */
    readonly option: 'venue' | 'backend',
    /** The value given. */
    readonly value: string,
    options?: ErrorOptions,
  ) {
    super(`unknown ${option} ${JSON.stringify(value)}`, options);
  }

  /** True when `err` is an {@link UnknownFeedOptionError}, even from another copy of this package. */
  static is(err: unknown): err is UnknownFeedOptionError {
    return hasErrorCode(err, 'ERR_UNKNOWN_FEED_OPTION');
  }
}

/**
 * A simulator asked a venue format for a message the venue never sends: too
 * many (or no) trades in one message, or trades of several symbols in a
 * message that carries one symbol.
 */
export class InvalidSimBatchError extends MarketpipeError {
  override readonly name = 'InvalidSimBatchError' as const;
  readonly code = 'ERR_INVALID_SIM_BATCH' as const;

  constructor(
    /** The venue whose format was asked. */
    readonly venue: VenueName,
    /** What is wrong with the batch. */
    readonly reason: 'count' | 'mixed-symbols',
    /** Trades given. */
    readonly count: number,
    options?: ErrorOptions,
  ) {
    super(
      reason === 'count'
        ? `${venue} cannot carry ${count} trades in one message`
        : `${venue} carries one symbol per message; got trades of several`,
      options,
    );
  }

  /** True when `err` is an {@link InvalidSimBatchError}, even from another copy of this package. */
  static is(err: unknown): err is InvalidSimBatchError {
    return hasErrorCode(err, 'ERR_INVALID_SIM_BATCH');
  }
}
