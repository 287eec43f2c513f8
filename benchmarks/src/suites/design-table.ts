/**
 * Suite 1, the design's table: for each hot-path operation, the usual way ("before") and the design's way
 * ("after"), measured side by side in this one process, with ns/op and the speed-up.
 */
import { appendFileSync, closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { TradeEncoder } from '@marketpipe/connector';
import type { EpochMsParts, TradeNumbers } from '@marketpipe/connector/codec';
import { createParser, type ParsedTrade, type TradeSink } from '@marketpipe/connector/feeds';
import { RingBuffer } from '@marketpipe/connector/recording';
import { clock, InMemoryTransport, Interner } from '@marketpipe/middleware';
import simdjson from 'simdjson';
import { nowNanosLoop } from '../fixtures/clock-loop.js';
import { drainRing, prefaultRing } from '../fixtures/ring-warmup.js';
import { makeDataDir, makeRingDir } from '../fixtures/scratch-dirs.js';
import { BENCH_VENUES, VENUE_SYMBOLS, venueMessages } from '../fixtures/venue-messages.js';
import { type BatchMeasurement, type BenchCase, measureSideBySide } from '../harness/batch-timer.js';
import { BenchPreconditionError } from '../harness/bench-errors.js';
import type { BenchProfile } from '../harness/bench-profile.js';
import { formatNs, formatRatio } from '../harness/format.js';
import { GcCounter } from '../harness/gc-counter.js';
import { medianAllocationPerOperation } from '../harness/heap-probe.js';
import { runSuiteProcess } from '../harness/suite-main.js';
import type { ResultTable, TargetCheck } from '../harness/suite-result.js';
import { encodeTradeWithCapnpEs } from '../peers/capnp-es-trade.js';

const MESSAGE_COUNT = 1024;
const MASK = MESSAGE_COUNT - 1;
const RING_SLOT_BYTES = 256;
const RING_SLOTS = 1 << 18;
const HANDOFF_MESSAGE_BYTES = 200;
/** The written-back-pages row's ring, on disk: 1 MiB of 256-byte slots. */
const WRITTEN_BACK_RING_SLOTS = 1 << 12;
/** Records per batch of that row: within the 64 KiB (255 slots) that `prefaultAhead` reaches after the tail. */
const WRITTEN_BACK_BATCH = 240;
/**
 * Trades encoded in the shorter probe of each pair (the longer encodes twice as many; after warm-up, in a 128 MiB
 * young generation). The pair's difference takes out what a probe costs by itself (16-21 KB); the flip side: above
 * ~32 B/trade the longer probe fills the young generation, a GC runs and the row reads "n/a" (which fails the
 * target, so a regression still shows).
 */
const ENCODE_PROBE_TRADES = 2_000_000;
/** Below this many bytes per trade the encode counts as allocation-free (as the hot-path suite does). */
const ZERO_ALLOCATION_BYTES_PER_OPERATION = 0.1;

/** One row: an operation, its before and after, and how much faster after is. */
interface Row {
  key: string;
  operation: string;
  before: string;
  after: string;
  measured: [BatchMeasurement, BatchMeasurement];
}

function row(
  key: string,
  operation: string,
  before: string,
  after: string,
  cases: [BenchCase, BenchCase],
  profile: BenchProfile,
): Row {
  const [b, a] = measureSideBySide(cases, profile);
  return { key, operation, before, after, measured: [b!, a!] };
}

// --- timestamp ------------------------------------------------------------------------------------------------

const dateNowLoop = (n: number): number => {
  let acc = 0;
  for (let i = 0; i < n; i++) acc += Date.now() & 1;
  return acc;
};

const newDateLoop = (n: number): number => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const date = new Date();
    acc += date.getMilliseconds() & 1;
  }
  return acc;
};

// --- sequence -------------------------------------------------------------------------------------------------

// [lock word, counter] for the mutex emulation; a separate word for Atomics.add.
const lockWords = new Int32Array(new SharedArrayBuffer(8));
const sequenceWords = new Int32Array(new SharedArrayBuffer(4));
const plainCounter = { value: 0 };

const casLockLoop = (n: number): number => {
  for (let i = 0; i < n; i++) {
    while (Atomics.compareExchange(lockWords, 0, 0, 1) !== 0) {
      // Uncontended here: the emulation measures the lock's fixed cost, as the design's mutex row does.
    }
    lockWords[1] = lockWords[1]! + 1;
    Atomics.store(lockWords, 0, 0);
  }
  return lockWords[1]! & 1;
};

const atomicsAddLoop = (n: number): number => {
  for (let i = 0; i < n; i++) Atomics.add(sequenceWords, 0, 1);
  return Atomics.load(sequenceWords, 0) & 1;
};

const plainIncrementLoop = (n: number): number => {
  const counter = plainCounter;
  for (let i = 0; i < n; i++) counter.value++;
  return counter.value & 1;
};

// --- suite ----------------------------------------------------------------------------------------------------

async function designTable(profile: BenchProfile) {
  const rows: Row[] = [];
  const notes: string[] = [];
  const gcs = new GcCounter();

  rows.push(
    row(
      'timestamp.dateNow',
      'timestamp',
      'Date.now()',
      'clock.nowNanos()',
      [{ body: dateNowLoop }, { body: nowNanosLoop }],
      profile,
    ),
    row(
      'timestamp.newDate',
      'timestamp',
      'new Date()',
      'clock.nowNanos()',
      [{ body: newDateLoop }, { body: nowNanosLoop }],
      profile,
    ),
    row(
      'sequence.lock',
      'sequence',
      'lock via Atomics.compareExchange + increment + Atomics.store (≈ mutex)',
      'Atomics.add on a SharedArrayBuffer (≈ atomic)',
      [{ body: casLockLoop }, { body: atomicsAddLoop }],
      profile,
    ),
    row(
      'sequence.plain',
      'sequence (one thread)',
      'Atomics.add on a SharedArrayBuffer',
      'plain field increment (what the single-threaded runner does)',
      [{ body: atomicsAddLoop }, { body: plainIncrementLoop }],
      profile,
    ),
  );

  // --- channel lookup: subject built per message vs a prepared target ---
  const transport = new InMemoryTransport();
  let delivered = 0;
  const prefix = 'bench.binance.trade.';
  const tickers = VENUE_SYMBOLS.binance;
  // One exact subscriber per subject, as a consumer of one symbol has.
  for (const ticker of tickers) {
    transport.subscribe(`${prefix}${ticker}`, (payload) => {
      delivered += payload.length;
    });
  }
  const prepared = tickers.map((ticker) => transport.prepare(`${prefix}${ticker}`));
  const payload = new Uint8Array(96);
  const tickerMask = tickers.length - 1;
  // The runner hands its receive time to the transport with every trade (no second clock read): both cases do.
  const stamp = { mono: clock.nowNanos() };
  rows.push(
    row(
      'channel',
      'channel lookup',
      'subject string built per message + Map lookup (publish by string)',
      'precomputed PublishTarget (publish by target)',
      [
        {
          body: (n) => {
            for (let i = 0; i < n; i++)
              transport.publish(`${prefix}${tickers[i & tickerMask]}`, payload, stamp);
            return delivered & 1;
          },
        },
        {
          body: (n) => {
            for (let i = 0; i < n; i++) transport.publish(prepared[i & tickerMask]!, payload, stamp);
            return delivered & 1;
          },
        },
      ],
      profile,
    ),
  );

  // --- JSON parse per venue: JSON.parse vs simdjson vs the default parser ---
  const decoder = new TextDecoder();
  const parseTable: ResultTable = {
    title: 'JSON parse per venue (ns per message, same messages)',
    columns: [
      'venue',
      'trades/msg',
      'bytes/msg',
      'JSON.parse(decode)',
      'simdjson.parse(decode)',
      'marketpipe parser',
      'vs JSON.parse',
      'vs simdjson',
    ],
    rows: [],
    notes: [
      'JSON.parse and simdjson rows only build the object tree; the marketpipe parser also extracts every trade field (typed numbers, byte ranges) and hands the trade to a sink, so the comparison favours the peers.',
      'simdjson.parse builds a full JS object tree from its tape; its native speed is lost in that conversion.',
    ],
  };
  const metrics: Record<string, number> = {};
  const targets: TargetCheck[] = [];
  let tradeSum = 0;
  const sink: TradeSink = {
    onTrade(trade: ParsedTrade) {
      tradeSum += trade.size;
    },
  };
  for (const venue of BENCH_VENUES) {
    const messages = venueMessages(venue, MESSAGE_COUNT);
    const { bytes } = messages;
    const parser = createParser(venue);
    const [json, simd, scanner] = measureSideBySide(
      [
        {
          body: (n) => {
            let acc = 0;
            for (let i = 0; i < n; i++) acc += JSON.parse(decoder.decode(bytes[i & MASK]!)) === null ? 1 : 0;
            return acc;
          },
        },
        {
          body: (n) => {
            let acc = 0;
            for (let i = 0; i < n; i++)
              acc += simdjson.parse(decoder.decode(bytes[i & MASK]!)) === null ? 1 : 0;
            return acc;
          },
        },
        {
          body: (n) => {
            let acc = 0;
            for (let i = 0; i < n; i++) {
              const message = bytes[i & MASK]!;
              acc += parser.parse(message, 0, message.length, sink);
            }
            return acc + (tradeSum > 0 ? 1 : 0);
          },
        },
      ],
      profile,
    );
    parseTable.rows.push([
      venue,
      (messages.trades / MESSAGE_COUNT).toFixed(2),
      messages.meanBytes.toFixed(0),
      formatNs(json!.nsPerOp),
      formatNs(simd!.nsPerOp),
      formatNs(scanner!.nsPerOp),
      formatRatio(json!.nsPerOp / scanner!.nsPerOp),
      formatRatio(simd!.nsPerOp / scanner!.nsPerOp),
    ]);
    metrics[`parse.${venue}.jsonParseNs`] = json!.nsPerOp;
    metrics[`parse.${venue}.simdjsonNs`] = simd!.nsPerOp;
    metrics[`parse.${venue}.parserNs`] = scanner!.nsPerOp;
    if (venue === 'binance') {
      targets.push(
        {
          name: 'parse, Binance trade message',
          target: '<= 150 ns',
          measured: formatNs(scanner!.nsPerOp),
          met: scanner!.nsPerOp <= 150,
        },
        {
          name: 'parse vs JSON.parse of the decoded string (Binance)',
          target: '>= 4x faster',
          measured: formatRatio(json!.nsPerOp / scanner!.nsPerOp),
          met: json!.nsPerOp / scanner!.nsPerOp >= 4,
        },
      );
    }
  }

  // --- ticker: a string per message vs an interned id from the bytes ---
  const binance = venueMessages('binance', MESSAGE_COUNT);
  const { tickerRanges, tradeIdRanges } = binance;
  const binanceBytes = binance.bytes;
  const interner = new Interner();
  rows.push(
    row(
      'ticker',
      'ticker',
      'TextDecoder.decode of the ticker bytes (a string per message)',
      'Interner.internBytes (an id, no string)',
      [
        {
          body: (n) => {
            let acc = 0;
            for (let i = 0; i < n; i++) {
              const m = i & MASK;
              acc += decoder.decode(
                binanceBytes[m]!.subarray(tickerRanges[2 * m], tickerRanges[2 * m + 1]),
              ).length;
            }
            return acc;
          },
        },
        {
          body: (n) => {
            let acc = 0;
            for (let i = 0; i < n; i++) {
              const m = i & MASK;
              acc += interner.internBytes(binanceBytes[m]!, tickerRanges[2 * m]!, tickerRanges[2 * m + 1]!);
            }
            return acc;
          },
        },
      ],
      profile,
    ),
  );

  // --- encode: capnp-es builder vs TradeEncoder, on the Binance trades ---
  const tickerStrings = binanceBytes.map((b, m) =>
    decoder.decode(b.subarray(tickerRanges[2 * m], tickerRanges[2 * m + 1])),
  );
  const idStrings = binanceBytes.map((b, m) =>
    decoder.decode(b.subarray(tradeIdRanges[2 * m], tradeIdRanges[2 * m + 1])),
  );
  const tickerUtf8 = tickerStrings.map((t) => new TextEncoder().encode(t));
  const prices = new Float64Array(MESSAGE_COUNT);
  const sizes = new Float64Array(MESSAGE_COUNT);
  const sides = new Uint8Array(MESSAGE_COUNT);
  const timesMs = new Float64Array(MESSAGE_COUNT);
  binance.texts.forEach((text, m) => {
    const data = (JSON.parse(text) as { data: { p: string; q: string; m: boolean; T: number } }).data;
    prices[m] = Number(data.p);
    sizes[m] = Number(data.q);
    sides[m] = data.m ? 1 : 0;
    timesMs[m] = data.T;
  });
  // The capnp-es path gets its BigInts precomputed: the per-trade conversion is not charged to it.
  const timesNanos = [...timesMs].map((ms) => BigInt(ms) * 1_000_000n);
  const receivedNanos = timesNanos.map((ns) => ns + 250_000n);
  const encoder = new TradeEncoder();
  // The hot path's form: the parser fills one reused trade object, the runner one receive-time object, and
  // encodeFields reads the numbers from them (no double crosses a call, so nothing is boxed).
  const fields: TradeNumbers = { timestampMs: 0, timestampSubMsNanos: 0, price: 0.5, size: 0.5, side: 0 };
  const received: EpochMsParts = { ms: 0, subMsNanos: 250_000 };
  const encodeFieldsLoop = (n: number): number => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const m = i & MASK;
      fields.timestampMs = timesMs[m]!;
      fields.price = prices[m]!;
      fields.size = sizes[m]!;
      fields.side = sides[m] as 0 | 1;
      received.ms = timesMs[m]!;
      acc += encoder.encodeFields(
        fields,
        received,
        tickerUtf8[m]!,
        binanceBytes[m]!,
        tradeIdRanges[2 * m]!,
        tradeIdRanges[2 * m + 1]!,
      );
    }
    return acc;
  };
  rows.push(
    row(
      'encode',
      'encode',
      'capnp-es: new Message + initRoot + setters + toArrayBuffer',
      'TradeEncoder.encodeFields into one reused buffer',
      [
        {
          body: (n) => {
            let acc = 0;
            for (let i = 0; i < n; i++) {
              const m = i & MASK;
              acc += encodeTradeWithCapnpEs(
                timesNanos[m]!,
                receivedNanos[m]!,
                tickerStrings[m]!,
                prices[m]!,
                sizes[m]!,
                sides[m]!,
                idStrings[m]!,
              ).byteLength;
            }
            return acc;
          },
        },
        { body: encodeFieldsLoop },
      ],
      profile,
    ),
  );

  const encodeBytesPerTrade = await medianAllocationPerOperation(
    (n) => encodeFieldsLoop(n),
    ENCODE_PROBE_TRADES,
    gcs,
  );

  // --- file write: a syscall per message vs the ring hand-off ---
  const dir = makeDataDir('design');
  const ringDir = makeRingDir('design');
  try {
    const message = new Uint8Array(HANDOFF_MESSAGE_BYTES);
    message.set(binanceBytes[0]!.subarray(0, HANDOFF_MESSAGE_BYTES));
    const fd = openSync(join(dir, 'write-sync.bin'), 'a');
    const appendPath = join(dir, 'append.bin');
    const ring = RingBuffer.open(join(ringDir, 'handoff.ring'), {
      slotSize: RING_SLOT_BYTES,
      slotCount: RING_SLOTS,
    });
    prefaultRing(ring, message);
    const ringCase: BenchCase = {
      body: (n) => {
        let accepted = 0;
        for (let i = 0; i < n; i++) if (ring.tryWrite(message)) accepted++;
        return accepted;
      },
      maxIterations: RING_SLOTS / 2,
      // The consumer's work, done between batches so the timed loop measures the producer's hand-off only.
      reset: () => drainRing(ring),
    };
    const writeSyncCase: BenchCase = {
      body: (n) => {
        let written = 0;
        for (let i = 0; i < n; i++) written += writeSync(fd, message);
        return written;
      },
    };
    const appendCase: BenchCase = {
      body: (n) => {
        for (let i = 0; i < n; i++) appendFileSync(appendPath, message);
        return n;
      },
    };
    rows.push(
      row(
        'write.writeSync',
        'file write (200 B)',
        'fs.writeSync per message',
        'RingBuffer.tryWrite hand-off',
        [writeSyncCase, ringCase],
        profile,
      ),
      row(
        'write.appendFileSync',
        'file write (200 B)',
        'fs.appendFileSync per message',
        'RingBuffer.tryWrite hand-off',
        [appendCase, ringCase],
        profile,
      ),
    );
    closeSync(fd);
    ring.close();

    // The app's ring lives in its data dir, on disk: the kernel writes its pages back ~30 s after they were
    // dirtied, and the next write to each is a page fault. Each batch starts on pages an fsync has just written
    // back (untimed); the second case has also called prefaultAhead() there, as the Runner does after every message.
    const diskRingPath = join(dir, 'written-back.ring');
    const diskRing = RingBuffer.open(diskRingPath, {
      slotSize: RING_SLOT_BYTES,
      slotCount: WRITTEN_BACK_RING_SLOTS,
    });
    const diskRingFd = openSync(diskRingPath, 'r+');
    try {
      prefaultRing(diskRing, message);
      const writeBack = (): void => {
        drainRing(diskRing);
        fsyncSync(diskRingFd);
      };
      const handOff = (n: number): number => {
        let accepted = 0;
        for (let i = 0; i < n; i++) if (diskRing.tryWrite(message)) accepted++;
        return accepted;
      };
      rows.push(
        row(
          'write.writtenBack',
          'ring hand-off onto pages written back to disk (200 B)',
          'RingBuffer.tryWrite alone',
          'RingBuffer.tryWrite after prefaultAhead()',
          [
            { body: handOff, maxIterations: WRITTEN_BACK_BATCH, reset: writeBack },
            {
              body: handOff,
              maxIterations: WRITTEN_BACK_BATCH,
              reset: () => {
                writeBack();
                diskRing.prefaultAhead();
              },
            },
          ],
          profile,
        ),
      );
    } finally {
      closeSync(diskRingFd);
      diskRing.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(ringDir, { recursive: true, force: true });
  }
  await transport.close();

  const table: ResultTable = {
    title: "The design's table: before vs after, same process, same run (ns per operation, median of rounds)",
    columns: ['operation', 'before', 'before ns/op', 'after', 'after ns/op', 'speed-up'],
    rows: rows.map((r) => [
      r.operation,
      r.before,
      formatNs(r.measured[0].nsPerOp),
      r.after,
      formatNs(r.measured[1].nsPerOp),
      formatRatio(r.measured[0].nsPerOp / r.measured[1].nsPerOp),
    ]),
    notes: [
      'JS has no mutex: the "mutex" row emulates an uncontended lock with Atomics.compareExchange/Atomics.store around a plain increment. It is the closest JS pair to the design\'s mutex-vs-atomic row; under contention a real mutex would be slower still.',
      'The runner is single-threaded, so its sequence numbers are plain increments; the second sequence row shows what even an uncontended atomic costs over that.',
      'The ring row writes into a memory-mapped ring; the consumer drains it between timed batches, so the row is the producer-side hand-off the hot path pays.',
      `The written-back row's ring is a file on disk (the bench's other rings are on /dev/shm where it exists), fsynced before each batch of ${WRITTEN_BACK_BATCH} records, as the kernel's writeback leaves a ring that a live feed laps in more than ~30 s: the first write to each 4 KiB page is then a page fault. Its "after" has the Runner's prefaultAhead() take those faults before the batch (the Runner calls it after each message's publish). On a tmpfs data dir both cases read the same.`,
    ],
  };
  for (const r of rows) {
    metrics[`${r.key}.beforeNs`] = r.measured[0].nsPerOp;
    metrics[`${r.key}.afterNs`] = r.measured[1].nsPerOp;
  }
  const byKey = (key: string): Row => rows.find((r) => r.key === key)!;
  const clockNs = byKey('timestamp.dateNow').measured[1].nsPerOp;
  const encodeNs = byKey('encode').measured[1].nsPerOp;
  const handoffNs = byKey('write.writeSync').measured[1].nsPerOp;
  const publishNs = byKey('channel').measured[1].nsPerOp;
  const internNs = byKey('ticker').measured[1].nsPerOp;
  targets.push(
    {
      name: 'clock read (clock.nowNanos)',
      target: '<= 50 ns',
      measured: formatNs(clockNs),
      met: clockNs <= 50,
    },
    {
      name: 'in-memory publish by target, one exact subscriber',
      target: '<= 40 ns',
      measured: formatNs(publishNs),
      met: publishNs <= 40,
    },
    {
      name: 'interner hit from bytes (Interner.internBytes)',
      target: '<= 30 ns',
      measured: formatNs(internNs),
      met: internNs <= 30,
    },
    {
      name: 'encode per trade (TradeEncoder.encodeFields)',
      target: '<= 60 ns',
      measured: formatNs(encodeNs),
      met: encodeNs <= 60,
    },
    zeroAllocationTarget(
      'encode allocations per trade (heap growth, no GC during the probe)',
      encodeBytesPerTrade,
      'trade',
    ),
    {
      name: 'ring hand-off, 200-byte message',
      target: '<= 50 ns',
      measured: formatNs(handoffNs),
      met: handoffNs <= 50,
    },
  );
  if (delivered === 0) notes.push('channel lookup delivered nothing: check the subscription pattern');

  // Last, on a transport of its own, so the second handler's call feedback reaches no timed row above.
  const deliveryBytes = await probeTwoHandlerDelivery(gcs);
  metrics['delivery.twoHandlers.bytesPerDelivery'] = deliveryBytes;
  targets.push({
    ...zeroAllocationTarget(
      'in-memory delivery allocations, two subscribers with different handlers (heap growth per delivery)',
      deliveryBytes,
      'delivery',
    ),
    why: 'the transport calls every handler from one call site, which V8 stops inlining once it has seen two handlers, and a double passed through a call that is not inlined is boxed into a 16-byte heap number: a miss of 16 B or more means a number (the timestamp, or a sequence past 2^31) reaches the handlers as an argument again instead of through the reused Delivery (packages/middleware README, "Transport")',
  });
  gcs.close();

  return {
    suite: 'design-table',
    title: "1. The design's table",
    tables: [table, parseTable],
    targets,
    latencies: [],
    metrics,
    notes,
  };
}

/** A target of no allocation: `bytes` per `unit` from a heap probe, `NaN` when a GC ran in every probe. */
function zeroAllocationTarget(name: string, bytes: number, unit: string): TargetCheck {
  return {
    name,
    target: '0',
    measured: Number.isNaN(bytes) ? 'n/a (a GC ran in every probe)' : `${bytes.toFixed(3)} B/${unit}`,
    met: bytes < ZERO_ALLOCATION_BYTES_PER_OPERATION,
  };
}

/** Publishes in the shorter allocation probe of {@link probeTwoHandlerDelivery}, two deliveries each. */
const DELIVERY_PROBE_PUBLISHES = 1_000_000;

/**
 * Bytes allocated per delivery by an in-memory transport whose one subject has two subscribers with different
 * handler functions, publishing by target with the runner's kind of stamp (a receive time in ns, far beyond 2^31).
 */
async function probeTwoHandlerDelivery(gcs: GcCounter): Promise<number> {
  const transport = new InMemoryTransport();
  let sink = 0;
  transport.subscribe('bench.delivery', (payload, _subject, delivery) => {
    sink += payload.length + (delivery.timestampNanos > 0 ? 1 : 0);
  });
  transport.subscribe('bench.delivery', (_payload, subject, delivery) => {
    sink += subject.length + (delivery.sequence & 1);
  });
  const target = transport.prepare('bench.delivery');
  const payload = new Uint8Array(96);
  const stamp = { mono: clock.nowNanos() };
  const publishLoop = (n: number): void => {
    for (let i = 0; i < n; i++) {
      stamp.mono += 1_000;
      transport.publish(target, payload, stamp);
    }
  };
  publishLoop(DELIVERY_PROBE_PUBLISHES);
  // Two deliveries per publish.
  const bytes = await medianAllocationPerOperation(publishLoop, DELIVERY_PROBE_PUBLISHES, gcs);
  await transport.close();
  if (sink === 0) throw new BenchPreconditionError('the delivery probe delivered nothing');
  return bytes / 2;
}

runSuiteProcess(designTable);
