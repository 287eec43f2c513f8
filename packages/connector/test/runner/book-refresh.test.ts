/**
 * Refresh snapshots: a book subscriber that starts after a symbol's venue snapshot gets the whole book within
 * one interval, equal to the book of a subscriber that saw every update, for every venue's verbatim samples. A
 * book out of sync is not republished; many books spread over calls; 0 turns the refresh off; a held side is
 * capped and what the cap drops is counted. The pipeline's timer does the same in a run.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryTransport } from '@marketpipe/middleware';
import { type BookVenue, bookLines } from '@marketpipe/test-support/book-samples';
import { afterEach, describe, expect, it } from 'vitest';
import { BookView } from '../../src/books/book-view.js';
import { OrderBook } from '../../src/books/order-book.js';
import { BookPath, type BookPathOptions, markSnapshotRecord } from '../../src/runner/book-path.js';
import { type BookOptions, Pipeline, type PipelineSummary } from '../../src/runner/pipeline.js';

const RECEIVED = { ms: 1_700_000_000_000, subMsNanos: 0, mono: 0 };
const INTERVAL = 1_000;

const mark = (symbol: string, body: string): string =>
  Buffer.from(markSnapshotRecord('binance', symbol, Buffer.from(body))).toString('utf8');

/** A subscriber's books by ticker, built from every update it receives; `updates` lists what came. */
function subscriber(transport: InMemoryTransport, pattern: string) {
  const books = new Map<string, OrderBook>();
  const updates: { ticker: string; isSnapshot: boolean; sequence: bigint }[] = [];
  /** Sequences of the refresh snapshots received (flagged `isRefresh`). */
  const refreshes: bigint[] = [];
  const view = new BookView();
  const subscription = transport.subscribe(pattern, (payload) => {
    view.wrap(payload);
    updates.push({ ticker: view.ticker, isSnapshot: view.isSnapshot, sequence: view.sequence });
    if (view.isRefresh) refreshes.push(view.sequence);
    // As a late subscriber must: deltas before its first snapshot are skipped.
    let book = books.get(view.ticker);
    if (book === undefined) {
      if (!view.isSnapshot) return;
      book = new OrderBook();
      books.set(view.ticker, book);
    }
    book.applyView(view);
  });
  return { books, updates, refreshes, subscription };
}

function bookPath(venue: BookVenue, transport: InMemoryTransport, extra: Partial<BookPathOptions> = {}) {
  return new BookPath({
    venue,
    env: 'test',
    transport,
    symbols: [],
    allowUnlisted: true,
    venueDepth: venue === 'kraken' ? 10 : 50,
    snapshotIntervalMs: INTERVAL,
    ...extra,
  });
}

function feed(path: BookPath, lines: readonly string[]): void {
  for (const line of lines) path.onMessage(Buffer.from(line), RECEIVED);
}

const levels = (book: OrderBook) => ({ bids: book.bids(), asks: book.asks(), sequence: book.sequence });

/** Each venue's sample lines up to the last one that leaves every book in sync. */
const IN_SYNC: Record<BookVenue, () => string[]> = {
  coinbase: () => bookLines('coinbase'),
  kraken: () => bookLines('kraken'),
  bybit: () => bookLines('bybit').slice(0, 3),
  okx: () => bookLines('okx').slice(0, 3),
  binance: () => bookLines('binance', mark).slice(0, 6),
};

describe('BookPath refresh snapshots', () => {
  for (const venue of Object.keys(IN_SYNC) as BookVenue[]) {
    it(`${venue}: a subscriber that starts after the venue snapshot gets the whole book within one interval`, () => {
      const transport = new InMemoryTransport();
      const early = subscriber(transport, 'test.*.book.>');
      const path = bookPath(venue, transport);
      feed(path, IN_SYNC[venue]());
      expect(early.books.size).toBe(1);
      const beforeRefresh = levels([...early.books.values()][0]!);
      const late = subscriber(transport, 'test.*.book.>');

      // The first check schedules the books (their venue snapshot was just published); nothing is due yet.
      expect(path.publishDueSnapshots(10_000)).toBe(0);
      expect(path.publishDueSnapshots(10_000 + INTERVAL - 1)).toBe(0);
      expect(late.updates).toEqual([]);
      expect(path.publishDueSnapshots(10_000 + INTERVAL)).toBe(1);

      const [ticker, earlyBook] = [...early.books][0]!;
      expect(late.updates).toEqual([{ ticker, isSnapshot: true, sequence: beforeRefresh.sequence }]);
      expect(late.refreshes).toEqual([beforeRefresh.sequence]);
      // The early subscriber, at that sequence already, skipped it and kept its book.
      expect(earlyBook.refreshesSkipped).toBe(1);
      const lateBook = late.books.get(ticker)!;
      expect(lateBook.bidCount + lateBook.askCount).toBeGreaterThan(0);
      // The book of a subscriber that applied every venue update, as it was before the refresh reached it.
      expect(levels(lateBook)).toEqual(beforeRefresh);
      // The early subscriber replaced its book with the same levels.
      expect(early.updates.at(-1)).toEqual({ ticker, isSnapshot: true, sequence: beforeRefresh.sequence });
      expect(levels(earlyBook)).toEqual(beforeRefresh);
      const counters = path.counters();
      expect(counters.refreshSnapshots).toBe(1);
      // Not counted as the venue's updates or snapshots.
      expect(counters.updates).toBe(early.updates.length - 1);
      expect(counters.snapshots).toBe(early.updates.filter((u) => u.isSnapshot).length - 1);

      // Next one an interval later, not before.
      expect(path.publishDueSnapshots(10_000 + 2 * INTERVAL - 1)).toBe(0);
      expect(path.publishDueSnapshots(10_000 + 2 * INTERVAL)).toBe(1);
    });
  }

  it('a book out of sync is not republished until its next venue snapshot', () => {
    const transport = new InMemoryTransport();
    const late = subscriber(transport, 'test.*.book.>');
    const path = bookPath('bybit', transport);
    const lines = bookLines('bybit');
    feed(path, lines.slice(0, 5)); // snapshot, two deltas, a gap, a delta while unsynced
    late.updates.length = 0;
    path.publishDueSnapshots(0);
    expect(path.publishDueSnapshots(5 * INTERVAL)).toBe(0);
    expect(late.updates).toEqual([]);
    feed(path, lines.slice(5)); // the new snapshot and a delta
    late.updates.length = 0;
    path.publishDueSnapshots(6 * INTERVAL);
    expect(path.publishDueSnapshots(7 * INTERVAL)).toBe(1);
    expect(late.updates).toEqual([{ ticker: 'BTCUSDT', isSnapshot: true, sequence: 18521301n }]);
  });

  it('a refresh the transport refuses is counted as a publish error, not as a refresh', async () => {
    const transport = new InMemoryTransport();
    const path = bookPath('kraken', transport);
    feed(path, bookLines('kraken'));
    path.publishDueSnapshots(0);
    await transport.close();
    expect(path.publishDueSnapshots(INTERVAL)).toBe(0);
    expect(path.counters()).toMatchObject({ refreshSnapshots: 0, publishErrors: 1 });
  });

  it('refuses a time that is not a finite number (every book would be due at every call)', () => {
    const path = bookPath('kraken', new InMemoryTransport());
    feed(path, bookLines('kraken'));
    expect(() => path.publishDueSnapshots(Number.NaN)).toThrow(
      expect.objectContaining({ argument: 'nowMs' }),
    );
  });

  it('a reconnect (reset) forgets the held books', () => {
    const transport = new InMemoryTransport();
    const path = bookPath('kraken', transport);
    feed(path, bookLines('kraken'));
    expect(path.heldBooks).toBe(1);
    path.reset();
    expect(path.heldBooks).toBe(0);
    expect(path.publishDueSnapshots(0) + path.publishDueSnapshots(10 * INTERVAL)).toBe(0);
  });

  it('publishes at most `limit` books per call; the others follow in the next calls', () => {
    const transport = new InMemoryTransport();
    const late = subscriber(transport, 'test.*.book.>');
    const path = bookPath('bybit', transport);
    const snapshot = bookLines('bybit')[0]!;
    for (const symbol of ['AUSDT', 'BUSDT', 'CUSDT'])
      feed(path, [snapshot.replace('"s":"BTCUSDT"', `"s":"${symbol}"`)]);
    expect(path.heldBooks).toBe(3);
    late.updates.length = 0;
    path.publishDueSnapshots(0, 1);
    expect(path.publishDueSnapshots(INTERVAL, 1)).toBe(1);
    expect(path.publishDueSnapshots(INTERVAL, 1)).toBe(1);
    expect(path.publishDueSnapshots(INTERVAL, 1)).toBe(1);
    expect(path.publishDueSnapshots(INTERVAL, 1)).toBe(0);
    expect(late.updates.map((u) => u.ticker).sort()).toEqual(['AUSDT', 'BUSDT', 'CUSDT']);
  });

  it('snapshotIntervalMs 0 holds no book and republishes nothing; a negative one is refused', () => {
    const transport = new InMemoryTransport();
    const path = bookPath('kraken', transport, { snapshotIntervalMs: 0 });
    feed(path, bookLines('kraken'));
    expect(path.heldBooks).toBe(0);
    expect(path.snapshotIntervalMs).toBe(0);
    expect(path.publishDueSnapshots(0) + path.publishDueSnapshots(1e9)).toBe(0);
    expect(() => bookPath('kraken', transport, { snapshotIntervalMs: -1 })).toThrow(
      expect.objectContaining({ argument: 'snapshotIntervalMs' }),
    );
  });

  it('a refresh carries at most the subscribed depth per side, best first; the held book keeps the rest', () => {
    const transport = new InMemoryTransport();
    const late = subscriber(transport, 'test.*.book.>');
    const path = bookPath('bybit', transport, { venueDepth: 2 });
    feed(path, bookLines('bybit').slice(0, 2)); // two levels a side, then a delta adding four bids and five asks
    late.updates.length = 0;
    late.books.clear(); // it starts now, holding nothing
    path.publishDueSnapshots(0);
    path.publishDueSnapshots(INTERVAL);
    const book = late.books.get('BTCUSDT')!;
    expect(book.bids().map((l) => l.price)).toEqual([30247.2, 30245.4]);
    expect(book.asks().map((l) => l.price)).toEqual([16611, 16612]);
    expect(path.counters().heldLevelsOverCap).toBe(0);

    // Coinbase sends whole books (venue depth 0): a refresh carries refreshDepth levels (default 100).
    const coinbase = bookPath('coinbase', transport, { venueDepth: 0, refreshDepth: 1 });
    feed(coinbase, bookLines('coinbase'));
    late.books.clear();
    coinbase.publishDueSnapshots(0);
    coinbase.publishDueSnapshots(INTERVAL);
    const whole = [...late.books.values()][0]!;
    expect([whole.bidCount, whole.askCount]).toEqual([1, 1]);
  });

  it('a held side beyond maxLevels keeps the best levels and counts the dropped ones', () => {
    const transport = new InMemoryTransport();
    const late = subscriber(transport, 'test.*.book.>');
    // Bybit's machine keeps no book of its own: the held book is the only one capped here. The snapshot has two
    // levels a side, the delta adds four bids and five asks.
    const path = bookPath('bybit', transport, { maxLevels: 3 });
    feed(path, bookLines('bybit').slice(0, 2));
    // A side is trimmed when it reaches twice the cap (the asks' 7 levels) and when its snapshot is built.
    expect(path.counters().heldLevelsOverCap).toBe(4);
    late.updates.length = 0;
    late.books.clear(); // it starts now, holding nothing
    path.publishDueSnapshots(0);
    path.publishDueSnapshots(INTERVAL);
    expect(path.counters().heldLevelsOverCap).toBe(4 + 3);
    const book = late.books.get('BTCUSDT')!;
    expect(book.bids().map((l) => l.price)).toEqual([30247.2, 30245.4, 30242.1]);
    expect(book.asks().map((l) => l.price)).toEqual([16611, 16612, 30249.3]);
  });
});

describe('Pipeline refresh snapshots', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** Replays the Kraken samples at fast pace, books only, and stops 300 ms after the end (refresh ticks pass). */
  async function krakenReplay(books: BookOptions): Promise<PipelineSummary> {
    const dataDir = mkdtempSync(join(tmpdir(), 'marketpipe-refresh-replay-'));
    dirs.push(dataDir);
    const file = join(dataDir, 'lines.jsonl');
    writeFileSync(file, `${bookLines('kraken').join('\n')}\n`);
    const transport = new InMemoryTransport();
    const pipeline = await Pipeline.start({
      venue: 'kraken',
      symbols: [],
      allowUnlistedSymbols: true,
      source: { kind: 'replay', path: file, pace: 'fast' },
      transport,
      env: 'test',
      dataDir,
      channels: ['books'],
      books,
    });
    await pipeline.done;
    await new Promise((r) => setTimeout(r, 300));
    const summary = await pipeline.stop();
    await transport.close();
    return summary;
  }

  it('a subscriber that starts after the sync gets, on the pipeline timer, the book of one that saw every update', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'marketpipe-refresh-'));
    dirs.push(dataDir);
    const transport = new InMemoryTransport();
    // Applies the venue's updates only (refreshes are flagged): a healthy simulated feed sends one snapshot per
    // symbol, then deltas.
    const full = new OrderBook();
    let fullSynced = false;
    let venueSnapshots = 0;
    const view = new BookView();
    transport.subscribe('test.bybit.book.BTCUSDT', (payload) => {
      view.wrap(payload);
      if (view.isRefresh) return;
      if (view.isSnapshot) venueSnapshots++;
      fullSynced = true;
      full.applyView(view);
    });
    const pipeline = await Pipeline.start({
      venue: 'bybit',
      symbols: ['BTCUSDT'],
      source: { kind: 'sim', rate: 200, seed: 7 },
      transport,
      env: 'test',
      dataDir,
      channels: ['books'],
      books: { snapshotIntervalMs: 300 },
    });
    let refresh: ReturnType<typeof levels> | undefined;
    let fullAtRefresh: ReturnType<typeof levels> | undefined;
    try {
      await until(() => fullSynced && full.updates > 20, 5_000);
      // Subscribed after the full subscriber, so in-memory delivery reaches it second: the full book is the one
      // the held book had when the refresh was built.
      transport.subscribe('test.bybit.book.BTCUSDT', (payload) => {
        view.wrap(payload);
        if (!view.isRefresh || refresh !== undefined) return;
        const book = new OrderBook();
        book.applyView(view);
        refresh = levels(book);
        fullAtRefresh = levels(full);
      });
      await until(() => refresh !== undefined, 5_000);
    } finally {
      await pipeline.stop();
      await transport.close();
    }
    expect(refresh!.bids.length).toBeGreaterThan(0);
    // At most the venue depth (orderbook.200 for the default 100) a side, each level exact.
    expect(refresh).toEqual({
      sequence: fullAtRefresh!.sequence,
      bids: fullAtRefresh!.bids.slice(0, 200),
      asks: fullAtRefresh!.asks.slice(0, 200),
    });
    expect(pipeline.summary().books?.refreshSnapshots).toBeGreaterThan(0);
    expect(venueSnapshots).toBe(1);
    // Books only: the simulator sent no trade messages (a venue sends them only to a client that subscribed to
    // them), so what arrived is the book messages and a few acks, not about twice as many with the trades.
    const { received, books } = pipeline.summary();
    expect(received).toBeLessThan(books!.updates * 1.3 + 10);
  });

  it('a fast replay publishes no refresh unless asked: its output does not depend on the wall clock', async () => {
    const summary = await krakenReplay({});
    expect(summary.books?.refreshSnapshots).toBe(0);
  });

  it('refuses a bad snapshotIntervalMs before the data dir is touched', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'marketpipe-refresh-bad-')), 'data');
    dirs.push(dataDir);
    await expect(
      Pipeline.start({
        venue: 'bybit',
        symbols: ['BTCUSDT'],
        source: { kind: 'sim', rate: 10 },
        transport: new InMemoryTransport(),
        env: 'test',
        dataDir,
        channels: ['books'],
        books: { snapshotIntervalMs: 2.5 },
      }),
    ).rejects.toThrow(expect.objectContaining({ argument: 'books.snapshotIntervalMs' }));
    expect(existsSync(dataDir)).toBe(false);
  });

  it('a replay file holds no refresh snapshots: they are published, not recorded', async () => {
    const summary = await krakenReplay({ snapshotIntervalMs: 50 });
    expect(summary.books?.refreshSnapshots).toBeGreaterThan(0);
    expect(summary.recordsWritten).toBe(bookLines('kraken').length);
  });
});

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
