/**
 * The pipeline's book path on the verbatim samples, per venue, through a line replay: every in-sync venue
 * message becomes exactly one BookUpdate on `{env}.{venue}.book.{SYMBOL}`, in order; out-of-sync messages
 * publish nothing and are counted; the next update after a gap or checksum failure is a snapshot; every
 * raw line is still recorded. The consumer's OrderBook equals a JSON.parse reference after every update.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryTransport } from '@marketpipe/middleware';
import {
  type BookVenue,
  bookLines,
  KRAKEN_SNAPSHOT,
  KRAKEN_UPDATE,
  okxSnapshot,
  okxUpdate,
  referenceBooks,
} from '@marketpipe/test-support/book-samples';
import { afterEach, describe, expect, it } from 'vitest';
import { BookView } from '../../src/books/book-view.js';
import { OrderBook } from '../../src/books/order-book.js';
import { readVenueRecords } from '../../src/flusher/record-reader.js';
import { markResetRecord, markSnapshotRecord } from '../../src/runner/book-path.js';
import { Pipeline, type PipelineOptions, type PipelineSummary } from '../../src/runner/pipeline.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const mark = (symbol: string, body: string): string =>
  Buffer.from(markSnapshotRecord('binance', symbol, Buffer.from(body))).toString('utf8');

interface Published {
  subject: string;
  ticker: string;
  isSnapshot: boolean;
  sequence: bigint;
  bids: [number, number][];
  asks: [number, number][];
}

async function replay(
  venue: BookVenue,
  lines: readonly string[],
  extra: Partial<PipelineOptions> = {},
): Promise<{
  summary: PipelineSummary;
  published: Published[];
  books: Map<string, OrderBook>[];
  dataDir: string;
}> {
  const dataDir = mkdtempSync(join(tmpdir(), `marketpipe-books-${venue}-`));
  dirs.push(dataDir);
  const file = join(dataDir, 'lines.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const transport = new InMemoryTransport();
  const published: Published[] = [];
  const books: Map<string, OrderBook>[] = [];
  const current = new Map<string, OrderBook>();
  const view = new BookView();
  transport.subscribe('test.*.book.>', (payload, subject) => {
    view.wrap(payload);
    const update = view.toUpdate();
    published.push({
      subject,
      ticker: update.ticker,
      isSnapshot: update.isSnapshot,
      sequence: update.sequence,
      bids: update.bids.map((l) => [l.price, l.size]),
      asks: update.asks.map((l) => [l.price, l.size]),
    });
    let book = current.get(update.ticker);
    if (book === undefined) {
      book = new OrderBook();
      current.set(update.ticker, book);
    }
    book.applyView(view);
    // A copy of every book after this update, for comparison with the reference.
    const copy = new Map<string, OrderBook>();
    for (const [ticker, b] of current) {
      const c = new OrderBook();
      c.apply({
        timestampNanos: 0n,
        receivedNanos: 0n,
        ticker,
        sequence: b.sequence,
        isSnapshot: true,
        bids: b.bids(),
        asks: b.asks(),
      });
      copy.set(ticker, c);
    }
    books.push(copy);
  });
  const pipeline = await Pipeline.start({
    venue,
    symbols: [],
    allowUnlistedSymbols: true,
    source: { kind: 'replay', path: file, pace: 'fast' },
    transport,
    env: 'test',
    dataDir,
    channels: ['books'],
    ...extra,
  });
  await pipeline.done;
  const summary = await pipeline.stop();
  await transport.close();
  return { summary, published, books, dataDir };
}

function expectReference(
  venue: BookVenue,
  lines: readonly string[],
  published: Published[],
  books: Map<string, OrderBook>[],
) {
  const reference = referenceBooks(venue, lines);
  expect(published.map((p) => [p.ticker, p.isSnapshot])).toEqual(
    reference.map((r) => [r.ticker, r.isSnapshot]),
  );
  reference.forEach((ref, i) => {
    const book = books[i]!.get(ref.ticker)!;
    expect(
      book.bids().map((l) => [l.price, l.size]),
      `bids after update ${i}`,
    ).toEqual(ref.bids);
    expect(
      book.asks().map((l) => [l.price, l.size]),
      `asks after update ${i}`,
    ).toEqual(ref.asks);
  });
}

describe('Pipeline book path, per venue, from the verbatim samples', () => {
  it('coinbase: an l2update before the snapshot is unsynced; then snapshot and each l2update, one update each', async () => {
    const lines = bookLines('coinbase');
    const { summary, published, books, dataDir } = await replay('coinbase', lines);
    expect(published.map((p) => [p.subject, p.isSnapshot])).toEqual([
      ['test.coinbase.book.BTC-USD', true],
      ['test.coinbase.book.BTC-USD', false],
      ['test.coinbase.book.BTC-USD', false],
    ]);
    expect(published[2]!.bids).toEqual([
      [22356.27, 0],
      [22356.3, 1],
    ]);
    expect(summary.books).toMatchObject({ updates: 3, snapshots: 1, gaps: 0, unsynced: 1, resyncs: 0 });
    expect(summary.trades).toBe(0);
    expect(summary.recordsWritten).toBe(lines.length);
    expect([...readVenueRecords(dataDir, 'coinbase')].map((r) => Buffer.from(r.payload).toString())).toEqual(
      lines,
    );
    expectReference('coinbase', lines, published, books);
  });

  it('kraken: checksums verified on the real samples; a corrupted one stops the book until the next snapshot', async () => {
    const good = bookLines('kraken');
    const ok = await replay('kraken', good);
    expect(ok.summary.books).toMatchObject({ updates: 2, snapshots: 1, checksumFailures: 0 });
    expectReference('kraken', good, ok.published, ok.books);

    const corrupted = [
      KRAKEN_SNAPSHOT,
      KRAKEN_UPDATE.replace('2114181697', '2114181698'),
      KRAKEN_UPDATE,
      KRAKEN_SNAPSHOT,
      KRAKEN_UPDATE,
    ];
    const bad = await replay('kraken', corrupted);
    expect(bad.published.map((p) => p.isSnapshot)).toEqual([true, true, false]);
    expect(bad.summary.books).toMatchObject({
      updates: 3,
      snapshots: 2,
      checksumFailures: 1,
      unsynced: 1,
      resyncs: 1,
      outOfSync: { checksumFailure: 1 },
    });
    expect(bad.summary.recordsWritten).toBe(corrupted.length);
  });

  it('bybit: contiguous u published; a gap publishes nothing until the next snapshot', async () => {
    const lines = bookLines('bybit');
    const { summary, published, books } = await replay('bybit', lines);
    expect(published.map((p) => [p.isSnapshot, p.sequence])).toEqual([
      [true, 18521288n],
      [false, 18521289n],
      [false, 18521290n],
      [true, 18521300n],
      [false, 18521301n],
    ]);
    expect(summary.books).toMatchObject({ updates: 5, snapshots: 2, gaps: 1, unsynced: 1, resyncs: 1 });
    expectReference('bybit', lines, published, books);
  });

  it('okx: the recorded checksums verified; a broken prevSeqId chain waits for a snapshot; a bad checksum is caught', async () => {
    const lines = bookLines('okx');
    const { summary, published, books } = await replay('okx', lines);
    expect(published.map((p) => [p.isSnapshot, p.sequence])).toEqual([
      [true, 10n],
      [false, 11n],
      [true, 20n],
      [false, 21n],
      [false, 21n],
    ]);
    expect(summary.books).toMatchObject({
      updates: 5,
      gaps: 1,
      checksumFailures: 0,
      unsynced: 1,
      resyncs: 1,
    });
    expectReference('okx', lines, published, books);

    const bad = await replay('okx', [okxSnapshot(10), okxUpdate(1109161388, 10, 11), okxUpdate(0, 11, 12)]);
    expect(bad.published.map((p) => p.isSnapshot)).toEqual([true]);
    expect(bad.summary.books).toMatchObject({ checksumFailures: 1, unsynced: 1 });
  });

  it('binance: a plain line replay without the REST snapshot publishes nothing and counts every event as unsynced', async () => {
    const lines = bookLines('binance');
    const warnings: [object, string | undefined][] = [];
    const logger = { info() {}, warn: (obj: object, msg?: string) => warnings.push([obj, msg]), error() {} };
    const { summary, published } = await replay('binance', lines, { logger });
    expect(published).toEqual([]);
    expect(summary.books).toMatchObject({ updates: 0, unsynced: 5, outOfSync: { noSnapshot: 1 } });
    expect(summary.recordsWritten).toBe(lines.length);
    // Said once, at the stop, for the books that never synced.
    expect(warnings).toEqual([
      [expect.objectContaining({ symbols: ['BNBBTC'] }), 'books never synced in this replay'],
    ]);
  });

  it('binance: with the marked REST snapshot record, covered events are dropped, the rest follow the u chain', async () => {
    const lines = bookLines('binance', mark);
    const warnings: [object, string | undefined][] = [];
    const logger = { info() {}, warn: (obj: object, msg?: string) => warnings.push([obj, msg]), error() {} };
    const { summary, published, books } = await replay('binance', lines, { logger });
    // The depth events before the snapshot record are routine, not a warning (they were one until 2026-12-07);
    // the gap later is one.
    expect(warnings.map(([obj, msg]) => [(obj as { reason?: string }).reason, msg])).toEqual([
      ['gap', 'book out of sync, not published until its next snapshot'],
    ]);
    expect(published.map((p) => [p.isSnapshot, p.sequence])).toEqual([
      [true, 158n],
      [false, 160n],
      [false, 163n],
      [false, 170n],
    ]);
    expect(summary.books).toMatchObject({
      updates: 4,
      snapshots: 1,
      gaps: 1,
      stale: 1,
      restSnapshots: 1,
      unsynced: 1,
    });
    expectReference('binance', lines, published, books);
  });

  it('a bookReset record voids the books until the next snapshot; one of another venue is counted, not obeyed', async () => {
    const [, snapshot, update, multi] = bookLines('coinbase');
    const reset = (venue: string) => Buffer.from(markResetRecord(venue as BookVenue)).toString('utf8');
    const lines = [
      snapshot!,
      update!,
      reset('kraken'),
      multi!,
      reset('coinbase'),
      update!,
      snapshot!,
      multi!,
    ];
    const { summary, published, books } = await replay('coinbase', lines);
    expect(published.map((p) => p.isSnapshot)).toEqual([true, false, false, true, false]);
    expect(summary.books).toMatchObject({ updates: 5, snapshots: 2, unsynced: 1, malformed: 1, gaps: 0 });
    expectReference('coinbase', lines, published, books);
  });

  it('bounds the symbols and counts what exceeds; lists trades and books side by side', async () => {
    const lines = [
      ...bookLines('bybit').slice(0, 2),
      bookLines('bybit')[0]!.replaceAll('BTCUSDT', 'ETHUSDT'),
    ];
    const { summary, published } = await replay('bybit', lines, {
      books: { maxSymbols: 1 },
      channels: ['trades', 'books'],
    });
    expect(published.map((p) => p.ticker)).toEqual(['BTCUSDT', 'BTCUSDT']);
    expect(summary.books).toMatchObject({ updates: 2, symbolsOverCap: 1 });
    // With trades on as well, the trade parser sees the book messages as another channel, not as errors.
    expect(summary).toMatchObject({ parseErrors: 0, trades: 0, nonTradeByKind: { otherChannel: 3 } });
  });

  it('books only: the trade parser still classifies every message, publishing no trade', async () => {
    // Verbatim Bybit v5 shapes (shared/feeds/VENUE_SAMPLES.md): a subscribe ack, and a trade the run did not ask for.
    const ack = '{"success":true,"ret_msg":"subscribe","conn_id":"c1","op":"subscribe"}';
    const trade =
      '{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1758841135824,"data":[{"T":1758841135823,"s":"BTCUSDT","S":"Buy","v":"0.020","p":"109378.90","L":"ZeroPlusTick","i":"2a74ac78-691c-5b54-9dbe-5aafe8364627","BT":false,"RPI":false,"seq":457514743450}]}';
    const lines = [ack, ...bookLines('bybit').slice(0, 2), trade];
    const { summary, published } = await replay('bybit', lines);
    expect(published).toHaveLength(2);
    expect(summary).toMatchObject({ received: 4, trades: 0, nonTrade: 4, parseErrors: 0 });
    // Every non-trade message has a kind: the book messages and the trade are another channel here.
    expect(summary.nonTradeByKind).toEqual({ subscribeAck: 1, otherChannel: 3 });
  });

  it('refuses unknown or repeated channels with a typed error', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'marketpipe-books-bad-'));
    dirs.push(dataDir);
    const base = {
      venue: 'bybit' as const,
      symbols: ['BTCUSDT'],
      source: { kind: 'replay' as const, path: join(dataDir, 'none'), pace: 'fast' as const },
      transport: new InMemoryTransport(),
      env: 'test',
      dataDir,
    };
    await expect(Pipeline.start({ ...base, channels: ['books', 'books'] })).rejects.toMatchObject({
      code: 'MP_ERR_INVALID_ARGUMENT',
    });
    await expect(Pipeline.start({ ...base, channels: ['quotes' as 'books'] })).rejects.toMatchObject({
      code: 'MP_ERR_INVALID_ARGUMENT',
    });
  });
});
