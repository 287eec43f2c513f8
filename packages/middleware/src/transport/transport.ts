/**
 * The `Transport` contract: the few operations users call and implement to
 * move opaque payloads by subject. It is deliberately small (in the spirit of
 * nats.js `core/src/transport.ts`) so that the in-memory reference
 * implementation and the NATS one are interchangeable and one contract test
 * suite covers both. The runner's fast path (prepared subjects, a receive-time
 * stamp) is the narrower {@link FastPublishTransport} on top of it.
 */

/** Connection state as seen by publishers. */
export type TransportStatus = 'connected' | 'reconnecting' | 'closed';

/**
 * What a transport tells a handler about one delivery besides its payload and subject. A transport hands every
 * delivery the same object, refilled before each call: read the fields during the call (copy them to keep them).
 * The numbers travel in an object because a double passed as a call argument is boxed into a fresh 16-byte heap
 * number whenever V8 does not inline the call, and a transport's one call site for every subscriber's handler is not
 * inlined once it has seen two handlers; a double read from a field is not boxed.
 */
export interface Delivery {
  /**
   * Per-transport delivery number, strictly increasing across all subscriptions of the transport (gaps mean
   * nothing; it orders deliveries).
   */
  readonly sequence: number;
  /**
   * Clock reading in nanoseconds: for the in-memory transport, the publisher's {@link PublishStamp} when it gave
   * one (the runner's receive time) or the transport's clock at publish; for network transports, the time the
   * message was received. Never lower than the previous delivery's.
   */
  readonly timestampNanos: number;
}

/**
 * Receives one message: the payload view, the subject and the transport's reused {@link Delivery}, so a
 * transport delivers without building a message object or boxing a number.
 *
 * @param payload Borrowed view of the message bytes, valid only during the
 *   call: copy it (`payload.slice()`) to keep it.
 * @param subject The concrete subject the message was published to.
 * @param delivery The delivery's sequence number and timestamp, valid only during the call.
 */
export type MessageHandler = (payload: Uint8Array, subject: string, delivery: Delivery) => void;

/**
 * A publish subject validated once by {@link FastPublishTransport.prepare}. Publishing to
 * a target skips validation and subject lookups, so the hot path builds no
 * string and no lookup key per message.
 */
export interface PublishTarget {
  /** The concrete subject this target publishes to. */
  readonly subject: string;
}

/**
 * The publisher's own monotonic clock reading for a message, in nanoseconds
 * ({@link Clock.nowNanos} of the same clock the transport stamps with: give
 * an in-memory transport and a runner the same clock), carried in
 * a field: a double passed as a call argument is boxed into a heap number
 * when V8 does not inline the call, a field read is not. The runner passes
 * its per-message receive-time object, so a transport that stamps deliveries
 * (the in-memory one) need not read the clock again.
 */
export interface PublishStamp {
  readonly mono: number;
}

/** A live subscription; `close()` stops delivery at once and is idempotent. */
export interface Subscription {
  /** The pattern given to {@link Transport.subscribe}. */
  readonly pattern: string;
  close(): void;
}

/** Messages that did not reach a handler, by cause. Every counter only grows. */
export interface DropCounters {
  /** A handler threw; the message reached it but was not processed. */
  handlerError: number;
  /** Published while disconnected and evicted because the outage buffer was full. */
  outageOverflow: number;
  /**
   * Not known to have reached the broker when the transport closed: still buffered (not yet sent), or sent but
   * never acknowledged (such a message may have arrived).
   */
  closed: number;
}

/** Monotonic totals since the transport was created. */
export interface TransportCounters {
  /** Messages accepted by `publish` (including ones later dropped). */
  published: number;
  /** Handler calls that returned normally. */
  delivered: number;
  dropped: DropCounters;
}

/**
 * Moves opaque payloads between publishers and subscribers by subject.
 *
 * Payload ownership: `publish` never keeps a reference to the caller's buffer
 * after it returns (transports copy what they must keep), so publishers may
 * reuse one buffer for every message. Handlers receive a borrowed view.
 *
 * @example
 * ```ts
 * const transport: Transport = new InMemoryTransport();
 * const sub = transport.subscribe('trades.>', (payload, subject, delivery) => console.log(subject, delivery.sequence, payload.length));
 * transport.publish('trades.binance.BTCUSDT', new Uint8Array([1, 2, 3]));
 * sub.close();
 * await transport.close();
 * ```
 */
export interface Transport {
  /** Current connection state. */
  readonly status: TransportStatus;
  /**
   * Sends `payload` to `subject`.
   * @throws InvalidSubjectError for a bad subject string; nothing is sent.
   * @throws TransportClosedError after `close()`.
   */
  publish(subject: string, payload: Uint8Array): void;
  /**
   * Calls `handler` for each message whose subject matches `pattern`.
   * @throws InvalidSubjectError for a bad pattern; TransportClosedError after `close()`.
   */
  subscribe(pattern: string, handler: MessageHandler): Subscription;
  /** Resolves once everything published so far has been handed to the broker (and acknowledged, where possible). */
  flush(): Promise<void>;
  /** Stops the transport. Idempotent: every call returns the same promise. */
  close(): Promise<void>;
  /** Registers a status listener; returns a function that unregisters it. */
  onStatus(listener: (status: TransportStatus) => void): () => void;
  /** Registers a listener for errors thrown by handlers; returns a function that unregisters it. */
  onError(listener: (error: unknown, subject: string) => void): () => void;
  /** A snapshot of the counters. */
  counters(): TransportCounters;
}

/**
 * The runner's fast path, offered by the in-memory, NATS and JetStream transports on top
 * of {@link Transport}: a subject validated once ({@link FastPublishTransport.prepare}),
 * then published to with no per-message lookup, and the publisher's receive
 * time handed to a transport that stamps deliveries. Other transports get it
 * through {@link fastPublishOf}.
 */
export interface FastPublishTransport extends Transport {
  /**
   * Sends `payload` to `subject` or a prepared target. `stamp`, when given, is
   * the time the message entered the publisher: a transport that stamps
   * deliveries uses it instead of reading its clock (kept monotonic); others
   * ignore it.
   * @throws InvalidSubjectError for a bad subject string; nothing is sent.
   * @throws TransportClosedError after `close()`.
   */
  publish(subject: string | PublishTarget, payload: Uint8Array, stamp?: PublishStamp): void;
  /**
   * Validates `subject` once and returns a handle for fast repeated publishes.
   * @throws InvalidSubjectError when `subject` is not a concrete subject.
   */
  prepare(subject: string): PublishTarget;
}
