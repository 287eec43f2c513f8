import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDecimal, parseDigits } from './decimal-bytes.js';

const encode = (text: string) => new TextEncoder().encode(text);
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

describe('parseDecimal', () => {
  it('gives exactly Number(text) for JSON-grammar decimals of any length', () => {
    const digits = fc.stringMatching(/^\d{1,30}$/);
    const text = fc
      .tuple(fc.boolean(), digits, fc.option(digits), fc.option(fc.integer({ min: -400, max: 400 })))
      .map(([neg, int, frac, exp]) => {
        const whole = int.replace(/^0+(?=\d)/, '');
        return `${neg ? '-' : ''}${whole}${frac === null ? '' : `.${frac}`}${exp === null ? '' : `e${exp}`}`;
      });
    fc.assert(
      fc.property(text, (t) => {
        const bytes = encode(t);
        expect(Object.is(parseDecimal(bytes, 0, bytes.length), Number(t))).toBe(true);
      }),
      { numRuns: 20_000, seed: 42 },
    );
  });

  it('is exact on the fast path for prices with up to 15 significant digits', () => {
    for (const t of [
      '0.001',
      '4149.74000000',
      '0.00001305',
      '105944.20',
      '999999999999999',
      '0.1',
      '0.3',
      '-0',
    ]) {
      const bytes = encode(t);
      expect(Object.is(parseDecimal(bytes, 0, bytes.length), Number(t))).toBe(true);
    }
  });

  it('rejects anything outside the JSON number grammar', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (t) => {
        const bytes = encode(t);
        const value = parseDecimal(bytes, 0, bytes.length);
        if (JSON_NUMBER.test(t)) expect(Object.is(value, Number(t))).toBe(true);
        else expect(value).toBeNaN();
      }),
      { numRuns: 5000, seed: 7 },
    );
    for (const t of ['', '-', '01', '1.', '.5', '+1', '0x10', '1e', 'Infinity', ' 1', '1 ']) {
      const bytes = encode(t);
      expect(parseDecimal(bytes, 0, bytes.length)).toBeNaN();
    }
  });
});

describe('parseDigits', () => {
  it('reads safe integers, flags larger ones with -1 and non-digits with -2', () => {
    const digits = (t: string) => parseDigits(encode(t), 0, t.length);
    expect(digits('0')).toBe(0);
    expect(digits('9007199254740991')).toBe(9007199254740991);
    expect(digits('9007199254740992')).toBe(-1);
    expect(digits('2240000000041223438')).toBe(-1);
    expect(digits('')).toBe(-2);
    expect(digits('12a')).toBe(-2);
    expect(digits('-1')).toBe(-2);
  });
});
