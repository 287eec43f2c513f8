import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeptSide } from './kept-book.js';

type Op =
  | { kind: 'put'; price: number; tag: number }
  | { kind: 'remove'; price: number }
  | { kind: 'truncate'; depth: number }
  | { kind: 'clear' };

// Few distinct prices, so puts replace, removes hit and truncates cut.
const price = fc.oneof(fc.integer({ min: -3, max: 40 }), fc.constantFrom(0.5, -0, 1e-9, 1e15));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('put' as const), price, tag: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('remove' as const), price }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), depth: fc.nat({ max: 12 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

/** The reference: a Map, sorted on every read. */
function referenceTop(book: Map<number, number>, bids: boolean, n: number): number[] {
  const prices = [...book.keys()].sort((a, b) => (bids ? b - a : a - b));
  return prices.slice(0, n).map((p) => book.get(p)!);
}

describe('KeptSide', () => {
  it('keeps the same best-first levels as a sorted map, through puts, removes, truncates and clears', () => {
    fc.assert(
      // A small `arrayLevels` moves the side between its arrays and its tree within one run; 512 is the default.
      fc.property(
        fc.boolean(),
        fc.constantFrom(1, 3, 8, 512),
        fc.array(op, { maxLength: 200 }),
        (bids, arrayLevels, ops) => {
          const side = new KeptSide<{ tag: number }>(bids, arrayLevels);
          const reference = new Map<number, number>();
          let version = side.version;
          for (const o of ops) {
            if (o.kind === 'put') {
              side.put(o.price, { tag: o.tag });
              reference.set(o.price, o.tag);
            } else if (o.kind === 'remove') {
              side.remove(o.price);
              reference.delete(o.price);
            } else if (o.kind === 'truncate') {
              const removed: number[] = [];
              side.truncate(o.depth, (p) => removed.push(p));
              const expected = [...reference.keys()].sort((a, b) => (bids ? b - a : a - b)).slice(o.depth);
              // `+ 0`: a Map keeps -0 as 0, the side keeps the price it was given.
              expect(removed.map((p) => p + 0)).toEqual(expected.reverse());
              for (const p of expected) reference.delete(p);
            } else {
              side.clear();
              reference.clear();
            }
            if (o.kind !== 'truncate') expect(side.version).toBeGreaterThan(version);
            version = side.version;
            expect(side.size).toBe(reference.size);
            const n = (o.kind === 'put' ? o.tag : 7) % 30;
            expect(side.top(n).map((l) => l.tag)).toEqual(referenceTop(reference, bids, n));
          }
        },
      ),
    );
  });

  it('reuses one array for top(): read it before the next call', () => {
    const side = new KeptSide<{ tag: number }>(false);
    side.put(2, { tag: 2 });
    side.put(1, { tag: 1 });
    const first = side.top(10);
    expect(first.map((l) => l.tag)).toEqual([1, 2]);
    expect(side.top(1)).toBe(first);
    expect(first.map((l) => l.tag)).toEqual([1]);
  });
});
