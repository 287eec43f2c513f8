/**
 * The contract between a source of raw venue messages (live WebSocket,
 * recorded line file, simulator client) and the runner that records and
 * parses them.
 *
 * Messages take the fast lane: one synchronous callback per WebSocket frame or
 * file line with a byte view that is only valid during the call, so a source
 * never copies. Everything else (connection changes, staleness, errors) takes
 * the slow lane as events, and the counters are read on demand with
 * `status()`.
 */

/**
 * Receives one raw venue message. `bytes` is a view into the source's own
 * buffer, valid only until the handler returns: copy what must outlive it.
 * (Middleware's `MessageHandler` is the other end: a transport subscriber's.)
 */
export type RawMessageHandler = (bytes: Uint8Array) => void;

/**
 * Life cycle of a source.
 * - `idle`: created, not started.
 * - `connecting`: opening a WebSocket (live sources).
 * - `running`: delivering messages (connection open, or file being read).
 * - `backoff`: waiting before the next connection attempt (live sources).
 * - `stopping`: `stop()` was called and is closing the connection or file.
 * - `stopped`: `stop()` finished.
 * - `done`: a finite source delivered its last message.
 * - `failed`: a finite source could not go on (unreadable file).
 */
export type SourceState =
  | 'idle'
  | 'connecting'
  | 'running'
  | 'backoff'
  | 'stopping'
  | 'stopped'
  | 'done'
  | 'failed';

/** Counters every source keeps; each source adds its own (see its status type). */
export interface SourceStatus {
  state: SourceState;
  /** Messages handed to the `onMessage` handler. */
  messages: number;
  /** Bytes of those messages. */
  bytes: number;
  /** Error events emitted (connection errors, handler errors, file errors). */
  errors: number;
  /** Times the `onMessage` handler threw (each also counted in `errors`). */
  handlerErrors: number;
}

/** How a source's run ended, the value of its `done` promise. */
export interface SourceEnd {
  /** `end`: a finite source reached its end; `stopped`: `stop()` was called; `error`: it could not go on. */
  reason: 'end' | 'stopped' | 'error';
  /** What made it fail, when `reason` is `error`. */
  error?: Error;
}

/**
 * Slow-lane notifications. `reconnected` follows `connected` when the
 * connection replaces an earlier one that was open: that is where trades may
 * have been missed, so the runner checks for a trade-id gap on the next trade
 * of each symbol.
 */
export type SourceEvent =
  | { type: 'connected'; url: string; connection: number }
  | { type: 'reconnected'; url: string; connection: number; downtimeMs: number }
  | {
      type: 'disconnected';
      code: number;
      reason: string;
      connection: number;
      /** The close was asked for by `stop()`; `false` means the venue or the network ended it. */
      requested: boolean;
    }
  | { type: 'reconnecting'; attempt: number; delayMs: number }
  | { type: 'stale'; silentMs: number; connection: number }
  /** A replayed record file had damaged bytes (`ranges` of them, `bytes` in all) that were skipped. */
  | { type: 'damage'; file: string; ranges: number; bytes: number }
  | { type: 'error'; error: Error };

/** Receives the slow-lane events of a source. */
export type SourceEventListener = (event: SourceEvent) => void;

/**
 * Asked by a replay after every line or record it handles: `true` means the consumer is backed up (the runner's
 * ring could not take the last message). The replay then stops delivering and asks again every millisecond until
 * it gets `false`, so a replay faster than the recorder waits instead of making the runner queue or drop
 * messages. The check may do work while it answers `true` (the pipeline's moves queued messages into the ring
 * then); while it answers `false` it runs once per message, so keep that answer to a field read or two.
 */
export type BackpressureCheck = () => boolean;

/**
 * A source of raw venue messages. Single use: `start()` once, `stop()` once
 * (stopping twice is harmless), then read `done` and `status()`.
 */
export interface MessageSource {
  /** Begins delivering; returns at once (progress is reported through events). */
  start(): void;
  /** Ends the run cleanly (closes the socket or file, cancels timers); resolves when nothing is left open. */
  stop(): Promise<void>;
  /** Sets the one message handler (the runner's hot path); replaces any earlier one. */
  onMessage(handler: RawMessageHandler): void;
  /**
   * Replays (finite sources) implement this: they wait while `check` says the consumer is backed up. Live
   * sources do not, since the venue does not wait: there the runner's overflow queue, and then its counted
   * drops, absorb a slow recorder.
   */
  setBackpressure?(check: BackpressureCheck): void;
  /** Adds an event listener; returns a function that removes it. */
  onEvent(listener: SourceEventListener): () => void;
  /** A snapshot of the state and counters. */
  status(): SourceStatus;
  /** Resolves once, when the run ends (end of a finite source, `stop()`, or a fatal error); never rejects. */
  readonly done: Promise<SourceEnd>;
}
