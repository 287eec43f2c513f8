import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonKeepingBigIntegers, RawJsonNumber } from './raw-json-numbers.js';

describe('parseJsonKeepingBigIntegers', () => {
  it('keeps integers beyond 2^53 as text and everything else as JSON.parse gives it', () => {
    const tree = parseJsonKeepingBigIntegers(
      '{"id": 13834774380200032777, "safe": 12, "f": 1.5e3, "s": "#not a number", "k": "$x", "a": [-98765432109876543210, true, null]}',
    ) as Record<string, unknown>;
    expect(tree.id).toEqual(new RawJsonNumber('13834774380200032777'));
    expect(tree.safe).toBe(12);
    expect(tree.f).toBe(1500);
    expect(tree.s).toBe('#not a number');
    expect(tree.k).toBe('$x');
    expect(tree.a).toEqual([new RawJsonNumber('-98765432109876543210'), true, null]);
  });

  it('equals JSON.parse on any JSON without big integers, and throws exactly when JSON.parse throws', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const reference = JSON.parse(text);
        const big = /\d{16,}/.test(text);
        if (!big) expect(parseJsonKeepingBigIntegers(text)).toEqual(reference);
      }),
      { numRuns: 3000, seed: 11 },
    );
    for (const text of ['{1:2}', '{"a":01}', '[1.]', '{"a":1,}']) {
      expect(() => JSON.parse(text)).toThrow();
      expect(() => parseJsonKeepingBigIntegers(text)).toThrow(SyntaxError);
    }
  });
});
