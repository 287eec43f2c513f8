import { describe, expect, it } from 'vitest';
import { TradeSide, tradeSideName } from './trade-data.js';

describe('TradeSide', () => {
  it('numbers sides as the schema enum does', () => {
    expect([TradeSide.buy, TradeSide.sell, TradeSide.unknown]).toEqual([0, 1, 2]);
  });

  it('names every side', () => {
    expect(tradeSideName(TradeSide.buy)).toBe('buy');
    expect(tradeSideName(TradeSide.sell)).toBe('sell');
    expect(tradeSideName(TradeSide.unknown)).toBe('unknown');
  });
});
