/**
 * The failure kinds of the memory-mapped ring. Each has a stable `code` and a
 * static `is` guard that matches by code, so checks keep working when two
 * copies of this package are loaded side by side.
 */
import { hasErrorCode, MarketpipeError } from '@marketpipe/middleware/errors';

/**
 * The requested ring geometry is unusable: a value is out of range (slot size
 * and count must be powers of two), or it differs from the geometry the
 * existing ring file was created with. Reopening with another geometry would
 * reinterpret every slot boundary, so it is refused instead of guessed.
 */
export class RingGeometryError extends MarketpipeError {
  override readonly name = 'RingGeometryError' as const;
  readonly code = 'ERR_RING_GEOMETRY' as const;
  /** Path of the ring file involved. */
  readonly path: string;

  constructor(path: string, message: string, options?: ErrorOptions) {
    super(`ring ${path}: ${message}`, options);
    this.path = path;
  }

  /** True when `err` is a {@link RingGeometryError}, from any copy of this package. */
  static is(err: unknown): err is RingGeometryError {
    return hasErrorCode(err, 'ERR_RING_GEOMETRY');
  }
}

/**
 * The file is not a ring this code can read: wrong magic, unknown format
 * version, inconsistent header or a size that does not match its geometry.
 * The file is left untouched so nothing a human may still need is destroyed.
 */
export class RingFormatError extends MarketpipeError {
  override readonly name = 'RingFormatError' as const;
  readonly code = 'ERR_RING_FORMAT' as const;
  /** Path of the rejected file. */
  readonly path: string;

  constructor(path: string, message: string, options?: ErrorOptions) {
    super(`ring ${path}: ${message}`, options);
    this.path = path;
  }

  /** True when `err` is a {@link RingFormatError}, from any copy of this package. */
  static is(err: unknown): err is RingFormatError {
    return hasErrorCode(err, 'ERR_RING_FORMAT');
  }
}

/**
 * A committed record violates the frame rules (impossible length, wrong
 * sequence number, padding in the wrong place). The commit protocol never
 * produces this, so it means the file was modified by something else or two
 * producers (or two consumers) used the ring at once.
 */
export class RingCorruptError extends MarketpipeError {
  override readonly name = 'RingCorruptError' as const;
  readonly code = 'ERR_RING_CORRUPT' as const;
  /** Path of the ring file. */
  readonly path: string;

  constructor(path: string, message: string, options?: ErrorOptions) {
    super(`ring ${path} is corrupt: ${message}`, options);
    this.path = path;
  }

  /** True when `err` is a {@link RingCorruptError}, from any copy of this package. */
  static is(err: unknown): err is RingCorruptError {
    return hasErrorCode(err, 'ERR_RING_CORRUPT');
  }
}

/**
 * A payload is larger than {@link RingBuffer.maxRecordSize}: even an empty
 * ring could never hold it, so waiting would not help. The producer counts
 * these in {@link RingBuffer.rejectedRecords}.
 */
export class RecordTooLargeError extends MarketpipeError {
  override readonly name = 'RecordTooLargeError' as const;
  readonly code = 'ERR_RECORD_TOO_LARGE' as const;
  /** Size of the rejected payload in bytes. */
  readonly size: number;
  /** The largest payload the ring accepts. */
  readonly limit: number;

  constructor(size: number, limit: number, options?: ErrorOptions) {
    super(`record of ${size} bytes exceeds the ring's limit of ${limit} bytes`, options);
    this.size = size;
    this.limit = limit;
  }

  /** True when `err` is a {@link RecordTooLargeError}, from any copy of this package. */
  static is(err: unknown): err is RecordTooLargeError {
    return hasErrorCode(err, 'ERR_RECORD_TOO_LARGE');
  }
}

/**
 * An argument is out of range: a negative or non-integer count, a `start`/`end`
 * outside the source array, or `release(count)` asking for more records than
 * are committed at the consumer position. A caller bug, never retryable.
 */
export class RingArgumentError extends MarketpipeError {
  override readonly name = 'RingArgumentError' as const;
  readonly code = 'ERR_RING_ARGUMENT' as const;

  /** True when `err` is a {@link RingArgumentError}, from any copy of this package. */
  static is(err: unknown): err is RingArgumentError {
    return hasErrorCode(err, 'ERR_RING_ARGUMENT');
  }
}

/** The ring was closed; its mapping is gone and it accepts no more writes or reads. */
export class RingClosedError extends MarketpipeError {
  override readonly name = 'RingClosedError' as const;
  readonly code = 'ERR_RING_CLOSED' as const;

  constructor(operation: string, options?: ErrorOptions) {
    super(`ring is closed: cannot ${operation}`, options);
  }

  /** True when `err` is a {@link RingClosedError}, from any copy of this package. */
  static is(err: unknown): err is RingClosedError {
    return hasErrorCode(err, 'ERR_RING_CLOSED');
  }
}

/**
 * The native memory-map binding could not be loaded: no prebuilt binary fits
 * this platform and none was compiled at install (that needs python3, make and
 * a C++ compiler). Nothing was mapped; reinstalling with those tools present
 * builds it.
 */
export class RingBindingError extends MarketpipeError {
  override readonly name = 'RingBindingError' as const;
  readonly code = 'ERR_RING_BINDING' as const;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }

  /** True when `err` is a {@link RingBindingError}, from any copy of this package. */
  static is(err: unknown): err is RingBindingError {
    return hasErrorCode(err, 'ERR_RING_BINDING');
  }
}
