/**
 * Suite: order books per venue (issue 16). On a realistic stream of each venue's own book messages (snapshots, then
 * deltas with coherent sequence ids and checksums), side by side in this one process:
 *
 * - the naive path: `JSON.parse`, a `Map` book, capnp-es builder, publish by subject string;
 * - marketpipe's path: the venue sync machine (parse + sequence/checksum verification), `BookEncoder`, publish to a
 *   prepared target; both on an `InMemoryTransport`;
 * - `OrderBook.apply` / `applyView` per update, as a consumer rebuilds the book;
 * - the trade hot path alone, with the book path wired in, and with book messages handled between the trades, one
 *   stack per process (`fixtures/trade-stack.ts`, `books-trade.ts`).
 */
import { fileURLToPath } from 'node:url';
import type { VenueName } from '@marketpipe/connector';
import { type BookUpdate, BookView, OrderBook } from '@marketpipe/connector/books';
import { clock, InMemoryTransport } from '@marketpipe/middleware';
import { LatencyRecorder } from '@marketpipe/middleware/latency';
import {
  type BookMessage,
  type BookStream,
  benchBookStreamMessages,
  bookStream,
} from '../fixtures/book-messages.js';
import { BOOKS_PER_TRADE, type TradeStackCase, type TradeStackResult } from '../fixtures/trade-stack.js';
import { BENCH_VENUES } from '../fixtures/venue-messages.js';
import { type BenchCase, calibrate, median, timeBatch } from '../harness/batch-timer.js';
import { BenchPreconditionError } from '../harness/bench-errors.js';
import { type BenchProfile, scaled } from '../harness/bench-profile.js';
import { formatNs, formatRatio } from '../harness/format.js';
import { runJsonChild } from '../harness/json-child.js';
import { latencySeries } from '../harness/latency-series.js';
import { runSuiteProcess } from '../harness/suite-main.js';
import type { LatencySeries, ResultTable, TargetCheck } from '../harness/suite-result.js';
import { type BookPath, MarketpipeBookPath, NaiveBookPath } from '../peers/naive-book.js';

/** Messages per round of the per-message latency pass. */
const LATENCY_ROUND_MESSAGES = 5_000;
/** The target: marketpipe's book path at least this many times faster than the naive path. */
const SPEEDUP_TARGET = 5;
/** Optional comma-separated venue filter, to profile or compare one venue's book path without the whole suite. */
const VENUES_ENV = 'MARKETPIPE_BENCH_BOOK_VENUES';

/** The venues to run: all, or those named in {@link VENUES_ENV}. */
function selectedVenues(): readonly VenueName[] {
  const wanted = process.env[VENUES_ENV];
  if (wanted === undefined || wanted.trim() === '') return BENCH_VENUES;
  const names = wanted.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!BENCH_VENUES.includes(name as VenueName))
      throw new BenchPreconditionError(`${VENUES_ENV}: unknown venue ${JSON.stringify(name)}`);
  }
  return BENCH_VENUES.filter((venue) => names.includes(venue));
}

/**
 * Replays items in order, wrapping to the start (the snapshots, so the replay stays coherent). Snapshot items are
 * timed alone and their time is set aside: the rows are per delta, snapshots get their own column.
 */
class Replay<T> {
  at = 0;
  /** Time spent in snapshot items since the last {@link Replay.clearSnapshots}. */
  snapshotNs = 0;
  snapshotCount = 0;

  constructor(
    readonly items: readonly T[],
    readonly isSnapshot: readonly boolean[],
    readonly handle: (item: T) => number,
  ) {}

  clearSnapshots(): void {
    this.snapshotNs = 0;
    this.snapshotCount = 0;
  }

  run(n: number): number {
    const { items, isSnapshot, handle } = this;
    let at = this.at;
    let result = 0;
    for (let i = 0; i < n; i++) {
      if (isSnapshot[at]) {
        const start = clock.nowNanos();
        result += handle(items[at]!);
        this.snapshotNs += clock.nowNanos() - start;
        this.snapshotCount++;
      } else {
        result += handle(items[at]!);
      }
      at = at + 1 === items.length ? 0 : at + 1;
    }
    this.at = at;
    return result;
  }

  /** The same, each delta timed alone into `latency` (snapshots are not recorded). */
  timed(n: number, latency: LatencyRecorder): number {
    const { items, isSnapshot, handle } = this;
    let at = this.at;
    let result = 0;
    for (let i = 0; i < n; i++) {
      const start = clock.nowNanos();
      result += handle(items[at]!);
      if (!isSnapshot[at]) latency.record(clock.nowNanos() - start);
      at = at + 1 === items.length ? 0 : at + 1;
    }
    this.at = at;
    return result;
  }
}

/** Per replay: median ns per delta and mean ns per snapshot over the timed rounds. */
interface DeltaMeasurement {
  nsPerDelta: number;
  nsPerSnapshot: number;
}

/**
 * Side by side as `measureSideBySide` does (calibrated batches, warm-up, alternating rounds), but per delta:
 * each batch's snapshot time and count are taken out of it.
 */
function measureDeltas(
  replays: readonly Pick<Replay<unknown>, 'run' | 'clearSnapshots' | 'snapshotNs' | 'snapshotCount'>[],
  profile: BenchProfile,
): DeltaMeasurement[] {
  const cases: BenchCase[] = replays.map((replay) => ({ body: (n) => replay.run(n) }));
  // At least a few deltas per batch even when a (smoke) calibration lands on the snapshots alone.
  const iterations = cases.map((benchCase) => Math.max(16, calibrate(benchCase, profile)));
  for (let w = 0; w < profile.warmupRounds; w++) {
    cases.forEach((c, i) => {
      timeBatch(c, iterations[i]!);
    });
  }
  const rounds: number[][] = replays.map(() => []);
  const snapshots = replays.map(() => ({ ns: 0, count: 0 }));
  for (let r = 0; r < profile.rounds; r++) {
    cases.forEach((benchCase, i) => {
      const replay = replays[i]!;
      replay.clearSnapshots();
      const elapsed = timeBatch(benchCase, iterations[i]!);
      const deltas = iterations[i]! - replay.snapshotCount;
      if (deltas > 0) rounds[i]!.push((elapsed - replay.snapshotNs) / deltas);
      snapshots[i]!.ns += replay.snapshotNs;
      snapshots[i]!.count += replay.snapshotCount;
    });
  }
  return replays.map((_, i) => ({
    nsPerDelta: median(rounds[i]!),
    nsPerSnapshot: snapshots[i]!.count > 0 ? snapshots[i]!.ns / snapshots[i]!.count : Number.NaN,
  }));
}

/** Venues whose rules need no book to verify (no checksum): the naive path's `Map` book is optional there. */
const NO_CHECKSUM: ReadonlySet<VenueName> = new Set(['binance', 'coinbase', 'bybit']);

/**
 * Runs the whole stream once through both paths on capturing transports and requires the same published bytes,
 * no gap, no checksum failure, every message published. Returns the updates and payloads for the consumer rows.
 */
function checkPaths(stream: BookStream): { updates: BookUpdate[]; payloads: Uint8Array[] } {
  const stamp = { mono: clock.nowNanos() };
  const capture = (transport: InMemoryTransport): Uint8Array[] => {
    const out: Uint8Array[] = [];
    transport.subscribe(`bench.${stream.venue}.book.>`, (payload) => out.push(payload.slice()));
    return out;
  };
  const naiveTransport = new InMemoryTransport();
  const mpTransport = new InMemoryTransport();
  const naiveOut = capture(naiveTransport);
  const mpOut = capture(mpTransport);
  const naive = new NaiveBookPath(stream.venue, naiveTransport, stream, stamp);
  const marketpipe = new MarketpipeBookPath(stream.venue, mpTransport, stream, stamp);
  const updates: BookUpdate[] = [];
  for (const message of stream.messages) {
    naive.handle(message);
    marketpipe.handle(message);
  }
  const counters = marketpipe.counters;
  const bad =
    counters.gaps + counters.checksumFailures + counters.malformed + counters.unsynced + counters.stale;
  if (bad > 0 || naive.failures > 0) {
    throw new BenchPreconditionError(
      `${stream.venue}: the generated stream is not coherent (marketpipe ${JSON.stringify(counters)}, naive failures ${naive.failures})`,
    );
  }
  if (mpOut.length !== stream.messages.length || naiveOut.length !== mpOut.length) {
    throw new BenchPreconditionError(
      `${stream.venue}: ${stream.messages.length} messages, marketpipe published ${mpOut.length}, naive ${naiveOut.length}`,
    );
  }
  const view = new BookView();
  for (let i = 0; i < mpOut.length; i++) {
    const a = mpOut[i]!;
    const b = naiveOut[i]!;
    if (a.length !== b.length || a.some((byte, k) => byte !== b[k])) {
      throw new BenchPreconditionError(
        `${stream.venue}: update ${i} differs between marketpipe and the naive path`,
      );
    }
    updates.push(view.wrap(a).toUpdate());
  }
  return { updates, payloads: mpOut };
}

interface VenueRow {
  naive: DeltaMeasurement;
  naiveNoBook: DeltaMeasurement | undefined;
  marketpipe: DeltaMeasurement;
  /** marketpipe with the refresh snapshots off: no held book. */
  marketpipeNoRefresh: DeltaMeasurement;
  naiveLatency: LatencyRecorder;
  marketpipeLatency: LatencyRecorder;
}

function pathReplay(stream: BookStream, path: BookPath): Replay<BookMessage> {
  return new Replay(
    stream.messages,
    stream.messages.map((m) => m.snapshot),
    (message) => path.handle(message),
  );
}

function measureVenue(stream: BookStream, profile: BenchProfile, roundMessages: number): VenueRow {
  const transport = new InMemoryTransport();
  let delivered = 0;
  transport.subscribe(`bench.${stream.venue}.book.>`, (payload) => {
    delivered += payload.length > 0 ? 1 : 0;
  });
  const stamp = { mono: clock.nowNanos() };
  const naive = pathReplay(stream, new NaiveBookPath(stream.venue, transport, stream, stamp));
  const marketpipe = pathReplay(stream, new MarketpipeBookPath(stream.venue, transport, stream, stamp));
  const noRefresh = pathReplay(
    stream,
    new MarketpipeBookPath(stream.venue, transport, stream, stamp, { snapshotIntervalMs: 0 }),
  );
  const replays: Replay<BookMessage>[] = [naive, marketpipe, noRefresh];
  if (NO_CHECKSUM.has(stream.venue)) {
    replays.push(pathReplay(stream, new NaiveBookPath(stream.venue, transport, stream, stamp, false)));
  }
  const measured = measureDeltas(replays, profile);

  // Per-message latency: alternating rounds, each delta timed alone (one clock read pair each, both paths).
  const naiveLatency = new LatencyRecorder();
  const marketpipeLatency = new LatencyRecorder();
  for (let r = 0; r < profile.warmupRounds + profile.rounds; r++) {
    if (r === profile.warmupRounds) {
      naiveLatency.reset();
      marketpipeLatency.reset();
    }
    naive.timed(roundMessages, naiveLatency);
    marketpipe.timed(roundMessages, marketpipeLatency);
  }
  if (delivered === 0)
    throw new BenchPreconditionError(`${stream.venue}: no book update reached the subscriber`);
  return {
    naive: measured[0]!,
    marketpipe: measured[1]!,
    marketpipeNoRefresh: measured[2]!,
    naiveNoBook: measured[3],
    naiveLatency,
    marketpipeLatency,
  };
}

/** `OrderBook.apply` (convenient form), `applyView` (the published bytes) and a bare `Map` book, per delta. */
function measureConsumer(
  updates: readonly BookUpdate[],
  payloads: readonly Uint8Array[],
  profile: BenchProfile,
) {
  const snapshots = updates.map((u) => u.isSnapshot);
  const applyBook = new OrderBook();
  const viewBook = new OrderBook();
  const view = new BookView();
  const mapBids = new Map<number, number>();
  const mapAsks = new Map<number, number>();
  const mapSide = (side: Map<number, number>, levels: BookUpdate['bids']): void => {
    for (const level of levels) {
      if (level.size === 0) side.delete(level.price);
      else side.set(level.price, level.size);
    }
  };
  const [apply, applyView, map] = measureDeltas(
    [
      new Replay(updates, snapshots, (update) => {
        applyBook.apply(update);
        return applyBook.bidCount;
      }),
      new Replay(payloads, snapshots, (payload) => {
        viewBook.applyView(view.wrap(payload));
        return viewBook.askCount;
      }),
      new Replay(updates, snapshots, (update) => {
        if (update.isSnapshot) {
          mapBids.clear();
          mapAsks.clear();
        }
        mapSide(mapBids, update.bids);
        mapSide(mapAsks, update.asks);
        return mapBids.size;
      }),
    ],
    profile,
  );
  return { apply: apply!, applyView: applyView!, map: map! };
}

/** Processes per case for the trade comparison's `alone` and `wired` cases, in alternating order (`mixed`: one). */
const TRADE_PROCESSES = 5;

const fromSource = import.meta.url.endsWith('.ts');

/**
 * Runs one case of the trade comparison (`fixtures/trade-stack.ts`) in a process of its own, under this process's
 * Node and flags (from source, the tsx loader in `process.execArgv` and the V8 flags in the inherited NODE_OPTIONS).
 *
 * @throws BenchPreconditionError when the process fails or ran on another Node version.
 */
function tradeStackProcess(kind: TradeStackCase, smoke: boolean): TradeStackResult {
  const file = fileURLToPath(new URL(`../books-trade.${fromSource ? 'ts' : 'js'}`, import.meta.url));
  return runJsonChild<TradeStackResult>(
    file,
    ['--case', kind, ...(smoke ? ['--smoke'] : [])],
    `books-trade --case ${kind}`,
  );
}

/**
 * The Binance trade hot path beside the book path, one stack per process as the app has it: trades alone and with
 * the book path wired in, {@link TRADE_PROCESSES} processes each in alternating order, and one process with book
 * messages between the trades. In one process, three stacks with nothing to tell them apart read up to 26% apart
 * (docs/design/latency-tail.md), which no 5% check survives.
 */
function tradeBesideBooks(profile: BenchProfile): Record<TradeStackCase, TradeStackResult[]> {
  const runs: Record<TradeStackCase, TradeStackResult[]> = { alone: [], wired: [], mixed: [] };
  const pairs = profile.smoke ? 1 : TRADE_PROCESSES;
  for (let pair = 0; pair < pairs; pair++) {
    const order: TradeStackCase[] = pair % 2 === 0 ? ['alone', 'wired'] : ['wired', 'alone'];
    for (const kind of order) runs[kind].push(tradeStackProcess(kind, profile.smoke));
  }
  runs.mixed.push(tradeStackProcess('mixed', profile.smoke));
  return runs;
}

/** The median over processes of each percentile. */
function medianOf(results: readonly TradeStackResult[]): { p50: number; p99: number; p999: number } {
  return {
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    p999: median(results.map((r) => r.p999)),
  };
}

async function booksSuite(profile: BenchProfile) {
  const streamMessages = benchBookStreamMessages(profile);
  const roundMessages = scaled(profile, LATENCY_ROUND_MESSAGES, 64);
  const pathTable: ResultTable = {
    title:
      'Book path per venue: message bytes in -> BookUpdate published on an InMemoryTransport (ns per update; marketpipe vs naive, same run)',
    columns: [
      'venue',
      'levels/delta',
      'bytes/delta',
      'naive mean',
      'naive p50',
      'naive p99',
      'naive without Map book',
      'marketpipe mean',
      'marketpipe p50',
      'marketpipe p99',
      'marketpipe, refresh off (mean)',
      'speed-up (mean)',
      'speed-up (p50)',
      'per snapshot, naive / marketpipe',
      `>= ${SPEEDUP_TARGET}x`,
    ],
    rows: [],
    notes: [
      `Each venue's stream: ${streamMessages} messages over 4 symbols, one snapshot per symbol (Binance: the REST depth body, 1000 levels; Coinbase 1000; Kraken depth 10 with its CRC32 on every message; Bybit orderbook.50; OKX books with the pre-2026 non-zero checksum) then deltas from a seeded book walker, in the verbatim BOOK_SAMPLES.md shapes. Replaying wraps to the snapshots; they are timed apart (last column) and left out of the per-update numbers, as a live session sees one per connection.`,
      'Before timing, both paths run the whole stream once and must publish byte-identical BookUpdates, with no gap, checksum failure or malformed message (the stream is coherent by both implementations).',
      'naive: JSON.parse(TextDecoder.decode(bytes)), the venue sequence rules, a Map book per symbol (sorted on demand for Kraken depth/checksum and the OKX checksum), capnp-es builder per update, publish by subject string. marketpipe: the BookPath of the pipeline, as the app runs it: the @marketpipe/connector/books sync machine, BookEncoder.encodeFrame, publish to a prepared target, and the held book per symbol behind the refresh snapshots (`books.snapshotIntervalMs`, default 5 s; a Binance REST snapshot enters as the marked record the pipeline writes). Same receive time constant for both (no clock read charged).',
      '"marketpipe, refresh off": the same path with `snapshotIntervalMs: 0`, which holds no book (what the held book costs per update). The refresh snapshots themselves (one encode and publish of a whole book per symbol per interval) are not in the stream.',
      '"naive without Map book": the naive path minus its Map book, for the venues whose rules need none (no checksum).',
      'Mean: batch timing, median of rounds, snapshot time taken out. p50/p99: each delta timed alone (clock.nowNanos pair, the same for both paths).',
    ],
  };
  const consumerTable: ResultTable = {
    title: 'Consumer side: rebuilding the book per update (ns per update)',
    columns: [
      'venue',
      'OrderBook.apply(BookUpdate)',
      'OrderBook.applyView(BookView.wrap(bytes))',
      'Map book (unsorted, for scale)',
      'OrderBook.apply per snapshot',
    ],
    rows: [],
    notes: [
      'The updates are the ones the book path published for the stream above (snapshots included, replayed in order). OrderBook keeps both sides sorted (sorted-btree); the Map book keeps no order and offers no best price.',
    ],
  };
  const targets: TargetCheck[] = [];
  const latencies: LatencySeries[] = [];
  const metrics: Record<string, number> = {};
  const venues = selectedVenues();

  for (const venue of venues) {
    const stream = bookStream(venue, streamMessages);
    const { updates, payloads } = checkPaths(stream);
    const row = measureVenue(stream, profile, roundMessages);
    const naive = row.naiveLatency.summary();
    const mp = row.marketpipeLatency.summary();
    const speedup = row.naive.nsPerDelta / row.marketpipe.nsPerDelta;
    const speedupP50 = naive.p50 / mp.p50;
    pathTable.rows.push([
      venue,
      stream.meanDeltaLevels.toFixed(1),
      stream.meanDeltaBytes.toFixed(0),
      formatNs(row.naive.nsPerDelta),
      formatNs(naive.p50),
      formatNs(naive.p99),
      formatNs(row.naiveNoBook?.nsPerDelta ?? Number.NaN),
      formatNs(row.marketpipe.nsPerDelta),
      formatNs(mp.p50),
      formatNs(mp.p99),
      formatNs(row.marketpipeNoRefresh.nsPerDelta),
      formatRatio(speedup),
      formatRatio(speedupP50),
      `${formatNs(row.naive.nsPerSnapshot)} / ${formatNs(row.marketpipe.nsPerSnapshot)}`,
      speedup >= SPEEDUP_TARGET ? 'yes' : '**no**',
    ]);
    latencies.push(latencySeries(`book path, ${venue}`, row.marketpipeLatency));
    Object.assign(metrics, {
      [`${venue}.levelsPerDelta`]: stream.meanDeltaLevels,
      [`${venue}.bytesPerDelta`]: stream.meanDeltaBytes,
      [`${venue}.naiveNs`]: row.naive.nsPerDelta,
      [`${venue}.naiveP50Ns`]: naive.p50,
      [`${venue}.naiveP99Ns`]: naive.p99,
      [`${venue}.marketpipeNs`]: row.marketpipe.nsPerDelta,
      [`${venue}.marketpipeP50Ns`]: mp.p50,
      [`${venue}.marketpipeP99Ns`]: mp.p99,
      [`${venue}.speedup`]: speedup,
      [`${venue}.speedupP50`]: speedupP50,
    });
    if (Number.isFinite(row.naive.nsPerSnapshot))
      metrics[`${venue}.naiveSnapshotNs`] = row.naive.nsPerSnapshot;
    if (Number.isFinite(row.marketpipe.nsPerSnapshot))
      metrics[`${venue}.marketpipeSnapshotNs`] = row.marketpipe.nsPerSnapshot;
    if (row.naiveNoBook !== undefined) metrics[`${venue}.naiveNoBookNs`] = row.naiveNoBook.nsPerDelta;
    targets.push({
      name: `book path vs naive (JSON.parse + Map book + capnp-es), ${venue}`,
      target: `>= ${SPEEDUP_TARGET}x faster (mean per update)`,
      measured: `${formatRatio(speedup)} (${formatNs(row.marketpipe.nsPerDelta)} vs ${formatNs(row.naive.nsPerDelta)}; p50 ${formatRatio(speedupP50)})`,
      met: speedup >= SPEEDUP_TARGET,
    });

    const consumer = measureConsumer(updates, payloads, profile);
    consumerTable.rows.push([
      venue,
      formatNs(consumer.apply.nsPerDelta),
      formatNs(consumer.applyView.nsPerDelta),
      formatNs(consumer.map.nsPerDelta),
      formatNs(consumer.apply.nsPerSnapshot),
    ]);
    Object.assign(metrics, {
      [`${venue}.orderBookApplyNs`]: consumer.apply.nsPerDelta,
      [`${venue}.orderBookApplyViewNs`]: consumer.applyView.nsPerDelta,
      [`${venue}.mapBookApplyNs`]: consumer.map.nsPerDelta,
    });
  }

  const tables = [pathTable, consumerTable];
  // The trade rows run in their own processes; a venue filter without Binance leaves them out.
  if (venues.includes('binance')) {
    const trade = tradeBesideBooks(profile);
    const alone = medianOf(trade.alone);
    const wired = medianOf(trade.wired);
    const mixed = medianOf(trade.mixed);
    const wiredChange = wired.p50 / alone.p50 - 1;
    metrics['trade.booksWiredP50Ns'] = wired.p50;
    metrics['trade.booksWiredP99Ns'] = wired.p99;
    targets.push({
      name: 'trade hot path (Binance, p50) with the book path wired into the runner vs without',
      target: 'within 5%',
      measured: `${(wiredChange * 100).toFixed(1)}% (${formatNs(wired.p50)} vs ${formatNs(alone.p50)})`,
      met: Math.abs(wiredChange) <= 0.05,
    });
    const change = mixed.p50 / alone.p50 - 1;
    metrics['trade.aloneP50Ns'] = alone.p50;
    metrics['trade.aloneP99Ns'] = alone.p99;
    metrics['trade.withBooksP50Ns'] = mixed.p50;
    metrics['trade.withBooksP99Ns'] = mixed.p99;
    const tradeTable: ResultTable = {
      title: `Trade hot path (Binance, Runner.onMessage): alone, with the book path wired in, and with ${BOOKS_PER_TRADE} Binance book messages before each trade`,
      columns: ['case', 'trade p50', 'trade p99', 'trade p99.9'],
      rows: [
        ['trades only', formatNs(alone.p50), formatNs(alone.p99), formatNs(alone.p999)],
        [
          'trades only, book path wired into the runner',
          formatNs(wired.p50),
          formatNs(wired.p99),
          formatNs(wired.p999),
        ],
        [
          'trades with book messages between them',
          formatNs(mixed.p50),
          formatNs(mixed.p99),
          formatNs(mixed.p999),
        ],
        [
          'change with book messages between (p50, p99)',
          `${(change * 100).toFixed(1)}%`,
          `${((mixed.p99 / alone.p99 - 1) * 100).toFixed(1)}%`,
          '',
        ],
      ],
      notes: [
        `One stack (parser, publisher, ring, flusher worker) per process, as the app has it; only the trade messages are timed, by the runner's own per-message timing, over ${profile.rounds} rounds after ${profile.warmupRounds} of warm-up; each row is the median of its processes. "Wired" has the pipeline's book path in the runner (\`RunnerOptions.books\`, as \`--channels trades,books\` does) and sees the same trades: its p50 against trades only is the issue's 5% no-regression check. The last process also hands ${BOOKS_PER_TRADE} Binance book messages to a separate book path before each trade, so its row shows what book work beside the trade path costs it (caches, JIT, GC).`,
        `p50 per process, in the order they ran: trades only ${trade.alone.map((r) => formatNs(r.p50)).join(', ')}; wired ${trade.wired.map((r) => formatNs(r.p50)).join(', ')}.`,
      ],
    };
    tables.push(tradeTable);
  }
  return {
    suite: 'books',
    title: 'Order books: book path per venue vs a naive path, consumer apply, trade path beside it',
    tables,
    targets,
    latencies,
    metrics,
    notes: [],
  };
}

runSuiteProcess(booksSuite);
