import { describe, expect, it } from 'vitest';
import { formatCount } from './units.js';

describe('formatCount', () => {
  it('groups digits exactly as en-US toLocaleString does, without loading ICU', () => {
    const values = [
      0, 1, 12, 123, 999, 1000, 1234.4, 1234.5, 12_345, 999_999, 1_000_000, 1_234_567_890, -1, -999,
    ];
    values.push(-1000, -1234567.6, Number.MAX_SAFE_INTEGER, 1e20, 1e21, Number.NaN, Number.POSITIVE_INFINITY);
    for (let digits = 1; digits <= 16; digits++) values.push(Math.floor(Math.random() * 10 ** digits));
    for (const value of values) {
      expect(formatCount(value), String(value)).toBe(Math.round(value).toLocaleString('en-US'));
    }
  });
});
