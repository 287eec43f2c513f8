/**
 * {@link Transport} over core NATS (nats.js 3.3) that does not lose messages silently across broker outages: it
 * keeps each sent message until a PING/PONG proves the server read it, and re-sends or counts the rest. The
 * mechanism and its per-message guarantee: docs/design/transport.md.
 */
import type { NatsConnection, PublishOptions } from '@nats-io/nats-core';
import { DOUBLE_FIELD } from '../double-field.js';
import { PayloadTooLargeError, TransportClosedError } from '../errors.js';
import { checkInteger, checkNumber } from '../validate.js';
import { ListenerSet } from './listener-set.js';
import { MessageQueue } from './message-queue.js';
import { connectNats, type NatsConnectControl } from './nats-connect.js';
import type { NatsConnectionOptions } from './nats-connection.js';
import { NatsSubscriptions } from './nats-subscriptions.js';
import { OutageBuffer, type OutageBufferOptions } from './outage-buffer.js';
import { PayloadSlab } from './payload-slab.js';
import { framePayloadLength, PubFrames } from './pub-frames.js';
import { type CachedTarget, PublishTargetCache } from './publish-target-cache.js';
import type {
  FastPublishTransport,
  MessageHandler,
  PublishTarget,
  Subscription,
  Transport,
  TransportCounters,
  TransportStatus,
} from './transport.js';

/** Options for {@link NatsTransport} beyond the connection settings. */
export interface NatsTransportOptions {
  /** Abort signal and per-attempt report of the first connection ({@link NatsConnectControl}). */
  connect?: NatsConnectControl;
  /** Clock for receive timestamps, in nanoseconds; defaults to a `performance.now()`-based clock. */
  now?: () => number;
  /**
   * Limits and overflow policy of the buffer used while disconnected. Defaults: 10 000 messages, 32 MiB,
   * `'drop-oldest'`. Messages given up are counted in `dropped.outageOverflow`.
   */
  outageBuffer?: OutageBufferOptions;
  /**
   * How often unacknowledged messages are confirmed with a PING/PONG round
   * trip, in ms (default 5). Lower means fewer re-sent duplicates after an
   * outage and less memory held, at one PING per interval while publishing.
   * The timer keeps ticking (a no-op callback) for up to a second after the last publish, so that publishing after
   * a short pause does not pay for re-arming it.
   */
  confirmIntervalMs?: number;
  /**
   * Most messages kept while awaiting acknowledgement (default 100 000).
   * Acknowledgements need the event loop, so a synchronous burst larger than
   * this releases its oldest copies unacknowledged (`unconfirmedEvicted`).
   */
  maxUnconfirmedMessages?: number;
  /** Most bytes kept while awaiting acknowledgement, each message with its PUB line (default 64 MiB). */
  maxUnconfirmedBytes?: number;
  /**
   * How many distinct string subjects keep a cached validated target (default
   * 10 000); beyond that, unknown subjects are validated on every publish.
   */
  maxCachedSubjects?: number;
}

/**
 * Throws for a transport option out of range, before anything connects: a `confirmIntervalMs` of 0 re-armed the
 * confirmation timer with no delay and lingered for ever.
 *
 * @throws {InvalidArgumentError} naming the option.
 */
function checkTransportOptions(options: NatsTransportOptions): void {
  if (options.confirmIntervalMs !== undefined)
    checkNumber('confirmIntervalMs', options.confirmIntervalMs, 1, 2 ** 31 - 1);
  if (options.maxUnconfirmedMessages !== undefined)
    checkInteger('maxUnconfirmedMessages', options.maxUnconfirmedMessages, 1);
  if (options.maxUnconfirmedBytes !== undefined)
    checkNumber('maxUnconfirmedBytes', options.maxUnconfirmedBytes, 1);
  if (options.maxCachedSubjects !== undefined)
    checkInteger('maxCachedSubjects', options.maxCachedSubjects, 0);
}

/** Outage accounting of a {@link NatsTransport}; totals only grow, `buffered*` and `unconfirmed` are current. */
export interface NatsOutageCounters {
  /** Disconnects seen. */
  outages: number;
  /** Messages currently held for replay (re-send queue plus outage buffer). */
  buffered: number;
  /** Bytes currently held for replay (a message awaiting its re-send counts its PUB line too). */
  bufferedBytes: number;
  /** Messages ever accepted into the outage buffer (published while disconnected). */
  bufferedTotal: number;
  /** Outage-buffer messages sent after a reconnect. */
  replayed: number;
  /** Unacknowledged messages sent again after a reconnect; an upper bound on duplicates. */
  resent: number;
  /** Messages that could not be replayed because the new server rejected them (e.g. smaller max_payload). */
  replayFailed: number;
  /** Messages currently awaiting acknowledgement. */
  unconfirmed: number;
  /** Messages released unacknowledged because the unconfirmed limits were reached. */
  unconfirmedEvicted: number;
}

/**
 * How long the confirmation timer keeps ticking with nothing to confirm before it lapses. Ticking costs a timer
 * callback per interval (a few µs, every 5 ms by default); a lapsed timer costs the next publish its re-arming.
 */
const CONFIRM_LINGER_MS = 1_000;

/** Shared options object: nats.js would allocate an empty one per publish otherwise. */
const PUBLISH_OPTIONS: PublishOptions = {};

/** nats.js's protocol handler, which a connection made by `@nats-io/transport-node` exposes for its lifetime. */
interface CommandQueue {
  sendCommand(command: Uint8Array): void;
  /** False from the socket's close until the next server's handshake. */
  readonly connected?: boolean;
}

function commandQueueOf(nc: NatsConnection): CommandQueue | undefined {
  const protocol = (nc as { protocol?: Partial<CommandQueue> }).protocol;
  return typeof protocol?.sendCommand === 'function' ? (protocol as CommandQueue) : undefined;
}

/** nats.js v3 reports an oversized publish as an InvalidArgumentError naming `max_payload`. */
function isMaxPayloadError(err: unknown): boolean {
  return err instanceof Error && err.name === 'InvalidArgumentError' && err.message.includes('max_payload');
}

/**
 * Core NATS {@link Transport} with outage buffering and exact drop accounting.
 *
 * Publishing writes the `PUB` frame itself, copying the payload once into a
 * shared slab, and hands each event-loop turn's frames to nats.js's command
 * queue together at the end of the turn (before any PING, SUB or UNSUB,
 * so acknowledgements and order stay exact); the frame serves as the replay record. A
 * connection that does not expose that queue (not made by
 * `@nats-io/transport-node`) is published to through `nc.publish` with a copy
 * of the payload instead. `nc.stats()` does not count frames written by the
 * transport. Handlers get nats.js's view of the received bytes, valid only
 * during the call.
 *
 * Each accepted message is acknowledged by the server, re-sent after a reconnect (counted in `resent`; may arrive
 * twice), or counted as dropped (`dropped.outageOverflow`, `dropped.closed`, `unconfirmedEvicted`). The full
 * guarantee: docs/design/transport.md.
 *
 * @example
 * ```ts
 * const transport = await NatsTransport.connect(
 *   { servers: 'nats://127.0.0.1:4222' },
 *   { outageBuffer: { maxMessages: 50_000, overflowPolicy: 'drop-oldest' } },
 * );
 * transport.onStatus((status) => console.log('nats', status));
 * transport.subscribe('trades.>', (payload, subject, delivery) =>
 *   console.log(subject, delivery.sequence, delivery.timestampNanos));
 * const target = transport.prepare('trades.binance.BTCUSDT');
 * transport.publish(target, new Uint8Array([1, 2, 3]));
 * await transport.flush();
 * console.log(transport.counters(), transport.outageCounters());
 * await transport.close();
 * ```
 */
export class NatsTransport implements FastPublishTransport {
  private readonly nc: NatsConnection;
  private readonly maxUnconfirmedMessages: number;
  private readonly maxUnconfirmedBytes: number;
  /** Validated targets; each carries its subject's encoded PUB line start for the frames. */
  private readonly targets: PublishTargetCache;
  /** Sent, awaiting the PONG that proves the server read them. */
  private readonly unconfirmed = new MessageQueue<CachedTarget>();
  /** Were unconfirmed when the connection dropped; re-sent first after reconnect. */
  private readonly resend = new MessageQueue<CachedTarget>();
  private readonly outage: OutageBuffer<CachedTarget>;
  /** Writes the PUB frames, when the connection exposes its command queue; kept as the re-send copies. */
  private readonly frames: PubFrames | undefined;
  /** Otherwise: owned copies of sent payloads (kept for re-sends), carved from shared slabs. */
  private readonly copies = new PayloadSlab();
  private readonly statusListeners = new ListenerSet<[TransportStatus]>();
  private readonly errorListeners = new ListenerSet<[unknown, string]>();
  private readonly subscriptions: NatsSubscriptions;
  private readonly confirmTimer: NodeJS.Timeout;
  private state: TransportStatus = 'connected';
  private closing: Promise<void> | undefined;
  /** Rejecters of the flushes waiting for a PONG, for a close that nats.js does not settle them on. */
  private readonly pendingFlushes = new Set<(err: unknown) => void>();
  private maxPayload: number;
  private confirmArmed = false;
  private confirmInFlight = false;
  /**
   * Intervals in a row the confirmation timer found nothing to confirm; it lapses after `confirmLingerTicks`.
   * Starts lapsed: a transport that never publishes (a subscriber) does not tick.
   */
  private idleConfirmTicks = Number.POSITIVE_INFINITY;
  private readonly confirmLingerTicks: number;
  /** Ordinal of the last message sent when the in-flight confirmation PING was queued. */
  private confirmMark = DOUBLE_FIELD;
  /** Outages seen when the in-flight confirmation PING was queued: a PONG after another one confirms nothing. */
  private confirmOutages = 0;
  // Publish ordinals are doubles from the start (DOUBLE_FIELD, zeroed in the constructor): they pass 2^31 in a long
  // run, which from a small integer deoptimized the publish path.
  private lastSentOrdinal = DOUBLE_FIELD;
  private published = DOUBLE_FIELD;
  private droppedClosed = 0;
  private outages = 0;
  private replayed = 0;
  private resent = 0;
  private replayFailed = 0;
  private unconfirmedEvicted = 0;

  /**
   * Wraps an open nats.js connection; the transport takes ownership and closes
   * it in {@link close}. Prefer {@link NatsTransport.connect}.
   */
  constructor(nc: NatsConnection, options: NatsTransportOptions = {}) {
    this.confirmMark = this.lastSentOrdinal = this.published = 0;
    this.nc = nc;
    this.subscriptions = new NatsSubscriptions(nc, this.errorListeners, {
      now: options.now,
      // A SUB or UNSUB follows the PUBs published before it, as with nats.js's own publish.
      beforeCommand: () => this.frames?.handOver(),
    });
    this.targets = new PublishTargetCache(options.maxCachedSubjects ?? 10_000);
    this.outage = new OutageBuffer(options.outageBuffer);
    this.maxUnconfirmedMessages = options.maxUnconfirmedMessages ?? 100_000;
    this.maxUnconfirmedBytes = options.maxUnconfirmedBytes ?? 64 * 1024 * 1024;
    this.maxPayload = nc.info?.max_payload ?? 1024 * 1024;
    const queue = commandQueueOf(nc);
    if (queue !== undefined) {
      // Between a socket's close and the disconnect event, nats.js would queue the frames for the next server,
      // ahead of the replay: they are in `unconfirmed`, and the disconnect moves them to the re-send queue.
      this.frames = new PubFrames((frames) => {
        if (queue.connected !== false) queue.sendCommand(frames);
      });
    }
    // One timer re-armed with refresh(): no timer object per confirmation.
    const confirmIntervalMs = options.confirmIntervalMs ?? 5;
    this.confirmTimer = setTimeout(this.confirm, confirmIntervalMs);
    this.confirmTimer.unref();
    this.confirmLingerTicks = Math.ceil(CONFIRM_LINGER_MS / confirmIntervalMs);
    // A broken status watch cannot track outages any more: stop (counting what is dropped) rather than guess.
    this.watchStatus().catch(this.onClientClosed);
    nc.closed().then(this.onClientClosed, this.onClientClosed);
  }

  /**
   * Connects with `toNatsConnectOptions(options)` (servers, auth, TLS,
   * reconnect with backoff), attempting until `options.firstConnectTimeoutMs`
   * (retrying with backoff, reported through `transportOptions.connect`), and wraps the connection.
   * @throws InvalidArgumentError for a transport option out of range (before connecting).
   * @throws TransportConnectError when the first connection fails for good, times out or is aborted.
   */
  static async connect(
    options: NatsConnectionOptions,
    transportOptions: NatsTransportOptions = {},
  ): Promise<NatsTransport> {
    checkTransportOptions(transportOptions);
    const nc = await connectNats(options, transportOptions.connect);
    return new NatsTransport(nc, transportOptions);
  }

  /** `'connected'`, `'reconnecting'` while the broker is unreachable (publishes are buffered), or `'closed'`. */
  get status(): TransportStatus {
    return this.state;
  }

  /**
   * Sends `payload` (copied) now, or buffers it while reconnecting.
   * @throws InvalidSubjectError for an invalid subject string (nothing is sent).
   * @throws PayloadTooLargeError above the server's `max_payload`.
   * @throws TransportClosedError after `close()` or once nats.js gave up reconnecting.
   */
  publish(subject: string | PublishTarget, payload: Uint8Array): void {
    if (this.state === 'closed') throw new TransportClosedError('publish');
    const target = this.targets.resolve(subject);
    if (payload.byteLength > this.maxPayload)
      throw new PayloadTooLargeError(payload.byteLength, this.maxPayload);
    // Counted once accepted: a send that throws (the connection closed under it) is not a publish.
    const ordinal = this.published + 1;
    if (this.state === 'connected') {
      this.send(target, payload, ordinal);
    } else {
      this.outage.offer(target, payload, ordinal);
    }
    this.published = ordinal;
  }

  /**
   * Validates `subject` once and returns its cached target.
   * @throws InvalidSubjectError when `subject` is not a concrete subject.
   */
  prepare(subject: string): PublishTarget {
    if (this.state === 'closed') throw new TransportClosedError('prepare');
    return this.targets.get(subject);
  }

  /**
   * Subscribes with `nc.subscribe(pattern, { callback })`; each message gets
   * the next per-transport sequence number and a receive timestamp.
   * @throws InvalidSubjectError for an invalid pattern; TransportClosedError after `close()`.
   */
  subscribe(pattern: string, handler: MessageHandler): Subscription {
    if (this.state === 'closed') throw new TransportClosedError('subscribe');
    return this.subscriptions.subscribe(pattern, handler);
  }

  /**
   * Resolves once every message published before the call has been
   * acknowledged by the server. During an outage it waits for the reconnect
   * and the replay (race it with a timeout if that is too long).
   * @throws TransportClosedError when the transport is or becomes closed first.
   */
  async flush(): Promise<void> {
    const mark = this.published;
    for (;;) {
      if (this.state === 'closed') throw new TransportClosedError('flush');
      if (this.state === 'reconnecting') {
        await this.nextStatus();
        continue;
      }
      // Everything up to `mark` is handed to nats.js ahead of the PING (replay runs before 'connected').
      this.frames?.handOver();
      const outages = this.outages;
      try {
        await this.flushUnlessClosed();
      } catch (err) {
        // The wait may have closed the transport: TypeScript keeps the narrowing from before it.
        if (this.nc.isClosed() || (this.state as TransportStatus) === 'closed')
          throw new TransportClosedError('flush', { cause: err });
        // Rejected by a disconnect: the messages were moved to the re-send queue; wait for the replay.
        await this.nextStatus();
        continue;
      }
      // A PONG from a server reached after an outage need not cover the replay: flush again.
      if (this.outages !== outages) continue;
      this.release(mark);
      return;
    }
  }

  /**
   * Flushes what is connected and sent, then closes the connection. Messages
   * still buffered for replay are counted in `dropped.closed`, and so are sent
   * messages the server never acknowledged because that flush failed (they may
   * have arrived). Idempotent.
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    const wasConnected = this.state === 'connected';
    if (wasConnected) this.frames?.handOver();
    this.enterClosed();
    this.closing = (async () => {
      let acknowledged = false;
      if (wasConnected && !this.nc.isClosed()) {
        try {
          await this.flushUnlessClosed();
          acknowledged = true;
        } catch {
          // The connection failed while closing; there is nothing left to flush to.
        }
      }
      // The PONG covers every frame sent before the PING; without it, what is unconfirmed is unknown.
      if (acknowledged) this.unconfirmed.clear();
      else this.dropUnconfirmed();
      await this.nc.close();
    })();
    return this.closing;
  }

  /** Registers a status listener; returns an unsubscribe function. */
  onStatus(listener: (status: TransportStatus) => void): () => void {
    return this.statusListeners.add(listener);
  }

  /** Registers a listener for handler errors and asynchronous subscription errors; returns an unsubscribe function. */
  onError(listener: (error: unknown, subject: string) => void): () => void {
    return this.errorListeners.add(listener);
  }

  /** Snapshot of the counters. */
  counters(): TransportCounters {
    return {
      published: this.published,
      delivered: this.subscriptions.delivered,
      dropped: {
        handlerError: this.subscriptions.handlerErrors,
        outageOverflow: this.outage.dropped,
        closed: this.droppedClosed,
      },
    };
  }

  /** Snapshot of the outage accounting (see the class documentation for the guarantee). */
  outageCounters(): NatsOutageCounters {
    return {
      outages: this.outages,
      buffered: this.resend.length + this.outage.length,
      bufferedBytes: this.resend.bytes + this.outage.bytes,
      bufferedTotal: this.outage.accepted,
      replayed: this.replayed,
      resent: this.resent,
      replayFailed: this.replayFailed,
      unconfirmed: this.unconfirmed.length,
      unconfirmedEvicted: this.unconfirmedEvicted,
    };
  }

  /** Sends `payload` (copied) and keeps the sent bytes until acknowledged. */
  private send(target: CachedTarget, payload: Uint8Array, ordinal: number): void {
    if (this.frames) {
      if (this.nc.isClosed()) throw new TransportClosedError('publish');
      this.keep(target, this.frames.write(target.pubPrefix(), payload, ordinal), ordinal);
    } else {
      const copy = this.copies.copy(payload);
      this.publishThroughClient(target.subject, copy);
      this.keep(target, copy, ordinal);
    }
  }

  /** Sends bytes kept from an earlier send again: a frame as it is, or a payload copy through nats.js. */
  private sendAgain(target: CachedTarget, held: Uint8Array, ordinal: number): void {
    const length = this.frames ? framePayloadLength(held, target.pubPrefix().length) : held.byteLength;
    if (length > this.maxPayload) throw new PayloadTooLargeError(length, this.maxPayload);
    if (this.frames) this.frames.sendNow(held);
    else this.publishThroughClient(target.subject, held);
    this.keep(target, held, ordinal);
  }

  private publishThroughClient(subject: string, copy: Uint8Array): void {
    try {
      this.nc.publish(subject, copy, PUBLISH_OPTIONS);
    } catch (err) {
      if (isMaxPayloadError(err)) {
        throw new PayloadTooLargeError(copy.byteLength, this.nc.info?.max_payload ?? this.maxPayload, {
          cause: err,
        });
      }
      if (this.nc.isClosed()) throw new TransportClosedError('publish', { cause: err });
      throw err;
    }
  }

  /** Holds sent bytes until a PONG acknowledges them, within the unconfirmed limits. */
  private keep(target: CachedTarget, held: Uint8Array, ordinal: number): void {
    this.lastSentOrdinal = ordinal;
    this.unconfirmed.push(target, held, ordinal);
    while (
      this.unconfirmed.length > this.maxUnconfirmedMessages ||
      (this.unconfirmed.bytes > this.maxUnconfirmedBytes && this.unconfirmed.length > 1)
    ) {
      this.unconfirmed.dropFirst();
      this.unconfirmedEvicted++;
    }
    // Armed here only when the timer lapsed after an idle spell: while messages flow, the confirmation cycle keeps
    // it armed off the publish path (see `confirm`), and a PONG awaited re-arms it when it comes.
    if (!this.confirmArmed && !this.confirmInFlight) this.armConfirm();
  }

  /** Starts the confirmation timer's next interval. */
  private armConfirm(): void {
    this.confirmArmed = true;
    this.confirmTimer.refresh();
  }

  /**
   * Timer callback: queue one PING behind everything sent so far. With nothing to confirm it re-arms itself for up
   * to {@link CONFIRM_LINGER_MS} before it lapses: re-arming a Node timer costs ~1-9 µs (more when its list was
   * emptied), and when the publish path did it, one message in five paid that at 1 000 msg/s
   * (docs/design/transport.md, "The confirmation timer").
   */
  private readonly confirm = (): void => {
    this.confirmArmed = false;
    if (this.state !== 'connected' || this.confirmInFlight) return;
    if (this.unconfirmed.length === 0) {
      if (this.idleConfirmTicks < this.confirmLingerTicks) {
        this.idleConfirmTicks++;
        this.armConfirm();
      }
      return;
    }
    this.idleConfirmTicks = 0;
    this.frames?.handOver();
    // A server's limit can change without a reconnect (a config reload); frames bypass nats.js's own check.
    this.maxPayload = this.nc.info?.max_payload ?? this.maxPayload;
    this.confirmInFlight = true;
    this.confirmMark = this.lastSentOrdinal;
    this.confirmOutages = this.outages;
    this.nc.flush().then(this.onConfirmed, this.onConfirmFailed);
  };

  private readonly onConfirmed = (): void => {
    this.confirmInFlight = false;
    if (this.outages === this.confirmOutages) this.release(this.confirmMark);
    // Re-armed even with nothing left to confirm: the next message published finds the timer running.
    if (this.state === 'connected' && !this.confirmArmed) this.armConfirm();
  };

  /** The PING died with the connection; the disconnect handler has already kept the messages. */
  private readonly onConfirmFailed = (): void => {
    this.confirmInFlight = false;
    if (this.state === 'connected' && !this.confirmArmed) this.armConfirm();
  };

  /**
   * Forgets copies up to `mark`. The re-send queue is checked too: a PONG can
   * be processed after the disconnect event moved its messages there.
   */
  private release(mark: number): void {
    while (this.unconfirmed.firstOrdinal() <= mark) this.unconfirmed.dropFirst();
    while (this.resend.firstOrdinal() <= mark) this.resend.dropFirst();
    // The server read every frame up to `mark` (its PONG followed them), so their slabs can be written again.
    this.frames?.recycleThrough(mark);
  }

  private async watchStatus(): Promise<void> {
    for await (const event of this.nc.status()) {
      if (event.type === 'disconnect') this.onDisconnect();
      else if (event.type === 'reconnect') this.onReconnect();
    }
  }

  private onDisconnect(): void {
    if (this.state !== 'connected') return;
    this.outages++;
    // Frames not yet handed to nats.js are in `unconfirmed` and move to the re-send queue with the rest.
    this.frames?.discardPending();
    while (this.unconfirmed.length > 0) {
      this.resend.push(
        this.unconfirmed.firstTarget(),
        this.unconfirmed.firstPayload(),
        this.unconfirmed.firstOrdinal(),
      );
      this.unconfirmed.dropFirst();
    }
    this.setState('reconnecting');
  }

  /** Replays in publish order (re-sends, then the outage buffer) before accepting new sends. */
  private onReconnect(): void {
    if (this.state !== 'reconnecting') return;
    this.maxPayload = this.nc.info?.max_payload ?? this.maxPayload;
    // Each message leaves its queue before it is sent: an error listener called by a failed replay may publish
    // (into the outage buffer, evicting its head when full) or close the transport.
    while (this.resend.length > 0 && this.state === 'reconnecting') {
      const target = this.resend.firstTarget();
      const held = this.resend.firstPayload();
      const ordinal = this.resend.firstOrdinal();
      this.resend.dropFirst();
      this.resent++;
      this.replayOne(target, held, ordinal, true);
    }
    while (this.outage.length > 0 && this.state === 'reconnecting') {
      const target = this.outage.firstTarget();
      const held = this.outage.firstPayload();
      const ordinal = this.outage.firstOrdinal();
      this.outage.dropFirst();
      this.replayed++;
      this.replayOne(target, held, ordinal, false);
    }
    if (this.state === 'reconnecting') this.setState('connected');
  }

  /** Sends a held message after a reconnect; `sentBefore` for the re-send queue, whose bytes were sent already. */
  private replayOne(target: CachedTarget, held: Uint8Array, ordinal: number, sentBefore: boolean): void {
    try {
      if (sentBefore) {
        this.sendAgain(target, held, ordinal);
      } else {
        if (held.byteLength > this.maxPayload)
          throw new PayloadTooLargeError(held.byteLength, this.maxPayload);
        this.send(target, held, ordinal);
      }
    } catch (err) {
      this.replayFailed++;
      this.errorListeners.emit(err, target.subject);
    }
  }

  /**
   * `nc.flush()`, rejected if the connection closes first: nats.js leaves a pending PONG unsettled when the
   * connection is closed from outside (`nc.close()`, `nc.drain()`), which would hang `flush()` and `close()`.
   * (Not `Promise.race` with `nc.closed()`: each race would leave a reaction on that promise until the close.)
   */
  private flushUnlessClosed(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pendingFlushes.add(reject);
      this.nc.flush().then(
        () => {
          this.pendingFlushes.delete(reject);
          resolve();
        },
        (err: unknown) => {
          this.pendingFlushes.delete(reject);
          reject(err);
        },
      );
    });
  }

  private readonly onClientClosed = (): void => {
    for (const reject of this.pendingFlushes) reject(new TransportClosedError('flush'));
    this.pendingFlushes.clear();
    // nats.js gave up (reconnect attempts exhausted), the connection was closed from outside, or close() finished.
    if (this.state === 'closed') return;
    this.enterClosed();
    // No PONG can come any more for what was sent and not yet acknowledged.
    this.dropUnconfirmed();
  };

  /** Counts the sent, unacknowledged messages in `dropped.closed`: whether they reached the server is unknown. */
  private dropUnconfirmed(): void {
    this.droppedClosed += this.unconfirmed.length;
    this.unconfirmed.clear();
  }

  private enterClosed(): void {
    clearTimeout(this.confirmTimer);
    this.droppedClosed += this.resend.length + this.outage.clear();
    this.resend.clear();
    this.subscriptions.closeAll();
    this.setState('closed');
  }

  private setState(next: TransportStatus): void {
    if (this.state === next) return;
    this.state = next;
    this.statusListeners.emit(next);
  }

  private nextStatus(): Promise<void> {
    return new Promise((resolve) => {
      const off = this.statusListeners.add(() => {
        off();
        resolve();
      });
    });
  }
}
