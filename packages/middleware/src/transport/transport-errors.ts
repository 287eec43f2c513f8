/**
 * Typed failures raised by every {@link Transport} implementation.
 *
 * Each kind has its own class and stable `code` so callers can branch on the
 * code (or the static `is` guard) without `instanceof`, which fails when two
 * copies of this package are installed.
 */
import { hasErrorCode, MarketpipeError } from '../errors.js';
import type { SubjectProblem } from './subject.js';

/**
 * A subject or subscription pattern breaks the NATS subject rules. Raised
 * before anything is sent, so a rejected publish has no side effect.
 */
export class InvalidSubjectError extends MarketpipeError {
  override readonly name = 'InvalidSubjectError' as const;
  readonly code = 'ERR_INVALID_SUBJECT' as const;
  /** The rejected subject, verbatim. */
  readonly subject: string;
  /** Which rule was broken. */
  readonly reason: SubjectProblem;

  constructor(subject: string, reason: SubjectProblem, options?: ErrorOptions) {
    super(`invalid subject ${JSON.stringify(subject)}: ${reason}`, options);
    this.subject = subject;
    this.reason = reason;
  }

  /** Code-based guard that also works across duplicate package copies. */
  static is(err: unknown): err is InvalidSubjectError {
    return hasErrorCode(err, 'ERR_INVALID_SUBJECT');
  }
}

/** The transport was closed (by the caller or for good by the client); it accepts no more work. */
export class TransportClosedError extends MarketpipeError {
  override readonly name = 'TransportClosedError' as const;
  readonly code = 'ERR_TRANSPORT_CLOSED' as const;

  constructor(operation: string, options?: ErrorOptions) {
    super(`transport is closed: cannot ${operation}`, options);
  }

  /** Code-based guard that also works across duplicate package copies. */
  static is(err: unknown): err is TransportClosedError {
    return hasErrorCode(err, 'ERR_TRANSPORT_CLOSED');
  }
}

/**
 * A payload is larger than the broker accepts (NATS `max_payload`). Raised at
 * publish time rather than discovered when replaying after an outage.
 */
export class PayloadTooLargeError extends MarketpipeError {
  override readonly name = 'PayloadTooLargeError' as const;
  readonly code = 'ERR_PAYLOAD_TOO_LARGE' as const;
  /** Size of the rejected payload in bytes. */
  readonly size: number;
  /** Largest accepted payload in bytes. */
  readonly limit: number;

  constructor(size: number, limit: number, options?: ErrorOptions) {
    super(`payload of ${size} bytes exceeds the ${limit}-byte limit`, options);
    this.size = size;
    this.limit = limit;
  }

  /** Code-based guard that also works across duplicate package copies. */
  static is(err: unknown): err is PayloadTooLargeError {
    return hasErrorCode(err, 'ERR_PAYLOAD_TOO_LARGE');
  }
}

/** The first connection to the broker could not be established. */
export class TransportConnectError extends MarketpipeError {
  override readonly name = 'TransportConnectError' as const;
  readonly code = 'ERR_TRANSPORT_CONNECT' as const;

  constructor(description: string, options?: ErrorOptions) {
    super(`could not connect to ${description}`, options);
  }

  /** Code-based guard that also works across duplicate package copies. */
  static is(err: unknown): err is TransportConnectError {
    return hasErrorCode(err, 'ERR_TRANSPORT_CONNECT');
  }
}
