/**
 * Suite 3, the peers on the same Binance messages in the same run: (a) a naive pipeline, (b) the design's
 * libraries used as-is, (c) marketpipe.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { InMemoryTransport } from '@marketpipe/middleware';
import simdjson from 'simdjson';
import { startMarketpipeStack } from '../fixtures/marketpipe-stack.js';
import { makeDataDir } from '../fixtures/scratch-dirs.js';
import { venueMessages } from '../fixtures/venue-messages.js';
import { type BenchCase, measureSideBySide } from '../harness/batch-timer.js';
import { BenchPreconditionError } from '../harness/bench-errors.js';
import type { BenchProfile } from '../harness/bench-profile.js';
import { formatNs, formatRate, formatRatio } from '../harness/format.js';
import { runSuiteProcess } from '../harness/suite-main.js';
import type { ResultTable } from '../harness/suite-result.js';
import { appendFileRecorder, StraightforwardBinancePipeline } from '../peers/naive-pipeline.js';

const MESSAGE_COUNT = 4096;
const MASK = MESSAGE_COUNT - 1;
const RING_SLOTS = 1 << 16;

async function peers(profile: BenchProfile) {
  const messages = venueMessages('binance', MESSAGE_COUNT).bytes;
  const transport = new InMemoryTransport();
  let delivered = 0;
  transport.subscribe('bench.>', (payload) => {
    delivered += payload.length > 0 ? 1 : 0;
  });
  const dataDir = makeDataDir('peers');
  const stack = await startMarketpipeStack({
    venue: 'binance',
    transport,
    ringSlots: RING_SLOTS,
    slotSize: 256,
  });
  try {
    const ring = stack.ring;
    const flusher = stack.flusher;
    let ringRefusals = 0;
    const naive = new StraightforwardBinancePipeline(
      JSON.parse,
      transport,
      appendFileRecorder(join(dataDir, 'binance.raw')),
    );
    const librariesAsIs = new StraightforwardBinancePipeline(simdjson.parse, transport, (bytes) => {
      if (ring.tryWrite(bytes)) flusher.notify();
      else ringRefusals++;
    });
    const onMessage = stack.runner.onMessage;
    // Both ring users stay under the ring's capacity per batch and let the flusher empty it between batches.
    const ringBatch = { maxIterations: RING_SLOTS / 2, reset: () => stack.waitForFlusherSync() };
    const cases: BenchCase[] = [
      {
        body: (n) => {
          let acc = 0;
          for (let i = 0; i < n; i++) acc += naive.handle(messages[i & MASK]!);
          return acc;
        },
      },
      {
        ...ringBatch,
        body: (n) => {
          let acc = 0;
          for (let i = 0; i < n; i++) acc += librariesAsIs.handle(messages[i & MASK]!);
          return acc;
        },
      },
      {
        ...ringBatch,
        body: (n) => {
          for (let i = 0; i < n; i++) onMessage(messages[i & MASK]!);
          return n;
        },
      },
    ];
    const [a, b, c] = measureSideBySide(cases, profile);
    const counters = stack.runner.counters();
    if (ringRefusals > 0 || counters.drops.ringOverflow > 0) {
      throw new BenchPreconditionError(
        `the ring overflowed during the peers suite (${ringRefusals} + ${counters.drops.ringOverflow}); results would not compare`,
      );
    }
    if (delivered === 0) throw new BenchPreconditionError('no trade reached the subscriber');
    const row = (name: string, what: string, ns: number): string[] => [
      name,
      what,
      formatNs(ns),
      formatRate(1e9 / ns),
      formatRatio(ns / c!.nsPerOp),
    ];
    const table: ResultTable = {
      title: 'Peers on the same Binance trade messages, same run (ns per message, median of rounds)',
      columns: ['pipeline', 'what it does per message', 'ns/msg', 'msgs/s', 'marketpipe is faster by'],
      rows: [
        row(
          '(a) naive',
          'TextDecoder + JSON.parse + trade object + capnp-es builder + subject string + fs.appendFileSync',
          a!.nsPerOp,
        ),
        row(
          "(b) design's libraries as-is",
          'TextDecoder + simdjson.parse + trade object + capnp-es builder + subject string + ring hand-off',
          b!.nsPerOp,
        ),
        row(
          '(c) marketpipe',
          'Runner.onMessage: scanner parse + interned ticker + TradeEncoder + prepared target + ring hand-off',
          c!.nsPerOp,
        ),
      ],
      notes: [
        'All three publish every trade on the same InMemoryTransport with one subscriber, and see the same 4096 distinct messages in the same order; rounds alternate between the three.',
        "(b) and (c) hand the raw bytes to the same memory-mapped ring drained by the same flusher worker; the flusher empties it between batches (untimed). (a) pays a write syscall per message, which is the naive design's real cost.",
      ],
    };
    const ratioNaive = a!.nsPerOp / c!.nsPerOp;
    const ratioLibraries = b!.nsPerOp / c!.nsPerOp;
    return {
      suite: 'peers',
      title: '3. Peers on the same messages',
      tables: [table],
      targets: [
        {
          name: 'marketpipe vs naive pipeline (end to end)',
          target: '>= 30x faster',
          measured: formatRatio(ratioNaive),
          met: ratioNaive >= 30,
        },
        {
          name: "marketpipe vs the design's libraries as-is",
          target: '>= 20x faster',
          measured: formatRatio(ratioLibraries),
          met: ratioLibraries >= 20,
        },
      ],
      latencies: [],
      metrics: {
        naiveNs: a!.nsPerOp,
        librariesAsIsNs: b!.nsPerOp,
        marketpipeNs: c!.nsPerOp,
        ratioNaive,
        ratioLibraries,
      },
      notes: [],
    };
  } finally {
    await stack.close();
    await transport.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runSuiteProcess(peers);
