/**
 * The one error module of `@marketpipe/middleware`, and the base every marketpipe package builds on.
 *
 * Each failure kind is its own class with a string-literal `name`, a stable `code` (prefixed `MP_ERR_`) and the
 * `cause` passed through. `instanceof` works even when two copies of a package are installed side by side: the
 * check looks for a process-wide `Symbol.for` brand and the class's code, not for one copy's prototype (the way
 * undici's errors do it). This module stays free of NATS and of any other heavy import: the CLI loads it at
 * start-up.
 */
import type { SubjectProblem } from './transport/subject.js';

// The reason type of InvalidSubjectError, so that the `/errors` entry describes its classes on its own.
export type { SubjectProblem };

const kMarketpipeError = Symbol.for('marketpipe.error');

/** The static side of a concrete error class: its stable code. */
interface CodedClass {
  readonly code?: unknown;
}

/**
 * Base class for every typed marketpipe error.
 *
 * A concrete subclass declares its code twice, as `static readonly code` (what `instanceof` compares) and as the
 * instance's `code`. `err instanceof SomeError` is then true for an error thrown by any copy of the package that
 * declares the same code.
 *
 * @example
 * ```ts
 * try { transport.publish('a..b', payload); }
 * catch (err) { if (err instanceof InvalidSubjectError) console.error(err.message); }
 * ```
 */
export abstract class MarketpipeError extends Error {
  /** Stable machine-readable code, e.g. `MP_ERR_INVALID_SUBJECT`. Never changes between releases. */
  abstract readonly code: string;

  /** Brand-and-code check that holds across duplicate package copies (see the module comment). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class `instanceof` was asked about, not the base.
    return isMarketpipeInstance(this, value);
  }
}
// The brand lives on the prototype (no per-error cost) and on the class (to recognise the base of any copy).
Object.defineProperty(MarketpipeError.prototype, kMarketpipeError, { value: true });
Object.defineProperty(MarketpipeError, kMarketpipeError, { value: true });

function isMarketpipeInstance(type: object, value: unknown): boolean {
  if (typeof value !== 'object' || value === null || !(kMarketpipeError in value)) return false;
  if (!Object.hasOwn(type, 'code'))
    return Object.hasOwn(type, kMarketpipeError) || isPrototypeInstance(type, value);
  for (let proto = Object.getPrototypeOf(value); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const owner = (proto as { constructor?: CodedClass }).constructor;
    if (owner !== undefined && Object.hasOwn(owner, 'code') && owner.code === (type as CodedClass).code)
      return true;
  }
  return false;
}

// An abstract intermediate class has no code of its own: fall back to the ordinary prototype check.
function isPrototypeInstance(type: object, value: object): boolean {
  const prototype = (type as { prototype?: unknown }).prototype;
  return (
    typeof prototype === 'object' &&
    prototype !== null &&
    Object.prototype.isPrototypeOf.call(prototype, value)
  );
}

/**
 * True when `err` is an object carrying the given `code`: a marketpipe error or a Node system error (`EADDRINUSE`).
 *
 * @example
 * ```ts
 * catch (err) { if (hasErrorCode(err, 'ENOENT')) return undefined; }
 * ```
 */
export function hasErrorCode<C extends string>(err: unknown, code: C): err is Error & { code: C } {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

/** The code of {@link InvalidArgumentError} (`MP_ERR_INVALID_ARGUMENT`) or of a narrower error that extends it. */
export type InvalidArgumentCode = `MP_ERR_INVALID_${string}`;

/** Options of {@link InvalidArgumentError}. */
export interface InvalidArgumentOptions extends ErrorOptions {
  /** Name of the rejected argument or option, e.g. `maxEntries` or `start.sequence`. */
  argument?: string;
}

/**
 * Thrown when a caller passes a value outside what an API accepts: a bad constructor option, a byte range that
 * does not fit its buffer, a percentile outside 0..100, a negative clock step, an unknown venue.
 *
 * It signals a programming or configuration error, so callers normally let it propagate instead of handling it.
 * The shared validators ({@link checkInteger}, {@link checkNumber}, {@link checkOneOf}) throw it with a uniform
 * message.
 *
 * @example
 * ```ts
 * try { new Interner({ maxEntries: 0 }); }
 * catch (err) { if (err instanceof InvalidArgumentError) console.error(err.argument, err.message); }
 * ```
 */
export class InvalidArgumentError extends MarketpipeError {
  // Widened so that a narrower bad-argument error (`InvalidVenueError`, code `MP_ERR_INVALID_VENUE`) can extend
  // this class: `instanceof InvalidArgumentError` then catches the whole family.
  override readonly name: `Invalid${string}Error` = 'InvalidArgumentError';
  static readonly code: InvalidArgumentCode = 'MP_ERR_INVALID_ARGUMENT';
  readonly code: InvalidArgumentCode = InvalidArgumentError.code;
  /** Name of the rejected argument, when the thrower named it. */
  readonly argument: string | undefined;

  constructor(message: string, options?: InvalidArgumentOptions) {
    super(message, options);
    this.argument = options?.argument;
  }
}

/**
 * A subject or subscription pattern breaks the NATS subject rules. Raised
 * before anything is sent, so a rejected publish has no side effect.
 */
export class InvalidSubjectError extends MarketpipeError {
  override readonly name = 'InvalidSubjectError' as const;
  static readonly code = 'MP_ERR_INVALID_SUBJECT' as const;
  readonly code = InvalidSubjectError.code;
  /** The rejected subject, verbatim. */
  readonly subject: string;
  /** Which rule was broken. */
  readonly reason: SubjectProblem;

  constructor(subject: string, reason: SubjectProblem, options?: ErrorOptions) {
    super(`invalid subject ${JSON.stringify(subject)}: ${reason}`, options);
    this.subject = subject;
    this.reason = reason;
  }
}

/** The transport was closed (by the caller or for good by the client); it accepts no more work. */
export class TransportClosedError extends MarketpipeError {
  override readonly name = 'TransportClosedError' as const;
  static readonly code = 'MP_ERR_TRANSPORT_CLOSED' as const;
  readonly code = TransportClosedError.code;

  constructor(operation: string, options?: ErrorOptions) {
    super(`transport is closed: cannot ${operation}`, options);
  }
}

/**
 * A payload is larger than the broker accepts (NATS `max_payload`). Raised at
 * publish time rather than discovered when replaying after an outage.
 */
export class PayloadTooLargeError extends MarketpipeError {
  override readonly name = 'PayloadTooLargeError' as const;
  static readonly code = 'MP_ERR_PAYLOAD_TOO_LARGE' as const;
  readonly code = PayloadTooLargeError.code;
  /** Size of the rejected payload in bytes. */
  readonly size: number;
  /** Largest accepted payload in bytes. */
  readonly limit: number;

  constructor(size: number, limit: number, options?: ErrorOptions) {
    super(`payload of ${size} bytes exceeds the ${limit}-byte limit`, options);
    this.size = size;
    this.limit = limit;
  }
}

/** The first connection to the broker could not be established. */
export class TransportConnectError extends MarketpipeError {
  override readonly name = 'TransportConnectError' as const;
  static readonly code = 'MP_ERR_TRANSPORT_CONNECT' as const;
  readonly code = TransportConnectError.code;

  constructor(description: string, options?: ErrorOptions) {
    super(`could not connect to ${description}`, options);
  }
}

/**
 * A publish subject that no subject of the transport's stream captures.
 * JetStream would answer such a publish with "no responders" forever, which
 * the transport cannot tell apart from a recovering server, so it is refused
 * up front with nothing sent.
 */
export class SubjectNotInStreamError extends MarketpipeError {
  override readonly name = 'SubjectNotInStreamError' as const;
  static readonly code = 'MP_ERR_SUBJECT_NOT_IN_STREAM' as const;
  readonly code = SubjectNotInStreamError.code;
  /** The rejected subject, verbatim. */
  readonly subject: string;
  /** Name of the stream the transport publishes into. */
  readonly stream: string;

  constructor(subject: string, stream: string, options?: ErrorOptions) {
    super(`subject ${JSON.stringify(subject)} is not captured by stream '${stream}'`, options);
    this.subject = subject;
    this.stream = stream;
  }
}

/**
 * The stream's subjects do not capture every subject the caller will publish
 * on (see {@link JetStreamTransportOptions.requireSubjects}). Raised by
 * `connect`, so such a stream is refused at start rather than failing every
 * publish.
 */
export class StreamSubjectsError extends MarketpipeError {
  override readonly name = 'StreamSubjectsError' as const;
  static readonly code = 'MP_ERR_STREAM_SUBJECTS' as const;
  readonly code = StreamSubjectsError.code;
  /** Name of the stream. */
  readonly stream: string;
  /** The stream's configured subjects. */
  readonly streamSubjects: readonly string[];
  /** The required patterns no stream subject captures. */
  readonly uncaptured: readonly string[];

  constructor(stream: string, streamSubjects: readonly string[], uncaptured: readonly string[]) {
    super(
      `stream '${stream}' (subjects ${JSON.stringify(streamSubjects)}) does not capture ` +
        `${uncaptured.join(', ')}; every publish there would fail. Add the subjects to the stream, or use another stream`,
    );
    this.stream = stream;
    this.streamSubjects = streamSubjects;
    this.uncaptured = uncaptured;
  }
}

/**
 * The requested sequence was appended once but retention (max messages, bytes
 * or age) has evicted it. Raised instead of silently starting later so a
 * replaying consumer knows it has a gap.
 */
export class SequenceEvictedError extends MarketpipeError {
  override readonly name = 'SequenceEvictedError' as const;
  static readonly code = 'MP_ERR_SEQUENCE_EVICTED' as const;
  readonly code = SequenceEvictedError.code;
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
}

/** The journal was closed; it accepts no appends, reads or new iterators. */
export class JournalClosedError extends MarketpipeError {
  override readonly name = 'JournalClosedError' as const;
  static readonly code = 'MP_ERR_JOURNAL_CLOSED' as const;
  readonly code = JournalClosedError.code;

  constructor(operation: string, options?: ErrorOptions) {
    super(`journal is closed: cannot ${operation}`, options);
  }
}

/** A payload is larger than the journal can ever retain (its byte limit), so no eviction can make room. */
export class JournalPayloadTooLargeError extends MarketpipeError {
  override readonly name = 'JournalPayloadTooLargeError' as const;
  static readonly code = 'MP_ERR_JOURNAL_PAYLOAD_TOO_LARGE' as const;
  readonly code = JournalPayloadTooLargeError.code;
  /** Size of the rejected payload in bytes. */
  readonly size: number;
  /** The largest payload the journal accepts. */
  readonly limit: number;

  constructor(size: number, limit: number, options?: ErrorOptions) {
    super(`payload of ${size} bytes exceeds the journal's limit of ${limit} bytes`, options);
    this.size = size;
    this.limit = limit;
  }
}

/**
 * An append to a remote journal failed or its outcome is unknown (timeout,
 * disconnect, server error). The message may or may not be stored: retry with
 * the same {@link JournalAppendError.msgId} and the server de-duplicates it.
 */
export class JournalAppendError extends MarketpipeError {
  override readonly name = 'JournalAppendError' as const;
  static readonly code = 'MP_ERR_JOURNAL_APPEND' as const;
  readonly code = JournalAppendError.code;
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
}

/** Opening a remote journal failed: could not connect, or the stream could not be found or created. */
export class JournalOpenError extends MarketpipeError {
  override readonly name = 'JournalOpenError' as const;
  static readonly code = 'MP_ERR_JOURNAL_OPEN' as const;
  readonly code = JournalOpenError.code;
}

/** Which bound of an {@link Interner} was reached. */
export type InternerLimit = 'entries' | 'bytes';

/**
 * Thrown by `Interner.intern`/`internBytes` when a new entry would exceed `maxEntries` or `maxBytes`.
 *
 * The interner is left unchanged, so ids already handed out stay valid and lookups keep working; only new
 * symbols are refused. A feed that hits this is usually receiving garbage instead of tickers.
 */
export class InternerFullError extends MarketpipeError {
  override readonly name = 'InternerFullError' as const;
  static readonly code = 'MP_ERR_INTERNER_FULL' as const;
  readonly code = InternerFullError.code;
  /** The bound that was reached. */
  readonly limit: InternerLimit;
  /** The configured value of that bound. */
  readonly max: number;

  constructor(limit: InternerLimit, max: number, options?: ErrorOptions) {
    super(`interner is full: ${limit === 'entries' ? 'maxEntries' : 'maxBytes'} = ${max} reached`, options);
    this.limit = limit;
    this.max = max;
  }
}

/** Thrown by `Interner.resolve` for an id that this interner never handed out. */
export class UnknownInternIdError extends MarketpipeError {
  override readonly name = 'UnknownInternIdError' as const;
  static readonly code = 'MP_ERR_UNKNOWN_INTERN_ID' as const;
  readonly code = UnknownInternIdError.code;
  /** The id that was asked for. */
  readonly id: number;

  constructor(id: number, options?: ErrorOptions) {
    super(`unknown intern id: ${id}`, options);
    this.id = id;
  }
}

/**
 * Thrown when a symbol is not valid Unicode text: invalid UTF-8 bytes, or a string with a lone surrogate.
 *
 * Refusing both keeps the byte form and the string form of every entry in one-to-one correspondence, so
 * `intern(s)` and `internBytes(utf8(s))` can never disagree.
 */
export class InvalidUnicodeError extends MarketpipeError {
  override readonly name = 'InvalidUnicodeError' as const;
  static readonly code = 'MP_ERR_INVALID_UNICODE' as const;
  readonly code = InvalidUnicodeError.code;
}
