/**
 * The embedded default transport and the reference implementation of the
 * {@link Transport} contract: synchronous, in-process delivery with NATS
 * subject semantics.
 *
 * Routing is designed for a hot publish path. Exact subscriptions live in a
 * `Map` (O(1) lookup), wildcard ones in a list. A prepared target caches the
 * resolved subscriber list together with the registry version it was computed
 * at; any subscribe or unsubscribe bumps the version, and the next publish to
 * a stale target re-resolves once. Steady-state publishing to a prepared
 * target is therefore a version compare, a clock read and a loop over an
 * array: no string, no lookup key, no allocation.
 */

import { DOUBLE_FIELD } from '../double-field.js';
import { InvalidSubjectError, TransportClosedError } from '../errors.js';
import { clock } from '../latency/clock.js';
import { MutableDelivery } from './delivery.js';
import { ListenerSet } from './listener-set.js';
import { findSubjectProblem, hasWildcard, subjectMatches, validateSubscribePattern } from './subject.js';
import type {
  FastPublishTransport,
  MessageHandler,
  PublishStamp,
  PublishTarget,
  Subscription,
  Transport,
  TransportCounters,
  TransportStatus,
} from './transport.js';

/** Options for {@link InMemoryTransport}. */
export interface InMemoryTransportOptions {
  /** Clock for delivery timestamps, in nanoseconds; defaults to a `performance.now()`-based clock. */
  now?: () => number;
  /**
   * How many distinct subjects published by string (not via `prepare`) keep a
   * cached route. Beyond it, unknown subjects are resolved on every publish
   * (correct but allocating), which bounds memory when subjects are unbounded.
   * Default 10 000.
   */
  maxCachedSubjects?: number;
}

const NO_SUBSCRIBERS: readonly MemorySubscription[] = [];

class MemorySubscription implements Subscription {
  closed = false;

  constructor(
    readonly pattern: string,
    readonly handler: MessageHandler,
    /** Creation order, so fan-out follows subscription order whatever the route kind. */
    readonly id: number,
    private readonly detach: (subscription: MemorySubscription) => void,
  ) {}

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.detach(this);
  }
}

/** A prepared target: the subject plus its subscriber list as of `version`. */
class MemoryTarget implements PublishTarget {
  version = -1;
  subscribers: readonly MemorySubscription[] = NO_SUBSCRIBERS;

  constructor(
    readonly subject: string,
    readonly owner: InMemoryTransport,
  ) {}
}

function byId(a: MemorySubscription, b: MemorySubscription): number {
  return a.id - b.id;
}

/**
 * In-process {@link Transport}: `publish` calls every matching handler
 * synchronously before it returns.
 *
 * Payloads are delivered by reference, not copied: the publisher may reuse its
 * buffer as soon as `publish` returns, so a handler that keeps data beyond its
 * call must copy it. A handler that throws does not affect the publisher or
 * the other handlers; the error is counted in `dropped.handlerError` and
 * passed to `onError` listeners.
 *
 * @example
 * ```ts
 * const transport = new InMemoryTransport();
 * transport.onError((err, subject) => console.error('handler failed on', subject, err));
 * transport.subscribe('trades.*.BTCUSDT', (payload, subject, delivery) => {
 *   console.log(subject, delivery.sequence, delivery.timestampNanos, payload.byteLength);
 * });
 * const target = transport.prepare('trades.binance.BTCUSDT');
 * const buffer = new Uint8Array(64);
 * transport.publish(target, buffer); // delivered before publish returns
 * await transport.close();
 * ```
 */
export class InMemoryTransport implements FastPublishTransport {
  private readonly now: () => number;
  private readonly maxCachedSubjects: number;
  private readonly exact = new Map<string, readonly MemorySubscription[]>();
  private wildcards: readonly MemorySubscription[] = NO_SUBSCRIBERS;
  private readonly targets = new Map<string, MemoryTarget>();
  private readonly statusListeners = new ListenerSet<[TransportStatus]>();
  private readonly errorListeners = new ListenerSet<[unknown, string]>();
  /** Bumped on every subscription change; prepared targets compare against it. */
  private version = 0;
  private nextSubscriptionId = 0;
  // Per-message counts are doubles from the start (DOUBLE_FIELD, zeroed in the constructor): they pass 2^31 in a
  // long run, which from a small integer deoptimized the publish path.
  private sequence = DOUBLE_FIELD;
  /** The last delivery timestamp, so stamps given by publishers never make it go backwards. */
  private lastTimestamp = Number.NEGATIVE_INFINITY;
  private published = DOUBLE_FIELD;
  private delivered = DOUBLE_FIELD;
  private handlerErrors = 0;
  /** The delivery handed to handlers; a publish from inside a handler gets one of its own. */
  private readonly delivery = new MutableDelivery();
  /** A publish is calling handlers. */
  private delivering = false;
  private state: TransportStatus = 'connected';
  private closing: Promise<void> | undefined;

  constructor(options: InMemoryTransportOptions = {}) {
    this.sequence = this.published = this.delivered = 0;
    this.now = options.now ?? (() => clock.nowNanos());
    this.maxCachedSubjects = options.maxCachedSubjects ?? 10_000;
  }

  /** `'connected'` until `close()`, then `'closed'`. */
  get status(): TransportStatus {
    return this.state;
  }

  /**
   * Delivers `payload` to every matching subscriber before returning. Each
   * delivery carries the next sequence number and a timestamp: `stamp.mono`
   * when a stamp is given (the runner passes its receive time, saving a clock
   * read per trade), else a fresh clock reading; never lower than the last one.
   * @throws InvalidSubjectError for an invalid subject string (nothing is delivered).
   * @throws TransportClosedError after `close()`.
   */
  publish(subject: string | PublishTarget, payload: Uint8Array, stamp?: PublishStamp): void {
    if (this.state === 'closed') throw new TransportClosedError('publish');
    let target: MemoryTarget;
    if (typeof subject === 'string') target = this.targetFor(subject);
    else if ((subject as Partial<MemoryTarget>).owner === this) target = subject as MemoryTarget;
    else target = this.targetFor(subject.subject);
    if (target.version !== this.version) this.resolve(target);
    this.published++;
    const subscribers = target.subscribers;
    const count = subscribers.length;
    if (count === 0) return;
    let timestamp = stamp === undefined ? this.now() : stamp.mono;
    if (timestamp < this.lastTimestamp) timestamp = this.lastTimestamp;
    else this.lastTimestamp = timestamp;
    // A handler that publishes on this transport must still read its own delivery after that publish returns. No
    // `finally` is needed to reset the flag: the loop cannot throw (handler errors are caught, listeners isolated).
    const nested = this.delivering;
    const delivery = nested ? new MutableDelivery() : this.delivery;
    this.delivering = true;
    for (let i = 0; i < count; i++) {
      const subscriber = subscribers[i] as MemorySubscription;
      if (subscriber.closed) continue;
      delivery.sequence = ++this.sequence;
      delivery.timestampNanos = timestamp;
      try {
        subscriber.handler(payload, target.subject, delivery);
        this.delivered++;
      } catch (err) {
        this.handlerErrors++;
        this.errorListeners.emit(err, target.subject);
      }
    }
    this.delivering = nested;
  }

  /**
   * Validates `subject` and returns its cached target.
   * @throws InvalidSubjectError when `subject` is not a concrete subject.
   */
  prepare(subject: string): PublishTarget {
    if (this.state === 'closed') throw new TransportClosedError('prepare');
    return this.targetFor(subject);
  }

  /**
   * Registers `handler` for `pattern` (exact, `*` or `>`); takes effect for the next publish.
   * @throws InvalidSubjectError for an invalid pattern; TransportClosedError after `close()`.
   */
  subscribe(pattern: string, handler: MessageHandler): Subscription {
    if (this.state === 'closed') throw new TransportClosedError('subscribe');
    validateSubscribePattern(pattern);
    const subscription = new MemorySubscription(pattern, handler, this.nextSubscriptionId++, this.detach);
    if (hasWildcard(pattern)) {
      this.wildcards = [...this.wildcards, subscription];
    } else {
      this.exact.set(pattern, [...(this.exact.get(pattern) ?? NO_SUBSCRIBERS), subscription]);
    }
    this.version++;
    return subscription;
  }

  private readonly detach = (subscription: MemorySubscription): void => {
    if (this.state === 'closed') return;
    if (hasWildcard(subscription.pattern)) {
      this.wildcards = this.wildcards.filter((s) => s !== subscription);
    } else {
      const remaining = (this.exact.get(subscription.pattern) ?? NO_SUBSCRIBERS).filter(
        (s) => s !== subscription,
      );
      if (remaining.length === 0) this.exact.delete(subscription.pattern);
      else this.exact.set(subscription.pattern, remaining);
    }
    this.version++;
  };

  /** Delivery is synchronous, so there is never anything pending; rejects after `close()`. */
  flush(): Promise<void> {
    if (this.state === 'closed') return Promise.reject(new TransportClosedError('flush'));
    return Promise.resolve();
  }

  /** Stops all delivery, drops every subscription and reports `'closed'`. Idempotent. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.state = 'closed';
    for (const list of this.exact.values()) for (const s of list) s.closed = true;
    for (const s of this.wildcards) s.closed = true;
    this.exact.clear();
    this.wildcards = NO_SUBSCRIBERS;
    this.targets.clear();
    this.version++;
    this.statusListeners.emit('closed');
    this.closing = Promise.resolve();
    return this.closing;
  }

  /** Registers a status listener (called once, with `'closed'`); returns an unsubscribe function. */
  onStatus(listener: (status: TransportStatus) => void): () => void {
    return this.statusListeners.add(listener);
  }

  /** Registers a listener for errors thrown by handlers; returns an unsubscribe function. */
  onError(listener: (error: unknown, subject: string) => void): () => void {
    return this.errorListeners.add(listener);
  }

  /** Snapshot of the counters; `outageOverflow` and `closed` drops are always 0 here. */
  counters(): TransportCounters {
    return {
      published: this.published,
      delivered: this.delivered,
      dropped: { handlerError: this.handlerErrors, outageOverflow: 0, closed: 0 },
    };
  }

  private targetFor(subject: string): MemoryTarget {
    const cached = this.targets.get(subject);
    if (cached) return cached;
    const problem = findSubjectProblem(subject, false);
    if (problem !== undefined) throw new InvalidSubjectError(subject, problem);
    const target = new MemoryTarget(subject, this);
    if (this.targets.size < this.maxCachedSubjects) this.targets.set(subject, target);
    return target;
  }

  private resolve(target: MemoryTarget): void {
    const exact = this.exact.get(target.subject) ?? NO_SUBSCRIBERS;
    const wild = this.wildcards.filter((s) => subjectMatches(s.pattern, target.subject));
    target.subscribers = wild.length === 0 ? exact : [...exact, ...wild].sort(byId);
    target.version = this.version;
  }
}
