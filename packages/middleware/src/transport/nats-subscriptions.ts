/**
 * The core NATS subscriptions of one transport: {@link NatsTransport} and
 * {@link JetStreamTransport} both deliver through plain `nc.subscribe`, so the
 * delivery contract (per-transport sequence, receive timestamp, handler errors
 * counted and reported, stop at `close()`) lives here once.
 */
import type { Msg, NatsConnection, Subscription as NatsSubscription } from '@nats-io/nats-core';
import { clock } from '../latency/clock.js';
import { MutableDelivery } from './delivery.js';
import type { ListenerSet } from './listener-set.js';
import { validateSubscribePattern } from './subject.js';
import type { MessageHandler, Subscription } from './transport.js';

const STAR = 42;
const GT = 62;
const DOT = 46;

/** What differs between the transports that own a {@link NatsSubscriptions}. */
export interface NatsSubscriptionsOptions {
  /** Clock for receive timestamps, in nanoseconds; defaults to a `performance.now()`-based clock. */
  now?: () => number;
  /**
   * Inbox prefix of the connection's own requests, with its trailing `.`.
   * Wildcard subscribers whose first token could match it skip those
   * subjects, so request replies (e.g. JetStream acknowledgements) stay
   * invisible to the transport's users.
   */
  ownInboxPrefix?: string;
  /**
   * Called before each SUB or UNSUB is queued: a transport that writes its
   * own PUB frames hands the pending ones to nats.js first, so the server sees
   * commands in the order they were made.
   */
  beforeCommand?: () => void;
}

class NatsSubscriptionHandle implements Subscription {
  closed = false;
  sub: NatsSubscription | undefined;

  constructor(
    readonly pattern: string,
    private readonly nc: NatsConnection,
    private readonly live: Set<NatsSubscriptionHandle>,
    private readonly beforeCommand: (() => void) | undefined,
  ) {}

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.live.delete(this);
    // A closed connection has no subscriptions left to end, and nats.js would throw.
    if (this.nc.isClosed()) return;
    this.beforeCommand?.();
    this.sub?.unsubscribe();
  }
}

/** True when a pattern's first token is a wildcard, so it may match an inbox subject. */
function firstTokenIsWildcard(pattern: string): boolean {
  const first = pattern.charCodeAt(0);
  return (first === STAR || first === GT) && (pattern.length === 1 || pattern.charCodeAt(1) === DOT);
}

/**
 * Registry and delivery path of a transport's core NATS subscriptions. The
 * owning transport checks its own closed state, then calls
 * {@link NatsSubscriptions.subscribe}; it reads `delivered` and
 * `handlerErrors` for its counters and calls {@link NatsSubscriptions.closeAll}
 * when it closes. Errors go to the transport's error listeners.
 *
 * Each message costs one handler call and one clock read: the callback is
 * built once per subscription, never per message.
 *
 * @example
 * ```ts
 * const subscriptions = new NatsSubscriptions(nc, errorListeners, { now: options.now });
 * const sub = subscriptions.subscribe('trades.>', (payload, subject, delivery) =>
 *   console.log(subject, delivery.sequence, delivery.timestampNanos));
 * sub.close();
 * subscriptions.closeAll(); // when the transport closes
 * ```
 */
export class NatsSubscriptions {
  private readonly handles = new Set<NatsSubscriptionHandle>();
  private readonly now: () => number;
  private readonly ownInboxPrefix: string | undefined;
  private readonly beforeCommand: (() => void) | undefined;
  private sequence = 0;
  /** Handed to every handler call, refilled first: nats.js calls the callbacks one at a time. */
  private readonly delivery = new MutableDelivery();
  private deliveredCount = 0;
  private handlerErrorCount = 0;

  /**
   * @param nc The transport's connection; subscriptions are made on it.
   * @param errors Receives handler errors (with the message subject) and
   *   asynchronous subscription errors (with the pattern).
   */
  constructor(
    private readonly nc: NatsConnection,
    private readonly errors: ListenerSet<[unknown, string]>,
    options: NatsSubscriptionsOptions = {},
  ) {
    this.now = options.now ?? (() => clock.nowNanos());
    this.ownInboxPrefix = options.ownInboxPrefix;
    this.beforeCommand = options.beforeCommand;
  }

  /** Handler calls that returned normally. */
  get delivered(): number {
    return this.deliveredCount;
  }

  /** Handler calls that threw. */
  get handlerErrors(): number {
    return this.handlerErrorCount;
  }

  /**
   * Subscribes with `nc.subscribe(pattern, { callback })`; each message gets
   * the next per-transport sequence number and a receive timestamp.
   * @throws InvalidSubjectError for an invalid pattern.
   */
  subscribe(pattern: string, handler: MessageHandler): Subscription {
    validateSubscribePattern(pattern);
    const skipPrefix =
      this.ownInboxPrefix !== undefined && firstTokenIsWildcard(pattern) ? this.ownInboxPrefix : undefined;
    const handle = new NatsSubscriptionHandle(pattern, this.nc, this.handles, this.beforeCommand);
    this.beforeCommand?.();
    handle.sub = this.nc.subscribe(pattern, {
      callback: (err: Error | null, msg: Msg) => {
        if (err) {
          this.errors.emit(err, pattern);
          return;
        }
        if (handle.closed || (skipPrefix !== undefined && msg.subject.startsWith(skipPrefix))) return;
        try {
          const delivery = this.delivery;
          delivery.sequence = ++this.sequence;
          delivery.timestampNanos = this.now();
          handler(msg.data, msg.subject, delivery);
          this.deliveredCount++;
        } catch (handlerError) {
          this.handlerErrorCount++;
          this.errors.emit(handlerError, msg.subject);
        }
      },
    });
    this.handles.add(handle);
    return handle;
  }

  /**
   * Stops delivery to every subscription at once. Nothing is unsubscribed on
   * the server: the transport is closing its connection, which ends them.
   */
  closeAll(): void {
    for (const handle of this.handles) handle.closed = true;
    this.handles.clear();
  }
}
