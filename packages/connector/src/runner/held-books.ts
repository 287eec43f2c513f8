/**
 * The books a {@link BookPath} holds as its subscribers build them, so it can
 * publish each one again as a snapshot on an interval. A venue sends a
 * symbol's snapshot once, at subscription (Binance: the REST snapshot), and a
 * book subscriber that starts after it (the usual case) can build nothing from
 * deltas alone. With the held books it has a whole book within one interval
 * rather than at the next resync, which a healthy feed may never need.
 *
 * A held book applies exactly what was published, in order: a snapshot
 * replaces it, a delta sets each level (size 0 removes it). So its best
 * `depth` levels a side, which a refresh carries, are those of a subscriber
 * that saw every update. A subscriber that already has the book and replaces
 * it with a refresh keeps those levels and loses the deeper ones, which later
 * deltas fill in again (as after the venue's own depth-limited snapshot); one
 * that missed a delta (core NATS delivers at most once) is repaired.
 *
 * Each side is an unsorted hash table of price to size in typed arrays
 * ({@link LevelTable}), sorted only when its snapshot is due (once an
 * interval): the update path pays one probe per level and allocates nothing.
 * Sorted sides (the sync machines' `KeptSide`, a B+ tree past 512 levels) cost
 * 80-530 ns a level here and a `Map` with double keys ~85 ns (each key a boxed
 * number), against ~30 for the table (docs/design/book-paths.md, "Refresh
 * snapshots").
 *
 * @packageDocumentation
 */
import type { BookFrame, BookLevels } from '../books/book-data.js';
import { ascending, descending } from '../books/sorted-levels.js';

/** `dueMs` of a book whose venue snapshot just came: the next {@link HeldBooks.publishDue} schedules it. */
const UNSCHEDULED = -1;

/** One symbol's book, as the published updates built it. */
interface HeldBook {
  readonly ticker: string;
  readonly tickerUtf8: Uint8Array;
  /** Price -> size, unsorted. */
  readonly bids: LevelTable;
  readonly asks: LevelTable;
  /** Header fields of the last update applied: a republished snapshot carries them. */
  sequence: number;
  timestampMs: number;
  timestampSubMsNanos: number;
  receivedMs: number;
  receivedSubMsNanos: number;
  /** Monotonic ms at which a snapshot is next due, or {@link UNSCHEDULED}. */
  dueMs: number;
}

/**
 * Every symbol's held book, and which are due for a republished snapshot.
 *
 * @example
 * ```ts
 * const held = new HeldBooks(5_000, 10_000);
 * held.apply(frame); // after each published update
 * // on a timer: republish the books due now
 * held.publishDue(performance.now(), 4, (ticker) => sync.isSynced(ticker), outFrame, publish);
 * ```
 * @internal
 */
export class HeldBooks {
  readonly #books = new Map<string, HeldBook>();
  #levelsOverCap = 0;

  /**
   * @param intervalMs - time between two snapshots of one book.
   * @param maxLevels - levels held per side; the worst beyond it are dropped and counted, when a side reaches twice
   *   the cap and when a snapshot is built.
   * @param depth - levels per side a refresh snapshot carries, best first (at least 1). Binance's diff stream moves
   *   levels far below the subscribed depth and Coinbase sends whole books, so a held book can hold thousands of
   *   levels; a refresh carries what a fresh snapshot at the subscribed depth would, not the whole book every
   *   interval.
   */
  constructor(
    readonly intervalMs: number,
    readonly maxLevels: number,
    readonly depth: number,
  ) {}

  /** Levels dropped because a held side grew past `maxLevels` (a refresh still carries the best levels exactly). */
  get levelsOverCap(): number {
    return this.#levelsOverCap;
  }

  /** Books held. */
  get size(): number {
    return this.#books.size;
  }

  /** Applies one published update, as a subscriber does: a snapshot replaces the book, a delta sets levels. */
  apply(frame: BookFrame): void {
    let book = this.#books.get(frame.ticker);
    if (book === undefined) {
      book = {
        ticker: frame.ticker,
        tickerUtf8: frame.tickerUtf8,
        bids: new LevelTable(),
        asks: new LevelTable(),
        sequence: 0,
        timestampMs: 0,
        timestampSubMsNanos: 0,
        receivedMs: 0,
        receivedSubMsNanos: 0,
        dueMs: UNSCHEDULED,
      };
      this.#books.set(frame.ticker, book);
    }
    if (frame.isSnapshot) {
      book.bids.clear();
      book.asks.clear();
      // A venue snapshot was just published: the next republish is an interval from now.
      book.dueMs = UNSCHEDULED;
    }
    this.#applySide(book.bids, frame.bids, true);
    this.#applySide(book.asks, frame.asks, false);
    book.sequence = frame.sequence;
    book.timestampMs = frame.timestampMs;
    book.timestampSubMsNanos = frame.timestampSubMsNanos;
    book.receivedMs = frame.receivedMs;
    book.receivedSubMsNanos = frame.receivedSubMsNanos;
  }

  /** Forgets every book (a reconnect voided them: each comes back with its symbol's next venue snapshot). */
  clear(): void {
    this.#books.clear();
  }

  /**
   * Republishes the books due at `nowMs` whose symbol is in sync, at most `limit` of them (the rest wait for
   * the next call, so many symbols synced at once do not publish in one burst): for each, fills `frame` as a
   * snapshot of the held levels, best first, with the header of the last update applied, and calls `publish`.
   * A book out of sync is skipped: its next venue snapshot replaces it and schedules it again.
   *
   * @param publish - sends the frame; false when the encoder or the transport refused it.
   * @returns how many snapshots were published (refused ones are not counted).
   */
  publishDue(
    nowMs: number,
    limit: number,
    synced: (ticker: string) => boolean,
    frame: BookFrame,
    publish: (frame: BookFrame) => boolean,
  ): number {
    let published = 0;
    for (const book of this.#books.values()) {
      if (book.dueMs === UNSCHEDULED) {
        book.dueMs = nowMs + this.intervalMs;
        continue;
      }
      if (published >= limit || nowMs < book.dueMs || !synced(book.ticker)) continue;
      book.dueMs = nowMs + this.intervalMs;
      this.#fillSnapshot(frame, book);
      if (publish(frame)) published++;
    }
    return published;
  }

  #applySide(side: LevelTable, levels: BookLevels, bids: boolean): void {
    const values = levels.values;
    for (let i = 0, end = levels.count * 2; i < end; i += 2) {
      const price = values[i]!;
      const size = values[i + 1]!;
      if (size === 0) side.delete(price);
      else side.set(price, size);
    }
    // An unsorted side is trimmed in bulk, when it holds twice the cap: a sort per trim, not per level.
    if (side.size > 2 * this.maxLevels) this.#trim(side, bids);
  }

  /** Sorts a side's prices best first and drops (counting) the levels beyond `maxLevels`. */
  #trim(side: LevelTable, bids: boolean): number[] {
    const prices = side.prices().sort(bids ? descending : ascending);
    for (let i = this.maxLevels; i < prices.length; i++) {
      side.delete(prices[i]!);
      this.#levelsOverCap++;
    }
    if (prices.length > this.maxLevels) prices.length = this.maxLevels;
    return prices;
  }

  #fillSnapshot(frame: BookFrame, book: HeldBook): void {
    frame.ticker = book.ticker;
    frame.tickerUtf8 = book.tickerUtf8;
    frame.isSnapshot = true;
    frame.isRefresh = true;
    frame.sequence = book.sequence;
    frame.timestampMs = book.timestampMs;
    frame.timestampSubMsNanos = book.timestampSubMsNanos;
    frame.receivedMs = book.receivedMs;
    frame.receivedSubMsNanos = book.receivedSubMsNanos;
    this.#fillSide(frame.bids, book.bids, true);
    this.#fillSide(frame.asks, book.asks, false);
  }

  #fillSide(out: BookLevels, side: LevelTable, bids: boolean): void {
    out.clear();
    const prices = this.#trim(side, bids);
    const count = Math.min(this.depth, prices.length);
    for (let i = 0; i < count; i++) out.push(prices[i]!, side.get(prices[i]!));
  }
}

/** Hash seeds: a double's two 32-bit halves, read through one scratch word. */
const scratch = new Float64Array(1);
const halves = new Uint32Array(scratch.buffer);

/**
 * Price -> size: open addressing with linear probing over typed arrays, at most half full, deleted by shifting
 * the run back (no tombstones). Prices are finite and sizes positive (the sync machines emit nothing else), so a
 * size of 0 marks an empty slot. @internal
 */
export class LevelTable {
  #prices = new Float64Array(64);
  #sizes = new Float64Array(64);
  #mask = 63;
  /** 32 - log2(capacity): the hash's top bits pick the slot (a multiply's low bits mix poorly). */
  #shift = 26;
  #count = 0;

  /** Levels held. */
  get size(): number {
    return this.#count;
  }

  /** The size at `price`, or 0 when there is none. */
  get(price: number): number {
    const slot = this.#find(price);
    return slot < 0 ? 0 : this.#sizes[slot]!;
  }

  /** Sets the size (> 0) at `price`. */
  set(price: number, size: number): void {
    const prices = this.#prices;
    const sizes = this.#sizes;
    const mask = this.#mask;
    let slot = this.#home(price);
    while (sizes[slot] !== 0) {
      if (prices[slot] === price) {
        sizes[slot] = size;
        return;
      }
      slot = (slot + 1) & mask;
    }
    prices[slot] = price + 0; // -0 is stored as 0, the price it equals
    sizes[slot] = size;
    if (++this.#count * 2 > mask + 1) this.#grow();
  }

  /** Removes the level at `price`, if any. */
  delete(price: number): void {
    let hole = this.#find(price);
    if (hole < 0) return;
    const prices = this.#prices;
    const sizes = this.#sizes;
    const mask = this.#mask;
    // Backward-shift: every later entry of the run whose home is not in (hole, slot] moves into the hole.
    let slot = hole;
    for (;;) {
      slot = (slot + 1) & mask;
      if (sizes[slot] === 0) break;
      const home = this.#home(prices[slot]!);
      const stays = hole <= slot ? hole < home && home <= slot : hole < home || home <= slot;
      if (stays) continue;
      prices[hole] = prices[slot]!;
      sizes[hole] = sizes[slot]!;
      hole = slot;
    }
    sizes[hole] = 0;
    this.#count--;
  }

  /** Empties the table, keeping its storage. */
  clear(): void {
    if (this.#count === 0) return;
    this.#sizes.fill(0);
    this.#count = 0;
  }

  /** Every price held, in no order (a new array). */
  prices(): number[] {
    const out: number[] = [];
    const sizes = this.#sizes;
    for (let i = 0; i < sizes.length; i++) if (sizes[i] !== 0) out.push(this.#prices[i]!);
    return out;
  }

  #find(price: number): number {
    const prices = this.#prices;
    const sizes = this.#sizes;
    const mask = this.#mask;
    let slot = this.#home(price);
    while (sizes[slot] !== 0) {
      if (prices[slot] === price) return slot;
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  #home(price: number): number {
    // + 0 turns -0 into 0: the two are one price (===) and must hash alike.
    scratch[0] = price + 0;
    return Math.imul(halves[0]! ^ Math.imul(halves[1]!, 0x9e3779b1), 0x85ebca6b) >>> this.#shift;
  }

  #grow(): void {
    const prices = this.#prices;
    const sizes = this.#sizes;
    this.#prices = new Float64Array(prices.length * 2);
    this.#sizes = new Float64Array(sizes.length * 2);
    this.#mask = prices.length * 2 - 1;
    this.#shift--;
    this.#count = 0;
    for (let i = 0; i < sizes.length; i++) if (sizes[i] !== 0) this.set(prices[i]!, sizes[i]!);
  }
}
