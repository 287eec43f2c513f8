/**
 * The book a sync machine keeps to verify a venue checksum: levels keyed by
 * price, each remembering what the venue's checksum is computed from (Kraken
 * and OKX checksum the venue's texts, not the numbers).
 */
import type BTreeType from 'sorted-btree';
import { ascending, descending, newLevels } from './sorted-levels.js';

/** The venue's text of one level (OKX, whose checksum joins the texts). @internal */
export interface TextLevel {
  price: string;
  size: string;
}

/** Levels a side holds in sorted arrays before it moves them into a tree (see {@link KeptSide}). */
const DEFAULT_ARRAY_LEVELS = 512;

/** Ends a `forEachPair` walk. */
const STOP = { break: true } as const;

/**
 * One side of a kept book, best first, holding a level value of the venue machine's choice per price.
 *
 * Up to `arrayLevels` levels (Kraken keeps the subscribed depth, 10 by default; OKX 400 levels) the side is a sorted
 * pair of arrays: a binary search, a replace for a level that changes size, and a copy for `top`, where a B+ tree
 * pays comparator calls and a callback walk (Kraken's update 12% faster, OKX's 25%). Every insert or removal moves
 * the tail, though, ~1.1 µs at 1 000 levels against ~0.29 µs in the tree, so a side that grows past `arrayLevels`
 * moves into `sorted-btree` until it is next cleared (docs/design/book-paths.md). @internal
 */
export class KeptSide<L = TextLevel> {
  /** Prices, best first (descending for bids, ascending for asks), while the side is short. */
  readonly #prices: number[] = [];
  /** The level at each price of {@link KeptSide.#prices}. */
  readonly #levels: L[] = [];
  /** Every level, once the side has grown past {@link KeptSide.arrayLevels}; the arrays are empty meanwhile. */
  // Private: the tree's type would reach the declarations, and sorted-btree's default export does not resolve as a
  // type for ESM consumers under node16 resolution.
  #tree: BTreeType<number, L> | undefined;
  #version = 0;

  /**
   * @param bids - true for the bids (best = highest price), false for the asks.
   * @param arrayLevels - levels held in the sorted arrays before the side moves into a tree (default 512).
   */
  constructor(
    readonly bids: boolean,
    readonly arrayLevels = DEFAULT_ARRAY_LEVELS,
  ) {}

  /** Changes with every edit, so a checksum text built from the side can tell whether it is still current. */
  get version(): number {
    return this.#version;
  }

  /** Levels on this side. */
  get size(): number {
    return this.#tree === undefined ? this.#prices.length : this.#tree.size;
  }

  /** Removes every level (a deep side goes back to the arrays). */
  clear(): void {
    this.#prices.length = 0;
    this.#levels.length = 0;
    this.#tree = undefined;
    this.#version++;
  }

  /** Sets the level at `price`. */
  put(price: number, level: L): void {
    this.#version++;
    if (this.#tree !== undefined) {
      this.#tree.set(price, level);
      return;
    }
    const at = this.#find(price);
    if (at < this.#prices.length && this.#prices[at] === price) {
      this.#levels[at] = level;
    } else if (this.#prices.length < this.arrayLevels) {
      this.#prices.splice(at, 0, price);
      this.#levels.splice(at, 0, level);
    } else {
      this.#moveToTree().set(price, level);
    }
  }

  /** Removes the level at `price`, if any. */
  remove(price: number): void {
    this.#version++;
    if (this.#tree !== undefined) {
      this.#tree.delete(price);
      return;
    }
    const at = this.#find(price);
    if (at < this.#prices.length && this.#prices[at] === price) {
      this.#prices.splice(at, 1);
      this.#levels.splice(at, 1);
    }
  }

  /** Removes the worst levels beyond `depth`, calling `removed` with each removed price. */
  truncate(depth: number, removed: (price: number) => void): void {
    const tree = this.#tree;
    if (tree !== undefined) {
      while (tree.size > depth) {
        const worst = tree.maxKey()!;
        tree.delete(worst);
        this.#version++;
        removed(worst);
      }
      return;
    }
    while (this.#prices.length > depth) {
      const worst = this.#prices.pop()!;
      this.#levels.pop();
      this.#version++;
      removed(worst);
    }
  }

  /**
   * The best `n` levels, best first, in an array of this side's that the next call overwrites: read it before
   * calling again (the checksums run per message, so no array is made per call).
   */
  top(n: number): readonly L[] {
    const out = this.#top;
    if (this.#tree !== undefined) {
      out.length = 0;
      if (n <= 0) return out;
      this.#topWanted = n;
      this.#tree.forEachPair(this.#collectTop);
      return out;
    }
    const count = Math.max(0, Math.min(n, this.#levels.length));
    out.length = count;
    for (let i = 0; i < count; i++) out[i] = this.#levels[i]!;
    return out;
  }

  readonly #top: L[] = [];
  #topWanted = 0;
  readonly #collectTop = (_price: number, level: L): { break: true } | undefined => {
    this.#top.push(level);
    return this.#top.length >= this.#topWanted ? STOP : undefined;
  };

  /** Moves the arrays' levels into a tree (best first, as the arrays hold them) and empties the arrays. */
  #moveToTree(): BTreeType<number, L> {
    const tree = newLevels<L>(this.bids ? descending : ascending);
    for (let i = 0; i < this.#prices.length; i++) tree.set(this.#prices[i]!, this.#levels[i]!);
    this.#prices.length = 0;
    this.#levels.length = 0;
    this.#tree = tree;
    return tree;
  }

  /** The index of `price` in the arrays, or where it would be inserted: the first level not better than it. */
  #find(price: number): number {
    const prices = this.#prices;
    let low = 0;
    let high = prices.length;
    if (this.bids) {
      while (low < high) {
        const mid = (low + high) >>> 1;
        if (prices[mid]! > price) low = mid + 1;
        else high = mid;
      }
    } else {
      while (low < high) {
        const mid = (low + high) >>> 1;
        if (prices[mid]! < price) low = mid + 1;
        else high = mid;
      }
    }
    return low;
  }
}

/** Sets (or, size 0, removes) a level with the venue's texts. @internal */
export function setTexts(
  side: KeptSide<TextLevel>,
  price: number,
  size: number,
  priceText: string,
  sizeText: string,
): void {
  if (size === 0) side.remove(price);
  else side.put(price, { price: priceText, size: sizeText });
}
