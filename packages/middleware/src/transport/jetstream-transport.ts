/**
 * {@link Transport} that stores every accepted message in a JetStream stream
 * exactly once and in publish order, across broker outages.
 *
 * Core NATS is at-most-once. JetStream acknowledges each stored message and
 * de-duplicates by message id within the stream's duplicate window, so a
 * publisher that keeps every message until its acknowledgement and re-sends
 * unacknowledged ones with the SAME id gets exactly-once storage: the server
 * answers "duplicate" for the copies it already held.
 *
 * Order is kept because a failure stops the pipeline: one connection delivers
 * a prefix of what was written, so the server has stored a prefix of the
 * unacknowledged window; re-sending from the oldest unacknowledged message, in
 * order, appends the rest after it. After an outage a single "probe" message
 * is sent alone until acknowledged, so a JetStream that is still recovering
 * (answering "no responders") cannot accept a later message before an earlier
 * one.
 */
import { randomUUID } from 'node:crypto';
import {
  Events,
  type JetStreamClient,
  type JetStreamPublishOptions,
  type NatsConnection,
  type NatsError,
  type PubAck,
  type StreamInfo,
} from 'nats';
import {
  InvalidArgumentError,
  PayloadTooLargeError,
  StreamSubjectsError,
  SubjectNotInStreamError,
  TransportClosedError,
  TransportConnectError,
} from '../errors.js';
import { ensureStream, type JetStreamJournalStreamOptions } from '../journal/jetstream-journal.js';
import { ListenerSet } from './listener-set.js';
import { MessageQueue } from './message-queue.js';
import { connectNats, type NatsConnectControl } from './nats-connect.js';
import { describeNatsConnection, type NatsConnectionOptions } from './nats-connection.js';
import { NatsSubscriptions } from './nats-subscriptions.js';
import { OutageBuffer, type OutageBufferOptions } from './outage-buffer.js';
import { PublishTargetCache } from './publish-target-cache.js';
import { findSubjectProblem, subjectMatches, subjectPatternCovers } from './subject.js';
import type {
  MessageHandler,
  PublishTarget,
  Subscription,
  Transport,
  TransportCounters,
  TransportStatus,
} from './transport.js';

/** Options for {@link JetStreamTransport.connect} beyond the connection settings. */
export interface JetStreamTransportOptions {
  /** The stream, created with these settings when absent; an existing stream is used as configured. */
  stream: JetStreamJournalStreamOptions;
  /**
   * Prefix of the message ids (`<producerId>-<publish number>`). Defaults to a
   * random UUID per `connect`. A fixed id must never be reused by a later
   * process within the duplicate window, or the server drops its new messages
   * as duplicates of the old ones.
   */
  producerId?: string;
  /** Most publishes awaiting their acknowledgement at once (default 1024); pipelining is what gives throughput. */
  maxInFlight?: number;
  /**
   * Bounds of the queue of messages not yet sent (while the in-flight window
   * is full or the broker is unreachable). Defaults: 100 000 messages,
   * 64 MiB, `'drop-oldest'`. Messages given up are counted in `dropped.outageOverflow`.
   */
  pending?: OutageBufferOptions;
  /** How long one publish waits for its acknowledgement before the transport re-sends (default 5 000 ms). */
  ackTimeoutMs?: number;
  /** Pause before probing again after a failure while the connection is up, e.g. JetStream recovering (default 250 ms). */
  retryDelayMs?: number;
  /** How long `close()` waits for outstanding acknowledgements (default 5 000 ms). */
  closeTimeoutMs?: number;
  /**
   * How many distinct string subjects keep a cached validated target (default
   * 10 000); beyond that, unknown subjects are validated on every publish.
   */
  maxCachedSubjects?: number;
  /** Clock for receive timestamps, in nanoseconds; defaults to a `performance.now()`-based clock. */
  now?: () => number;
  /** Abort signal and per-attempt report of the first connection (see {@link connectNats}). */
  connect?: NatsConnectControl;
  /**
   * Subject patterns every publish will match, e.g. `['prod.binance.trade.*']`.
   * `connect` refuses (with {@link StreamSubjectsError}) a stream whose
   * subjects do not capture all of them, instead of every publish failing.
   */
  requireSubjects?: readonly string[];
}

/** Publish accounting of a {@link JetStreamTransport}; totals only grow, `inFlight` and `pending*` are current. */
export interface JetStreamPublishCounters {
  /** Messages the stream acknowledged as stored (each message once, duplicates included). */
  acked: number;
  /** Acknowledgements that said the stream already held the message (a re-send of a stored message). */
  duplicates: number;
  /** Sends of a message that had been sent before (re-sends after a failure). */
  resent: number;
  /** Messages the server refused (an API error such as a full discard-new stream); reported through `onError`. */
  rejected: number;
  /** Messages sent and awaiting acknowledgement. */
  inFlight: number;
  /** Messages waiting to be sent (re-sends first, then new ones). */
  pending: number;
  /** Payload bytes waiting to be sent. */
  pendingBytes: number;
  /** Failure episodes: disconnects, acknowledgement timeouts or JetStream unavailable. */
  outages: number;
  /** Highest stream sequence acknowledged so far (0 before the first acknowledgement). */
  lastSequence: number;
}

const DEFAULT_MAX_IN_FLIGHT = 1024;
const DEFAULT_PENDING_MESSAGES = 100_000;
const DEFAULT_PENDING_BYTES = 64 * 1024 * 1024;
const DEFAULT_ACK_TIMEOUT_MS = 5_000;
const DEFAULT_RETRY_DELAY_MS = 250;
const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;

/**
 * Outcome holder for one in-flight position. Slots are reused round-robin
 * with pre-bound callbacks, so a publish allocates no closure; a failure
 * replaces the whole set so late callbacks of the abandoned window land on
 * slots nobody reads.
 */
class PublishSlot {
  settled = false;
  error: unknown = undefined;
  duplicate = false;
  sequence = 0;

  constructor(
    readonly epoch: number,
    private readonly notify: (slot: PublishSlot) => void,
  ) {}

  readonly onAck = (ack: PubAck): void => {
    this.settled = true;
    this.error = undefined;
    this.duplicate = ack.duplicate;
    this.sequence = ack.seq;
    this.notify(this);
  };

  readonly onFail = (err: unknown): void => {
    this.settled = true;
    this.error = err ?? new Error('publish failed without a reason');
    this.notify(this);
  };
}

interface FlushWaiter {
  mark: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * JetStream API errors that mean "not now" rather than "no": the cluster or
 * the stream is temporarily unavailable (10008, 10118).
 */
const TRANSIENT_API_ERRORS: ReadonlySet<number> = new Set([10008, 10118]);

/**
 * True when the server stated it did not store the message, so a re-send
 * would be refused again (e.g. a full discard-new stream, error 10077).
 * Everything else (timeouts, no responders while JetStream recovers, a lost
 * connection) leaves the outcome unknown and is re-sent with the same id.
 */
function isRefusal(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, api_error: apiError } = err as Partial<NatsError>;
  if (apiError !== undefined) return !TRANSIENT_API_ERRORS.has(apiError.err_code ?? 0);
  return code === 'MAX_PAYLOAD_EXCEEDED' || code === 'BAD_PAYLOAD' || code === 'JESTREAM_INVALID_ACK';
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${what} must be a positive integer, got ${value}`);
  }
  return value;
}

function nonNegative(value: number, what: string): number {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new InvalidArgumentError(`${what} must be a finite number >= 0, got ${value}`);
  }
  return value;
}

function checkProducerId(producerId: string): string {
  // A subject token is exactly what is safe in a header value and readable in an id.
  if (producerId.includes('.') || findSubjectProblem(producerId, false) !== undefined) {
    throw new InvalidArgumentError(
      `producerId must be non-empty without whitespace, control characters, '.', '*' or '>': ${JSON.stringify(producerId)}`,
    );
  }
  return producerId;
}

/**
 * Exactly-once, in-order publishing into a JetStream stream, behind the
 * {@link Transport} contract.
 *
 * `publish` copies the payload, numbers it (`<producerId>-<n>` is its message
 * id) and sends it at once when the in-flight window has room, else queues it
 * in a bounded FIFO. Up to `maxInFlight` publishes await their
 * acknowledgements at a time. On an acknowledgement the message is forgotten;
 * on a disconnect, timeout or "no responders" the transport stops sending,
 * reports `'reconnecting'`, and once the server answers again re-sends from
 * the oldest unacknowledged message, in order, with the same ids.
 *
 * Guarantee, per message accepted by `publish`, exactly one of: stored once in
 * the stream (`acked`, in publish order); given up by the pending bound
 * (`dropped.outageOverflow`); refused by the server (`rejected`, reported to
 * `onError`); or still unacknowledged at close (`dropped.closed`, outcome
 * unknown). The exactly-once part holds while outages are shorter than the
 * stream's duplicate window (default 2 min).
 *
 * Subscriptions are plain core NATS subscriptions: messages stored by the
 * stream are also delivered to core subscribers of their subject.
 *
 * @example
 * ```ts
 * const transport = await JetStreamTransport.connect(
 *   { servers: 'nats://127.0.0.1:4222' },
 *   { stream: { name: 'TRADES', subjects: ['trades.>'], storage: 'file' }, pending: { maxMessages: 500_000 } },
 * );
 * transport.onStatus((status) => console.log('jetstream', status));
 * transport.onError((err, subject) => console.error(subject, err));
 * const btc = transport.prepare('trades.binance.BTCUSDT');
 * transport.publish(btc, new Uint8Array([1, 2, 3]));
 * await transport.flush(); // stored in the stream
 * console.log(transport.counters(), transport.journalCounters());
 * await transport.close();
 * ```
 */
export class JetStreamTransport implements Transport {
  /** Name of the stream the transport publishes into. */
  readonly streamName: string;
  /** Prefix of the message ids. */
  readonly producerId: string;

  private readonly nc: NatsConnection;
  private readonly js: JetStreamClient;
  private readonly streamSubjects: readonly string[];
  private readonly maxInFlight: number;
  private readonly retryDelayMs: number;
  private readonly closeTimeoutMs: number;
  private readonly headerOverhead: number;
  private readonly maxMessageSize: number;
  /** Reused for every send: nats.js reads it synchronously and keeps nothing. */
  private readonly publishOptions: Partial<JetStreamPublishOptions>;
  /** Subjects validated once and known to be captured by the stream. */
  private readonly targets: PublishTargetCache;
  /** Sent in the current epoch, awaiting acknowledgement, in send order. */
  private inFlight = new MessageQueue<PublishTarget>();
  /** Were in flight when a failure struck; sent before anything newer. */
  private resend = new MessageQueue<PublishTarget>();
  private readonly pending: OutageBuffer<PublishTarget>;
  private readonly statusListeners = new ListenerSet<[TransportStatus]>();
  private readonly errorListeners = new ListenerSet<[unknown, string]>();
  private readonly subscriptions: NatsSubscriptions;
  private readonly flushWaiters: FlushWaiter[] = [];
  private readonly retryTimer: NodeJS.Timeout;
  private slots: (PublishSlot | undefined)[];
  /** Bumped on every failure; callbacks of an older epoch are ignored. */
  private epoch = 0;
  /** Sends in this epoch, and how many of them have left the window. */
  private sendCount = 0;
  private headCount = 0;
  private state: TransportStatus = 'connected';
  private linkUp = true;
  private probing = false;
  private closeRequested = false;
  private closing: Promise<void> | undefined;
  private maxPayload: number;
  private published = 0;
  private droppedClosed = 0;
  private acked = 0;
  private duplicates = 0;
  private resent = 0;
  private rejected = 0;
  private outages = 0;
  private lastSequence = 0;

  private constructor(
    nc: NatsConnection,
    info: StreamInfo,
    options: JetStreamTransportOptions,
    producerId: string,
    inboxPrefix: string,
  ) {
    this.nc = nc;
    this.js = nc.jetstream();
    this.streamName = info.config.name;
    this.streamSubjects = [...(info.config.subjects ?? [])];
    this.producerId = producerId;
    this.subscriptions = new NatsSubscriptions(nc, this.errorListeners, {
      now: options.now,
      ownInboxPrefix: `${inboxPrefix}.`,
    });
    this.targets = new PublishTargetCache(options.maxCachedSubjects ?? 10_000, this.checkCaptured);
    this.maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    this.retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    this.closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    this.pending = new OutageBuffer({
      maxMessages: options.pending?.maxMessages ?? DEFAULT_PENDING_MESSAGES,
      maxBytes: options.pending?.maxBytes ?? DEFAULT_PENDING_BYTES,
      overflowPolicy: options.pending?.overflowPolicy ?? 'drop-oldest',
    });
    this.slots = new Array<PublishSlot | undefined>(this.maxInFlight);
    this.publishOptions = {
      msgID: '',
      timeout: options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS,
      // Refuse to land in another stream that happens to capture the subject too.
      expect: { streamName: this.streamName },
    };
    // Headers travel inside the server's size limits, so the payload limit is
    // what is left beside the largest id this producer will send.
    this.headerOverhead = Buffer.byteLength(
      `NATS/1.0\r\nNats-Msg-Id: ${producerId}-${Number.MAX_SAFE_INTEGER}\r\nNats-Expected-Stream: ${this.streamName}\r\n\r\n`,
    );
    const streamLimit = info.config.max_msg_size ?? -1;
    this.maxMessageSize = streamLimit > 0 ? streamLimit : Number.POSITIVE_INFINITY;
    this.maxPayload = this.payloadLimit();
    // One timer re-armed with refresh(): no timer object per retry. Its first,
    // unrequested run finds nothing to probe.
    this.retryTimer = setTimeout(this.retry, this.retryDelayMs);
    this.retryTimer.unref();
    // A broken status watch cannot track outages any more: stop (counting what is dropped) rather than guess.
    this.watchStatus().catch(this.onClientClosed);
    nc.closed().then(this.onClientClosed, this.onClientClosed);
  }

  /**
   * Connects, creates the stream when absent (with the journal's stream
   * definition, on this same connection) and loads the stream's subjects and
   * size limit.
   * @throws InvalidArgumentError for invalid options (before connecting).
   * @throws TransportConnectError when the server is unreachable or the stream cannot be created or read.
   */
  static async connect(
    connection: NatsConnectionOptions,
    options: JetStreamTransportOptions,
  ): Promise<JetStreamTransport> {
    const producerId = checkProducerId(options.producerId ?? randomUUID());
    positiveInteger(options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT, 'maxInFlight');
    positiveInteger(options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS, 'ackTimeoutMs');
    nonNegative(options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS, 'retryDelayMs');
    nonNegative(options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS, 'closeTimeoutMs');
    nonNegative(options.pending?.maxMessages ?? DEFAULT_PENDING_MESSAGES, 'pending.maxMessages');
    nonNegative(options.pending?.maxBytes ?? DEFAULT_PENDING_BYTES, 'pending.maxBytes');
    const where = describeNatsConnection(connection);
    // A private inbox prefix lets wildcard subscribers skip this connection's acknowledgements.
    const inboxPrefix = `_INBOX_${randomUUID()}`;
    // nats.js otherwise captures a stack trace (new Error()) on every request.
    const nc = await connectNats(connection, options.connect, { inboxPrefix, noAsyncTraces: true });
    let info: StreamInfo;
    try {
      info = await ensureStream(await nc.jetstreamManager(), options.stream);
    } catch (err) {
      await nc.close();
      throw new TransportConnectError(`${where}, stream '${options.stream.name}'`, { cause: err });
    }
    const streamSubjects = info.config.subjects ?? [];
    const uncaptured = (options.requireSubjects ?? []).filter(
      (wanted) => !streamSubjects.some((subject) => subjectPatternCovers(subject, wanted)),
    );
    if (uncaptured.length > 0) {
      await nc.close();
      throw new StreamSubjectsError(options.stream.name, streamSubjects, uncaptured);
    }
    return new JetStreamTransport(nc, info, options, producerId, inboxPrefix);
  }

  /**
   * `'connected'`, `'reconnecting'` while the stream does not acknowledge
   * (broker down, JetStream recovering, acknowledgements timing out; publishes
   * are queued), or `'closed'`.
   */
  get status(): TransportStatus {
    return this.state;
  }

  /**
   * Accepts `payload` (copied) for exactly-once storage: sends it now when the
   * window has room, else queues it.
   * @throws InvalidSubjectError for an invalid subject string (nothing is sent).
   * @throws SubjectNotInStreamError when no stream subject captures it.
   * @throws PayloadTooLargeError when payload plus headers exceed the server or stream limit.
   * @throws TransportClosedError after `close()` or once nats.js gave up reconnecting.
   */
  publish(subject: string | PublishTarget, payload: Uint8Array): void {
    if (this.closeRequested) throw new TransportClosedError('publish');
    const target = this.targets.resolve(subject);
    if (payload.byteLength > this.maxPayload)
      throw new PayloadTooLargeError(payload.byteLength, this.maxPayload);
    const ordinal = ++this.published;
    if (
      this.state === 'connected' &&
      this.inFlight.length < this.maxInFlight &&
      this.resend.length === 0 &&
      this.pending.length === 0
    ) {
      this.send(target, payload.slice(), ordinal);
      return;
    }
    this.pending.offer(target, payload, ordinal);
    if (this.flushWaiters.length > 0) this.settleFlushes();
  }

  /**
   * Validates `subject` once (NATS rules and stream capture) and returns its cached target.
   * @throws InvalidSubjectError or SubjectNotInStreamError.
   */
  prepare(subject: string): PublishTarget {
    if (this.closeRequested) throw new TransportClosedError('prepare');
    return this.targets.get(subject);
  }

  /**
   * Subscribes with core NATS; each message gets the next per-transport
   * sequence number and a receive timestamp. Wildcard subscribers do not see
   * this transport's own acknowledgement replies.
   * @throws InvalidSubjectError for an invalid pattern; TransportClosedError after `close()`.
   */
  subscribe(pattern: string, handler: MessageHandler): Subscription {
    if (this.closeRequested) throw new TransportClosedError('subscribe');
    return this.subscriptions.subscribe(pattern, handler);
  }

  /**
   * Resolves once every message published before the call has been
   * acknowledged by the stream (or refused by the server or given up by the
   * pending bound, both counted). During an outage it waits for the re-send;
   * race it with a timeout if that is too long.
   * @throws TransportClosedError when the transport is or becomes closed first.
   */
  flush(): Promise<void> {
    if (this.state === 'closed') return Promise.reject(new TransportClosedError('flush'));
    const mark = this.published;
    if (this.oldestOutstanding() > mark) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.flushWaiters.push({ mark, resolve, reject });
    });
  }

  /**
   * Stops accepting work, waits up to `closeTimeoutMs` for outstanding
   * acknowledgements, then closes the connection. Whatever is still
   * unacknowledged is counted in `dropped.closed`. Idempotent.
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closeRequested = true;
    this.closing = this.shutdown();
    return this.closing;
  }

  /** Registers a status listener; returns an unsubscribe function. */
  onStatus(listener: (status: TransportStatus) => void): () => void {
    return this.statusListeners.add(listener);
  }

  /**
   * Registers a listener for handler errors, subscription errors and messages
   * the server refused (with their subject); returns an unsubscribe function.
   */
  onError(listener: (error: unknown, subject: string) => void): () => void {
    return this.errorListeners.add(listener);
  }

  /** Snapshot of the {@link Transport} counters. */
  counters(): TransportCounters {
    return {
      published: this.published,
      delivered: this.subscriptions.delivered,
      dropped: {
        handlerError: this.subscriptions.handlerErrors,
        outageOverflow: this.pending.dropped,
        closed: this.droppedClosed,
      },
    };
  }

  /** Snapshot of the stream-side accounting (see the class documentation for the guarantee). */
  journalCounters(): JetStreamPublishCounters {
    return {
      acked: this.acked,
      duplicates: this.duplicates,
      resent: this.resent,
      rejected: this.rejected,
      inFlight: this.inFlight.length,
      pending: this.resend.length + this.pending.length,
      pendingBytes: this.resend.bytes + this.pending.bytes,
      outages: this.outages,
      lastSequence: this.lastSequence,
    };
  }

  private payloadLimit(): number {
    const server = this.nc.info?.max_payload ?? 1024 * 1024;
    return Math.max(0, Math.min(server, this.maxMessageSize) - this.headerOverhead);
  }

  /** Refuses up front what JetStream would answer with "no responders" forever. */
  private readonly checkCaptured = (subject: string): void => {
    if (!this.streamSubjects.some((pattern) => subjectMatches(pattern, subject))) {
      throw new SubjectNotInStreamError(subject, this.streamName);
    }
  };

  /** Hands an owned copy to nats.js with its message id and tracks it in the window. */
  private send(target: PublishTarget, copy: Uint8Array, ordinal: number): void {
    const index = this.sendCount % this.maxInFlight;
    let slot = this.slots[index];
    if (slot === undefined) {
      slot = new PublishSlot(this.epoch, this.onSettled);
      this.slots[index] = slot;
    }
    this.sendCount++;
    this.inFlight.push(target, copy, ordinal);
    this.publishOptions.msgID = `${this.producerId}-${ordinal}`;
    this.js.publish(target.subject, copy, this.publishOptions).then(slot.onAck, slot.onFail);
  }

  /** Fills the window: re-sends first, then queued messages, oldest first. */
  private pump(): void {
    while (this.state === 'connected' && this.inFlight.length < this.maxInFlight) {
      if (this.resend.length > 0) {
        this.send(this.resend.firstTarget(), this.resend.firstPayload(), this.resend.firstOrdinal());
        this.resend.dropFirst();
        this.resent++;
      } else if (this.pending.length > 0) {
        this.send(this.pending.firstTarget(), this.pending.firstPayload(), this.pending.firstOrdinal());
        this.pending.dropFirst();
      } else {
        return;
      }
    }
  }

  private readonly onSettled = (slot: PublishSlot): void => {
    if (slot.epoch !== this.epoch || this.state === 'closed') return;
    if (slot.error !== undefined && !isRefusal(slot.error)) {
      this.fail();
      return;
    }
    this.drain();
  };

  /** Retires settled publishes from the head of the window, in send order. */
  private drain(): void {
    while (this.inFlight.length > 0) {
      const slot = this.slots[this.headCount % this.maxInFlight];
      if (slot === undefined || !slot.settled) break;
      if (slot.error === undefined) {
        this.acked++;
        if (slot.duplicate) this.duplicates++;
        if (slot.sequence > this.lastSequence) this.lastSequence = slot.sequence;
      } else {
        this.rejected++;
        this.errorListeners.emit(slot.error, this.inFlight.firstTarget().subject);
      }
      slot.settled = false;
      slot.error = undefined;
      this.inFlight.dropFirst();
      this.headCount++;
    }
    if (this.probing && this.inFlight.length === 0) {
      // The server answered the probe: the stream is taking messages again.
      this.probing = false;
      this.setState('connected');
    }
    this.pump();
    if (this.flushWaiters.length > 0) this.settleFlushes();
  }

  /**
   * Outcome unknown for the whole window: stop sending and queue the window,
   * oldest first, ahead of the older re-sends still waiting.
   */
  private fail(): void {
    if (this.state === 'closed') return;
    this.epoch++;
    this.slots = new Array<PublishSlot | undefined>(this.maxInFlight);
    this.sendCount = 0;
    this.headCount = 0;
    this.probing = false;
    if (this.inFlight.length > 0) {
      const requeued = this.inFlight;
      while (this.resend.length > 0) {
        requeued.push(this.resend.firstTarget(), this.resend.firstPayload(), this.resend.firstOrdinal());
        this.resend.dropFirst();
      }
      this.inFlight = this.resend;
      this.resend = requeued;
    }
    if (this.state === 'connected') this.outages++;
    this.setState('reconnecting');
    if (this.linkUp) this.retryTimer.refresh();
  }

  private readonly retry = (): void => {
    this.probe();
  };

  /** Sends the oldest waiting message alone; its acknowledgement reopens the window. */
  private probe(): void {
    if (this.state !== 'reconnecting' || !this.linkUp || this.probing) return;
    if (this.resend.length > 0) {
      this.probing = true;
      this.send(this.resend.firstTarget(), this.resend.firstPayload(), this.resend.firstOrdinal());
      this.resend.dropFirst();
      this.resent++;
    } else if (this.pending.length > 0) {
      this.probing = true;
      this.send(this.pending.firstTarget(), this.pending.firstPayload(), this.pending.firstOrdinal());
      this.pending.dropFirst();
    } else {
      this.setState('connected');
    }
  }

  private async watchStatus(): Promise<void> {
    for await (const event of this.nc.status()) {
      if (event.type === Events.Disconnect) {
        this.linkUp = false;
        this.fail();
      } else if (event.type === Events.Reconnect) {
        this.linkUp = true;
        this.maxPayload = this.payloadLimit();
        this.probe();
      }
    }
  }

  private oldestOutstanding(): number {
    return Math.min(this.inFlight.firstOrdinal(), this.resend.firstOrdinal(), this.pending.firstOrdinal());
  }

  private settleFlushes(): void {
    const oldest = this.oldestOutstanding();
    for (let i = 0; i < this.flushWaiters.length; ) {
      const waiter = this.flushWaiters[i] as FlushWaiter;
      if (oldest > waiter.mark) {
        this.flushWaiters.splice(i, 1);
        waiter.resolve();
      } else {
        i++;
      }
    }
  }

  private async shutdown(): Promise<void> {
    if (this.state !== 'closed' && this.oldestOutstanding() <= this.published) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.closeTimeoutMs);
      });
      const drained = new Promise<void>((resolve) => {
        this.flushWaiters.push({ mark: this.published, resolve, reject: () => resolve() });
      });
      await Promise.race([drained, deadline]);
      clearTimeout(timer);
    }
    this.enterClosed();
    if (!this.nc.isClosed()) await this.nc.close();
  }

  private readonly onClientClosed = (): void => {
    // nats.js gave up (reconnect attempts exhausted) or close() finished.
    this.closeRequested = true;
    if (this.state !== 'closed') this.enterClosed();
  };

  private enterClosed(): void {
    clearTimeout(this.retryTimer);
    this.epoch++;
    this.droppedClosed += this.inFlight.length + this.resend.length + this.pending.clear();
    this.inFlight.clear();
    this.resend.clear();
    this.subscriptions.closeAll();
    this.setState('closed');
    const waiters = this.flushWaiters.splice(0);
    for (const waiter of waiters) waiter.reject(new TransportClosedError('flush'));
  }

  private setState(next: TransportStatus): void {
    if (this.state === next) return;
    this.state = next;
    this.statusListeners.emit(next);
  }
}
