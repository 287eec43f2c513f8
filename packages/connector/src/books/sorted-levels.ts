/**
 * The sorted structure behind `OrderBook` and deep kept books: `sorted-btree`'s
 * B+ tree keyed by price (a short kept side is a sorted array: `kept-book.ts`). The
 * package is CommonJS; it is `require`d at the first book rather than
 * imported, because an ES import makes Node lex its whole source for export
 * names, which cost `marketpipe run` and `--help` tens of milliseconds of
 * start-up on Node 20 even without books (docs/design/startup.md).
 */
import { createRequire } from 'node:module';
import type BTreeType from 'sorted-btree';

type BTreeClass = typeof BTreeType;

let loaded: BTreeClass | undefined;

/** A new, empty tree of price levels in `order`, loading `sorted-btree` on the first call. @internal */
export function newLevels<V>(order: (a: number, b: number) => number): BTreeType<number, V> {
  // CommonJS puts the class on `exports.default`.
  loaded ??= (createRequire(import.meta.url)('sorted-btree') as { default: BTreeClass }).default;
  return new loaded<number, V>(undefined, order);
}

/** Ascending price order (asks: best first). @internal */
export const ascending = (a: number, b: number): number => a - b;
/** Descending price order (bids: best first). @internal */
export const descending = (a: number, b: number): number => b - a;
