/**
 * Process 2 of the live-path suite, one of the consumers of the venue server, each in its own process:
 *
 * - `marketpipe`: the app's `Pipeline` (live source, NATS transport, ring + flusher recording), exactly as
 *   `marketpipe run --source live --url ... --transport nats://...` composes it, with the V8 setting the
 *   `marketpipe` executable applies to its process (`applyV8Tuning`; `MARKETPIPE_V8_TUNING=off` leaves V8's
 *   defaults, as for the CLI); the transport is wrapped only to stamp each publish, and to time it (one clock read
 *   before the call; the stamp after it closes the interval);
 * - `marketpipe-memory`: the same Pipeline publishing to an `InMemoryTransport` (no broker, no socket write): what
 *   the hot path costs at this pace without the NATS client and the socket writes it makes between messages;
 * - `naive`: `ws` client -> `JSON.parse` -> a trade object -> `JSON.stringify` -> `nats.publish`, raw lines to a
 *   `WriteStream`, its own work per message timed like the app's hot path;
 * - `forward`: a `ws` client that publishes each frame's bytes to NATS as they came (no parse, no record, no file):
 *   the same four processes and hops as the two relays with no work of a consumer's own, so its send->subscriber
 *   latency is this machine's floor for the path, and its spread from round to round is the host's;
 * - `floor`: a `ws` client that times a fixed piece of arithmetic per message, calibrated at start to ~1.6 µs warm
 *   (the issue's "bare ~1.6 µs function"): the noise floor of a Node process woken by socket messages at this rate
 *   on this machine, measured like the app's hot path;
 * - `floor-mem`: the same, with a write to each 64-byte line of 256 KiB as the work: arithmetic alone has no memory
 *   footprint, so it cannot show what cold caches after an idle millisecond cost work that has one.
 *
 * Args: `<mode> <ws-url> <nats-url> <count> <dir>`.
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Pipeline } from '@marketpipe/connector';
import {
  clock,
  type FastPublishTransport,
  InMemoryTransport,
  NatsTransport,
  type PublishTarget,
} from '@marketpipe/middleware';
import { LatencyRecorder } from '@marketpipe/middleware/latency';
import { connect } from 'nats';
import WebSocket from 'ws';
import { monotonicNsNoAlloc } from './binance-tape.js';
import { onParent, tellParent, writeTimes } from './child-link.js';
import { parsePlacementArg, placeConsumer } from './placement.js';

const [mode = '', wsUrl = '', natsUrl = '', countText = '0', dir = '', placementText = ''] =
  process.argv.slice(2);
// With a placement (live-path suite, "a core of its own"): this process's main thread alone on its intake CPU.
const placement = parsePlacementArg(placementText);
const count = Number(countText);
const published = new Float64Array(count).fill(Number.NaN);
let publishedCount = 0;

/** Time inside the transport's publish, per call (marketpipe modes): part of the hot path's own timing. */
const publishTiming = new LatencyRecorder();

function stampPublish(): number {
  const now = monotonicNsNoAlloc();
  if (publishedCount < count) published[publishedCount] = now;
  publishedCount++;
  return now;
}

/**
 * The transport with every publish stamped right after it returns and timed (the app's own code is untouched). The
 * stamp runs inside the app's measured hot path, so it allocates nothing: a Proxy here cost a closure, a rest array
 * and a BigInt per publish (docs/design/latency-tail.md).
 */
function stamped(transport: FastPublishTransport): FastPublishTransport {
  return {
    get status() {
      return transport.status;
    },
    publish(subject: string | PublishTarget, payload: Uint8Array): void {
      const before = monotonicNsNoAlloc();
      transport.publish(subject, payload);
      publishTiming.record(stampPublish() - before);
    },
    prepare: (subject) => transport.prepare(subject),
    subscribe: (pattern, handler) => transport.subscribe(pattern, handler),
    flush: () => transport.flush(),
    close: () => transport.close(),
    onStatus: (listener) => transport.onStatus(listener),
    onError: (listener) => transport.onError(listener),
    counters: () => transport.counters(),
  };
}

/** What the floor's fixed work takes warm, in a tight loop: the noise floor is "a bare ~1.6 µs function". */
const FLOOR_WORK_NS = 1_600;
/** Arithmetic the JIT cannot drop (the result is reported), `floorSteps` steps long. */
let floorSink = 0;
let floorSteps = 600;
function fixedWork(seed: number): number {
  let x = seed | 0;
  for (let i = 0; i < floorSteps; i++) x = (Math.imul(x, 1_103_515_245) + 12_345) | 0;
  return x;
}

/**
 * Sets `floorSteps` so that one `fixedWork` call takes ~{@link FLOOR_WORK_NS} warm (median of 7 timed batches after
 * a warm-up that lets the JIT optimize it); returns the ns per call measured with the chosen steps.
 */
function calibrateFloor(): number {
  const perCall = (): number => {
    const times: number[] = [];
    for (let round = 0; round < 7; round++) {
      const start = performance.now();
      for (let i = 0; i < 2_000; i++) floorSink ^= fixedWork(i);
      times.push(((performance.now() - start) * 1e6) / 2_000);
    }
    return times.sort((a, b) => a - b)[3] as number;
  };
  for (let i = 0; i < 20_000; i++) floorSink ^= fixedWork(i);
  floorSteps = Math.max(1, Math.round((floorSteps * FLOOR_WORK_NS) / perCall()));
  return perCall();
}

/** Calls of the floor's message handler before the first message: above V8's tier-up count on every line (16 000). */
const FLOOR_HANDLER_WARM_CALLS = 20_000;

/** 256 KiB, one write per cache line: a memory footprint like the hot path's, timed like the floor. */
const footprint = new Int32Array((256 * 1024) / 4);
function touchFootprint(seed: number): number {
  let x = seed | 0;
  for (let i = 0; i < footprint.length; i += 16) {
    footprint[i] = ((footprint[i] as number) + x) | 0;
    x = (x + (footprint[i] as number)) | 0;
  }
  return x;
}

async function main(): Promise<void> {
  const latency = new LatencyRecorder();
  let stop: () => Promise<void>;
  let floorWorkNs: number | undefined;
  if (mode === 'marketpipe' || mode === 'marketpipe-memory') {
    // Before any of the pipeline's code runs hot, as the CLI does. Loaded here, so that the naive relay and the
    // floors neither load the CLI's modules nor change V8's defaults.
    const { applyV8Tuning } = await import('@marketpipe/reference-connector');
    applyV8Tuning();
    const transport =
      mode === 'marketpipe' ? await NatsTransport.connect({ servers: [natsUrl] }) : new InMemoryTransport();
    const pipeline = await Pipeline.start({
      venue: 'binance',
      symbols: ['BTCUSDT'],
      source: { kind: 'live', url: wsUrl },
      transport: stamped(transport),
      env: 'bench',
      dataDir: join(dir, 'data'),
      latency,
      ...(placement ? { cpus: { intake: [placement.intake], recorder: placement.others } } : {}),
    });
    stop = async () => {
      const summary = await pipeline.stop();
      await transport.close();
      const l = summary.latency;
      const p = publishTiming.summary();
      tellParent({
        type: 'hot-path',
        p50: l.p50,
        p99: l.p99,
        p999: l.p999,
        count: l.count,
        lost: summary.lost,
        publish: { p50: p.p50, p99: p.p99, p999: p.p999, count: p.count },
      });
    };
  } else {
    if (mode === 'floor') floorWorkNs = calibrateFloor();
    const nc = mode === 'naive' || mode === 'forward' ? await connect({ servers: natsUrl }) : undefined;
    const raw = mode === 'naive' ? createWriteStream(join(dir, 'raw.jsonl')) : undefined;
    const socket = new WebSocket(wsUrl);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    if (mode === 'floor' || mode === 'floor-mem') {
      const onFloorMessage = (data: Buffer): void => {
        const start = clock.nowNanos();
        floorSink ^= mode === 'floor' ? fixedWork(data.length) : touchFootprint(data.length);
        latency.record(clock.nowNanos() - start);
      };
      // The floor is an instrument: its handler runs as the optimizing compiler's code at every rate and on every
      // line. Paced at 1 000 msg/s its few thousand calls would leave it as Maglev code on Node 24+ (V8 waits for
      // 10 000-16 000 calls there, docs/design/latency-tail.md), 3-6x slower than the calibration measured.
      const warm = Buffer.alloc(200);
      for (let i = 0; i < FLOOR_HANDLER_WARM_CALLS; i++) onFloorMessage(warm);
      latency.reset();
      socket.on('message', onFloorMessage);
    } else if (mode === 'forward') {
      socket.on('message', (data: Buffer) => {
        const start = clock.nowNanos();
        nc?.publish('bench.binance.raw.BTCUSDT', data);
        stampPublish();
        latency.record(clock.nowNanos() - start);
      });
    } else {
      socket.on('message', (data: Buffer) => {
        const start = clock.nowNanos();
        const text = data.toString();
        const message = JSON.parse(text) as {
          data: { s: string; t: number; p: string; q: string; T: number; m: boolean };
        };
        const d = message.data;
        const trade = {
          symbol: d.s,
          tradeId: d.t,
          price: d.p,
          size: d.q,
          timeMs: d.T,
          side: d.m ? 'sell' : 'buy',
        };
        nc?.publish(`bench.binance.trade.${d.s}`, JSON.stringify(trade));
        stampPublish();
        raw?.write(`${text}\n`);
        latency.record(clock.nowNanos() - start);
      });
    }
    stop = async () => {
      // Messages still buffered after the suite's settle time are not published (they show as missing).
      socket.removeAllListeners('message');
      socket.close();
      await nc?.drain();
      await new Promise((resolve) => (raw ? raw.end(resolve) : resolve(undefined)));
      const s = latency.summary();
      tellParent({
        type: 'hot-path',
        p50: s.p50,
        p99: s.p99,
        p999: s.p999,
        count: s.count,
        sink: floorSink,
        ...(floorWorkNs === undefined ? {} : { floorWorkNs }),
      });
    };
  }
  onParent((message) => {
    if (message.type === 'progress') tellParent({ type: 'progress', published: publishedCount });
    // After the warm-up messages: own timing covers the paced messages only.
    if (message.type === 'reset') {
      latency.reset();
      publishTiming.reset();
      tellParent({ type: 'reset' });
    }
    if (message.type !== 'stop') return;
    stop().then(
      () => {
        writeTimes(join(dir, `${mode}-published.bin`), published);
        tellParent({ type: 'stopped', published: publishedCount });
        process.exit(0);
      },
      (err: unknown) => {
        process.stderr.write(`${String(err)}\n`);
        process.exit(1);
      },
    );
  });
  // The other consumers, placed from outside as the pipeline places itself (its threads exist by now: ws, nats.js
  // and the WriteStream's libuv pool).
  if (placement && mode !== 'marketpipe' && mode !== 'marketpipe-memory')
    placeConsumer(process.pid, placement);
  tellParent({ type: 'ready' });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
