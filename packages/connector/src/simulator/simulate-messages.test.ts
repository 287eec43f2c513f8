import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import { describe, expect, it } from 'vitest';
import { MarketWalk } from './market-walk.js';
import { simulateMessages } from './simulate-messages.js';
import type { SimTrade, VenueEmulation } from './venue-emulation.js';

/** Formats trades as JSON of the SimTrade fields, so the test can read back exactly what the walk produced. */
const echo: VenueEmulation = {
  venue: 'kraken',
  maxTradesPerMessage: 5,
  formatTrades: (trades) => JSON.stringify(trades),
  respondTo: () => [],
  controlMessages: () => [],
};

function parse(message: string): SimTrade[] {
  return JSON.parse(message) as SimTrade[];
}

describe('simulateMessages', () => {
  it('is deterministic per seed', () => {
    const a = [...simulateMessages(echo, ['X', 'Y'], 200, 7)];
    const b = [...simulateMessages(echo, ['X', 'Y'], 200, 7)];
    const c = [...simulateMessages(echo, ['X', 'Y'], 200, 8)];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.length).toBe(200);
  });

  it('produces realistic batches: one symbol each, 1..max trades, contiguous ids, walking prices', () => {
    const messages = [...simulateMessages(echo, ['X', 'Y', 'Z'], 2000, 3)].map(parse);
    const lastId = new Map<string, number>();
    const sizes = new Set<number>();
    for (const trades of messages) {
      sizes.add(trades.length);
      expect(new Set(trades.map((t) => t.symbol)).size).toBe(1);
      for (const trade of trades) {
        const previous = lastId.get(trade.symbol);
        if (previous !== undefined) expect(trade.tradeId).toBe(previous + 1);
        lastId.set(trade.symbol, trade.tradeId);
        expect(trade.price).toMatch(/^\d+\.\d+$/);
        expect(trade.size).toMatch(/^\d+\.\d+$/);
        expect(Number(trade.price)).toBeGreaterThan(0);
        expect(Number(trade.size)).toBeGreaterThan(0);
        expect(['buy', 'sell']).toContain(trade.side);
      }
    }
    expect([...sizes].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(lastId.size).toBe(3);
    const xPrices = messages
      .flat()
      .filter((t) => t.symbol === 'X')
      .map((t) => t.price);
    expect(new Set(xPrices).size).toBeGreaterThan(10);
  });

  it('advances trade time by stepMicros from startMs', () => {
    const messages = [...simulateMessages(echo, ['X'], 5, 1, { startMs: 1000, stepMicros: 600 })].map(parse);
    expect(messages.map((m) => [m[0]?.timestampMs, m[0]?.timestampMicros])).toEqual([
      [1000, 0],
      [1000, 600],
      [1001, 200],
      [1001, 800],
      [1002, 400],
    ]);
  });

  it('caps trades per message and validates its arguments at the call', () => {
    const messages = [...simulateMessages(echo, ['X'], 100, 1, { maxTradesPerMessage: 1 })].map(parse);
    expect(messages.every((m) => m.length === 1)).toBe(true);
    expect(() => simulateMessages(echo, ['X'], -1, 1)).toThrow(InvalidArgumentError);
    expect(() => simulateMessages(echo, [], 1, 1)).toThrow(InvalidArgumentError);
    expect(() => simulateMessages(echo, ['X'], 1, 1, { stepMicros: 0.5 })).toThrow(InvalidArgumentError);
  });
});

describe('MarketWalk skips', () => {
  it('counts every skipped id, so gaps computed from the first ids match exactly', () => {
    const walk = new MarketWalk(['X', 'Y'], {
      venue: 'kraken',
      seed: 5,
      maxTradesPerMessage: 3,
      skipProbability: 0.1,
    });
    const next = walk.firstTradeIds();
    const gaps = new Map([
      ['X', 0],
      ['Y', 0],
    ]);
    for (let i = 0; i < 1000; i++) {
      if (i === 500) walk.skipTradeIds('Y', 11);
      for (const trade of walk.nextBatch(0, 0)) {
        const expected = next.get(trade.symbol) as number;
        gaps.set(trade.symbol, (gaps.get(trade.symbol) as number) + trade.tradeId - expected);
        next.set(trade.symbol, trade.tradeId + 1);
      }
    }
    expect(gaps).toEqual(walk.skippedTradeIds());
    expect(walk.skippedTradeIds().get('Y')).toBeGreaterThan(11);
  });

  it('does not change the market when faults are enabled', () => {
    const plain = new MarketWalk(['X'], {
      venue: 'kraken',
      seed: 5,
      maxTradesPerMessage: 3,
      skipProbability: 0,
    });
    const faulty = new MarketWalk(['X'], {
      venue: 'kraken',
      seed: 5,
      maxTradesPerMessage: 3,
      skipProbability: 0.5,
    });
    for (let i = 0; i < 100; i++) {
      const a = plain.nextBatch(0, 0).map((t) => `${t.price}/${t.size}/${t.side}`);
      const b = faulty.nextBatch(0, 0).map((t) => `${t.price}/${t.size}/${t.side}`);
      expect(b).toEqual(a);
    }
  });
});
