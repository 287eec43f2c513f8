/**
 * The book a sync machine keeps to verify a venue checksum: levels keyed by
 * price, each remembering the venue's own price and size text, since both
 * Kraken and OKX checksum the text, not the number.
 */
import type BTreeType from 'sorted-btree';
import { ascending, descending, newLevels } from './sorted-levels.js';

/** The venue's text of one level. @internal */
export interface TextLevel {
  price: string;
  size: string;
  /** The checksum bytes a venue machine derived from the texts, kept with the level so each is built once. */
  digits: Uint8Array | undefined;
  /** What `digits` was built for (the machine's own key, e.g. its precisions); -1 when not built. */
  digitsKey: number;
}

/** One side of a kept book, best first. @internal */
export class KeptSide {
  // Private: the tree's type would reach the declarations, and sorted-btree's default export does not resolve as a
  // type for ESM consumers under node16 resolution.
  readonly #levels: BTreeType<number, TextLevel>;
  #version = 0;

  constructor(readonly bids: boolean) {
    this.#levels = newLevels<TextLevel>(bids ? descending : ascending);
  }

  /** Changes with every edit, so a checksum text built from the side can tell whether it is still current. */
  get version(): number {
    return this.#version;
  }

  /** Removes every level. */
  clear(): void {
    this.#levels.clear();
    this.#version++;
  }

  /** Sets or (size 0) removes a level. */
  set(price: number, size: number, priceText: string, sizeText: string): void {
    this.#version++;
    if (size === 0) this.#levels.delete(price);
    else this.#levels.set(price, { price: priceText, size: sizeText, digits: undefined, digitsKey: -1 });
  }

  /** Removes the worst levels beyond `depth`, calling `removed` with each removed price. */
  truncate(depth: number, removed: (price: number) => void): void {
    while (this.#levels.size > depth) {
      const worst = this.#levels.maxKey()!;
      this.#levels.delete(worst);
      this.#version++;
      removed(worst);
    }
  }

  /** The best `n` levels' texts, best first. */
  top(n: number): TextLevel[] {
    const out: TextLevel[] = [];
    if (n <= 0) return out;
    this.#levels.forEachPair((_price, level) => {
      out.push(level);
      return out.length >= n ? { break: true } : undefined;
    });
    return out;
  }
}
