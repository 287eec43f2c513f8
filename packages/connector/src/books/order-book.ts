/**
 * A consumer's level-2 book, rebuilt from published `BookUpdate`s.
 */

import { checkInteger } from '@marketpipe/middleware/internal';
import type BTreeType from 'sorted-btree';
import { crc32 } from '../flusher/crc32.js';
import type { BookLevel, BookUpdate } from './book-data.js';
import type { BookView } from './book-view.js';
import { ascending, descending, newLevels } from './sorted-levels.js';

/** Options for {@link OrderBook}. */
export interface OrderBookOptions {
  /**
   * Most levels kept per side (default 100 000). When a side grows past it the worst levels are dropped
   * and counted in {@link OrderBook.droppedLevels}; the best levels stay exact.
   */
  maxLevels?: number;
}

/** Both sides of a book to some depth, best first. */
export interface BookDepth {
  bids: BookLevel[];
  asks: BookLevel[];
}

/**
 * Applies {@link BookUpdate}s in order: a snapshot replaces the book, a delta
 * sets each listed level's size, and size 0 removes the level. Levels live in
 * two B+ trees (`sorted-btree`), so best price, insert and removal are
 * O(log n) and depth reads walk from the best level.
 *
 * @example
 * ```ts
 * const book = new OrderBook();
 * const view = new BookView();
 * for await (const msg of subscription) {
 *   book.applyView(view.wrap(msg.data));
 *   const bid = book.bestBid();
 *   const ask = book.bestAsk();
 *   console.log(`${view.ticker} ${bid?.size}@${bid?.price} / ${ask?.size}@${ask?.price}`);
 * }
 * ```
 */
export class OrderBook {
  /** Most levels kept per side. */
  readonly maxLevels: number;
  readonly #bids: BTreeType<number, number> = newLevels<number>(descending);
  readonly #asks: BTreeType<number, number> = newLevels<number>(ascending);
  #sequence = 0n;
  #updates = 0;
  #snapshots = 0;
  #droppedLevels = 0;
  #invalidLevels = 0;
  #refreshesSkipped = 0;
  /** True from a snapshot until {@link OrderBook.clear}. */
  #holds = false;

  constructor(options: OrderBookOptions = {}) {
    const maxLevels = checkInteger('maxLevels', options.maxLevels ?? 100_000, 1);
    this.maxLevels = maxLevels;
  }

  /** Sequence of the last update applied (0n before any). */
  get sequence(): bigint {
    return this.#sequence;
  }

  /** Updates applied, snapshots included. */
  get updates(): number {
    return this.#updates;
  }

  /** Snapshots applied. */
  get snapshots(): number {
    return this.#snapshots;
  }

  /** Refreshes skipped because this book was already at their sequence (see {@link OrderBook.applyView}). */
  get refreshesSkipped(): number {
    return this.#refreshesSkipped;
  }

  /** Levels dropped because a side exceeded `maxLevels`. */
  get droppedLevels(): number {
    return this.#droppedLevels;
  }

  /** Levels skipped because their price was not finite or their size was negative or NaN. */
  get invalidLevels(): number {
    return this.#invalidLevels;
  }

  /** Number of bid levels held. */
  get bidCount(): number {
    return this.#bids.size;
  }

  /** Number of ask levels held. */
  get askCount(): number {
    return this.#asks.size;
  }

  /**
   * Applies the update a {@link BookView} is wrapped around, without copying it. A refresh (`isRefresh`) at the
   * sequence this book is already at is skipped (counted in {@link OrderBook.refreshesSkipped}): the book holds it,
   * with deeper levels than a refresh carries. Any other refresh replaces the book, like a snapshot: the book of a
   * subscriber that started late, or one that missed an update.
   */
  applyView(view: BookView): void {
    if (view.isRefresh && this.#holdsAt(view.sequence)) return;
    if (view.isSnapshot) this.clear();
    for (let i = 0; i < view.bidCount; i++) this.#set(this.#bids, view.bidPrice(i), view.bidSize(i));
    for (let i = 0; i < view.askCount; i++) this.#set(this.#asks, view.askPrice(i), view.askSize(i));
    this.#finish(view.isSnapshot, view.sequence);
  }

  /** Applies an update in the convenient form (a refresh as {@link OrderBook.applyView} says). */
  apply(update: BookUpdate): void {
    if (update.isRefresh === true && this.#holdsAt(update.sequence)) return;
    if (update.isSnapshot) this.clear();
    for (const level of update.bids) this.#set(this.#bids, level.price, level.size);
    for (const level of update.asks) this.#set(this.#asks, level.price, level.size);
    this.#finish(update.isSnapshot, update.sequence);
  }

  /** Empties both sides. */
  clear(): void {
    this.#holds = false;
    this.#bids.clear();
    this.#asks.clear();
  }

  /** The best (highest) bid, or undefined when there is none. */
  bestBid(): BookLevel | undefined {
    const price = this.#bids.minKey();
    return price === undefined ? undefined : { price, size: this.#bids.get(price)! };
  }

  /** The best (lowest) ask, or undefined when there is none. */
  bestAsk(): BookLevel | undefined {
    const price = this.#asks.minKey();
    return price === undefined ? undefined : { price, size: this.#asks.get(price)! };
  }

  /** The best `levels` bids, best first (all of them by default). */
  bids(levels = Number.POSITIVE_INFINITY): BookLevel[] {
    return take(this.#bids, levels);
  }

  /** The best `levels` asks, best first (all of them by default). */
  asks(levels = Number.POSITIVE_INFINITY): BookLevel[] {
    return take(this.#asks, levels);
  }

  /** Both sides to `levels` deep. */
  depth(levels: number): BookDepth {
    return { bids: this.bids(levels), asks: this.asks(levels) };
  }

  /**
   * A CRC32 (unsigned) over the top `levels` of each side, for comparing two
   * books in tests: `bid price:size` then `ask price:size`, alternating,
   * joined by `:` (the OKX layout), numbers in JavaScript's shortest form.
   * Equal books give equal checksums; it is not any venue's own checksum.
   */
  checksum(levels = 25): number {
    const bids = this.bids(levels);
    const asks = this.asks(levels);
    const parts: string[] = [];
    for (let i = 0; i < Math.max(bids.length, asks.length); i++) {
      const bid = bids[i];
      const ask = asks[i];
      if (bid !== undefined) parts.push(`${bid.price}:${bid.size}`);
      if (ask !== undefined) parts.push(`${ask.price}:${ask.size}`);
    }
    return crc32(parts.join(':')) >>> 0;
  }

  #set(side: BTreeType<number, number>, price: number, size: number): void {
    if (!Number.isFinite(price) || !(size >= 0)) {
      this.#invalidLevels++;
      return;
    }
    if (size === 0) {
      side.delete(price);
      return;
    }
    side.set(price, size);
    if (side.size > this.maxLevels) {
      side.delete(side.maxKey()!);
      this.#droppedLevels++;
    }
  }

  #finish(isSnapshot: boolean, sequence: bigint): void {
    this.#sequence = sequence;
    this.#updates++;
    if (isSnapshot) {
      this.#snapshots++;
      this.#holds = true;
    }
  }

  /** True when this book holds a snapshot's book, updated to `sequence`; a refresh there is skipped and counted. */
  #holdsAt(sequence: bigint): boolean {
    if (!this.#holds || sequence !== this.#sequence) return false;
    this.#refreshesSkipped++;
    return true;
  }
}

function take(side: BTreeType<number, number>, levels: number): BookLevel[] {
  const out: BookLevel[] = [];
  if (levels <= 0) return out;
  side.forEachPair((price, size) => {
    out.push({ price, size });
    if (out.length >= levels) return { break: true };
    return undefined;
  });
  return out;
}
