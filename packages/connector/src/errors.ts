/**
 * The one error module of `@marketpipe/connector`: every failure kind the connector throws or reports, each with
 * a stable `MP_ERR_` code, built on middleware's {@link MarketpipeError} so `instanceof` holds across duplicate
 * package copies. Bad arguments and options throw middleware's `InvalidArgumentError`.
 */
import { InvalidArgumentError, MarketpipeError } from '@marketpipe/middleware/errors';
import type { VenueName } from './feeds/venue-feed.js';

// --- codec ---

/** Which text field of a trade an error refers to. */
export type TradeTextField = 'ticker' | 'tradeId';

/**
 * A ticker or trade id is longer, in UTF-8 bytes, than the encoder's configured
 * maximum. The cap bounds the encoder's buffer and rejects garbage early
 * (a venue never sends a kilobyte-long ticker).
 */
export class TradeTextTooLongError extends MarketpipeError {
  override readonly name = 'TradeTextTooLongError' as const;
  static readonly code = 'MP_ERR_TRADE_TEXT_TOO_LONG' as const;
  readonly code = TradeTextTooLongError.code;

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
  static readonly code = 'MP_ERR_INVALID_TRADE_FIELD' as const;
  readonly code = InvalidTradeFieldError.code;

  constructor(
    /** The offending field or argument name, e.g. `timestampNanos` or `idStart`. */
    readonly field: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`invalid ${field}: ${reason}`, options);
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
  static readonly code = 'MP_ERR_CAPNP_FORMAT' as const;
  readonly code = CapnpFormatError.code;
}

// --- order books ---

/**
 * A book update field is outside what the schema or the encoder's limits
 * accept: a time outside 0..2^64-1, a sequence that is not a non-negative safe
 * integer, a ticker longer than `maxTextBytes`, or more levels on a side than
 * `maxLevels`. Encoding it would wrap or truncate silently, so it is rejected.
 */
export class InvalidBookFieldError extends MarketpipeError {
  override readonly name = 'InvalidBookFieldError' as const;
  static readonly code = 'MP_ERR_INVALID_BOOK_FIELD' as const;
  readonly code = InvalidBookFieldError.code;

  constructor(
    /** The offending field, e.g. `sequence` or `bids`. */
    readonly field: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`invalid book ${field}: ${reason}`, options);
  }
}

// --- venue feeds ---

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
  static readonly code = 'MP_ERR_MALFORMED_VENUE_MESSAGE' as const;
  readonly code = MalformedVenueMessageError.code;

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
}

/**
 * The `simdjson` parser backend was requested but the optional native
 * `simdjson` package is not installed or its addon was not built (the
 * package then silently re-exports `JSON`, which is not what was asked for).
 */
export class SimdjsonUnavailableError extends MarketpipeError {
  override readonly name = 'SimdjsonUnavailableError' as const;
  static readonly code = 'MP_ERR_SIMDJSON_UNAVAILABLE' as const;
  readonly code = SimdjsonUnavailableError.code;

  constructor(reason: string, options?: ErrorOptions) {
    super(`the simdjson parser backend is unavailable: ${reason}`, options);
  }
}

/**
 * A simulator asked a venue format for a message the venue never sends: too
 * many (or no) trades in one message, or trades of several symbols in a
 * message that carries one symbol.
 */
export class InvalidSimBatchError extends MarketpipeError {
  override readonly name = 'InvalidSimBatchError' as const;
  static readonly code = 'MP_ERR_INVALID_SIM_BATCH' as const;
  readonly code = InvalidSimBatchError.code;

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
}

// --- ring ---

/**
 * The requested ring geometry is unusable: a value is out of range (slot size
 * and count must be powers of two), or it differs from the geometry the
 * existing ring file was created with. Reopening with another geometry would
 * reinterpret every slot boundary, so it is refused instead of guessed.
 */
export class RingGeometryError extends MarketpipeError {
  override readonly name = 'RingGeometryError' as const;
  static readonly code = 'MP_ERR_RING_GEOMETRY' as const;
  readonly code = RingGeometryError.code;
  /** Path of the ring file involved. */
  readonly path: string;

  constructor(path: string, message: string, options?: ErrorOptions) {
    super(`ring ${path}: ${message}`, options);
    this.path = path;
  }
}

/**
 * The file is not a ring this code can read: wrong magic, unknown format
 * version, inconsistent header or a size that does not match its geometry.
 * The file is left untouched so nothing a human may still need is destroyed.
 */
export class RingFormatError extends MarketpipeError {
  override readonly name = 'RingFormatError' as const;
  static readonly code = 'MP_ERR_RING_FORMAT' as const;
  readonly code = RingFormatError.code;
  /** Path of the rejected file. */
  readonly path: string;

  constructor(path: string, message: string, options?: ErrorOptions) {
    super(`ring ${path}: ${message}`, options);
    this.path = path;
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
  static readonly code = 'MP_ERR_RING_CORRUPT' as const;
  readonly code = RingCorruptError.code;
  /** Path of the ring file. */
  readonly path: string;

  constructor(path: string, message: string, options?: ErrorOptions) {
    super(`ring ${path} is corrupt: ${message}`, options);
    this.path = path;
  }
}

/**
 * A payload is larger than {@link RingBuffer.maxRecordSize}: even an empty
 * ring could never hold it, so waiting would not help. The producer counts
 * these in {@link RingBuffer.rejectedRecords}.
 */
export class RecordTooLargeError extends MarketpipeError {
  override readonly name = 'RecordTooLargeError' as const;
  static readonly code = 'MP_ERR_RECORD_TOO_LARGE' as const;
  readonly code = RecordTooLargeError.code;
  /** Size of the rejected payload in bytes. */
  readonly size: number;
  /** The largest payload the ring accepts. */
  readonly limit: number;

  constructor(size: number, limit: number, options?: ErrorOptions) {
    super(`record of ${size} bytes exceeds the ring's limit of ${limit} bytes`, options);
    this.size = size;
    this.limit = limit;
  }
}

/** The ring was closed; its mapping is gone and it accepts no more writes or reads. */
export class RingClosedError extends MarketpipeError {
  override readonly name = 'RingClosedError' as const;
  static readonly code = 'MP_ERR_RING_CLOSED' as const;
  readonly code = RingClosedError.code;

  constructor(operation: string, options?: ErrorOptions) {
    super(`ring is closed: cannot ${operation}`, options);
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
  static readonly code = 'MP_ERR_RING_BINDING' as const;
  readonly code = RingBindingError.code;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

// --- flusher and record files ---

/**
 * A venue name (or file extension) that could escape the data directory or
 * produce an ambiguous file name. Allowed: `[a-z0-9_-]+` for venues,
 * `[a-z0-9]+` for extensions, at most 64 characters.
 */
export class InvalidVenueError extends InvalidArgumentError {
  override readonly name = 'InvalidVenueError' as const;
  static override readonly code = 'MP_ERR_INVALID_VENUE' as const;
  override readonly code = InvalidVenueError.code;
}

/**
 * A file that does not start with the record-file magic or carries an
 * unsupported format version. The flusher refuses to append to it rather than
 * corrupt somebody else's file.
 */
export class RecordFileHeaderError extends MarketpipeError {
  override readonly name = 'RecordFileHeaderError' as const;
  static readonly code = 'MP_ERR_RECORD_FILE_HEADER' as const;
  readonly code = RecordFileHeaderError.code;
}

/** A day string that is not a real `YYYY-MM-DD` UTC date, or a range whose start is after its end. */
export class InvalidDayError extends InvalidArgumentError {
  override readonly name = 'InvalidDayError' as const;
  static override readonly code = 'MP_ERR_INVALID_DAY' as const;
  override readonly code = InvalidDayError.code;
}

/**
 * The flusher worker failed in a way retrying cannot fix (it could not open the
 * ring, found a foreign file, or crashed). Unwritten records stay in the ring
 * file and are flushed by the next flusher started on it.
 */
export class FlusherWorkerError extends MarketpipeError {
  override readonly name = 'FlusherWorkerError' as const;
  static readonly code = 'MP_ERR_FLUSHER_WORKER' as const;
  readonly code = FlusherWorkerError.code;
}

/**
 * `stop()` gave up waiting for the drain (typically because the disk kept
 * failing). The worker was terminated; records it had not written stay in the
 * ring file, nothing is released, and the next flusher on that ring writes them.
 */
export class FlusherStopTimeoutError extends MarketpipeError {
  override readonly name = 'FlusherStopTimeoutError' as const;
  static readonly code = 'MP_ERR_FLUSHER_STOP_TIMEOUT' as const;
  readonly code = FlusherStopTimeoutError.code;
}

// --- message sources ---

/**
 * A method called in a state that cannot honour it: `start()` twice or after
 * `stop()`, reading a simulator's `url` before it listens. A source is
 * single-use so that its counters and `done` promise describe one run.
 */
export class SourceStateError extends MarketpipeError {
  override readonly name = 'SourceStateError' as const;
  static readonly code = 'MP_ERR_SOURCE_STATE' as const;
  readonly code = SourceStateError.code;
}

/**
 * The WebSocket failed: refused or timed-out handshake, an HTTP status instead
 * of an upgrade, a protocol violation, a socket error. The original `ws` or
 * socket error is the `cause`. The source reconnects by itself.
 */
export class SourceConnectionError extends MarketpipeError {
  override readonly name = 'SourceConnectionError' as const;
  static readonly code = 'MP_ERR_SOURCE_CONNECTION' as const;
  readonly code = SourceConnectionError.code;
}

/**
 * The `onMessage` handler threw. The source catches it so that a bug in one
 * message's handling cannot kill the connection or the replay; the thrown
 * value is the `cause`, and the source carries on with the next message.
 */
export class MessageHandlerError extends MarketpipeError {
  override readonly name = 'MessageHandlerError' as const;
  static readonly code = 'MP_ERR_MESSAGE_HANDLER' as const;
  readonly code = MessageHandlerError.code;
}

/** The replay file could not be opened or read; the file-system error is the `cause`. */
export class ReplayFileError extends MarketpipeError {
  override readonly name = 'ReplayFileError' as const;
  static readonly code = 'MP_ERR_REPLAY_FILE' as const;
  readonly code = ReplayFileError.code;
}

/**
 * A replay line grew past `maxLineBytes` without a newline: most likely not a
 * line file at all (a binary record file given by mistake), so the replay
 * stops instead of buffering the whole file in memory.
 */
export class ReplayLineTooLongError extends MarketpipeError {
  override readonly name = 'ReplayLineTooLongError' as const;
  static readonly code = 'MP_ERR_REPLAY_LINE_TOO_LONG' as const;
  readonly code = ReplayLineTooLongError.code;
}

/** The simulator's file log could not be opened or written; the file-system error is the `cause`. */
export class SimulatorLogError extends MarketpipeError {
  override readonly name = 'SimulatorLogError' as const;
  static readonly code = 'MP_ERR_SIMULATOR_LOG' as const;
  readonly code = SimulatorLogError.code;
}

// --- runner ---

/** What the holder tells a process that finds the lock taken. */
export interface VenueLockHolder {
  pid: number;
  /** Wall-clock start of the hold, ISO 8601. */
  since: string;
}

/**
 * Another live process writes this venue's ring and day files in this data
 * dir. `holder` is what that process answered (undefined when it did not
 * answer in time, e.g. its event loop was blocked).
 */
export class VenueLockedError extends MarketpipeError {
  override readonly name = 'VenueLockedError' as const;
  static readonly code = 'MP_ERR_VENUE_LOCKED' as const;
  readonly code = VenueLockedError.code;
  /** The data dir, as given. */
  readonly dataDir: string;
  /** The venue whose files are in use. */
  readonly venue: string;
  /** The process holding the lock, when it answered. */
  readonly holder: VenueLockHolder | undefined;

  constructor(dataDir: string, venue: string, holder: VenueLockHolder | undefined) {
    const who = holder === undefined ? 'another process (it did not say its pid)' : `pid ${holder.pid}`;
    const since = holder === undefined ? '' : ` since ${holder.since}`;
    super(
      `data dir ${dataDir} is in use for venue ${venue} by ${who}${since}: ` +
        'one process per data dir and venue; stop it, or use another --data-dir',
    );
    this.dataDir = dataDir;
    this.venue = venue;
    this.holder = holder;
  }
}

/** The data dir (or a folder it needs) cannot be created or written: read-only filesystem or no permission. */
export class DataDirNotWritableError extends MarketpipeError {
  override readonly name = 'DataDirNotWritableError' as const;
  static readonly code = 'MP_ERR_DATA_DIR_NOT_WRITABLE' as const;
  readonly code = DataDirNotWritableError.code;
  /** The folder that could not be made or written. */
  readonly path: string;
  /** The existing folder that refused writing (the folder itself, or its nearest existing parent). */
  readonly refusedBy: string;
  /** The system error code of the write check, e.g. `EROFS` or `EACCES`. */
  readonly reason: string;

  constructor(path: string, refusedBy: string, reason: string, options?: ErrorOptions) {
    const where = refusedBy === path ? '' : ` (${refusedBy} refuses writes)`;
    const why = reason === 'EROFS' ? 'read-only filesystem' : 'permission denied';
    super(`data dir ${path} is not writable${where}: ${why} (${reason})`, options);
    this.path = path;
    this.refusedBy = refusedBy;
    this.reason = reason;
  }
}

/**
 * The system refused a thread placement the pipeline was asked for (`PipelineOptions.cpus`): CPU affinity
 * is Linux-only (`ENOSYS` elsewhere), or `sched_setaffinity` failed (`EINVAL`: none of the CPUs can be used, e.g.
 * outside the process's cpuset; `EPERM`). CPUs that are not in the thread's allowed set are refused earlier, as an
 * `InvalidArgumentError`.
 */
export class CpuPlacementError extends MarketpipeError {
  override readonly name = 'CpuPlacementError' as const;
  static readonly code = 'MP_ERR_CPU_PLACEMENT' as const;
  readonly code = CpuPlacementError.code;
  /** The system error code, e.g. `ENOSYS`, `EINVAL` or `EPERM`. */
  readonly reason: string;

  constructor(message: string, reason: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

// --- publisher ---

/** An `env` or `venue` name that cannot be a subject token. */
export class InvalidNameError extends InvalidArgumentError {
  override readonly name = 'InvalidNameError' as const;
  static override readonly code = 'MP_ERR_INVALID_NAME' as const;
  override readonly code = InvalidNameError.code;
  /** Which name was rejected. */
  readonly kind: 'env' | 'venue';

  constructor(kind: 'env' | 'venue', value: string) {
    super(`invalid ${kind} name ${JSON.stringify(value)}: use 1-64 characters from [a-z0-9_-]`, {
      argument: kind,
    });
    this.kind = kind;
  }
}

/** Two different tickers map to the same subject token; the later one is not published. */
export class SubjectCollisionError extends MarketpipeError {
  override readonly name = 'SubjectCollisionError' as const;
  static readonly code = 'MP_ERR_SUBJECT_COLLISION' as const;
  readonly code = SubjectCollisionError.code;
  /** The subject both tickers map to. */
  readonly subject: string;
  /** The ticker that owns the subject (seen first). */
  readonly owner: string;
  /** The ticker that was refused. */
  readonly ticker: string;

  constructor(subject: string, owner: string, ticker: string) {
    super(
      `tickers ${JSON.stringify(owner)} and ${JSON.stringify(ticker)} both map to subject ${subject}; ` +
        `trades of ${JSON.stringify(ticker)} are not published`,
    );
    this.subject = subject;
    this.owner = owner;
    this.ticker = ticker;
  }
}
