/**
 * Typed failures of the message sources (live WebSocket, replay file,
 * simulator). Each kind has a stable `code`; test with the static `is` guard,
 * not `instanceof`. Runtime trouble on a live connection is never thrown: it
 * reaches the caller as an `error` event carrying one of these.
 */
import { hasErrorCode, MarketpipeError } from '@marketpipe/middleware';

/** An option out of range (negative rate, zero interval, base delay above the maximum...). */
export class SourceOptionsError extends MarketpipeError {
  override readonly name = 'SourceOptionsError' as const;
  readonly code = 'ERR_SOURCE_OPTIONS' as const;

  /** True when `err` carries this error's code, across package copies. */
  static is(err: unknown): err is SourceOptionsError {
    return hasErrorCode(err, 'ERR_SOURCE_OPTIONS');
  }
}

/**
 * A method called in a state that cannot honour it: `start()` twice or after
 * `stop()`, reading a simulator's `url` before it listens. A source is
 * single-use so that its counters and `done` promise describe one run.
 */
export class SourceStateError extends MarketpipeError {
  override readonly name = 'SourceStateError' as const;
  readonly code = 'ERR_SOURCE_STATE' as const;

  /** True when `err` carries this error's code, across package copies. */
  static is(err: unknown): err is SourceStateError {
    return hasErrorCode(err, 'ERR_SOURCE_STATE');
  }
}

/**
 * The WebSocket failed: refused or timed-out handshake, an HTTP status instead
 * of an upgrade, a protocol violation, a socket error. The original `ws` or
 * socket error is the `cause`. The source reconnects by itself.
 */
export class SourceConnectionError extends MarketpipeError {
  override readonly name = 'SourceConnectionError' as const;
  readonly code = 'ERR_SOURCE_CONNECTION' as const;

  /** True when `err` carries this error's code, across package copies. */
  static is(err: unknown): err is SourceConnectionError {
    return hasErrorCode(err, 'ERR_SOURCE_CONNECTION');
  }
}

/**
 * The `onMessage` handler threw. The source catches it so that a bug in one
 * message's handling cannot kill the connection or the replay; the thrown
 * value is the `cause`, and the source carries on with the next message.
 */
export class MessageHandlerError extends MarketpipeError {
  override readonly name = 'MessageHandlerError' as const;
  readonly code = 'ERR_MESSAGE_HANDLER' as const;

  /** True when `err` carries this error's code, across package copies. */
  static is(err: unknown): err is MessageHandlerError {
    return hasErrorCode(err, 'ERR_MESSAGE_HANDLER');
  }
}

/** The replay file could not be opened or read; the file-system error is the `cause`. */
export class ReplayFileError extends MarketpipeError {
  override readonly name = 'ReplayFileError' as const;
  readonly code = 'ERR_REPLAY_FILE' as const;

  /** True when `err` carries this error's code, across package copies. */
  static is(err: unknown): err is ReplayFileError {
    return hasErrorCode(err, 'ERR_REPLAY_FILE');
  }
}

/**
 * A replay line grew past `maxLineBytes` without a newline: most likely not a
 * line file at all (a binary record file given by mistake), so the replay
 * stops instead of buffering the whole file in memory.
 */
export class ReplayLineTooLongError extends MarketpipeError {
  override readonly name = 'ReplayLineTooLongError' as const;
  readonly code = 'ERR_REPLAY_LINE_TOO_LONG' as const;

  /** True when `err` carries this error's code, across package copies. */
  static is(err: unknown): err is ReplayLineTooLongError {
    return hasErrorCode(err, 'ERR_REPLAY_LINE_TOO_LONG');
  }
}

/** The simulator's file log could not be opened or written; the file-system error is the `cause`. */
export class SimulatorLogError extends MarketpipeError {
  override readonly name = 'SimulatorLogError' as const;
  readonly code = 'ERR_SIMULATOR_LOG' as const;

  /** True when `err` carries this error's code, across package copies. */
  static is(err: unknown): err is SimulatorLogError {
    return hasErrorCode(err, 'ERR_SIMULATOR_LOG');
  }
}
