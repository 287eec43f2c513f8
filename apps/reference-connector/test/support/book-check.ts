/**
 * The independent side of the book end-to-end tests: a NATS subscriber that keeps every published
 * BookUpdate, and the check that rebuilds each book from them (BookView + OrderBook) and compares it, after
 * every update, with the plain `JSON.parse` reference book (tools/test-support book-samples) built from the
 * raw venue messages the run recorded.
 */
import { BookView, OrderBook } from '@marketpipe/connector/books';
import { type VenueName, type VenueProtocol, venueBookDepth } from '@marketpipe/connector/feeds';
import { readVenueRecords } from '@marketpipe/connector/recording';
import type { SimulatorServer } from '@marketpipe/connector/simulator';
import { NatsTransport } from '@marketpipe/middleware';
import { referenceBooks } from '@marketpipe/test-support/book-samples';

/** What a subscriber received: each update's bytes, in order. */
export interface BookSubscriber {
  readonly updates: Buffer[];
  /** Snapshots received. */
  snapshots(): number;
  /** Non-snapshot updates received since the last snapshot. */
  deltasSinceSnapshot(): number;
  close(): Promise<void>;
}

/** Subscribes to `{env}.{venue}.book.>` on `servers`; resolves once the subscription is in place. */
export async function subscribeBooks(
  servers: string,
  env: string,
  venue: VenueName,
): Promise<BookSubscriber> {
  const nats = await NatsTransport.connect({ servers, name: `books-check-${venue}` });
  const view = new BookView();
  const updates: Buffer[] = [];
  let snapshots = 0;
  let deltas = 0;
  nats.subscribe(`${env}.${venue}.book.>`, (payload) => {
    updates.push(Buffer.from(payload));
    if (view.wrap(payload).isSnapshot) {
      snapshots++;
      deltas = 0;
    } else deltas++;
  });
  await nats.flush();
  return {
    updates,
    snapshots: () => snapshots,
    deltasSinceSnapshot: () => deltas,
    close: () => nats.close(),
  };
}

/** The result of {@link checkAgainstRecording}. */
export interface BookCheck {
  /** Updates the reference expects. */
  expected: number;
  /** The first few differences, described (empty when every book was equal after every update). */
  mismatches: string[];
}

/**
 * Rebuilds every book from `updates` and compares it after each one with the reference built from the run's
 * record files in `dataDir` (`depth`: the `--depth` of the run; checksums are verified by the reference).
 */
export function checkAgainstRecording(
  venue: VenueName,
  dataDir: string,
  depth: number,
  updates: readonly Buffer[],
): BookCheck {
  const decoder = new TextDecoder();
  const lines: string[] = [];
  for (const record of readVenueRecords(dataDir, venue)) lines.push(decoder.decode(record.payload));
  const reference = referenceBooks(venue, lines, { depth: venueBookDepth(venue, depth), checksums: true });
  const view = new BookView();
  const books = new Map<string, OrderBook>();
  const mismatches: string[] = [];
  if (reference.length !== updates.length)
    mismatches.push(`${updates.length} updates published, the reference has ${reference.length}`);
  for (let i = 0; i < updates.length && mismatches.length < 5; i++) {
    view.wrap(updates[i]!);
    let book = books.get(view.ticker);
    if (book === undefined) {
      book = new OrderBook();
      books.set(view.ticker, book);
    }
    book.applyView(view);
    const ref = reference[i];
    const bids = JSON.stringify(book.bids().map((l) => [l.price, l.size]));
    const asks = JSON.stringify(book.asks().map((l) => [l.price, l.size]));
    if (
      ref === undefined ||
      ref.ticker !== view.ticker ||
      ref.isSnapshot !== view.isSnapshot ||
      bids !== JSON.stringify(ref.bids) ||
      asks !== JSON.stringify(ref.asks)
    ) {
      mismatches.push(
        `update ${i} (${view.ticker}${view.isSnapshot ? ', snapshot' : ''}): bids ${bids.slice(0, 200)} ` +
          `asks ${asks.slice(0, 200)}; reference ${JSON.stringify(ref)?.slice(0, 400)}`,
      );
    }
  }
  return { expected: reference.length, mismatches };
}

/**
 * The `marketpipe run` arguments that point a live source at a started simulator serving books: its URL
 * (for Binance with the streams named in it, as the venue wants) and, for Binance, its REST depth endpoint.
 */
export function simulatorSourceArgs(
  sim: SimulatorServer,
  protocol: VenueProtocol,
  symbols: readonly string[],
): string[] {
  let url = sim.url;
  const args = ['--source', 'live'];
  if (protocol.venue === 'binance') {
    const live = new URL(protocol.liveUrl(symbols));
    url = `${url}${live.pathname.slice(1)}${live.search}`;
    args.push('--book-snapshot-url', `${sim.httpUrl}/api/v3/depth`);
  }
  return [...args, '--url', url];
}
