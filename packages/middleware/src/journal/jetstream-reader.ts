/**
 * Reading a JetStream stream from a chosen point, optionally as a durable
 * consumer that a restarted reader resumes, in order.
 *
 * Order across a resume is what makes this more than a plain pull consumer:
 * messages fetched but not yet handled are given back (`nak`) on a clean stop,
 * and the server redelivers them before anything newer. A reader that died
 * cannot give them back, and the server would redeliver them only after the
 * acknowledgement wait, after newer ones; so a durable found with entries
 * awaiting acknowledgement is recreated at its acknowledgement floor.
 */
import type { ConsumerConfig, ConsumerInfo, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { InvalidArgumentError, JournalClosedError, JournalOpenError } from '../errors.js';
import {
  describeNatsConnection,
  type NatsConnectionOptions,
  toNatsConnectOptions,
} from '../transport/nats-connection.js';
import { natsCore, natsJetStream, natsTransportNode } from '../transport/nats-modules.js';
import { checkInteger, checkNumber } from '../validate.js';
import type { JournalEntry } from './journal.js';

/** Where a new reader starts: a stream sequence, a time, the oldest message, or only new ones. */
export type ReaderStart = { sequence: number } | { time: Date } | 'first' | 'new';

/** Options for {@link JetStreamReader.open}. */
export interface JetStreamReaderOptions {
  /** How to reach NATS; the reader owns this connection and closes it in {@link JetStreamReader.close}. */
  connection: NatsConnectionOptions;
  /** The stream to read; it must exist. */
  stream: string;
  /**
   * Name of a durable consumer. A reader opened again with the same name
   * resumes after the last entry the previous one handled, and `start` is
   * ignored. One reader per durable at a time. Without it the consumer is
   * ephemeral and removed on close.
   */
  durable?: string;
  /** Where a new consumer starts (default `'first'`). */
  start?: ReaderStart;
  /** Only subjects matching this filter (default: every subject of the stream). */
  filterSubject?: string;
  /**
   * How long the server waits for an entry's acknowledgement before
   * redelivering it (default 10 000 ms).
   */
  ackWaitMs?: number;
  /** Entries fetched at once, and the most awaiting acknowledgement (default 256). */
  batch?: number;
}

const DEFAULT_ACK_WAIT_MS = 10_000;
const DEFAULT_BATCH = 256;
const FETCH_EXPIRES_MS = 1_000;
/** JetStream's API error code for "consumer not found". */
const CONSUMER_NOT_FOUND = 10014;
/** An ephemeral consumer left behind by a dead reader is removed by the server after this. */
const EPHEMERAL_INACTIVE_MS = 30_000;

function deliverFrom(start: ReaderStart): Partial<ConsumerConfig> {
  if (start === 'first') return { deliver_policy: natsJetStream().DeliverPolicy.All };
  if (start === 'new') return { deliver_policy: natsJetStream().DeliverPolicy.New };
  if ('sequence' in start) {
    return {
      deliver_policy: natsJetStream().DeliverPolicy.StartSequence,
      opt_start_seq: checkInteger('start.sequence', start.sequence, 1),
    };
  }
  if (Number.isNaN(start.time.getTime()))
    throw new InvalidArgumentError('start.time must be a valid Date', { argument: 'start.time' });
  return {
    deliver_policy: natsJetStream().DeliverPolicy.StartTime,
    opt_start_time: start.time.toISOString(),
  };
}

/** The durable consumer `name` of `stream`, or undefined when there is none. */
async function findConsumer(
  jsm: JetStreamManager,
  stream: string,
  name: string,
): Promise<ConsumerInfo | undefined> {
  try {
    return await jsm.consumers.info(stream, name);
  } catch (err) {
    if (err instanceof natsJetStream().JetStreamApiError && err.code === CONSUMER_NOT_FOUND) return undefined;
    throw err;
  }
}

/** `nak`: redeliver now. On a connection already closed the server redelivers after the ack wait instead. */
function giveBack(msg: JsMsg): void {
  try {
    msg.nak();
  } catch {
    // Closed connection: nothing to send; the server's ack wait covers it.
  }
}

/**
 * Reads a JetStream stream in order from a chosen point, as an ephemeral or a
 * durable pull consumer. At-least-once: an entry is acknowledged when the
 * loop asks for the next one, or when the loop ends (`break`, `return` or a
 * throw: the entry in hand counts as handled); entries a crashed reader had
 * not acknowledged are read again by the next one, in order.
 *
 * @example
 * ```ts
 * const reader = await JetStreamReader.open({
 *   connection: { servers: 'nats://127.0.0.1:4222' },
 *   stream: 'TRADES',
 *   durable: 'desk-a',
 *   start: { time: new Date('2026-12-03T09:00:00Z') },
 * });
 * for await (const entry of reader.entries()) console.log(entry.sequence, entry.subject);
 * await reader.close();
 * ```
 */
export class JetStreamReader {
  /** The consumer's name (the durable name, or the server's name for an ephemeral one). */
  readonly consumer: string;
  /** False when a durable consumer of that name already existed and this reader resumes it. */
  readonly created: boolean;
  /** The stream sequence the first entry will have at the earliest (where a resumed durable stands). */
  readonly resumeSequence: number;

  private readonly nc: NatsConnection;
  private readonly jsm: JetStreamManager;
  private readonly stream: string;
  private readonly durable: boolean;
  private readonly batch: number;
  private closing: Promise<void> | null = null;

  private constructor(
    nc: NatsConnection,
    jsm: JetStreamManager,
    fields: {
      stream: string;
      consumer: string;
      created: boolean;
      resume: number;
      durable: boolean;
      batch: number;
    },
  ) {
    this.nc = nc;
    this.jsm = jsm;
    this.stream = fields.stream;
    this.consumer = fields.consumer;
    this.created = fields.created;
    this.resumeSequence = fields.resume;
    this.durable = fields.durable;
    this.batch = fields.batch;
  }

  /** Connects and creates (or finds) the consumer. Rejects with {@link JournalOpenError}. */
  static async open(options: JetStreamReaderOptions): Promise<JetStreamReader> {
    const batch = checkInteger('batch', options.batch ?? DEFAULT_BATCH, 1);
    const ackWaitMs = checkNumber('ackWaitMs', options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS, 1);
    const startConfig = deliverFrom(options.start ?? 'first');
    const where = describeNatsConnection(options.connection);
    let nc: NatsConnection;
    try {
      nc = await natsTransportNode().connect(toNatsConnectOptions(options.connection));
    } catch (err) {
      throw new JournalOpenError(`cannot connect to NATS at ${where}`, { cause: err });
    }
    try {
      const jsm = await natsJetStream().jetstreamManager(nc);
      const existing =
        options.durable === undefined ? undefined : await findConsumer(jsm, options.stream, options.durable);
      let info: ConsumerInfo;
      if (existing === undefined) {
        info = await jsm.consumers.add(options.stream, {
          ...startConfig,
          ack_policy: natsJetStream().AckPolicy.Explicit,
          ack_wait: natsCore().nanos(ackWaitMs),
          max_ack_pending: batch,
          ...(options.durable !== undefined
            ? { durable_name: options.durable }
            : { inactive_threshold: natsCore().nanos(EPHEMERAL_INACTIVE_MS) }),
          ...(options.filterSubject !== undefined ? { filter_subject: options.filterSubject } : {}),
        });
      } else if (existing.num_ack_pending > 0) {
        // The last reader died holding entries: start again right after what it acknowledged.
        const floor = existing.ack_floor.stream_seq;
        await jsm.consumers.delete(options.stream, existing.name);
        info = await jsm.consumers.add(options.stream, {
          ...existing.config,
          ...(floor > 0
            ? { deliver_policy: natsJetStream().DeliverPolicy.StartSequence, opt_start_seq: floor + 1 }
            : {}),
        });
      } else {
        info = existing;
      }
      return new JetStreamReader(nc, jsm, {
        stream: options.stream,
        consumer: info.name,
        created: existing === undefined,
        resume: info.ack_floor.stream_seq + 1,
        durable: options.durable !== undefined,
        batch,
      });
    } catch (err) {
      await nc.close();
      throw new JournalOpenError(`cannot read stream '${options.stream}' at ${where}`, { cause: err });
    }
  }

  /**
   * The entries in stream order, waiting for new ones until {@link close} or
   * `signal`, which end the loop cleanly. One loop at a time per reader.
   */
  async *entries(signal?: AbortSignal): AsyncIterableIterator<JournalEntry> {
    if (this.closing !== null) throw new JournalClosedError('iterate');
    const consumer = await natsJetStream().jetstream(this.nc).consumers.get(this.stream, this.consumer);
    const stopped = () => this.closing !== null || signal?.aborted === true;
    // A fetch returns when it has all it asked for or when it expires: ask for what is there (at least one),
    // so a reader that has caught up gets each new entry at once instead of at the next expiry.
    let want = Math.max(1, Math.min(this.batch, (await consumer.info(true)).num_pending));
    while (!stopped()) {
      const fetched = await consumer.fetch({ max_messages: want, expires: FETCH_EXPIRES_MS });
      const batch: JsMsg[] = [];
      for await (const msg of fetched) batch.push(msg);
      const last = batch[batch.length - 1];
      if (last !== undefined) want = Math.max(1, Math.min(this.batch, last.info.pending));
      let next = 0;
      let inHand = false;
      try {
        for (; next < batch.length && !stopped(); next++) {
          const msg = batch[next] as JsMsg;
          inHand = true;
          yield {
            sequence: msg.seq,
            subject: msg.subject,
            payload: new Uint8Array(msg.data),
            timestampNanos: msg.info.timestampNanos,
          };
          inHand = false;
          msg.ack();
        }
      } finally {
        // A loop that ends (break, return or throw) has handled the entry in hand; the rest is given back
        // so that it comes first, in order, to the next loop or the next reader of this durable.
        if (inHand) batch[next++]?.ack();
        for (const msg of batch.slice(next)) giveBack(msg);
      }
    }
  }

  /** Stops running loops; removes an ephemeral consumer, keeps a durable one; closes the connection. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.nc.isClosed()) return;
    await this.nc.flush().catch(() => undefined);
    if (!this.durable) await this.jsm.consumers.delete(this.stream, this.consumer).catch(() => false);
    await this.nc.drain();
  }
}
