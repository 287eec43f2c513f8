/**
 * {@link Transport} that stores every accepted message in a JetStream stream exactly once and in publish order,
 * across broker outages: re-sends with the same message id, in order, from the oldest unacknowledged message, and
 * one raw publish per message on the hot path. Why that is enough, and how: docs/design/transport.md.
 */
import type { ApiError, StreamInfo } from '@nats-io/jetstream';
import type {
  Msg,
  NatsConnection,
  Subscription as NatsSubscription,
  PublishOptions,
} from '@nats-io/nats-core';
import {
  InvalidArgumentError,
  PayloadTooLargeError,
  StreamSubjectsError,
  SubjectNotInStreamError,
  TransportClosedError,
  TransportConnectError,
} from '../errors.js';
import { ensureStream, type JetStreamJournalStreamOptions } from '../journal/jetstream-journal.js';
import { randomUUID } from '../random-uuid.js';
import { checkInteger, checkNumber } from '../validate.js';
import { ListenerSet } from './listener-set.js';
import { createMessageIdHeaders, type MessageIdHeaders } from './message-id-headers.js';
import { MessageQueue } from './message-queue.js';
import { connectNats, type NatsConnectControl } from './nats-connect.js';
import { describeNatsConnection, type NatsConnectionOptions } from './nats-connection.js';
import { natsJetStream } from './nats-modules.js';
import { NatsSubscriptions } from './nats-subscriptions.js';
import { OutageBuffer, type OutageBufferOptions } from './outage-buffer.js';
import { PayloadSlab } from './payload-slab.js';
import { PublishTargetCache } from './publish-target-cache.js';
import { findSubjectProblem, subjectMatches, subjectPatternCovers } from './subject.js';
import type {
  FastPublishTransport,
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
  /** Most publishes awaiting their acknowledgement at once (default 4096); pipelining is what gives throughput. */
  maxInFlight?: number;
  /**
   * Bounds of the queue of messages not yet sent (while the in-flight window
   * is full or the broker is unreachable). Defaults: 100 000 messages,
   * 64 MiB, `'drop-oldest'`. Messages given up are counted in `dropped.outageOverflow`.
   */
  pending?: OutageBufferOptions;
  /**
   * How long the window may go without any acknowledgement before the
   * transport treats the outcome as unknown and re-sends (default 5 000 ms;
   * detected within 1.5x of it).
   */
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
  /** Abort signal and per-attempt report of the first connection ({@link NatsConnectControl}). */
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

const DEFAULT_MAX_IN_FLIGHT = 4096;
const DEFAULT_PENDING_MESSAGES = 100_000;
const DEFAULT_PENDING_BYTES = 64 * 1024 * 1024;
const DEFAULT_ACK_TIMEOUT_MS = 5_000;
const DEFAULT_RETRY_DELAY_MS = 250;
const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;

/** Outcome of one window slot, kept in a byte array so an acknowledgement allocates nothing. */
const SLOT_WAITING = 0;
const SLOT_STORED = 1;
const SLOT_DUPLICATE = 2;
const SLOT_REFUSED = 3;

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
  if (err instanceof natsJetStream().JetStreamApiError) return !TRANSIENT_API_ERRORS.has(err.code);
  if (!(err instanceof Error)) return false;
  // An oversized payload (InvalidArgumentError naming max_payload) or an acknowledgement that names no stream.
  return (
    (err.name === 'InvalidArgumentError' && err.message.includes('max_payload')) ||
    (err.name === 'JetStreamError' && err.message === 'invalid ack response')
  );
}

/**
 * The sequence of the usual acknowledgement, `{"stream":"S", "seq":N}`, read
 * from the bytes backwards; -1 for anything else (a duplicate, an error, more
 * fields), which the caller reads as text.
 */
function plainAckSequence(data: Uint8Array): number {
  const end = data.length - 1;
  // `}` last and `{"s` first: a stored-message acknowledgement, not `{"error"`.
  if (data[end] !== 0x7d || data[2] !== 0x73) return -1;
  let value = 0;
  let scale = 1;
  let at = end - 1;
  for (let digit = data[at] ?? 0; digit >= 0x30 && digit <= 0x39; digit = data[--at] ?? 0) {
    value += (digit - 0x30) * scale;
    scale *= 10;
  }
  if (scale === 1) return -1;
  while (data[at] === 0x20) at--;
  // `"seq":` ends right before the digits.
  const isSeqKey =
    data[at] === 0x3a &&
    data[at - 1] === 0x22 &&
    data[at - 2] === 0x71 &&
    data[at - 3] === 0x65 &&
    data[at - 4] === 0x73 &&
    data[at - 5] === 0x22;
  return isSeqKey ? value : -1;
}

/** True for an acknowledgement with `"duplicate": true` (nats-server writes a space there, and omits the field when false). */
function isDuplicateAck(text: string): boolean {
  const at = text.indexOf('"duplicate"');
  return at >= 0 && /^\s*:\s*true/.test(text.slice(at + '"duplicate"'.length));
}

/** The error an acknowledgement body stands for: the server's API error, or an acknowledgement without a sequence. */
function ackError(text: string): Error {
  try {
    const body = JSON.parse(text) as { error?: ApiError };
    if (body.error !== undefined) return new (natsJetStream().JetStreamApiError)(body.error);
  } catch {
    // Not JSON: reported as an invalid acknowledgement below.
  }
  return new (natsJetStream().JetStreamError)('invalid ack response');
}

function checkProducerId(producerId: string): string {
  // A subject token is exactly what is safe in a header value and readable in an id.
  if (producerId.includes('.') || findSubjectProblem(producerId, false) !== undefined) {
    throw new InvalidArgumentError(
      `producerId must be non-empty without whitespace, control characters, '.', '*' or '>': ${JSON.stringify(producerId)}`,
      { argument: 'producerId' },
    );
  }
  return producerId;
}

/**
 * Exactly-once, in-order publishing into a JetStream stream, behind the
 * {@link Transport} contract.
 *
 * Guarantee, per message accepted by `publish`, exactly one of: stored once in the stream (`acked`, in publish
 * order); given up by the pending bound (`dropped.outageOverflow`); refused by the server (`rejected`, reported to
 * `onError`); or still unacknowledged at close (`dropped.closed`, outcome unknown), while outages are shorter than
 * the stream's duplicate window (default 2 min). Subscriptions are core NATS subscriptions. How publishing, the
 * window and re-sends work: docs/design/transport.md.
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
export class JetStreamTransport implements FastPublishTransport {
  /** Name of the stream the transport publishes into. */
  readonly streamName: string;
  /** Prefix of the message ids. */
  readonly producerId: string;

  private readonly nc: NatsConnection;
  private readonly streamSubjects: readonly string[];
  private readonly maxInFlight: number;
  private readonly retryDelayMs: number;
  private readonly closeTimeoutMs: number;
  private readonly headerOverhead: number;
  private readonly maxMessageSize: number;
  /** Reused for every send: nats.js encodes the headers and reads the reply synchronously and keeps neither. */
  private readonly headers: MessageIdHeaders;
  private readonly publishOptions: PublishOptions;
  /** `<inbox>.js.` : every acknowledgement of this transport arrives below it. */
  private readonly ackRoot: string;
  /** `<ackRoot><epoch>.`, the reply prefix of the current epoch's sends. */
  private ackPrefix: string;
  private readonly ackSubscription: NatsSubscription;
  private readonly ackTimer: NodeJS.Timeout;
  private readonly decoder = new TextDecoder();
  /** Per window slot: SLOT_* outcome and the stream sequence of its acknowledgement. */
  private readonly slotState: Uint8Array;
  private readonly slotSequence: Float64Array;
  /** Errors of refused slots (rare, so a map rather than a per-slot array). */
  private readonly slotErrors = new Map<number, unknown>();
  /** Window progress seen by the last acknowledgement check. */
  private checkedEpoch = -1;
  private checkedHead = -1;
  private stalledChecks = 0;
  private drainQueued = false;
  /** Subjects validated once and known to be captured by the stream. */
  private readonly targets: PublishTargetCache;
  /** Sent in the current epoch, awaiting acknowledgement, in send order. */
  private inFlight = new MessageQueue<PublishTarget>();
  /** Were in flight when a failure struck; sent before anything newer. */
  private resend = new MessageQueue<PublishTarget>();
  private readonly pending: OutageBuffer<PublishTarget>;
  /** Owned copies of sent payloads (kept for re-sends), carved from shared slabs. */
  private readonly copies = new PayloadSlab();
  private readonly statusListeners = new ListenerSet<[TransportStatus]>();
  private readonly errorListeners = new ListenerSet<[unknown, string]>();
  private readonly subscriptions: NatsSubscriptions;
  private readonly flushWaiters: FlushWaiter[] = [];
  private readonly retryTimer: NodeJS.Timeout;
  /** Bumped on every failure; acknowledgements of an older epoch are ignored. */
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
    this.slotState = new Uint8Array(this.maxInFlight);
    this.slotSequence = new Float64Array(this.maxInFlight);
    // The expected stream refuses to land in another stream that happens to capture the subject too.
    this.headers = createMessageIdHeaders(producerId, this.streamName);
    this.publishOptions = { headers: this.headers, reply: '' };
    this.ackRoot = `${inboxPrefix}.js.`;
    this.ackPrefix = `${this.ackRoot}0.`;
    this.ackSubscription = nc.subscribe(`${this.ackRoot}>`, { callback: this.onAck });
    this.ackTimer = setInterval(this.checkAcks, (options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS) / 2);
    this.ackTimer.unref();
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
    checkInteger('maxInFlight', options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT, 1);
    checkInteger('ackTimeoutMs', options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS, 1);
    checkNumber('retryDelayMs', options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS, 0);
    checkNumber('closeTimeoutMs', options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS, 0);
    checkNumber('pending.maxMessages', options.pending?.maxMessages ?? DEFAULT_PENDING_MESSAGES, 0);
    checkNumber('pending.maxBytes', options.pending?.maxBytes ?? DEFAULT_PENDING_BYTES, 0);
    const where = describeNatsConnection(connection);
    // A private inbox prefix lets wildcard subscribers skip this connection's acknowledgements.
    const inboxPrefix = `_INBOX_${randomUUID()}`;
    // nats.js otherwise captures a stack trace (new Error()) on every request.
    const nc = await connectNats(connection, options.connect, { inboxPrefix, noAsyncTraces: true });
    let info: StreamInfo;
    try {
      info = await ensureStream(await natsJetStream().jetstreamManager(nc), options.stream);
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
      this.send(target, this.copies.copy(payload), ordinal);
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

  /**
   * Hands an owned copy to nats.js with its message id and a reply subject
   * naming its window index, and tracks it in the window.
   */
  private send(target: PublishTarget, copy: Uint8Array, ordinal: number): void {
    const index = this.sendCount++;
    this.inFlight.push(target, copy, ordinal);
    this.headers.ordinal = ordinal;
    this.publishOptions.reply = this.ackPrefix + index;
    try {
      this.nc.publish(target.subject, copy, this.publishOptions);
    } catch (err) {
      this.settleFailed(index, err);
    }
  }

  /** A send that nats.js refused synchronously: a refusal is counted in order, anything else is an outage. */
  private settleFailed(index: number, err: unknown): void {
    if (!isRefusal(err)) {
      this.fail();
      return;
    }
    const slot = index % this.maxInFlight;
    this.slotState[slot] = SLOT_REFUSED;
    this.slotErrors.set(slot, err);
    // Called from inside pump(): drain on the next microtask rather than re-entering it.
    if (!this.drainQueued) {
      this.drainQueued = true;
      queueMicrotask(this.queuedDrain);
    }
  }

  private readonly queuedDrain = (): void => {
    this.drainQueued = false;
    if (this.state !== 'closed') this.drain();
  };

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

  /**
   * One acknowledgement: `{"stream":..,"seq":N[,"duplicate":true]}`, an API
   * error, or an empty status message (503: no responders, JetStream not
   * there yet). The common case is read without JSON.parse.
   */
  private readonly onAck = (err: Error | null, msg: Msg): void => {
    if (err !== null) {
      this.errorListeners.emit(err, `${this.ackRoot}>`);
      return;
    }
    if (this.state === 'closed') return;
    const subject = msg.subject;
    if (!subject.startsWith(this.ackPrefix)) return; // an abandoned epoch's window
    const index = Number(subject.slice(this.ackPrefix.length));
    if (!(index >= this.headCount && index < this.sendCount)) return;
    const slot = index % this.maxInFlight;
    if (this.slotState[slot] !== SLOT_WAITING) return;
    const data = msg.data;
    if (data.length === 0) {
      this.fail();
      return;
    }
    const plain = plainAckSequence(data);
    if (plain > 0) {
      this.slotSequence[slot] = plain;
      this.slotState[slot] = SLOT_STORED;
      if (index === this.headCount) this.drain();
      return;
    }
    const text = this.decoder.decode(data);
    const seqAt = text.indexOf('"seq":');
    if (seqAt >= 0 && !text.includes('"error"')) {
      this.slotSequence[slot] = Number.parseInt(text.slice(seqAt + 6), 10);
      this.slotState[slot] = isDuplicateAck(text) ? SLOT_DUPLICATE : SLOT_STORED;
    } else {
      const failure = ackError(text);
      if (!isRefusal(failure)) {
        this.fail();
        return;
      }
      this.slotState[slot] = SLOT_REFUSED;
      this.slotErrors.set(slot, failure);
    }
    if (index === this.headCount) this.drain();
  };

  /** Interval timer: a window with messages in flight that has not moved for a whole ack timeout failed. */
  private readonly checkAcks = (): void => {
    if (this.state === 'closed' || this.inFlight.length === 0) {
      this.stalledChecks = 0;
      return;
    }
    if (this.checkedEpoch !== this.epoch || this.checkedHead !== this.headCount) {
      this.checkedEpoch = this.epoch;
      this.checkedHead = this.headCount;
      this.stalledChecks = 0;
      return;
    }
    // Checks run every half timeout: two in a row without progress is at least a whole timeout.
    if (++this.stalledChecks >= 2) {
      this.stalledChecks = 0;
      this.fail();
    }
  };

  /** Retires settled publishes from the head of the window, in send order. */
  private drain(): void {
    while (this.inFlight.length > 0) {
      const slot = this.headCount % this.maxInFlight;
      const state = this.slotState[slot];
      if (state === SLOT_WAITING) break;
      if (state === SLOT_REFUSED) {
        this.rejected++;
        const error = this.slotErrors.get(slot);
        this.slotErrors.delete(slot);
        this.errorListeners.emit(error, this.inFlight.firstTarget().subject);
      } else {
        this.acked++;
        if (state === SLOT_DUPLICATE) this.duplicates++;
        const sequence = this.slotSequence[slot] as number;
        if (sequence > this.lastSequence) this.lastSequence = sequence;
      }
      this.slotState[slot] = SLOT_WAITING;
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
    this.ackPrefix = `${this.ackRoot}${this.epoch}.`;
    this.slotState.fill(SLOT_WAITING);
    this.slotErrors.clear();
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
      if (event.type === 'disconnect') {
        this.linkUp = false;
        this.fail();
      } else if (event.type === 'reconnect') {
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
    clearInterval(this.ackTimer);
    if (!this.nc.isClosed()) this.ackSubscription.unsubscribe();
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
