/**
 * The book a sync machine keeps to verify a venue checksum: levels keyed by
 * price, each remembering what the venue's checksum is computed from (Kraken
 * and OKX checksum the venue's texts, not the numbers).
 */
/** The venue's text of one level (OKX, whose checksum joins the texts). @internal */
export interface TextLevel {
  price: string;
  size: string;
}

/**
 * One side of a kept book, best first, holding a level value of the venue machine's choice per price. A sorted pair
 * of arrays, not a tree: the sides the checksums need are short (Kraken keeps the subscribed depth, 10 by default;
 * OKX 400 levels), where a binary search and a short move cost less than a tree's comparator calls and walks. @internal
 */
export class KeptSide<L = TextLevel> {
  /** Prices, best first (descending for bids, ascending for asks). */
  readonly #prices: number[] = [];
  /** The level at each price of {@link KeptSide.#prices}. */
  readonly #levels: L[] = [];
  #version = 0;

  constructor(readonly bids: boolean) {}

  /** Changes with every edit, so a checksum text built from the side can tell whether it is still current. */
  get version(): number {
    return this.#version;
  }

  /** Levels on this side. */
  get size(): number {
    return this.#prices.length;
  }

  /** Removes every level. */
  clear(): void {
    this.#prices.length = 0;
    this.#levels.length = 0;
    this.#version++;
  }

  /** Sets the level at `price`. */
  put(price: number, level: L): void {
    this.#version++;
    const at = this.#find(price);
    if (at < this.#prices.length && this.#prices[at] === price) {
      this.#levels[at] = level;
    } else {
      this.#prices.splice(at, 0, price);
      this.#levels.splice(at, 0, level);
    }
  }

  /** Removes the level at `price`, if any. */
  remove(price: number): void {
    this.#version++;
    const at = this.#find(price);
    if (at < this.#prices.length && this.#prices[at] === price) {
      this.#prices.splice(at, 1);
      this.#levels.splice(at, 1);
    }
  }

  /** Removes the worst levels beyond `depth`, calling `removed` with each removed price. */
  truncate(depth: number, removed: (price: number) => void): void {
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
    const count = Math.min(n, this.#levels.length);
    out.length = count;
    for (let i = 0; i < count; i++) out[i] = this.#levels[i]!;
    return out;
  }

  readonly #top: L[] = [];

  /** The index of `price`, or where it would be inserted: the first level not better than it. */
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
