import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../sources/seeded-random.js';
import { SimBook } from './sim-book.js';

describe('SimBook', () => {
  it('trades execute against the best levels: the book stays uncrossed, at depth, and each step reports what changed', () => {
    const random = createSeededRandom(9);
    const book = new SimBook('X', 20, 100_000, 50, random, 1);
    let price = 100_000;
    for (let i = 0; i < 5000; i++) {
      price += Math.floor(random() * 5) - 2;
      const buy = random() < 0.5;
      const beforeBids = new Map(book.bids.sizes);
      const beforeAsks = new Map(book.asks.sizes);
      const changes = book.step([{ price, size: 1 + Math.floor(random() * 100), buy }]);
      // The taker's side sits behind the trade price, the side it hit at or beyond it.
      if (buy) {
        expect(book.asks.best()!).toBeGreaterThanOrEqual(price);
        expect(book.bids.best()!).toBeLessThan(price);
      } else {
        expect(book.bids.best()!).toBeLessThanOrEqual(price);
        expect(book.asks.best()!).toBeGreaterThan(price);
      }
      expect(book.bids.prices).toHaveLength(20);
      expect(book.asks.prices).toHaveLength(20);
      expect(changes.bids.size + changes.asks.size).toBeGreaterThan(0);
      // Applying the reported changes to the book before gives the book after.
      for (const [p, s] of changes.bids) s === 0 ? beforeBids.delete(p) : beforeBids.set(p, s);
      for (const [p, s] of changes.asks) s === 0 ? beforeAsks.delete(p) : beforeAsks.set(p, s);
      expect(beforeBids).toEqual(book.bids.sizes);
      expect(beforeAsks).toEqual(book.asks.sizes);
    }
    expect(book.steps).toBe(5000);
  });

  it('keeps the book of 16 steps before for stale snapshots', () => {
    const book = new SimBook('X', 5, 1000, 10, createSeededRandom(1), 7);
    const first = book.frozen();
    for (let i = 0; i < 16; i++) book.step([{ price: 1000 + i, size: 3, buy: true }]);
    expect(book.stale().bids.sizes).toEqual(first.bids.sizes);
    expect(book.stale().asks.sizes).toEqual(first.asks.sizes);
  });
});
