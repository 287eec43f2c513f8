/**
 * The distributed journal: a JetStream stream with limits retention, written
 * with de-duplicating message ids and replayed through ordered consumers.
 */
import type {
  ConsumerMessages,
  JetStreamClient,
  JetStreamManager,
  JsMsg,
  PubAck,
  StreamConfig,
  StreamInfo,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { JournalAppendError, JournalClosedError, JournalOpenError, SequenceEvictedError } from '../errors.js';
import { randomUUID } from '../random-uuid.js';
import { connectNats } from '../transport/nats-connect.js';
import { describeNatsConnection, type NatsConnectionOptions } from '../transport/nats-connection.js';
import { natsCore, natsJetStream } from '../transport/nats-modules.js';
import { checkInteger } from '../validate.js';
import type { Journal, JournalEntriesOptions, JournalEntry } from './journal.js';

/** The stream backing a {@link JetStreamJournal}; used only when the stream does not exist yet. */
export interface JetStreamJournalStreamOptions {
  /** Stream name, e.g. `MD_RAW`. */
  name: string;
  /** Subjects the stream captures, e.g. `['md.raw.>']`; every appended subject must match one. */
  subjects: readonly string[];
  /** Most messages retained; the oldest are discarded beyond it (default unlimited). */
  maxMessages?: number;
  /** Most bytes retained, as the server counts them (payload, subject and headers; default unlimited). */
  maxBytes?: number;
  /** Discard messages older than this (default 0: no age limit). Must be at least `duplicateWindowMs` when set. */
  maxAgeMs?: number;
  /** `file` (default) survives server restarts; `memory` is faster and does not. */
  storage?: 'file' | 'memory';
  /** How long the server remembers message ids for de-duplication (default 120 000 ms). */
  duplicateWindowMs?: number;
  /** Replicas in a clustered deployment (default 1). */
  replicas?: number;
}

/** Options for {@link JetStreamJournal.open}. */
export interface JetStreamJournalOptions {
  /** How to reach NATS; the journal owns this connection and closes it in {@link JetStreamJournal.close}. */
  connection: NatsConnectionOptions;
  /** The stream, created with these settings when absent; an existing stream is used as configured. */
  stream: JetStreamJournalStreamOptions;
  /**
   * Prefix of the default message ids (`<producerId>-<counter>`). Defaults to a
   * random UUID per `open`. A fixed id must never be reused by a later process
   * within the duplicate window, or its counter restarting at 1 makes the
   * server drop new messages as duplicates.
   */
  producerId?: string;
  /** How long an append waits for the server's acknowledgement (default 5 000 ms). */
  appendTimeoutMs?: number;
}

/** Options for one {@link JetStreamJournal.appendWithReceipt} call. */
export interface JetStreamAppendOptions {
  /**
   * De-duplication id. Pass the id of a failed attempt (from
   * {@link JetStreamJournal.nextMsgId} or {@link JournalAppendError.msgId}) to
   * retry it: within the stream's duplicate window the server stores it at
   * most once. Defaults to the next `<producerId>-<counter>` id.
   */
  msgId?: string;
  /** Overrides `appendTimeoutMs` for this call. */
  timeoutMs?: number;
}

/** What the server acknowledged for one append. */
export interface JetStreamAppendReceipt {
  /** Stream sequence of the message; for a duplicate, the sequence of the copy stored first. */
  sequence: number;
  /** True when the server already held a message with this id and stored nothing new. */
  duplicate: boolean;
  /** The id the message carried. */
  msgId: string;
}

const STREAM_NOT_FOUND = 10059;
const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;
const DEFAULT_APPEND_TIMEOUT_MS = 5_000;
/** Messages requested per pull; bounds client memory during a replay. */
const PULL_BATCH = 256;
/** Server-side expiry of one pull; the server's minimum is 1 s. */
const FETCH_EXPIRES_MS = 2_000;

function streamConfig(stream: JetStreamJournalStreamOptions): Partial<StreamConfig> & { name: string } {
  return {
    name: stream.name,
    subjects: [...stream.subjects],
    retention: natsJetStream().RetentionPolicy.Limits,
    discard: natsJetStream().DiscardPolicy.Old,
    storage: natsJetStream().StorageType[stream.storage === 'memory' ? 'Memory' : 'File'],
    max_msgs: stream.maxMessages ?? -1,
    max_bytes: stream.maxBytes ?? -1,
    max_age: natsCore().nanos(stream.maxAgeMs ?? 0),
    duplicate_window: natsCore().nanos(stream.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS),
    num_replicas: stream.replicas ?? 1,
  };
}

/**
 * Creates the stream with the journal's definition (limits retention, discard
 * old) when it does not exist, and returns its info; an existing stream is
 * used as configured. Internal: shared with {@link JetStreamTransport}, which
 * creates its stream on its own connection, so both build the same stream.
 * @throws whatever the JetStream API rejects with (no JetStream, a name clash, bad limits).
 */
export async function ensureStream(
  jsm: JetStreamManager,
  stream: JetStreamJournalStreamOptions,
): Promise<StreamInfo> {
  try {
    return await jsm.streams.info(stream.name);
  } catch (err) {
    if (!(err instanceof natsJetStream().JetStreamApiError) || err.code !== STREAM_NOT_FOUND) throw err;
    return await jsm.streams.add(streamConfig(stream));
  }
}

function toEntry(msg: JsMsg): JournalEntry {
  return {
    sequence: msg.seq,
    subject: msg.subject,
    // The client hands out a view into its socket chunk; copy so the entry is
    // a plain, exactly-sized Uint8Array that does not pin the chunk.
    payload: new Uint8Array(msg.data),
    timestampNanos: msg.info.timestampNanos,
  };
}

/**
 * A {@link Journal} stored in a NATS JetStream stream.
 *
 * Every append carries a message id. The default id is
 * `<producerId>-<counter>`; when an append fails or times out the
 * {@link JournalAppendError} carries the id, and retrying with it is
 * de-duplicated by the server within the stream's duplicate window, so a
 * message is stored exactly once even when the acknowledgement was lost.
 *
 * `lastSequence` and `firstSequence` are as of the latest acknowledgement or
 * stream lookup (reads, iterators, {@link JetStreamJournal.refresh}); other
 * producers and server-side retention move them in between.
 *
 * @example
 * ```ts
 * const journal = await JetStreamJournal.open({
 *   connection: { servers: 'nats://127.0.0.1:4222' },
 *   stream: { name: 'MD_RAW', subjects: ['md.raw.>'], maxMessages: 1_000_000, storage: 'file' },
 * });
 * const msgId = journal.nextMsgId(); // reused by every attempt of this message
 * for (let attempt = 1; ; attempt++) {
 *   try {
 *     const { sequence, duplicate } = await journal.appendWithReceipt('md.raw.binance', bytes, { msgId });
 *     console.log(sequence, duplicate);
 *     break;
 *   } catch (err) {
 *     if (!(err instanceof JournalAppendError) || attempt === 5) throw err;
 *   }
 * }
 * for await (const entry of journal.entries(1)) console.log(entry.sequence, entry.subject);
 * await journal.close();
 * ```
 */
export class JetStreamJournal implements Journal {
  /** Name of the backing stream. */
  readonly streamName: string;
  /** Prefix of the default message ids. */
  readonly producerId: string;

  private readonly nc: NatsConnection;
  private readonly jsm: JetStreamManager;
  private readonly js: JetStreamClient;
  private readonly appendTimeoutMs: number;
  private readonly iterators = new Set<ConsumerMessages>();
  private counter = 0;
  private first = 1;
  private last = 0;
  private closing: Promise<void> | null = null;

  private constructor(nc: NatsConnection, jsm: JetStreamManager, options: JetStreamJournalOptions) {
    this.nc = nc;
    this.jsm = jsm;
    this.js = natsJetStream().jetstream(nc);
    this.streamName = options.stream.name;
    this.producerId = options.producerId ?? randomUUID();
    this.appendTimeoutMs = options.appendTimeoutMs ?? DEFAULT_APPEND_TIMEOUT_MS;
  }

  /**
   * Connects, creates the stream when it does not exist, and loads its current
   * first and last sequence. Rejects with {@link JournalOpenError}.
   */
  static async open(options: JetStreamJournalOptions): Promise<JetStreamJournal> {
    const where = describeNatsConnection(options.connection);
    let nc: NatsConnection;
    try {
      nc = await connectNats(options.connection);
    } catch (err) {
      throw new JournalOpenError(`cannot connect to NATS at ${where}`, { cause: err });
    }
    try {
      const jsm = await natsJetStream().jetstreamManager(nc);
      await ensureStream(jsm, options.stream);
      const journal = new JetStreamJournal(nc, jsm, options);
      await journal.refresh();
      return journal;
    } catch (err) {
      await nc.close();
      throw new JournalOpenError(`cannot open stream '${options.stream.name}' at ${where}`, { cause: err });
    }
  }

  /** Sequence of the newest entry known to this client, 0 for an empty stream. */
  get lastSequence(): number {
    return this.last;
  }

  /** Oldest retained sequence as of the last stream lookup; `lastSequence + 1` when the stream is empty. */
  get firstSequence(): number {
    return this.first;
  }

  /**
   * The id the next default append would use, consumed now. Take an id before
   * the first attempt when the retry loop lives outside the journal.
   */
  nextMsgId(): string {
    this.counter++;
    return `${this.producerId}-${this.counter}`;
  }

  /** {@inheritDoc Journal.append} Rejects with {@link JournalAppendError} when the outcome is unknown. */
  async append(subject: string, payload: Uint8Array): Promise<number> {
    return (await this.appendWithReceipt(subject, payload)).sequence;
  }

  /**
   * Appends and reports the server's acknowledgement, including whether the
   * message was a duplicate of an earlier attempt with the same id. Rejects
   * with {@link JournalAppendError} (carrying the id to retry with) when the
   * server did not acknowledge, and {@link JournalClosedError} after close.
   */
  async appendWithReceipt(
    subject: string,
    payload: Uint8Array,
    options: JetStreamAppendOptions = {},
  ): Promise<JetStreamAppendReceipt> {
    if (this.closing !== null) throw new JournalClosedError('append');
    const msgId = options.msgId ?? this.nextMsgId();
    let ack: PubAck;
    try {
      ack = await this.js.publish(subject, payload, {
        msgID: msgId,
        timeout: options.timeoutMs ?? this.appendTimeoutMs,
        // Refuse to land in some other stream that happens to capture the subject.
        expect: { streamName: this.streamName },
      });
    } catch (err) {
      if (this.closing !== null) throw new JournalClosedError('append', { cause: err });
      throw new JournalAppendError(subject, msgId, { cause: err });
    }
    if (ack.seq > this.last) this.last = ack.seq;
    return { sequence: ack.seq, duplicate: ack.duplicate, msgId };
  }

  /** Reloads `firstSequence` and `lastSequence` from the server's stream state. */
  async refresh(): Promise<void> {
    const { state } = await this.jsm.streams.info(this.streamName);
    if (state.last_seq > this.last) this.last = state.last_seq;
    this.first = state.messages === 0 ? this.last + 1 : state.first_seq;
  }

  /** {@inheritDoc Journal.read} */
  async read(fromSequence: number, maxCount: number): Promise<JournalEntry[]> {
    if (this.closing !== null) throw new JournalClosedError('read');
    checkInteger('fromSequence', fromSequence, 1);
    checkInteger('maxCount', maxCount, 0);
    await this.refresh();
    if (fromSequence < this.first) throw new SequenceEvictedError(fromSequence, this.first);
    const end = Math.min(this.last, fromSequence + maxCount - 1);
    const out: JournalEntry[] = [];
    if (end < fromSequence) return out;
    const consumer = await this.js.consumers.get(this.streamName, {
      deliver_policy: natsJetStream().DeliverPolicy.StartSequence,
      opt_start_seq: fromSequence,
    });
    try {
      let expected = fromSequence;
      while (expected <= end) {
        const batch = await consumer.fetch({
          max_messages: Math.min(end - expected + 1, PULL_BATCH),
          expires: FETCH_EXPIRES_MS,
        });
        const before = expected;
        for await (const msg of batch) {
          if (msg.seq !== expected) throw new SequenceEvictedError(expected, msg.seq);
          out.push(toEntry(msg));
          expected++;
        }
        if (expected === before) {
          // Nothing came although the stream said it was there: retention
          // removed it in between, or the journal was closed.
          if (this.closing !== null) throw new JournalClosedError('read');
          await this.refresh();
          if (expected < this.first) throw new SequenceEvictedError(expected, this.first);
          break;
        }
      }
      return out;
    } finally {
      await this.deleteQuietly(consumer);
    }
  }

  /** {@inheritDoc Journal.entries} */
  async *entries(
    fromSequence?: number,
    options: JournalEntriesOptions = {},
  ): AsyncIterableIterator<JournalEntry> {
    if (this.closing !== null) throw new JournalClosedError('iterate');
    const { follow = false, signal } = options;
    if (fromSequence !== undefined) checkInteger('fromSequence', fromSequence, 1);
    await this.refresh();
    let expected = fromSequence ?? this.first;
    if (expected < this.first) throw new SequenceEvictedError(expected, this.first);
    const end = this.last;
    if ((!follow && expected > end) || signal?.aborted) return;
    const consumer = await this.js.consumers.get(this.streamName, {
      deliver_policy: natsJetStream().DeliverPolicy.StartSequence,
      opt_start_seq: expected,
    });
    const messages = await consumer.consume({ max_messages: PULL_BATCH });
    this.iterators.add(messages);
    const stop = (): void => {
      messages.close().catch(() => undefined); // the iterator ends either way; nothing waits on the close
    };
    signal?.addEventListener('abort', stop, { once: true });
    // An abort that landed while the consumer was being created fired no event.
    if (signal?.aborted) stop();
    try {
      for await (const msg of messages) {
        if (this.closing !== null || signal?.aborted) return;
        if (msg.seq !== expected) throw new SequenceEvictedError(expected, msg.seq);
        if (msg.seq > this.last) this.last = msg.seq;
        yield toEntry(msg);
        expected++;
        if (!follow && expected > end) return;
      }
    } finally {
      signal?.removeEventListener('abort', stop);
      this.iterators.delete(messages);
      await messages.close();
      await this.deleteQuietly(consumer);
    }
  }

  /** {@inheritDoc Journal.close} Ends running iterators, then drains and closes the connection. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    // stop(), not close(): nats.js v3's close() waits for the consuming loop, which may be parked at a yield
    // until its caller asks for the next entry; that loop ends on its own once it resumes.
    for (const messages of this.iterators) messages.stop();
    if (this.nc.isClosed()) return;
    try {
      await this.nc.drain();
    } catch {
      // nats.js v3 fails a drain whose flush meets a broken link; nothing is left to drain, so just close.
      await this.nc.close();
    }
  }

  /** Ordered consumers are ephemeral and expire on their own; deleting just frees them sooner. */
  private async deleteQuietly(consumer: { delete(): Promise<boolean> }): Promise<void> {
    if (this.nc.isClosed() || this.nc.isDraining()) return;
    try {
      await consumer.delete();
    } catch {
      // Already gone (expired, or the server restarted): nothing to free.
    }
  }
}
