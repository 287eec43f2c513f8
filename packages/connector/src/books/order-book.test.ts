/**
 * `OrderBook` and refresh snapshots: a refresh at the sequence the book is at is skipped (the book holds it, deeper
 * than a refresh carries); a refresh replaces a book that is behind or empty, as a snapshot does.
 */
import { describe, expect, it } from 'vitest';
import type { BookUpdate } from './book-data.js';
import { BookEncoder } from './book-encoder.js';
import { BookView } from './book-view.js';
import { OrderBook } from './order-book.js';

function update(fields: Partial<BookUpdate>): BookUpdate {
  return {
    timestampNanos: 0n,
    receivedNanos: 0n,
    ticker: 'BTCUSDT',
    sequence: 1n,
    isSnapshot: false,
    bids: [],
    asks: [],
    ...fields,
  };
}

const SNAPSHOT = update({
  isSnapshot: true,
  sequence: 10n,
  bids: [
    { price: 100, size: 1 },
    { price: 99, size: 2 },
    { price: 98, size: 3 },
  ],
  asks: [{ price: 101, size: 1 }],
});
const DELTA = update({ sequence: 11n, bids: [{ price: 100, size: 5 }] });
/** The book after both, cut to one level a side, as a refresh of depth 1 carries it. */
const REFRESH = update({
  isSnapshot: true,
  isRefresh: true,
  sequence: 11n,
  bids: [{ price: 100, size: 5 }],
  asks: [{ price: 101, size: 1 }],
});

describe('OrderBook, refresh snapshots', () => {
  it('skips a refresh at the sequence it is at, keeping its deeper levels', () => {
    const view = new BookView();
    const encoder = new BookEncoder();
    const book = new OrderBook();
    for (const u of [SNAPSHOT, DELTA, REFRESH]) {
      encoder.encode(u);
      book.applyView(view.wrap(encoder.bytes));
    }
    expect(view.isRefresh).toBe(true);
    expect(book.refreshesSkipped).toBe(1);
    expect(book.bids().map((l) => l.price)).toEqual([100, 99, 98]);
    expect([book.updates, book.snapshots]).toEqual([2, 1]);
  });

  it('applies a refresh as a snapshot when the book is behind (a missed update) or holds nothing', () => {
    const behind = new OrderBook();
    behind.apply(SNAPSHOT); // missed DELTA
    behind.apply(REFRESH);
    expect(behind.bids()).toEqual([{ price: 100, size: 5 }]);
    expect(behind.refreshesSkipped).toBe(0);

    const late = new OrderBook();
    late.apply(REFRESH);
    expect(late.sequence).toBe(11n);
    expect(late.bestBid()).toEqual({ price: 100, size: 5 });

    const cleared = new OrderBook();
    cleared.apply(SNAPSHOT);
    cleared.apply(DELTA);
    cleared.clear();
    cleared.apply(REFRESH);
    expect(cleared.bidCount).toBe(1);
  });
});
