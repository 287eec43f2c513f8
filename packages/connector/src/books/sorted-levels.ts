/**
 * The sorted structure behind every book: `sorted-btree`'s B+ tree keyed by
 * price. It ships as CommonJS with the class on `exports.default`, which
 * Node's ESM loader exposes as `default.default` and bundlers as `default`.
 */
import * as sortedBtree from 'sorted-btree';

type BTreeClass = typeof sortedBtree.default;
const nested = (sortedBtree.default as unknown as { default?: BTreeClass }).default;

/** The `BTree` class, whichever way the module loader presented it. @internal */
export const BTree: BTreeClass = nested ?? sortedBtree.default;

/** Ascending price order (asks: best first). @internal */
export const ascending = (a: number, b: number): number => a - b;
/** Descending price order (bids: best first). @internal */
export const descending = (a: number, b: number): number => b - a;
