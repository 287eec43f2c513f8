/**
 * End to end, per venue: `marketpipe run --source replay:<file of verbatim book lines> --channels books` ->
 * a real nats-server -> an independent subscriber that rebuilds every book from the published BookUpdates.
 * After every update its book equals the book a plain JSON.parse reference builds from the same lines, and
 * the JSON summary's books section counts exactly what the lines hold. Binance's file carries the marked
 * REST-snapshot record a live run writes, so replaying it rebuilds the same books.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BookView, OrderBook } from '@marketpipe/connector/books';
import { markSnapshotRecord } from '@marketpipe/connector/pipeline';
import { NatsTransport } from '@marketpipe/middleware';
import { type BookVenue, bookLines, referenceBooks } from '@marketpipe/test-support/book-samples';
import { type NatsServerHandle, startNatsServer } from '@marketpipe/test-support/nats-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import type { RunSummary } from '../src/run/run-summary.js';
import { createHarness } from './support/cli-harness.js';

let server: NatsServerHandle;

beforeAll(async () => {
  server = await startNatsServer();
});

afterAll(async () => {
  await server?.dispose();
});

const VENUES: BookVenue[] = ['binance', 'coinbase', 'kraken', 'bybit', 'okx'];
const EXPECTED: Record<BookVenue, Partial<NonNullable<RunSummary['books']>>> = {
  binance: { updates: 4, snapshots: 1, gaps: 1, unsynced: 1, restSnapshots: 1 },
  coinbase: { updates: 3, snapshots: 1, gaps: 0, unsynced: 1 },
  kraken: { updates: 2, snapshots: 1, checksumFailures: 0, unsynced: 0 },
  bybit: { updates: 5, snapshots: 2, gaps: 1, resyncs: 1, unsynced: 1 },
  okx: { updates: 5, snapshots: 2, gaps: 1, resyncs: 1, unsynced: 1, checksumFailures: 0 },
};

describe('replay of verbatim book lines -> marketpipe run -> NATS -> independent subscriber, per venue', () => {
  it.each(VENUES)(
    '%s: the subscriber book equals the JSON.parse reference after every update',
    async (venue) => {
      const dir = mkdtempSync(join(tmpdir(), `mp-books-${venue}-`));
      const lines = bookLines(venue, (symbol, body) =>
        Buffer.from(markSnapshotRecord('binance', symbol, Buffer.from(body))).toString('utf8'),
      );
      const file = join(dir, 'book.jsonl');
      writeFileSync(file, `${lines.join('\n')}\n`);
      const reference = referenceBooks(venue, lines);

      const observer = await NatsTransport.connect({ servers: server.url, name: 'books-observer' });
      const view = new BookView();
      const books = new Map<string, OrderBook>();
      const mismatches: string[] = [];
      let index = 0;
      observer.subscribe(`e2e.${venue}.book.>`, (payload) => {
        view.wrap(payload);
        let book = books.get(view.ticker);
        if (book === undefined) {
          book = new OrderBook();
          books.set(view.ticker, book);
        }
        book.applyView(view);
        const ref = reference[index];
        const bids = book.bids().map((l) => [l.price, l.size]);
        const asks = book.asks().map((l) => [l.price, l.size]);
        if (
          ref === undefined ||
          ref.ticker !== view.ticker ||
          ref.isSnapshot !== view.isSnapshot ||
          JSON.stringify(bids) !== JSON.stringify(ref.bids) ||
          JSON.stringify(asks) !== JSON.stringify(ref.asks)
        ) {
          mismatches.push(`update ${index}: ${JSON.stringify({ ticker: view.ticker, bids, asks })}`);
        }
        index++;
      });
      await observer.flush();

      const runner = createHarness({ realPipeline: true });
      const code = await main(
        [
          'run',
          '--venue',
          venue,
          '--source',
          `replay:${file}`,
          '--channels',
          'books',
          '--transport',
          server.url,
          '--env',
          'e2e',
          '--data-dir',
          join(dir, 'data'),
          '--json-summary',
          join(dir, 'summary.json'),
          '--log-level',
          'warn',
        ],
        runner.context,
      );
      expect(code, runner.stderr.text).toBe(0);
      const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;
      const deadline = Date.now() + 10_000;
      while (index < reference.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await observer.close();

      expect(summary.channels).toEqual(['books']);
      expect(summary.books).toMatchObject(EXPECTED[venue]);
      expect(summary.books?.updates).toBe(reference.length);
      expect(summary.published).toBe(reference.length);
      expect(summary.recordsWritten).toBe(lines.length);
      expect(index).toBe(reference.length);
      expect(mismatches).toEqual([]);
    },
  );
});
