/**
 * Suite 4b, nats.js v2 (`nats`) against v3 (`@nats-io/transport-node`, `@nats-io/jetstream`) side by side on one
 * private nats-server with JetStream: a core publish loop, the full pipeline publishing through each client, and
 * windowed JetStream publishes. It is the measurement behind the choice of client (issue 17).
 */
import type { Subscription, TransportCounters, TransportStatus } from '@marketpipe/middleware';
import type { FastPublishTransport, PublishTarget } from '@marketpipe/middleware/transport';
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect as connectV3 } from '@nats-io/transport-node';
import { connect as connectV2 } from 'nats';
import { startMarketpipeStack } from '../fixtures/marketpipe-stack.js';
import { venueMessages } from '../fixtures/venue-messages.js';
import { median } from '../harness/batch-timer.js';
import { BenchPreconditionError } from '../harness/bench-errors.js';
import { type BenchProfile, scaled } from '../harness/bench-profile.js';
import { formatRate, formatRatio } from '../harness/format.js';
import { runSuiteProcess } from '../harness/suite-main.js';
import type { ResultTable } from '../harness/suite-result.js';
import { startNatsServer } from '../nats/nats-server-process.js';

const PAYLOAD_BYTES = 64;
const MESSAGE_COUNT = 4096;
const MASK = MESSAGE_COUNT - 1;
/** Messages offered per event-loop turn, for every case alike. */
const CHUNK = 1_000;
const CORE_MESSAGES = 300_000;
const JS_MESSAGES = 50_000;
/** JetStream publishes awaiting their acknowledgement at once (JetStreamTransport's default window). */
const JS_WINDOW = 1024;
const ROUNDS = 5;
const RECEIVE_TIMEOUT_MS = 60_000;
const STREAM = 'BENCHCLIENTS';

/** What both client lines offer, reduced to the calls this suite makes. */
interface Client {
  publish(subject: string, payload: Uint8Array): void;
  /** JetStream publish with a message id; resolves on the stream's acknowledgement. */
  jsPublish(subject: string, payload: Uint8Array, msgID: string): Promise<unknown>;
  close(): Promise<void>;
}

async function clientV2(url: string): Promise<Client> {
  const nc = await connectV2({ servers: url, noAsyncTraces: true });
  const js = nc.jetstream();
  return {
    publish: (subject, payload) => nc.publish(subject, payload),
    jsPublish: (subject, payload, msgID) => js.publish(subject, payload, { msgID }),
    close: () => nc.close(),
  };
}

async function clientV3(url: string): Promise<Client> {
  const nc = await connectV3({ servers: url, noAsyncTraces: true });
  const js = jetstream(nc);
  return {
    publish: (subject, payload) => nc.publish(subject, payload),
    jsPublish: (subject, payload, msgID) => js.publish(subject, payload, { msgID }),
    close: () => nc.close(),
  };
}

/**
 * Publish-only {@link FastPublishTransport} over one client, so the full pipeline can run on either line with the same
 * wrapping. It copies the payload as NatsTransport does (the runner reuses its buffer) and puts `prefix` before
 * every subject so that each line's trades reach their own counter; nothing here subscribes.
 */
class ClientTransport implements FastPublishTransport {
  readonly status: TransportStatus = 'connected';
  private published = 0;
  constructor(
    private readonly client: Client,
    private readonly prefix: string,
  ) {}
  publish(subject: string | PublishTarget, payload: Uint8Array): void {
    this.published++;
    const target = typeof subject === 'string' ? this.prefix + subject : subject.subject;
    this.client.publish(target, payload.slice());
  }
  prepare(subject: string): PublishTarget {
    return { subject: this.prefix + subject };
  }
  subscribe(): Subscription {
    throw new BenchPreconditionError('ClientTransport publishes only');
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  onStatus(): () => void {
    return () => undefined;
  }
  onError(): () => void {
    return () => undefined;
  }
  counters(): TransportCounters {
    return {
      published: this.published,
      delivered: 0,
      dropped: { handlerError: 0, outageOverflow: 0, closed: 0 },
    };
  }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Counts messages on one subject pattern through its own v3 connection, the same receiver for both lines. */
class Counter {
  received = 0;
  async waitFor(count: number, label: string): Promise<void> {
    const deadline = performance.now() + RECEIVE_TIMEOUT_MS;
    while (this.received < count) {
      if (performance.now() > deadline) {
        throw new BenchPreconditionError(`${label}: received ${this.received} of ${count} messages`);
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
}

/** Flat out until the receiver has all `count` messages; messages per second. */
async function coreRate(
  send: (i: number) => void,
  counter: Counter,
  count: number,
  label: string,
): Promise<number> {
  counter.received = 0;
  const start = process.hrtime.bigint();
  for (let sent = 0; sent < count; ) {
    const end = Math.min(count, sent + CHUNK);
    for (; sent < end; sent++) send(sent);
    await turn();
  }
  await counter.waitFor(count, label);
  return (count * 1e9) / Number(process.hrtime.bigint() - start);
}

/** `count` JetStream publishes with up to {@link JS_WINDOW} awaiting acknowledgement; acknowledged messages per second. */
async function jetStreamRate(client: Client, subject: string, runId: string, count: number): Promise<number> {
  const start = process.hrtime.bigint();
  let sent = 0;
  let acked = 0;
  let failure: unknown;
  await new Promise<void>((resolve) => {
    const onAck = (): void => {
      acked++;
      if (acked === count) resolve();
      else fill();
    };
    const onFail = (err: unknown): void => {
      failure ??= err;
      resolve();
    };
    const fill = (): void => {
      while (sent < count && sent - acked < JS_WINDOW) {
        const payload = new Uint8Array(PAYLOAD_BYTES);
        client.jsPublish(subject, payload, `${runId}-${sent++}`).then(onAck, onFail);
      }
    };
    fill();
  });
  if (failure !== undefined) throw new BenchPreconditionError(`JetStream publish failed`, { cause: failure });
  return (count * 1e9) / Number(process.hrtime.bigint() - start);
}

async function natsClientsSuite(profile: BenchProfile) {
  const server = await startNatsServer({ jetstream: true });
  const coreCount = scaled(profile, CORE_MESSAGES, 200);
  const jsCount = scaled(profile, JS_MESSAGES, 200);
  const lines = ['v2', 'v3'] as const;
  const cases = ['core publish loop', 'full pipeline (Binance trades)', 'JetStream publish'] as const;
  const rates: number[][][] = cases.map(() => lines.map(() => []));
  const receiver = await connectV3({ servers: server.url });
  const clients: Client[] = [];
  const stacks: { close(): Promise<void>; drops(): number }[] = [];
  try {
    const jsm = await jetstreamManager(receiver);
    await jsm.streams.add({ name: STREAM, subjects: ['clients.js.>'], storage: StorageType.File });
    clients.push(await clientV2(server.url), await clientV3(server.url));
    const counters = lines.map(() => [new Counter(), new Counter()] as const);
    lines.forEach((line, l) => {
      receiver.subscribe(`clients.core.${line}`, {
        callback: () => {
          counters[l]![0].received++;
        },
      });
      receiver.subscribe(`clients.pipe.${line}.>`, {
        callback: () => {
          counters[l]![1].received++;
        },
      });
    });
    await receiver.flush();
    const messages = venueMessages('binance', MESSAGE_COUNT).bytes;
    const pipelines = [];
    for (let l = 0; l < lines.length; l++) {
      const stack = await startMarketpipeStack({
        venue: 'binance',
        transport: new ClientTransport(clients[l]!, `clients.pipe.${lines[l]}.`),
        ringSlots: 1 << 16,
        slotSize: 256,
      });
      stacks.push({ close: () => stack.close(), drops: () => stack.runner.counters().drops.ringOverflow });
      pipelines.push(stack.runner.onMessage);
    }
    const runId = `r${Date.now()}`;
    for (let round = 0; round <= ROUNDS; round++) {
      for (let l = 0; l < lines.length; l++) {
        const client = clients[l]!;
        const line = lines[l]!;
        const subject = `clients.core.${line}`;
        const core = await coreRate(
          () => client.publish(subject, new Uint8Array(PAYLOAD_BYTES)),
          counters[l]![0],
          round === 0 ? Math.min(coreCount, 50_000) : coreCount,
          `${line} core`,
        );
        const onMessage = pipelines[l]!;
        const pipe = await coreRate(
          (i) => onMessage(messages[i & MASK]!),
          counters[l]![1],
          round === 0 ? Math.min(coreCount, 50_000) : coreCount,
          `${line} pipeline`,
        );
        const js = await jetStreamRate(
          client,
          `clients.js.${line}`,
          `${runId}-${line}-${round}`,
          round === 0 ? Math.min(jsCount, 10_000) : jsCount,
        );
        if (round > 0) {
          rates[0]![l]!.push(core);
          rates[1]![l]!.push(pipe);
          rates[2]![l]!.push(js);
        }
      }
    }
    for (const stack of stacks) {
      if (stack.drops() > 0)
        throw new BenchPreconditionError('pipeline ring overflowed during the measurement');
    }
  } finally {
    for (const stack of stacks) await stack.close();
    for (const client of clients) await client.close();
    await receiver.close();
    await server.stop();
  }
  const medians = rates.map((perLine) => perLine.map((r) => median(r)));
  const table: ResultTable = {
    title: `nats.js v2 (nats 2.29.3) vs v3 (@nats-io/transport-node 3.3.1), one local nats-server with JetStream (median of ${ROUNDS} rounds, lines alternating)`,
    columns: ['case', 'v2 msgs/s', 'v3 msgs/s', 'v3 / v2'],
    rows: cases.map((label, c) => [
      label,
      formatRate(medians[c]![0]!),
      formatRate(medians[c]![1]!),
      formatRatio(medians[c]![1]! / medians[c]![0]!),
    ]),
    notes: [
      `Core: ${coreCount} publishes of a fresh 64-byte payload per round, ${CHUNK} per event-loop turn, timed until one v3 subscriber connection has received them all (the same receiver for both lines).`,
      "Full pipeline: the Binance parser, interner, ring and flusher publishing each trade through a publish-only Transport that copies the payload and calls the client's publish, the same wrapper for both lines.",
      `JetStream: ${jsCount} publishes with a message id into a file-backed R1 stream, ${JS_WINDOW} awaiting acknowledgement at once, each through the client's js.publish (a request and a promise per message); timed until the last acknowledgement.`,
    ],
  };
  return {
    suite: 'nats-clients',
    title: '4b. nats.js v2 vs v3',
    tables: [table],
    targets: [],
    latencies: [],
    metrics: Object.fromEntries(
      cases.flatMap((_, c) =>
        lines.map((line, l) => [
          `${['core', 'pipeline', 'jetstream'][c]}.${line}.messagesPerSecond`,
          medians[c]![l]!,
        ]),
      ),
    ),
    notes: [],
  };
}

runSuiteProcess(natsClientsSuite);
