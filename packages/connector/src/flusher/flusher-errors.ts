/**
 * Typed failures of the disk flusher and the record-file reader. Each kind has
 * a stable `code`; test with the static `is` guard, not `instanceof`.
 */
import { hasErrorCode, MarketpipeError } from '@marketpipe/middleware/errors';

/**
 * A venue name (or file extension) that could escape the data directory or
 * produce an ambiguous file name. Allowed: `[a-z0-9_-]+` for venues,
 * `[a-z0-9]+` for extensions, at most 64 characters.
 */
export class InvalidVenueError extends MarketpipeError {
  override readonly name = 'InvalidVenueError' as const;
  readonly code = 'ERR_INVALID_VENUE' as const;

  /** True when `err` carries this error's code, across package copies. */
  static is(err: unknown): err is InvalidVenueError {
    return hasErrorCode(err, 'ERR_INVALID_VENUE');
  }
}

/**
 * A file that does not start with the record-file magic or carries an
 * unsupported format version. The flusher refuses to append to it rather than
 * corrupt somebody else's file.
 */
export class RecordFileHeaderError extends MarketpipeError {
  override readonly name = 'RecordFileHeaderError' as const;
  readonly code = 'ERR_RECORD_FILE_HEADER' as const;

  /** True when `err` carries this error's code, across package copies. */
  static is(err: unknown): err is RecordFileHeaderError {
    return hasErrorCode(err, 'ERR_RECORD_FILE_HEADER');
  }
}

/** A day string that is not a real `YYYY-MM-DD` UTC date, or a range whose start is after its end. */
export class InvalidDayError extends MarketpipeError {
  override readonly name = 'InvalidDayError' as const;
  readonly code = 'ERR_INVALID_DAY' as const;

  /** True when `err` carries this error's code, across package copies. */
  static is(err: unknown): err is InvalidDayError {
    return hasErrorCode(err, 'ERR_INVALID_DAY');
  }
}

/**
 * The flusher worker failed in a way retrying cannot fix (it could not open the
 * ring, found a foreign file, or crashed). Unwritten records stay in the ring
 * file and are flushed by the next flusher started on it.
 */
export class FlusherWorkerError extends MarketpipeError {
  override readonly name = 'FlusherWorkerError' as const;
  readonly code = 'ERR_FLUSHER_WORKER' as const;

  /** True when `err` carries this error's code, across package copies. */
  static is(err: unknown): err is FlusherWorkerError {
    return hasErrorCode(err, 'ERR_FLUSHER_WORKER');
  }
}

/**
 * `stop()` gave up waiting for the drain (typically because the disk kept
 * failing). The worker was terminated; records it had not written stay in the
 * ring file, nothing is released, and the next flusher on that ring writes them.
 */
export class FlusherStopTimeoutError extends MarketpipeError {
  override readonly name = 'FlusherStopTimeoutError' as const;
  readonly code = 'ERR_FLUSHER_STOP_TIMEOUT' as const;

  /** True when `err` carries this error's code, across package copies. */
  static is(err: unknown): err is FlusherStopTimeoutError {
    return hasErrorCode(err, 'ERR_FLUSHER_STOP_TIMEOUT');
  }
}
