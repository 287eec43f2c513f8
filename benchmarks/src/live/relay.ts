/**
 * Process 2 of the live-path suite, one of three consumers of the venue server, each in its own process:
 *
 * - `marketpipe`: the app's `Pipeline` (live source, NATS transport, ring + flusher recording), exactly as
 *   `marketpipe run --source live --url ... --transport nats://...` composes it; the transport is wrapped only to
 *   stamp each publish;
 * - `naive`: `ws` client -> `JSON.parse` -> a trade object -> `JSON.stringify` -> `nats.publish`, raw lines to a
 *   `WriteStream`;
 * - `floor`: a `ws` client that times a fixed piece of work (~1.5 µs) per message: the noise floor of a Node
 *   process woken by socket messages at this rate on this machine, measured like the app's hot path;
 * - `floor-mem`: the same, with a write to each 64-byte line of 256 KiB as the work: arithmetic alone has no memory
 *   footprint, so it cannot show what cold caches after an idle millisecond cost work that has one.
 *
 * Args: `<mode> <ws-url> <nats-url> <count> <dir>`.
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Pipeline } from '@marketpipe/connector';
import { clock, type FastPublishTransport, NatsTransport, type PublishTarget } from '@marketpipe/middleware';
import { LatencyRecorder } from '@marketpipe/middleware/latency';
import { connect } from 'nats';
import WebSocket from 'ws';
import { monotonicNsNoAlloc } from './binance-tape.js';
import { onParent, tellParent, writeTimes } from './child-link.js';

const [mode = '', wsUrl = '', natsUrl = '', countText = '0', dir = ''] = process.argv.slice(2);
const count = Number(countText);
const published = new Float64Array(count).fill(Number.NaN);
let publishedCount = 0;

function stampPublish(): void {
  if (publishedCount < count) published[publishedCount] = monotonicNsNoAlloc();
  publishedCount++;
}

/**
 * The transport with every publish stamped right after it returns (the app's own code is untouched). The stamp
 * runs inside the app's measured hot path, so it allocates nothing: a Proxy here cost a closure, a rest array and
 * a BigInt per publish (docs/design/latency-tail.md).
 */
function stamped(transport: NatsTransport): FastPublishTransport {
  return {
    get status() {
      return transport.status;
    },
    publish(subject: string | PublishTarget, payload: Uint8Array): void {
      transport.publish(subject, payload);
      stampPublish();
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

/** ~1.5 µs of arithmetic the JIT cannot drop (the result is reported). */
let floorSink = 0;
function fixedWork(seed: number): number {
  let x = seed | 0;
  for (let i = 0; i < 600; i++) x = (Math.imul(x, 1_103_515_245) + 12_345) | 0;
  return x;
}

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
  if (mode === 'marketpipe') {
    const transport = await NatsTransport.connect({ servers: [natsUrl] });
    const pipeline = await Pipeline.start({
      venue: 'binance',
      symbols: ['BTCUSDT'],
      source: { kind: 'live', url: wsUrl },
      transport: stamped(transport),
      env: 'bench',
      dataDir: join(dir, 'data'),
      latency,
    });
    stop = async () => {
      const summary = await pipeline.stop();
      await transport.close();
      const l = summary.latency;
      tellParent({
        type: 'hot-path',
        p50: l.p50,
        p99: l.p99,
        p999: l.p999,
        count: l.count,
        lost: summary.lost,
      });
    };
  } else {
    const nc = mode === 'naive' ? await connect({ servers: natsUrl }) : undefined;
    const raw = mode === 'naive' ? createWriteStream(join(dir, 'raw.jsonl')) : undefined;
    const socket = new WebSocket(wsUrl);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.on('message', (data: Buffer) => {
      if (mode === 'floor' || mode === 'floor-mem') {
        const start = clock.nowNanos();
        floorSink ^= mode === 'floor' ? fixedWork(data.length) : touchFootprint(data.length);
        latency.record(clock.nowNanos() - start);
        return;
      }
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
    });
    stop = async () => {
      // Messages still buffered after the suite's settle time are not published (they show as missing).
      socket.removeAllListeners('message');
      socket.close();
      await nc?.drain();
      await new Promise((resolve) => (raw ? raw.end(resolve) : resolve(undefined)));
      const s = latency.summary();
      if (mode === 'floor' || mode === 'floor-mem')
        tellParent({
          type: 'hot-path',
          p50: s.p50,
          p99: s.p99,
          p999: s.p999,
          count: s.count,
          sink: floorSink,
        });
    };
  }
  onParent((message) => {
    if (message.type === 'progress') tellParent({ type: 'progress', published: publishedCount });
    // After the warm-up messages: own timing covers the paced messages only.
    if (message.type === 'reset') {
      latency.reset();
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
  tellParent({ type: 'ready' });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
