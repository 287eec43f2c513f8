/**
 * The part every message source shares: its state, its `done` promise, the
 * common counters, idempotent `stop()`, the event fan-out and the delivery of
 * one message to the handler. Internal to the sources folder; each source
 * holds one and adds only what its transport needs.
 */
import { MessageHandlerError, SourceConnectionError, SourceStateError } from '../errors.js';
import type {
  RawMessageHandler,
  SourceEnd,
  SourceEvent,
  SourceEventListener,
  SourceState,
  SourceStatus,
} from './message-source.js';
import { SourceEventHub } from './source-event-hub.js';

function ignoreMessage(_bytes: Uint8Array): void {}

function settledState(end: SourceEnd, stopRequested: boolean): SourceState {
  if (end.reason === 'end') return 'done';
  // A failure during a requested stop still ends a stop: the state says what the caller asked for.
  if (end.reason === 'error' && !stopRequested) return 'failed';
  return 'stopped';
}

/**
 * One source's run: `idle` → `start()` → active states (set by the source)
 * → `stopping` → one of `stopped`, `done` or `failed`, when `done` resolves.
 * Counters change only through its methods; the source exposes them through
 * `status()` snapshots.
 */
export class SourceLifecycle {
  /** Resolves once, with the first {@link settle}d end; never rejects. */
  readonly done: Promise<SourceEnd>;

  readonly #kind: string;
  readonly #events = new SourceEventHub();
  #resolveDone!: (end: SourceEnd) => void;
  #handler: RawMessageHandler = ignoreMessage;
  #state: SourceState = 'idle';
  #stopped: Promise<void> | null = null;
  #settled = false;
  #messages = 0;
  #bytes = 0;
  #errors = 0;
  #handlerErrors = 0;

  /** `kind` names the source in error messages (`WebSocketSource`). */
  constructor(kind: string) {
    this.#kind = kind;
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });
  }

  /** The current state. */
  get state(): SourceState {
    return this.#state;
  }

  /** `stop()` was called (the source may still be closing). */
  get stopRequested(): boolean {
    return this.#stopped !== null;
  }

  /** The run has ended and `done` is resolved. */
  get settled(): boolean {
    return this.#settled;
  }

  /** Messages handed to the handler. */
  get messages(): number {
    return this.#messages;
  }

  /** Sets the one message handler. */
  setHandler(handler: RawMessageHandler): void {
    this.#handler = handler;
  }

  /** Adds an event listener; returns its remover. */
  onEvent(listener: SourceEventListener): () => void {
    return this.#events.add(listener);
  }

  /** Sends `event` to every listener. */
  emit(event: SourceEvent): void {
    this.#events.emit(event);
  }

  /**
   * Leaves `idle` for the source's first active state.
   * @throws {SourceStateError} when not idle: a source runs once.
   */
  start(state: SourceState): void {
    if (this.#state !== 'idle')
      throw new SourceStateError(`${this.#kind} cannot start in state ${this.#state}`);
    this.#state = state;
  }

  /**
   * Moves between active states (`connecting`, `running`, `backoff`). Ignored
   * once stopping or settled, so a late socket or timer callback cannot revive
   * a stopped source.
   */
  enter(state: SourceState): void {
    if (this.#state !== 'stopping' && !this.#settled) this.#state = state;
  }

  /**
   * The shared `stop()`: the first call moves an idle source straight to
   * `stopped`, or an active one to `stopping` and calls `halt` (which closes
   * what the source holds and later calls {@link settle}); a settled source is
   * left as it is. Every call returns the same promise, resolved once `done` is.
   */
  stop(halt: () => void): Promise<void> {
    if (this.#stopped !== null) return this.#stopped;
    this.#stopped = this.done.then(() => undefined);
    if (this.#state === 'idle') {
      this.settle({ reason: 'stopped' });
    } else if (!this.#settled) {
      this.#state = 'stopping';
      halt();
    }
    return this.#stopped;
  }

  /**
   * The hot path: counts the message and hands it to the handler, which may not
   * throw through (a throw is counted and reported, and delivery goes on).
   */
  deliver(bytes: Uint8Array): void {
    this.#messages++;
    this.#bytes += bytes.length;
    try {
      this.#handler(bytes);
    } catch (err) {
      this.#errors++;
      this.#handlerErrors++;
      this.#events.emit({
        type: 'error',
        error: new MessageHandlerError('onMessage handler threw', { cause: err }),
      });
    }
  }

  /** Counts `error` and emits it; the run goes on. */
  reportError(error: Error): void {
    this.#errors++;
    this.#events.emit({ type: 'error', error });
  }

  /**
   * Ends the run because of `err`: counts and emits it, then settles with
   * reason `error` (state `failed`, or `stopped` when a stop was under way). A thrown non-`Error` is wrapped by
   * `wrap`, a {@link SourceConnectionError} unless the source says otherwise.
   */
  fail(
    err: unknown,
    wrap: (message: string) => Error = (message) => new SourceConnectionError(message),
  ): void {
    if (this.#settled) return;
    const error = err instanceof Error ? err : wrap(String(err));
    this.reportError(error);
    this.settle({ reason: 'error', error });
  }

  /** Ends the run: sets the final state and resolves `done`. Only the first call counts. */
  settle(end: SourceEnd): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#state = settledState(end, this.stopRequested);
    this.#resolveDone(end);
  }

  /** The shared counters with the source's own `extra` fields, as one snapshot. */
  status<T extends object>(extra: T): SourceStatus & T {
    return {
      state: this.#state,
      messages: this.#messages,
      bytes: this.#bytes,
      errors: this.#errors,
      handlerErrors: this.#handlerErrors,
      ...extra,
    };
  }
}
