import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asciiBytes } from './byte-json-reader.js';
import {
  booleanAt,
  decimalNumberInto,
  decimalNumberIntoByChunks,
  decimalNumberIntoByDoubles,
  decimalStringInto,
  decimalStringIntoByChunks,
  decimalStringIntoByDoubles,
  digitStringInto,
  digitStringIntoByChunks,
  digitStringIntoByDoubles,
  matchBytes,
  plainStringEnd,
  skipUint,
  uintInto,
  uintIntoByChunks,
  uintIntoByDoubles,
} from './layout-bytes.js';

const ascii = (text: string) => new TextEncoder().encode(text);

/** Both digit loops of each number reader, whichever this Node picked at load: each must hold on every line. */
const READERS = [
  {
    loop: 'doubles',
    uint: uintIntoByDoubles,
    digitString: digitStringIntoByDoubles,
    decimalString: decimalStringIntoByDoubles,
    decimalNumber: decimalNumberIntoByDoubles,
  },
  {
    loop: 'int32 chunks',
    uint: uintIntoByChunks,
    digitString: digitStringIntoByChunks,
    decimalString: decimalStringIntoByChunks,
    decimalNumber: decimalNumberIntoByChunks,
  },
] as const;

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

  it('picks one of the two digit loops for each number reader', () => {
    const picked = READERS.filter((r) => r.uint === uintInto);
    expect(picked).toHaveLength(1);
    expect(picked[0]).toMatchObject({
      digitString: digitStringInto,
      decimalString: decimalStringInto,
      decimalNumber: decimalNumberInto,
    });
  });

  it.each(READERS)(
    'reads integers and digit strings of any length exactly as Number() does ($loop)',
    (reader) => {
      const { uint: uintInto, digitString: digitStringInto } = reader;
      const out = new Float64Array(1);
      // Runs of up to 40 digits: far past 2^53, where the running value is inexact, and around it.
      const digits = fc.oneof(
        fc.stringMatching(/^[1-9][0-9]{0,39}$/),
        fc.bigInt({ min: 2n ** 53n - 1000n, max: 2n ** 53n + 1000n }).map(String),
        fc.constantFrom('0', '9', '999999999', '1000000000', '123456789012345678', '9007199254740991'),
      );
      fc.assert(
        fc.property(digits, (text) => {
          const expected = BigInt(text) > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(text);
          const token = ascii(`${text},`);
          expect(uintInto(token, 0, token.length, out, 0), text).toBe(text === '0' ? 1 : text.length);
          expect(out[0], text).toBe(expected);
          // At the very end of the bytes too, where the loop stops at `end` rather than at a non-digit.
          const bare = ascii(text);
          expect(uintInto(bare, 0, bare.length, out, 0), text).toBe(text === '0' ? 1 : text.length);
          expect(out[0], text).toBe(expected);
          const quoted = ascii(`0${text}"`);
          expect(digitStringInto(quoted, 0, quoted.length, out, 0), text).toBe(text.length + 1);
          expect(out[0], text).toBe(expected);
        }),
        { numRuns: 3000, seed: 7 },
      );
    },
  );

  it.each(READERS)(
    'reads decimal strings and number tokens exactly as Number() does, or refuses them ($loop)',
    (reader) => {
      const { decimalString: decimalStringInto, decimalNumber: decimalNumberInto } = reader;
      const out = new Float64Array(1);
      const decimal = fc.oneof(
        fc.tuple(fc.nat(), fc.stringMatching(/^[0-9]{1,25}$/)).map(([i, f]) => `${i}.${f}`),
        fc
          .tuple(fc.stringMatching(/^[1-9][0-9]{0,19}$/), fc.stringMatching(/^[0-9]{1,19}$/))
          .map(([i, f]) => `${i}.${f}`),
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
    },
  );
});
