/**
 * The held books' price table against a `Map`: any sequence of sets and deletes (prices drawn from a small set, so
 * runs collide and deletes shift them back) leaves the same levels, sizes and count.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LevelTable } from './held-books.js';

const price = fc.oneof(
  fc.integer({ min: 1, max: 300 }).map((n) => n / 4),
  fc.constantFrom(0.5666, 0.5665, 16493.5, 30247.2, 1e-8, 1e6, 0, -0),
);
const op = fc.tuple(fc.boolean(), price, fc.double({ min: 0.001, max: 1e6, noNaN: true }));

describe('LevelTable', () => {
  it('holds what a Map holds after any sets and deletes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 2_000 }), (ops) => {
        const table = new LevelTable();
        const map = new Map<number, number>();
        for (const [set, p, size] of ops) {
          if (set) {
            table.set(p, size);
            map.set(p, size);
          } else {
            table.delete(p);
            map.delete(p);
          }
        }
        expect(table.size).toBe(map.size);
        expect(table.prices().sort((a, b) => a - b)).toEqual([...map.keys()].sort((a, b) => a - b));
        for (const [p, size] of map) expect(table.get(p)).toBe(size);
        table.clear();
        expect(table.size).toBe(0);
        expect(table.prices()).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
