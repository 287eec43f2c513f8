/**
 * Books end to end, per venue, with the real executable: a simulator serving the venue's book channel ->
 * `marketpipe run --channels books` in a child process -> a real nats-server -> an independent subscriber
 * that rebuilds every book from the published BookUpdates. After every update its book equals the book a
 * plain `JSON.parse` reference (tools/test-support book-samples) builds from the raw venue messages the run
 * recorded, read back from its record files (Binance's REST snapshots are there as marked records): each
 * in-sync venue message maps to exactly one update, in order.
 *
 * The fault runs own their simulator (the run connects to it as a live venue) to inject book faults one at a
 * time and wait for each recovery: every skipped sequence, corrupted checksum and stale snapshot is detected
 * and resynchronized, the counters equal the injected counts exactly, and no delta that does not apply ever
 * reaches the subscriber (its book still equals the reference after every update). A cut connection voids
 * the book until the new connection's snapshot, and the recording says so: the replay of each recording
 * publishes the same updates with the same counts.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BookView, OrderBook } from '@marketpipe/connector/books';
import { channelProtocol, type VenueName, venueBookDepth, venueProtocol } from '@marketpipe/connector/feeds';
import { type BookFaultKind, SimulatorServer } from '@marketpipe/connector/simulator';
import { type NatsServerHandle, startNatsServer } from '@marketpipe/test-support/nats-server';
import { waitFor } from '@marketpipe/test-support/wait-for';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import type { RunSummary } from '../src/run/run-summary.js';
import { type CliProcess, killIfRunning, startCli } from './reliability/support/cli-process.js';
import {
  type BookSubscriber,
  checkAgainstRecording,
  simulatorSourceArgs,
  subscribeBooks,
} from './support/book-check.js';
import { createHarness } from './support/cli-harness.js';

const DEPTH = 10;

let server: NatsServerHandle;
let cli: CliProcess | undefined;

beforeAll(async () => {
  server = await startNatsServer();
});

afterEach(() => {
  killIfRunning(cli);
  cli = undefined;
});

afterAll(async () => {
  await server?.dispose();
});

/** A safety net for waits on the child, the simulator and NATS (the machine is shared), with the child's log. */
function until(what: string, condition: () => boolean): Promise<void> {
  return waitFor(what, condition, { timeoutMs: 30_000, everyMs: 10, describe: () => cli?.stderr() ?? '' });
}

/**
 * The run's arguments. The refresh snapshots are off unless asked for: these checks compare every update with the
 * recording's, where a refresh (published, not recorded) has no counterpart, and count snapshots exactly.
 */
function runArgs(venue: VenueName, dir: string, extra: string[], env = 'e2e', refresh = 'off'): string[] {
  return [
    'run',
    '--venue',
    venue,
    '--channels',
    'books',
    '--depth',
    String(DEPTH),
    '--transport',
    server.url,
    '--env',
    env,
    '--data-dir',
    join(dir, 'data'),
    '--json-summary',
    join(dir, 'summary.json'),
    '--log-level',
    'warn',
    '--book-refresh',
    refresh,
    ...extra,
  ];
}

/** Each ticker's book from `updates` in order, each started at its first snapshot (as a late subscriber must). */
function rebuild(updates: readonly Buffer[]): Map<string, OrderBook> {
  const view = new BookView();
  const books = new Map<string, OrderBook>();
  for (const payload of updates) {
    view.wrap(payload);
    let book = books.get(view.ticker);
    if (book === undefined) {
      if (!view.isSnapshot) continue;
      book = new OrderBook();
      books.set(view.ticker, book);
    }
    book.applyView(view);
  }
  return books;
}

const levelsOf = (book: OrderBook | undefined) =>
  book === undefined ? undefined : { sequence: book.sequence, bids: book.bids(), asks: book.asks() };

async function finish(dir: string, subscriber: BookSubscriber): Promise<RunSummary> {
  const exit = await cli!.exited;
  expect(exit, cli!.stderr()).toEqual({ code: 0, signal: null });
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;
  // Everything published has been flushed to NATS before exit; give the subscriber's socket time to read it.
  await until(
    `${summary.books?.updates} updates on NATS`,
    () => subscriber.updates.length >= (summary.books?.updates ?? 0),
  );
  await subscriber.close();
  return summary;
}

const VENUES: VenueName[] = ['binance', 'coinbase', 'kraken', 'bybit', 'okx'];

describe('simulator -> marketpipe run (child process) -> NATS -> subscriber: books, per venue', () => {
  it.each(VENUES)(
    '%s: the rebuilt book equals the JSON.parse reference after every update',
    async (venue) => {
      const dir = mkdtempSync(join(tmpdir(), `mp-books-e2e-${venue}-`));
      const subscriber = await subscribeBooks(server.url, 'e2e', venue);
      cli = startCli(
        runArgs(venue, dir, ['--source', 'sim', '--rate', '300', '--seed', '7', '--duration', '1500ms']),
      );
      const summary = await finish(dir, subscriber);
      const books = summary.books!;
      const { mismatches } = checkAgainstRecording(venue, join(dir, 'data'), DEPTH, subscriber.updates);

      expect(mismatches).toEqual([]);
      expect(summary.channels).toEqual(['books']);
      // Both default symbols synced once and stayed in sync: a clean feed has no gap, failure or resync.
      expect(books).toMatchObject({
        snapshots: 2,
        gaps: 0,
        checksumFailures: 0,
        resyncs: 0,
        malformed: 0,
        publishErrors: 0,
      });
      expect(books.updates).toBe(subscriber.updates.length);
      expect(books.updates).toBeGreaterThan(100);
      if (venue === 'binance') expect(books.restSnapshots).toBe(2);
    },
    120_000,
  );
});

describe('a subscriber that starts after the books synced (--book-refresh)', () => {
  it('binance: every refresh is the top of the book of a subscriber that applied every venue update; a late one gets its books from them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-books-refresh-'));
    const early = await subscribeBooks(server.url, 'e2e', 'binance');
    cli = startCli(
      runArgs(
        'binance',
        dir,
        ['--source', 'sim', '--rate', '300', '--seed', '7', '--duration', '3s'],
        'e2e',
        '400ms',
      ),
    );
    // Both default symbols synced (Binance: from the REST snapshot, which the venue sends once).
    await until('both books synced', () => early.snapshots() >= 2);
    const late = await subscribeBooks(server.url, 'e2e', 'binance');
    expect(await cli.exited, cli.stderr()).toEqual({ code: 0, signal: null });
    const books = (JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary).books!;
    expect(books.refreshSnapshots).toBeGreaterThan(0);
    // Venue snapshots: one per symbol (a clean feed); every later snapshot the early subscriber got is a refresh.
    expect(books.snapshots).toBe(2);
    const published = books.updates + books.refreshSnapshots;
    await until(`${published} updates on NATS`, () => early.updates.length >= published);
    await early.close();
    expect(early.updates.length).toBe(published);

    // The early subscriber's stream in order: venue updates build the full book; each refresh (flagged), where it
    // was published, must be that book's best DEPTH levels a side.
    const view = new BookView();
    const full = new Map<string, OrderBook>();
    const refreshes = new Set<string>();
    let checked = 0;
    for (const payload of early.updates) {
      view.wrap(payload);
      const book = full.get(view.ticker);
      if (view.isRefresh) {
        expect(book, 'a refresh before the venue snapshot').toBeDefined();
        const refresh = new OrderBook();
        refresh.applyView(view);
        expect(levelsOf(refresh), `refresh ${checked} of ${view.ticker}`).toEqual({
          sequence: book!.sequence,
          bids: book!.bids(DEPTH),
          asks: book!.asks(DEPTH),
        });
        refreshes.add(payload.toString('base64'));
        checked++;
        continue;
      }
      // Venue snapshots: one per symbol, the first update of each.
      if (view.isSnapshot) expect(book, `a second venue snapshot of ${view.ticker}`).toBeUndefined();
      const into = book ?? new OrderBook();
      full.set(view.ticker, into);
      into.applyView(view);
    }
    expect(checked).toBe(books.refreshSnapshots);
    // The late subscriber's first book of each symbol came from one of those refreshes.
    await until('the late subscriber has both books', () => rebuild(late.updates).size === 2);
    await late.close();
    const firstSnapshots = new Map<string, string>();
    for (const payload of late.updates) {
      view.wrap(payload);
      if (view.isSnapshot && !firstSnapshots.has(view.ticker))
        firstSnapshots.set(view.ticker, payload.toString('base64'));
    }
    expect([...firstSnapshots.keys()].sort()).toEqual(['BTCUSDT', 'ETHUSDT']);
    for (const first of firstSnapshots.values()) expect(refreshes.has(first)).toBe(true);
  }, 120_000);
});

/** One round of faults: injected together, then the run is left to detect them and recover. */
interface Round {
  faults: Partial<Record<BookFaultKind, number>>;
  /** Also cut the connection: the run reconnects, voids the book and takes a fresh snapshot (not a resync). */
  drop?: boolean;
  /** Snapshots the subscriber gets in this round (a stale one is published before it is found out). */
  snapshots: number;
}

const FAULT_VENUES: Array<{ venue: VenueName; symbol: string; rounds: Round[] }> = [
  {
    venue: 'binance',
    symbol: 'BTCUSDT',
    rounds: [
      { faults: { skipSequence: 1 }, snapshots: 1 },
      // The REST snapshot fetched after the gap is older than the buffered stream: refused, fetched again.
      { faults: { skipSequence: 1, staleSnapshot: 1 }, snapshots: 1 },
      { faults: {}, drop: true, snapshots: 1 },
    ],
  },
  {
    venue: 'kraken',
    symbol: 'BTC/USD',
    rounds: [
      { faults: { corruptChecksum: 1 }, snapshots: 1 },
      // The stale snapshot is published; the next update's checksum (over the true book) fails on it.
      { faults: { corruptChecksum: 1, staleSnapshot: 1 }, snapshots: 2 },
      { faults: {}, drop: true, snapshots: 1 },
    ],
  },
  {
    venue: 'bybit',
    symbol: 'BTCUSDT',
    rounds: [
      { faults: { skipSequence: 1 }, snapshots: 1 },
      { faults: { skipSequence: 1, staleSnapshot: 1 }, snapshots: 2 },
      { faults: {}, drop: true, snapshots: 1 },
    ],
  },
  {
    venue: 'okx',
    symbol: 'BTC-USDT',
    rounds: [
      { faults: { skipSequence: 1 }, snapshots: 1 },
      { faults: { corruptChecksum: 1 }, snapshots: 1 },
      { faults: { skipSequence: 1, staleSnapshot: 1 }, snapshots: 2 },
      { faults: {}, drop: true, snapshots: 1 },
    ],
  },
];

describe('book faults through the run: detected, resynchronized, counted exactly', () => {
  it.each(FAULT_VENUES)(
    '$venue: every injected fault is found and resynced; no delta published out of sync',
    async ({ venue, symbol, rounds }) => {
      const dir = mkdtempSync(join(tmpdir(), `mp-books-faults-${venue}-`));
      const protocol = channelProtocol(venueProtocol(venue), ['books'], DEPTH);
      // Slow enough (a stale snapshot is 16 messages, 400 ms, old) that Binance's stale REST snapshot is
      // always older than the event after the gap, even when a loaded machine delays the request.
      const sim = new SimulatorServer({
        protocol,
        symbols: [symbol],
        messagesPerSecond: 40,
        seed: 3,
        books: { depth: venueBookDepth(venue, DEPTH) },
        log: { maxEntries: 0 },
      });
      try {
        await sim.start();
        const subscriber = await subscribeBooks(server.url, 'e2e', venue);
        cli = startCli(
          runArgs(venue, dir, ['--symbols', symbol, ...simulatorSourceArgs(sim, protocol, [symbol])]),
        );
        await until('the book', () => subscriber.snapshots() === 1 && subscriber.deltasSinceSnapshot() >= 3);
        let snapshots = 1;
        for (const round of rounds) {
          for (const [kind, count] of Object.entries(round.faults) as Array<[BookFaultKind, number]>)
            sim.injectBookFault(kind, count);
          if (round.drop === true) sim.dropConnections();
          snapshots += round.snapshots;
          await until(
            `recovery from ${JSON.stringify(round)}`,
            () => subscriber.snapshots() === snapshots && subscriber.deltasSinceSnapshot() >= 3,
          );
        }
        cli.child.kill('SIGINT');
        const summary = await finish(dir, subscriber);
        await sim.stop();
        const injected = sim.stats().books!.faults;
        const books = summary.books!;
        const { mismatches } = checkAgainstRecording(venue, join(dir, 'data'), DEPTH, subscriber.updates);

        expect(mismatches).toEqual([]);
        // Every fault queued was injected.
        const queued = { skipSequence: 0, corruptChecksum: 0, staleSnapshot: 0 };
        for (const round of rounds)
          for (const [kind, count] of Object.entries(round.faults) as Array<[BookFaultKind, number]>)
            queued[kind] += count;
        expect(injected).toEqual(queued);
        // How each venue finds each fault: Binance refuses a stale REST snapshot before publishing it; the
        // others publish it and find it out at the next update (Kraken by its checksum, others by sequence).
        const stale = injected.staleSnapshot;
        const expected =
          venue === 'binance'
            ? { gaps: injected.skipSequence, checksumFailures: 0 }
            : venue === 'kraken'
              ? { gaps: 0, checksumFailures: injected.corruptChecksum + stale }
              : { gaps: injected.skipSequence + stale, checksumFailures: injected.corruptChecksum };
        expect(books).toMatchObject({
          ...expected,
          resyncs: expected.gaps + expected.checksumFailures,
          snapshots,
          malformed: 0,
          publishErrors: 0,
        });
        const drops = rounds.filter((round) => round.drop === true).length;
        expect(sim.stats().connectionsAccepted).toBe(1 + drops);
        if (venue === 'binance') {
          expect(books.outOfSync.staleSnapshot).toBe(stale);
          // The first snapshot, one per gap, one more per stale one refused, and one per reconnect.
          expect(books.restSnapshots).toBe(1 + injected.skipSequence + stale + drops);
        } else {
          expect(books.resubscribes).toBe(books.resyncs);
        }
        expect(books.updates).toBe(subscriber.updates.length);

        // Replaying the recording (marked REST snapshots and resubscription snapshots included) rebuilds
        // the same books through the same faults: the same updates, the same counts.
        const replayed = await subscribeBooks(server.url, 'replay', venue);
        mkdirSync(join(dir, 'replay'));
        const harness = createHarness({ realPipeline: true });
        const code = await main(
          runArgs(
            venue,
            join(dir, 'replay'),
            ['--symbols', symbol, '--source', `replay:${join(dir, 'data', venue)}`],
            'replay',
          ),
          harness.context,
        );
        expect(code, harness.stderr.text).toBe(0);
        const replay = JSON.parse(readFileSync(join(dir, 'replay', 'summary.json'), 'utf8')) as RunSummary;
        await until('the replayed updates', () => replayed.updates.length >= books.updates);
        await replayed.close();
        expect(replay.books).toMatchObject({
          updates: books.updates,
          snapshots: books.snapshots,
          gaps: books.gaps,
          checksumFailures: books.checksumFailures,
          resyncs: books.resyncs,
          restSnapshots: books.restSnapshots,
        });
        expect(checkAgainstRecording(venue, join(dir, 'data'), DEPTH, replayed.updates).mismatches).toEqual(
          [],
        );
      } finally {
        await sim.stop();
      }
    },
    120_000,
  );
});
