/**
 * The shapes an order-book update takes in memory: {@link BookUpdate} mirrors
 * the `BookUpdate` struct of `schema/book.capnp` (the convenient form, with
 * bigint times), {@link BookFrame} is the reused, allocation-free form the
 * venue sync machines fill and the encoder reads on the hot path.
 */

/** One price level: the whole size resting at `price`. A size of 0 removes the level. */
export interface BookLevel {
  /** The level's price, as the venue's decimal text read into a double. */
  price: number;
  /** The size at that price; 0 in a delta removes the level. */
  size: number;
}

/** One normalized book update, field for field the `BookUpdate` struct of `schema/book.capnp`. */
export interface BookUpdate {
  /** Venue event time, nanoseconds since the Unix epoch; 0n where the venue sends none. */
  timestampNanos: bigint;
  /** Wall-clock receive time of the venue message, nanoseconds since the Unix epoch. */
  receivedNanos: bigint;
  /** Venue ticker exactly as sent (BTCUSDT, BTC-USD, BTC/USD). */
  ticker: string;
  /** The venue's update id (Binance `u`, Bybit `u`, OKX `seqId`); 0n where it has none. */
  sequence: bigint;
  /** True: the levels replace the book. False: each level replaces one price. */
  isSnapshot: boolean;
  /** Bid levels, in the order the venue sent them. */
  bids: BookLevel[];
  /** Ask levels, in the order the venue sent them. */
  asks: BookLevel[];
  /**
   * True on a refresh: a snapshot the connector republished from the book it holds, for subscribers that started
   * late, at the sequence of the last update applied. Absent means false.
   */
  isRefresh?: boolean;
}

/**
 * A growable list of (price, size) pairs in one `Float64Array`, reused from
 * message to message: {@link BookLevels.clear} keeps the storage, and it only
 * grows when a message has more levels than any before it.
 */
export class BookLevels {
  #values: Float64Array;
  #count = 0;

  /** @param initialLevels levels the storage holds before it first grows (default 64). */
  constructor(initialLevels = 64) {
    this.#values = new Float64Array(Math.max(1, initialLevels) * 2);
  }

  /** Number of levels held. */
  get count(): number {
    return this.#count;
  }

  /** Prices and sizes interleaved (`[p0, s0, p1, s1, ...]`); only the first `2 * count` entries are levels. */
  get values(): Float64Array {
    return this.#values;
  }

  /** Empties the list, keeping its storage. */
  clear(): void {
    this.#count = 0;
  }

  /** Appends one level. */
  push(price: number, size: number): void {
    const at = this.#count * 2;
    if (at + 2 > this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[at] = price;
    this.#values[at + 1] = size;
    this.#count++;
  }

  /** Price of level `i` (0-based; not range-checked beyond the storage). */
  price(i: number): number {
    return this.#values[i * 2]!;
  }

  /** Size of level `i`. */
  size(i: number): number {
    return this.#values[i * 2 + 1]!;
  }
}

/**
 * One book update as the venue sync machines emit it and
 * {@link BookEncoder.encodeFrame} reads it: numbers instead of bigints, the
 * ticker both as text and as UTF-8 bytes (cached per symbol), levels in
 * reused {@link BookLevels}. A machine reuses one frame for every update, so
 * a sink must encode or copy it before returning.
 */
export interface BookFrame {
  /** Venue event time: whole epoch milliseconds (0 where the venue sends none). */
  timestampMs: number;
  /** Nanoseconds within that millisecond (0..999999). */
  timestampSubMsNanos: number;
  /** Receive time: whole epoch milliseconds. */
  receivedMs: number;
  /** Nanoseconds within that millisecond (0..999999). */
  receivedSubMsNanos: number;
  /** Venue ticker exactly as sent. */
  ticker: string;
  /** `ticker` as UTF-8. */
  tickerUtf8: Uint8Array;
  /** The venue's update id as a non-negative safe integer; 0 where it has none. */
  sequence: number;
  /** True: the levels replace the book. False: each level replaces one price. */
  isSnapshot: boolean;
  /** True on a refresh snapshot ({@link BookUpdate.isRefresh}); the venue machines never set it. */
  isRefresh: boolean;
  /** Bid levels (snapshots best first). */
  bids: BookLevels;
  /** Ask levels (snapshots best first). */
  asks: BookLevels;
}

/** A fresh, empty {@link BookFrame}. */
export function createBookFrame(): BookFrame {
  return {
    timestampMs: 0,
    timestampSubMsNanos: 0,
    receivedMs: 0,
    receivedSubMsNanos: 0,
    ticker: '',
    tickerUtf8: new Uint8Array(0),
    sequence: 0,
    isSnapshot: false,
    isRefresh: false,
    bids: new BookLevels(),
    asks: new BookLevels(),
  };
}

/** Copies a frame into the convenient {@link BookUpdate} form (allocates; for tests and cold paths). */
export function frameToUpdate(frame: BookFrame): BookUpdate {
  const nanos = (ms: number, sub: number): bigint => BigInt(ms) * 1_000_000n + BigInt(sub);
  const levels = (list: BookLevels): BookLevel[] => {
    const out: BookLevel[] = [];
    for (let i = 0; i < list.count; i++) out.push({ price: list.price(i), size: list.size(i) });
    return out;
  };
  return {
    timestampNanos: nanos(frame.timestampMs, frame.timestampSubMsNanos),
    receivedNanos: nanos(frame.receivedMs, frame.receivedSubMsNanos),
    ticker: frame.ticker,
    sequence: BigInt(frame.sequence),
    isSnapshot: frame.isSnapshot,
    bids: levels(frame.bids),
    asks: levels(frame.asks),
    ...(frame.isRefresh ? { isRefresh: true } : {}),
  };
}
