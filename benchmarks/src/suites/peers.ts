/**
 * Suite 3, the peers on the same Binance messages in the same run: (a) a naive pipeline, (b) the design's
 * libraries used as-is, (c) marketpipe. The peers' largest parts (the capnp-es builder, `fs.appendFileSync`) are
 * timed alone in the same rounds, and the floor under marketpipe's message in the same process, so that a missed
 * target says why.
 */
import { appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InMemoryTransport } from '@marketpipe/middleware';
import simdjson from 'simdjson';
import { measureHotPathFloor } from '../fixtures/hot-path-floor.js';
import { startMarketpipeStack } from '../fixtures/marketpipe-stack.js';
import { makeDataDir } from '../fixtures/scratch-dirs.js';
import { venueMessages } from '../fixtures/venue-messages.js';
import { type BatchMeasurement, type BenchCase, measureSideBySide } from '../harness/batch-timer.js';
import { BenchPreconditionError } from '../harness/bench-errors.js';
import type { BenchProfile } from '../harness/bench-profile.js';
import { formatNs, formatRate, formatRatio } from '../harness/format.js';
import { runSuiteProcess } from '../harness/suite-main.js';
import type { ResultTable, TargetCheck } from '../harness/suite-result.js';
import { encodeTradeWithCapnpEs } from '../peers/capnp-es-trade.js';
import {
  appendFileRecorder,
  type BinanceTradeMessage,
  type NaiveTrade,
  naiveTrade,
  StraightforwardBinancePipeline,
} from '../peers/naive-pipeline.js';
import { peerWhy } from '../peers/peers-why.js';

const MESSAGE_COUNT = 4096;
const MASK = MESSAGE_COUNT - 1;
const RING_SLOTS = 1 << 16;
/**
 * Timed rounds of the full profile. A round is ~40 ms, and the peers allocate and make syscalls, so a median of
 * the profile's 7 moved with one slow round; the whole suite still takes a few seconds.
 */
const FULL_ROUNDS = 15;

/** The naive trade object of each message, parsed once, for timing the capnp-es builder alone. */
function parseFields(bytes: Uint8Array): NaiveTrade {
  const message = JSON.parse(new TextDecoder().decode(bytes)) as BinanceTradeMessage;
  return naiveTrade(message.data, message.data.T + 1);
}

async function peers(suiteProfile: BenchProfile) {
  const profile = suiteProfile.smoke ? suiteProfile : { ...suiteProfile, rounds: FULL_ROUNDS };
  const binance = venueMessages('binance', MESSAGE_COUNT);
  const messages = binance.bytes;
  const fields = messages.map(parseFields);
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
    const appendAlonePath = join(dataDir, 'append-alone.raw');
    const decoder = new TextDecoder();
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
      {
        body: (n) => {
          let acc = 0;
          for (let i = 0; i < n; i++) {
            const f = fields[i & MASK]!;
            acc += encodeTradeWithCapnpEs(
              f.timestampNanos,
              f.receivedNanos,
              f.ticker,
              f.price,
              f.size,
              f.side,
              f.tradeId,
            ).byteLength;
          }
          return acc;
        },
      },
      {
        body: (n) => {
          for (let i = 0; i < n; i++) appendFileSync(appendAlonePath, messages[i & MASK]!);
          return n;
        },
      },
      {
        body: (n) => {
          let acc = 0;
          for (let i = 0; i < n; i++) acc += JSON.parse(decoder.decode(messages[i & MASK]!)).data.t;
          return acc;
        },
      },
      {
        body: (n) => {
          let acc = 0;
          for (let i = 0; i < n; i++) acc += simdjson.parse(decoder.decode(messages[i & MASK]!)).data.t;
          return acc;
        },
      },
    ];
    const [a, b, c, capnpAlone, appendAlone, jsonAlone, simdjsonAlone] = measureSideBySide(cases, profile);
    const counters = stack.runner.counters();
    if (ringRefusals > 0 || counters.drops.ringOverflow > 0) {
      throw new BenchPreconditionError(
        `the ring overflowed during the peers suite (${ringRefusals} + ${counters.drops.ringOverflow}); results would not compare`,
      );
    }
    if (delivered === 0) throw new BenchPreconditionError('no trade reached the subscriber');
    // After the peers, in the same process: what no implementation of the design can skip for these messages.
    const floor = measureHotPathFloor(binance, profile);
    const spread = (m: BatchMeasurement): string =>
      `${formatNs(Math.min(...m.roundsNsPerOp))}-${formatNs(Math.max(...m.roundsNsPerOp))}`;
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
        `All three publish every trade on the same InMemoryTransport with one subscriber, and see the same 4096 distinct messages in the same order; rounds alternate between the three and the parts below (median of ${profile.rounds} rounds).`,
        `Spread over the rounds (fastest to slowest): (a) ${spread(a!)}, (b) ${spread(b!)}, (c) ${spread(c!)}.`,
        "(b) and (c) hand the raw bytes to the same memory-mapped ring drained by the same flusher worker; the flusher empties it between batches (untimed). (a) pays a write syscall per message, which is the naive design's real cost.",
      ],
    };
    const partsTable: ResultTable = {
      title: "What the peers' time is made of, and the floor under marketpipe's (ns per message, same run)",
      columns: ['what', 'ns/msg', 'share of (a)', 'share of (b)'],
      rows: [
        [
          'capnp-es builder alone (new Message, initRoot, setters, toArrayBuffer), in (a) and (b)',
          formatNs(capnpAlone!.nsPerOp),
          `${Math.round((100 * capnpAlone!.nsPerOp) / a!.nsPerOp)}%`,
          `${Math.round((100 * capnpAlone!.nsPerOp) / b!.nsPerOp)}%`,
        ],
        [
          'fs.appendFileSync of the raw message alone, in (a)',
          formatNs(appendAlone!.nsPerOp),
          `${Math.round((100 * appendAlone!.nsPerOp) / a!.nsPerOp)}%`,
          '',
        ],
        [
          'TextDecoder + JSON.parse alone, in (a)',
          formatNs(jsonAlone!.nsPerOp),
          `${Math.round((100 * jsonAlone!.nsPerOp) / a!.nsPerOp)}%`,
          '',
        ],
        [
          'TextDecoder + simdjson.parse alone, in (b)',
          formatNs(simdjsonAlone!.nsPerOp),
          '',
          `${Math.round((100 * simdjsonAlone!.nsPerOp) / b!.nsPerOp)}%`,
        ],
        [
          "the floor under a Binance message (suite 2's steps, timed alone after the rounds above)",
          formatNs(floor.totalNs),
          '',
          '',
        ],
      ],
      notes: [
        'The parts run in the same alternating rounds as the peers, on the same messages (for the builder, the trade fields parsed once beforehand); appendFileSync writes its own file. What a peer spends beyond its parts is its trade object (BigInt timestamps, a Date.now), the subject string and the publish.',
        "A speed-up target asks marketpipe for at most the peer's time divided by it; where that is below the floor, no implementation of this design meets the target against that peer on this host.",
      ],
    };
    const ratioNaive = a!.nsPerOp / c!.nsPerOp;
    const ratioLibraries = b!.nsPerOp / c!.nsPerOp;
    const naiveTarget: TargetCheck = {
      name: 'marketpipe vs naive pipeline (end to end)',
      target: '>= 30x faster',
      measured: formatRatio(ratioNaive),
      met: ratioNaive >= 30,
    };
    const librariesTarget: TargetCheck = {
      name: "marketpipe vs the design's libraries as-is",
      target: '>= 20x faster',
      measured: formatRatio(ratioLibraries),
      met: ratioLibraries >= 20,
    };
    naiveTarget.why = peerWhy({
      peer: '(a) the naive pipeline',
      peerNs: a!.nsPerOp,
      parts: [
        { label: 'its capnp-es builder', nsPerMessage: capnpAlone!.nsPerOp },
        { label: 'its fs.appendFileSync', nsPerMessage: appendAlone!.nsPerOp },
        { label: 'its TextDecoder + JSON.parse', nsPerMessage: jsonAlone!.nsPerOp },
      ],
      targetRatio: 30,
      marketpipeNs: c!.nsPerOp,
      floorNs: floor.totalNs,
    });
    librariesTarget.why = peerWhy({
      peer: "(b) the design's libraries as-is",
      peerNs: b!.nsPerOp,
      parts: [
        { label: 'its capnp-es builder', nsPerMessage: capnpAlone!.nsPerOp },
        { label: 'its TextDecoder + simdjson.parse', nsPerMessage: simdjsonAlone!.nsPerOp },
      ],
      targetRatio: 20,
      marketpipeNs: c!.nsPerOp,
      floorNs: floor.totalNs,
    });
    return {
      suite: 'peers',
      title: '3. Peers on the same messages',
      tables: [table, partsTable],
      targets: [naiveTarget, librariesTarget],
      latencies: [],
      metrics: {
        naiveNs: a!.nsPerOp,
        librariesAsIsNs: b!.nsPerOp,
        marketpipeNs: c!.nsPerOp,
        capnpEsAloneNs: capnpAlone!.nsPerOp,
        appendFileSyncAloneNs: appendAlone!.nsPerOp,
        jsonParseAloneNs: jsonAlone!.nsPerOp,
        simdjsonParseAloneNs: simdjsonAlone!.nsPerOp,
        floorNs: floor.totalNs,
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
