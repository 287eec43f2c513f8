/**
 * The bounded buffer that holds messages published while the broker is
 * unreachable, so an outage costs latency instead of silently losing data
 * (nats.js itself discards whatever is published while disconnected).
 */

import { checkNumber } from '../validate.js';
import { MessageQueue } from './message-queue.js';

/** Which message to give up when the outage buffer is full. */
export type OverflowPolicy = 'drop-oldest' | 'drop-newest';

/**
 * Limits of a bounded message buffer. Each option that takes one states its own defaults:
 * `NatsTransportOptions.outageBuffer`, `JetStreamTransportOptions.pending`, and the connector's
 * `RunnerOptions.overflow` and `PipelineOptions.overflow`.
 */
export interface OutageBufferOptions {
  /** Most messages held. */
  maxMessages?: number;
  /** Most payload bytes held. */
  maxBytes?: number;
  /**
   * `'drop-oldest'` keeps the most recent data, which is what a live market-data consumer wants; `'drop-newest'`
   * keeps an unbroken prefix (a recording with one gap rather than many).
   */
  overflowPolicy?: OverflowPolicy;
}

/**
 * FIFO with message and byte limits that copies every payload it accepts and
 * counts every message it gives up. `NatsTransport` holds its outage backlog
 * in one; the connector's runner holds raw messages in one while its ring is
 * full. `T` is whatever the owner needs to route each message (a publish
 * target, or nothing), `ordinal` its publish order.
 *
 * @example
 * ```ts
 * const backlog = new OutageBuffer<null>({ maxMessages: 1000, overflowPolicy: 'drop-newest' });
 * backlog.offer(null, new Uint8Array([1, 2]), 0);
 * while (backlog.length > 0) { send(backlog.firstPayload()); backlog.dropFirst(); }
 * console.log(backlog.dropped);
 * ```
 */
export class OutageBuffer<T> {
  private readonly queue = new MessageQueue<T>();
  private readonly maxMessages: number;
  private readonly maxBytes: number;
  private readonly policy: OverflowPolicy;
  /** Messages given up because the buffer was full. */
  dropped = 0;
  /** Messages ever accepted. */
  accepted = 0;

  constructor(options: OutageBufferOptions = {}) {
    this.maxMessages = options.maxMessages ?? 10_000;
    this.maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
    this.policy = options.overflowPolicy ?? 'drop-oldest';
    checkNumber('maxMessages', this.maxMessages, 0, Number.POSITIVE_INFINITY);
    checkNumber('maxBytes', this.maxBytes, 0, Number.POSITIVE_INFINITY);
  }

  /** Messages currently held. */
  get length(): number {
    return this.queue.length;
  }

  /** Payload bytes currently held. */
  get bytes(): number {
    return this.queue.bytes;
  }

  /**
   * Copies `payload` into the buffer, evicting per the overflow policy.
   * Returns false when the new message itself was dropped.
   */
  offer(target: T, payload: Uint8Array, ordinal: number): boolean {
    const size = payload.byteLength;
    if (this.maxMessages === 0 || size > this.maxBytes) {
      this.dropped++;
      return false;
    }
    if (this.policy === 'drop-newest') {
      if (this.queue.length >= this.maxMessages || this.queue.bytes + size > this.maxBytes) {
        this.dropped++;
        return false;
      }
    } else {
      while (this.queue.length >= this.maxMessages || this.queue.bytes + size > this.maxBytes) {
        this.queue.dropFirst();
        this.dropped++;
      }
    }
    // Not `payload.slice()`: on a Node Buffer (a replay's line, a socket's frame) that is a view, not a copy.
    this.queue.push(target, Uint8Array.prototype.slice.call(payload), ordinal);
    this.accepted++;
    return true;
  }

  /** Target of the oldest message; only valid when `length > 0`. */
  firstTarget(): T {
    return this.queue.firstTarget();
  }

  /** Payload copy of the oldest message; only valid when `length > 0`. */
  firstPayload(): Uint8Array {
    return this.queue.firstPayload();
  }

  /** Ordinal of the oldest message; only valid when `length > 0`. */
  firstOrdinal(): number {
    return this.queue.firstOrdinal();
  }

  /** Removes the oldest message (after it was replayed). */
  dropFirst(): void {
    this.queue.dropFirst();
  }

  /** Empties the buffer and returns how many messages it held. */
  clear(): number {
    const held = this.queue.length;
    this.queue.clear();
    return held;
  }
}
