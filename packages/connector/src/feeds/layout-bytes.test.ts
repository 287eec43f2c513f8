import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asciiBytes } from './byte-json-reader.js';
import {
  booleanAt,
  decimalNumberInto,
  decimalStringInto,
  digitStringInto,
  matchBytes,
  plainStringEnd,
  skipUint,
  uintInto,
} from './layout-bytes.js';

const ascii = (text: string) => new TextEncoder().encode(text);

describe('layout byte primitives', () => {
  it('matches a pattern of any length, and rejects a difference at every byte', () => {
    const text = '{"stream":"","data":{"e":"trade","E":';
    for (let length = 1; length <= text.length; length++) {
      const literal = text.slice(0, length);
      const pattern = asciiBytes(literal);
      const bytes = ascii(`ab${literal}z`);
      expect(matchBytes(bytes, 2, bytes.length, pattern)).toBe(2 + length);
      expect(matchBytes(bytes, 2, 1 + length, pattern)).toBe(-1);
      for (let i = 0; i < length; i++) {
        const changed = bytes.slice();
        changed[2 + i] = changed[2 + i]! ^ 0x01;
        expect(matchBytes(changed, 2, changed.length, pattern)).toBe(-1);
      }
    }
  });

  it('reads plain strings, digit strings, integers and booleans, refusing anything else', () => {
    expect(plainStringEnd(ascii('ab"'), 0, 3)).toBe(2);
    for (const text of ['a\\"', 'a\u0001"', 'é"', 'abc']) {
      const bytes = ascii(text);
      expect(plainStringEnd(bytes, 0, bytes.length)).toBe(-1);
    }
    const out = new Float64Array(1);
    expect(digitStringInto(ascii('0123"'), 0, 5, out, 0)).toBe(4);
    expect(out[0]).toBe(123);
    expect(digitStringInto(ascii('9007199254740993"'), 0, 17, out, 0)).toBe(16);
    expect(out[0]).toBe(-1);
    expect(digitStringInto(ascii('12a-f"'), 0, 6, out, 0)).toBe(5);
    expect(out[0]).toBe(-2);
    expect(digitStringInto(ascii('"'), 0, 1, out, 0)).toBe(0);
    expect(out[0]).toBe(-2);
    expect(uintInto(ascii('1700000000000,'), 0, 14, out, 0)).toBe(13);
    expect(out[0]).toBe(1_700_000_000_000);
    expect(uintInto(ascii('123456789012345678901}'), 0, 22, out, 0)).toBe(21);
    expect(out[0]).toBe(-1);
    expect(uintInto(ascii('0123'), 0, 4, out, 0)).toBe(1);
    expect(uintInto(ascii('-1'), 0, 2, out, 0)).toBe(-1);
    expect(skipUint(ascii('42,'), 0, 3)).toBe(2);
    expect(skipUint(ascii('x'), 0, 1)).toBe(-1);
    expect(booleanAt(ascii('true,'), 0, 5)).toBe(1);
    expect(booleanAt(ascii('false'), 0, 5)).toBe(0);
    expect(booleanAt(ascii('fals'), 0, 4)).toBe(-1);
    expect(booleanAt(ascii('tru'), 0, 3)).toBe(-1);
    expect(booleanAt(ascii('null'), 0, 4)).toBe(-1);
  });

  it('reads decimal strings and number tokens exactly as Number() does, or refuses them', () => {
    const out = new Float64Array(1);
    const decimal = fc.oneof(
      fc.tuple(fc.nat(), fc.stringMatching(/^[0-9]{1,25}$/)).map(([i, f]) => `${i}.${f}`),
      fc.stringMatching(/^[1-9][0-9]{0,24}$/),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
      fc.constantFrom('0', '0.0', '-0', '1e400', '1.', '.5', '01', '1e', '+1', '1.5E+2', ''),
      // Mantissas either side of 2^53, where the one-division fast path stops being exact.
      fc.constantFrom(
        '9007199254740991',
        '9007199254740993',
        '0.9007199254740993',
        '900719925474099.1',
        '90071992547409.93',
      ),
    );
    fc.assert(
      fc.property(decimal, (text) => {
        const valid = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text);
        const quoted = ascii(`${text}",`);
        const stringEnd = decimalStringInto(quoted, 0, quoted.length, out, 0);
        expect(stringEnd, text).toBe(valid ? text.length + 1 : -1);
        if (valid) expect(out[0], text).toBe(Number(text));
        const token = ascii(`${text},`);
        const tokenEnd = decimalNumberInto(token, 0, token.length, out, 0);
        // A number token's end is where its grammar stops; the layout's next pattern rejects what follows.
        if (valid) {
          expect(tokenEnd, text).toBe(text.length);
          expect(out[0], text).toBe(Number(text));
        }
      }),
      { numRuns: 3000, seed: 42 },
    );
  });
});
