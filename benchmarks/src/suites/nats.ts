/**
 * Suite 4, the NATS path against a private local nats-server: throughput flat out, then publish-to-receive latency
 * at a fixed offered rate, for bare nats.js publish loops, marketpipe's NatsTransport, and the full pipeline
 * publishing trades to core NATS and to JetStream; and, for every case, where the CPU time per message goes (this
 * process's publishing thread, its other threads, nats-server), so a missed target says why.
 */
import { TradeView } from '@marketpipe/connector';
import { clock, InMemoryTransport, NatsTransport, type Transport } from '@marketpipe/middleware';
import { LatencyRecorder } from '@marketpipe/middleware/latency';
import { JetStreamTransport } from '@marketpipe/middleware/transport';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startMarketpipeStack } from '../fixtures/marketpipe-stack.js';
import { venueMessages } from '../fixtures/venue-messages.js';
import { median } from '../harness/batch-timer.js';
import { BenchPreconditionError } from '../harness/bench-errors.js';
import { type BenchProfile, scaled } from '../harness/bench-profile.js';
import { formatNs, formatRate, formatRatio } from '../harness/format.js';
import { latencySeries } from '../harness/latency-series.js';
import { runSuiteProcess } from '../harness/suite-main.js';
import type { LatencySeries, ResultTable } from '../harness/suite-result.js';
import { threadCpuNs, threadsCpuNs } from '../harness/thread-cpu.js';
import { startNatsServer } from '../nats/nats-server-process.js';

const BARE_SUBJECT = 'bench.raw.bare';
/** First subject token of the bare loop that publishes the pipeline's trades. */
const BARE_TRADES_ENV = 'benchbare';
const TRANSPORT_SUBJECT = 'bench.raw.transport';
const PAYLOAD_BYTES = 64;
const MESSAGE_COUNT = 4096;
const MASK = MESSAGE_COUNT - 1;
/** Messages published per event-loop turn, for every case alike, so the client can write between turns. */
const CHUNK = 1_000;
const THROUGHPUT_MESSAGES = 300_000;
/** Flat-out rounds per case (after one warm-up round), alternating between cases. */
const THROUGHPUT_ROUNDS = 5;
const WARMUP_MESSAGES = 100_000;
const OFFERED_RATE = 50_000;
const LATENCY_SECONDS = 2;
const RECEIVE_TIMEOUT_MS = 60_000;
/** First subject token of the exactly-once case, so its stream captures nothing of the core cases. */
const JS_ENV = 'benchjs';

/** One way of publishing to NATS, measured by the same receiver. */
interface NatsCase {
  label: string;
  /** What the receiver subscribes to. */
  pattern: string;
  /** Publishes message number `i`, stamped with the time it entered the publisher. */
  send(i: number): void;
  /** Publish-to-receive latency of a received payload, in ns; absent when payloads carry no stamp. */
  latencyNs?(payload: Uint8Array): number;
  /** The pipeline's flusher threads (worker and fsync thread); absent for the bare cases. */
  flusherThreads?: readonly number[];
  close(): Promise<void>;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function stampPayload(payload: Uint8Array): void {
  new DataView(payload.buffer, payload.byteOffset, payload.byteLength).setFloat64(0, clock.nowNanos(), true);
}

function stampedLatency(payload: Uint8Array): number {
  return (
    clock.nowNanos() -
    new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getFloat64(0, true)
  );
}

/** Receives on its own connection; counts and times every message of one phase. */
class Receiver {
  received = 0;
  recorder: LatencyRecorder | undefined;
  constructor(
    private readonly nc: NatsConnection,
    private readonly natsCase: NatsCase,
  ) {
    nc.subscribe(natsCase.pattern, {
      callback: (_err, msg) => {
        this.received++;
        if (this.recorder !== undefined) this.recorder.record(this.natsCase.latencyNs!(msg.data));
      },
    });
  }

  async ready(): Promise<void> {
    await this.nc.flush();
  }

  async waitFor(count: number): Promise<void> {
    const deadline = performance.now() + RECEIVE_TIMEOUT_MS;
    while (this.received < count) {
      if (performance.now() > deadline) {
        throw new BenchPreconditionError(
          `${this.natsCase.label}: received ${this.received} of ${count} messages`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
}

/**
 * One flat-out round: received messages per second, ns per message spent inside the publishing calls, and on-CPU
 * ns per message of this process's main thread, its other threads and nats-server.
 */
interface Throughput {
  rate: number;
  publishNs: number;
  mainCpuNs: number;
  otherCpuNs: number;
  /** The part of `otherCpuNs` spent by the case's own flusher threads (0 without a flusher). */
  flusherCpuNs: number;
  serverCpuNs: number;
}

/** Flat out: publishes `count` messages in chunks until the receiver has them all. */
async function throughput(
  natsCase: NatsCase,
  receiver: Receiver,
  count: number,
  serverPid: number | undefined,
): Promise<Throughput> {
  receiver.received = 0;
  receiver.recorder = undefined;
  const flusherThreads = natsCase.flusherThreads ?? [];
  const client0 = threadCpuNs(process.pid);
  const flusher0 = threadsCpuNs(process.pid, flusherThreads);
  const server0 = threadCpuNs(serverPid);
  const start = process.hrtime.bigint();
  let inPublish = 0n;
  for (let sent = 0; sent < count; ) {
    const end = Math.min(count, sent + CHUNK);
    const chunkStart = process.hrtime.bigint();
    for (; sent < end; sent++) natsCase.send(sent);
    inPublish += process.hrtime.bigint() - chunkStart;
    await turn();
  }
  await receiver.waitFor(count);
  const rate = (count * 1e9) / Number(process.hrtime.bigint() - start);
  const client1 = threadCpuNs(process.pid);
  const flusher1 = threadsCpuNs(process.pid, flusherThreads);
  const server1 = threadCpuNs(serverPid);
  return {
    rate,
    publishNs: Number(inPublish) / count,
    mainCpuNs: (client1.main - client0.main) / count,
    otherCpuNs: (client1.others - client0.others) / count,
    flusherCpuNs: (flusher1 - flusher0) / count,
    serverCpuNs: (server1.main + server1.others - server0.main - server0.others) / count,
  };
}

/** Paced at `rate` messages/s for `seconds`; returns the achieved receive rate and fills `recorder`. */
async function paced(
  natsCase: NatsCase,
  receiver: Receiver,
  rate: number,
  seconds: number,
  recorder: LatencyRecorder,
): Promise<number> {
  receiver.received = 0;
  receiver.recorder = recorder;
  const total = Math.max(1, Math.round(rate * seconds));
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000));
    const end = Math.min(due, sent + CHUNK);
    for (; sent < end; sent++) natsCase.send(sent);
    await turn();
  }
  await receiver.waitFor(total);
  return (total * 1000) / (performance.now() - start);
}

async function bareCase(url: string): Promise<NatsCase> {
  const nc = await connect({ servers: url, noAsyncTraces: true });
  return {
    label: 'bare nats.js publish loop (64 B)',
    pattern: BARE_SUBJECT,
    send() {
      // nats.js keeps a reference to the payload until its next socket write, so a loop needs a fresh array.
      const payload = new Uint8Array(PAYLOAD_BYTES);
      stampPayload(payload);
      nc.publish(BARE_SUBJECT, payload);
    },
    latencyNs: stampedLatency,
    close: () => nc.close(),
  };
}

/**
 * The reference for the pipeline: the same client publishing the pipeline's own trades (captured once through an
 * in-memory transport) on the same subjects, with no per-message work at all: the arrays are never written again,
 * so nats.js may keep them.
 */
async function bareTradesCase(url: string): Promise<NatsCase> {
  const memory = new InMemoryTransport();
  const subjects: string[] = [];
  const payloads: Uint8Array[] = [];
  memory.subscribe(`${BARE_TRADES_ENV}.>`, (payload, subject) => {
    subjects.push(subject);
    payloads.push(payload.slice());
  });
  const stack = await startMarketpipeStack({
    venue: 'binance',
    transport: memory,
    env: BARE_TRADES_ENV,
    ringSlots: 1 << 13,
    slotSize: 256,
  });
  for (const message of venueMessages('binance', MESSAGE_COUNT).bytes) stack.runner.onMessage(message);
  await stack.close();
  await memory.close();
  const mask = payloads.length - 1;
  if (payloads.length === 0 || (payloads.length & mask) !== 0) {
    throw new BenchPreconditionError(`expected a power-of-two number of trades, got ${payloads.length}`);
  }
  const nc = await connect({ servers: url, noAsyncTraces: true });
  return {
    label: "bare nats.js publish loop (the pipeline's trades)",
    pattern: `${BARE_TRADES_ENV}.binance.trade.>`,
    send(i) {
      nc.publish(subjects[i & mask]!, payloads[i & mask]!);
    },
    close: () => nc.close(),
  };
}

async function transportCase(url: string): Promise<NatsCase> {
  const transport = await NatsTransport.connect({ servers: url });
  const target = transport.prepare(TRANSPORT_SUBJECT);
  // NatsTransport copies what it keeps, so one reused buffer is the intended use.
  const payload = new Uint8Array(PAYLOAD_BYTES);
  return {
    label: 'marketpipe NatsTransport',
    pattern: TRANSPORT_SUBJECT,
    send() {
      stampPayload(payload);
      transport.publish(target, payload);
    },
    latencyNs: stampedLatency,
    close: () => transport.close(),
  };
}

async function pipelineCase(url: string): Promise<NatsCase> {
  return pipelineOver(
    await NatsTransport.connect({ servers: url }),
    'bench',
    'full pipeline -> NatsTransport (Binance)',
  );
}

/** The exactly-once path: the same pipeline into a file-backed R1 stream that only its subjects reach. */
async function jetStreamPipelineCase(url: string): Promise<NatsCase> {
  const transport = await JetStreamTransport.connect(
    { servers: url },
    {
      stream: { name: 'BENCH_JS', subjects: [`${JS_ENV}.>`], storage: 'file' },
      // A whole flat-out round may wait for the window: no round may overflow the pending bound.
      pending: { maxMessages: 2 * THROUGHPUT_MESSAGES, maxBytes: 512 * 1024 * 1024 },
    },
  );
  return pipelineOver(transport, JS_ENV, 'full pipeline -> JetStreamTransport (Binance, exactly once)');
}

async function pipelineOver(transport: Transport, env: string, label: string): Promise<NatsCase> {
  const stack = await startMarketpipeStack({
    venue: 'binance',
    transport,
    env,
    ringSlots: 1 << 16,
    slotSize: 256,
  });
  const messages = venueMessages('binance', MESSAGE_COUNT).bytes;
  const onMessage = stack.runner.onMessage;
  const view = new TradeView();
  return {
    label,
    pattern: `${env}.binance.trade.>`,
    send(i) {
      onMessage(messages[i & MASK]!);
    },
    // The runner stamps receivedNanos in wall time from the same process clock; compare in wall time.
    latencyNs: (payload) => Number(clock.wallNanos() - view.wrap(payload).receivedNanos),
    flusherThreads: stack.flusherThreads,
    async close() {
      const drops = stack.runner.counters().drops;
      await stack.close();
      await transport.close();
      const lost = transport.counters().dropped;
      if (lost.outageOverflow > 0 || lost.closed > 0) {
        throw new BenchPreconditionError(
          `${label} lost messages (pending overflow ${lost.outageOverflow}, unacknowledged at close ${lost.closed})`,
        );
      }
      if (drops.ringOverflow > 0 || drops.publishError > 0) {
        throw new BenchPreconditionError(
          `pipeline dropped messages (ring overflow ${drops.ringOverflow}, publish errors ${drops.publishError})`,
        );
      }
    },
  };
}

interface CaseRow {
  label: string;
  rate: number;
  publishNs: number;
  mainCpuNs: number;
  otherCpuNs: number;
  flusherCpuNs: number;
  serverCpuNs: number;
  /** Absent for the case whose payloads carry no stamp. */
  achieved?: number;
  recorder?: LatencyRecorder;
}

const KEYS = ['bare', 'bareTrades', 'transport', 'pipeline', 'jetstreamPipeline'] as const;

async function natsSuite(profile: BenchProfile) {
  const server = await startNatsServer({ jetstream: true });
  const count = scaled(profile, THROUGHPUT_MESSAGES, 200);
  const seconds = profile.smoke ? 0.05 : LATENCY_SECONDS;
  const rows: CaseRow[] = [];
  const latencies: LatencySeries[] = [];
  const subscriber = await connect({ servers: server.url });
  try {
    // All cases live side by side: after a warm-up round each, the flat-out rounds alternate between them and each
    // case's rate is its median, so JIT warm-up, page cache and server state do not favour whichever ran first.
    const cases: NatsCase[] = [];
    try {
      for (const make of [bareCase, bareTradesCase, transportCase, pipelineCase, jetStreamPipelineCase]) {
        cases.push(await make(server.url));
      }
      const receivers = cases.map((natsCase) => new Receiver(subscriber, natsCase));
      for (const receiver of receivers) await receiver.ready();
      const rounds: Throughput[][] = cases.map(() => []);
      for (let round = 0; round <= THROUGHPUT_ROUNDS; round++) {
        for (let c = 0; c < cases.length; c++) {
          const measured = await throughput(
            cases[c]!,
            receivers[c]!,
            round === 0 ? Math.min(count, WARMUP_MESSAGES) : count,
            server.pid,
          );
          if (round > 0) rounds[c]!.push(measured);
        }
      }
      for (let c = 0; c < cases.length; c++) {
        const natsCase = cases[c]!;
        const of = (pick: (t: Throughput) => number): number => median(rounds[c]!.map(pick));
        const row: CaseRow = {
          label: natsCase.label,
          rate: of((t) => t.rate),
          publishNs: of((t) => t.publishNs),
          mainCpuNs: of((t) => t.mainCpuNs),
          otherCpuNs: of((t) => t.otherCpuNs),
          flusherCpuNs: of((t) => t.flusherCpuNs),
          serverCpuNs: of((t) => t.serverCpuNs),
        };
        if (natsCase.latencyNs !== undefined) {
          const recorder = new LatencyRecorder();
          row.achieved = await paced(natsCase, receivers[c]!, OFFERED_RATE, seconds, recorder);
          row.recorder = recorder;
          latencies.push(latencySeries(`NATS publish->receive, ${natsCase.label}`, recorder));
        }
        rows.push(row);
      }
    } finally {
      for (const natsCase of cases) await natsCase.close();
    }
  } finally {
    await subscriber.close();
    await server.stop();
  }
  const [bare, bareTrades, transport, pipeline, jsPipeline] = rows as [
    CaseRow,
    CaseRow,
    CaseRow,
    CaseRow,
    CaseRow,
  ];
  // Raw cases are compared with the 64-byte loop, trade-carrying ones with the loop publishing the same trades.
  const reference = (r: CaseRow): CaseRow => (r === bare || r === transport ? bare : bareTrades);
  const dash = '-';
  const table: ResultTable = {
    title: `NATS path, local nats-server (flat out: median of ${THROUGHPUT_ROUNDS} rounds of ${count} messages, cases alternating; latency at ${OFFERED_RATE} msgs/s offered for ${seconds} s)`,
    columns: [
      'publisher',
      'msgs/s flat out',
      'vs its bare loop',
      'ns/msg inside publish',
      'achieved at offered rate',
      'p50',
      'p99',
      'p99.9',
      'max',
    ],
    rows: rows.map((r) => {
      const s = r.recorder?.summary();
      return [
        r.label,
        formatRate(r.rate),
        formatRatio(r.rate / reference(r).rate),
        formatNs(r.publishNs),
        r.achieved === undefined ? dash : formatRate(r.achieved),
        s === undefined ? dash : formatNs(s.p50),
        s === undefined ? dash : formatNs(s.p99),
        s === undefined ? dash : formatNs(s.p999),
        s === undefined ? dash : formatNs(s.max),
      ];
    }),
    notes: [
      'Publisher, subscriber (a second nats.js connection) and flusher share this process; nats-server runs on the same machine. Every case publishes in chunks of 1000 messages per event-loop turn and is measured by the same receiver until the last message arrives. Every case uses nats.js v3 (`@nats-io/transport-node`), the client marketpipe uses; v2 against v3 is suite 4b.',
      "Raw cases carry a 64-byte payload stamped with clock.nowNanos() (the bare loop allocates one per message: nats.js holds the caller's array until its next socket write; NatsTransport copies, so it reuses one buffer). The pipeline cases publish real trades (Cap'n Proto, ~100 bytes); their latency is wall-clock receive time minus the trade's receivedNanos, stamped by the runner on entry.",
      "The bare trades loop publishes the pipeline's own trades, captured once, on the same subjects, handing nats.js the same never-modified arrays: the client's cost alone, with none of the pipeline's per-message work (parse, encode, ring, copy). It is the reference of the core-NATS pipeline target and carries no latency stamp.",
      "'ns/msg inside publish' is the publishing thread's own time per message (the synchronous send loop: parser, ring, transport and nats.js encoding); the rest of 1e9/(msgs/s) is waiting for the socket, the server and, for JetStream, acknowledgements.",
      `The exactly-once case publishes into a file-backed R1 stream capturing only \`${JS_ENV}.>\` on the same server (JetStreamTransport defaults: 4096 in flight); it is timed until a core subscriber has received every stored message, and fails if any message was dropped or left unacknowledged.`,
    ],
  };
  const cpuTotal = (r: CaseRow): number => r.mainCpuNs + r.otherCpuNs + r.serverCpuNs;
  const breakdown: ResultTable = {
    title:
      'Where the time goes: on-CPU ns per message during the flat-out rounds (Linux schedstat per thread, median of rounds)',
    columns: [
      'publisher',
      'this process, main thread',
      'this process, other threads',
      'of which the flusher',
      'nats-server',
      'total CPU',
      'bound on 2 cores',
    ],
    rows: rows.map((r) => [
      r.label,
      formatNs(r.mainCpuNs),
      formatNs(r.otherCpuNs),
      r.flusherCpuNs > 0 ? formatNs(r.flusherCpuNs) : dash,
      formatNs(r.serverCpuNs),
      formatNs(cpuTotal(r)),
      formatRate(2e9 / cpuTotal(r)),
    ]),
    notes: [
      'On-CPU time is what the threads actually ran, so it moves far less with the machine load than the rates above. The main thread runs the publishing loop (parser, encoder, ring write, transport, nats.js protocol encoding and socket writes) and also the receiving subscriber; other threads are the flusher worker and its fsync thread (their share in its own column: the threads that appeared while the pipeline flusher started), V8 GC and compiler threads, libuv. The flusher lets records gather for 1 ms after a write that emptied the ring (`lingerMs`) instead of spinning; docs/design/nats-throughput.md has the measured split and why the core-NATS target stays out of reach on 2 cores. The last column is 2 cores divided by the total: the rate at which this one machine runs out of CPU.',
      `Core-NATS pipeline minus the bare trades loop, main thread: ${formatNs(pipeline.mainCpuNs - bareTrades.mainCpuNs)}/msg is marketpipe's own work per message (parse, encode, ring write, NatsTransport copy and accounting); other threads: ${formatNs(pipeline.otherCpuNs - bareTrades.otherCpuNs)}/msg (the flusher writing every raw message to disk, which the bare loop does not do: ${formatNs(pipeline.flusherCpuNs)}/msg); nats-server: ${formatNs(pipeline.serverCpuNs - bareTrades.serverCpuNs)}/msg. With every thread on the same 2 cores, 0.8x of the bare loop allows the pipeline ${formatNs(cpuTotal(bareTrades) / 0.8 - cpuTotal(bareTrades))}/msg of CPU more than the loop in total; it takes ${formatNs(cpuTotal(pipeline) - cpuTotal(bareTrades))}.`,
      `Exactly-once minus core-NATS pipeline: main thread ${formatNs(jsPipeline.mainCpuNs - pipeline.mainCpuNs)}/msg (message-id headers, reading one acknowledgement message per publish, window accounting), other threads ${formatNs(jsPipeline.otherCpuNs - pipeline.otherCpuNs)}/msg, nats-server ${formatNs(jsPipeline.serverCpuNs - pipeline.serverCpuNs)}/msg (JetStream: duplicate-window lookup by message id, storing, and one acknowledgement message sent back per publish; a memory store costs the server nearly as much, \`nats-cost.js --case pipeline-jetstream-memory\`). 0.5x of the core-NATS pipeline allows ${formatNs(cpuTotal(pipeline))}/msg of CPU more than it in total; the exactly-once path takes ${formatNs(cpuTotal(jsPipeline) - cpuTotal(pipeline))}.`,
      'Instructions per message of the publishing process for each case (load-independent, under callgrind): `node dist/nats-cost.js --callgrind` (benchmarks/README.md).',
    ],
  };
  const ratio = transport.rate / bare.rate;
  const jsRatio = jsPipeline.rate / pipeline.rate;
  const pipelineRatio = pipeline.rate / bareTrades.rate;
  return {
    suite: 'nats',
    title: '4. NATS path',
    tables: [table, breakdown],
    targets: [
      {
        name: 'NatsTransport vs bare nats.js loop',
        target: '>= 0.9x',
        measured: formatRatio(ratio),
        met: ratio >= 0.9,
      },
      {
        name: 'full pipeline to NATS (Binance, 1 trade/msg)',
        target: '>= 500 000 trades/s',
        measured: formatRate(pipeline.rate),
        met: pipeline.rate >= 500_000,
      },
      {
        name: 'core-NATS pipeline vs bare nats.js loop (same trades)',
        target: '>= 0.8x',
        measured: formatRatio(pipelineRatio),
        met: pipelineRatio >= 0.8,
      },
      {
        name: 'exactly-once pipeline (JetStream, R1) vs core-NATS pipeline',
        target: '>= 0.5x',
        measured: formatRatio(jsRatio),
        met: jsRatio >= 0.5,
      },
    ],
    latencies,
    metrics: Object.fromEntries(
      rows.flatMap((r, i) => {
        const key = KEYS[i];
        const s = r.recorder?.summary();
        return [
          [`${key}.messagesPerSecond`, r.rate],
          [`${key}.publishNsPerMessage`, r.publishNs],
          [`${key}.mainThreadCpuNsPerMessage`, r.mainCpuNs],
          [`${key}.otherThreadsCpuNsPerMessage`, r.otherCpuNs],
          [`${key}.flusherCpuNsPerMessage`, r.flusherCpuNs],
          [`${key}.serverCpuNsPerMessage`, r.serverCpuNs],
          ...(s === undefined
            ? []
            : [
                [`${key}.p50Ns`, s.p50],
                [`${key}.p99Ns`, s.p99],
                [`${key}.p999Ns`, s.p999],
              ]),
        ];
      }),
    ),
    notes: [],
  };
}

runSuiteProcess(natsSuite);
