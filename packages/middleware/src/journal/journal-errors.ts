/**
 * The failure kinds a journal reports. Each has a stable `code` and a static
 * `is` guard that matches by code, so checks keep working when two copies of
 * this package are loaded side by side.
 */
import { hasErrorCode, MarketpipeError } from '../errors.js';

/**
 * The requested sequence was appended once but retention (max messages, bytes
 * or age) has evicted it. Raised instead of silently starting later so a
 * replaying consumer knows it has a gap.
 */
export class SequenceEvictedError extends MarketpipeError {
  override readonly name = 'SequenceEvictedError' as const;
  readonly code = 'ERR_SEQUENCE_EVICTED' as const;
  /** The sequence that was asked for. */
  readonly sequence: number;
  /** The oldest sequence still retained when the error was raised. */
  readonly firstSequence: number;

  constructor(sequence: number, firstSequence: number, options?: ErrorOptions) {
    super(
      `sequence ${sequence} was evicted by retention; the oldest retained sequence is ${firstSequence}`,
      options,
    );
    this.sequence = sequence;
    this.firstSequence = firstSequence;
  }

  /** True when `err` is a {@link SequenceEvictedError}, from any copy of this package. */
  static is(err: unknown): err is SequenceEvictedError {
    return hasErrorCode(err, 'ERR_SEQUENCE_EVICTED');
  }
}

/** The journal was closed; it accepts no appends, reads or new iterators. */
export class JournalClosedError extends MarketpipeError {
  override readonly name = 'JournalClosedError' as const;
  readonly code = 'ERR_JOURNAL_CLOSED' as const;

  constructor(operation: string, options?: ErrorOptions) {
    super(`journal is closed: cannot ${operation}`, options);
  }

  /** True when `err` is a {@link JournalClosedError}, from any copy of this package. */
  static is(err: unknown): err is JournalClosedError {
    return hasErrorCode(err, 'ERR_JOURNAL_CLOSED');
  }
}

/** A sequence or count argument is not an integer in the accepted range (a caller bug, never retryable). */
export class InvalidJournalRangeError extends MarketpipeError {
  override readonly name = 'InvalidJournalRangeError' as const;
  readonly code = 'ERR_INVALID_JOURNAL_RANGE' as const;

  /** True when `err` is an {@link InvalidJournalRangeError}, from any copy of this package. */
  static is(err: unknown): err is InvalidJournalRangeError {
    return hasErrorCode(err, 'ERR_INVALID_JOURNAL_RANGE');
  }
}

/** A payload is larger than the journal can ever retain (its byte limit), so no eviction can make room. */
export class JournalPayloadTooLargeError extends MarketpipeError {
  override readonly name = 'JournalPayloadTooLargeError' as const;
  readonly code = 'ERR_JOURNAL_PAYLOAD_TOO_LARGE' as const;
  /** Size of the rejected payload in bytes. */
  readonly size: number;
  /** The largest payload the journal accepts. */
  readonly limit: number;

  constructor(size: number, limit: number, options?: ErrorOptions) {
    super(`payload of ${size} bytes exceeds the journal's limit of ${limit} bytes`, options);
    this.size = size;
    this.limit = limit;
  }

  /** True when `err` is a {@link JournalPayloadTooLargeError}, from any copy of this package. */
  static is(err: unknown): err is JournalPayloadTooLargeError {
    return hasErrorCode(err, 'ERR_JOURNAL_PAYLOAD_TOO_LARGE');
  }
}

/**
 * An append to a remote journal failed or its outcome is unknown (timeout,
 * disconnect, server error). The message may or may not be stored: retry with
 * the same {@link JournalAppendError.msgId} and the server de-duplicates it.
 */
export class JournalAppendError extends MarketpipeError {
  override readonly name = 'JournalAppendError' as const;
  readonly code = 'ERR_JOURNAL_APPEND' as const;
  /** The message id the failed attempt carried; pass it again to retry exactly once. */
  readonly msgId: string;
  /** Subject of the failed append. */
  readonly subject: string;

  constructor(subject: string, msgId: string, options?: ErrorOptions) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`append to '${subject}' (msgId ${msgId}) failed or timed out${reason}`, options);
    this.subject = subject;
    this.msgId = msgId;
  }

  /** True when `err` is a {@link JournalAppendError}, from any copy of this package. */
  static is(err: unknown): err is JournalAppendError {
    return hasErrorCode(err, 'ERR_JOURNAL_APPEND');
  }
}

/** Opening a remote journal failed: could not connect, or the stream could not be found or created. */
export class JournalOpenError extends MarketpipeError {
  override readonly name = 'JournalOpenError' as const;
  readonly code = 'ERR_JOURNAL_OPEN' as const;

  /** True when `err` is a {@link JournalOpenError}, from any copy of this package. */
  static is(err: unknown): err is JournalOpenError {
    return hasErrorCode(err, 'ERR_JOURNAL_OPEN');
  }
}
