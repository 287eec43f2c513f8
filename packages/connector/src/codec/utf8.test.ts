import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8ByteLength, writeUtf8 } from './utf8.js';

const encoder = new TextEncoder();
/** Any UTF-16 code unit, so lone and swapped surrogates show up often. */
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
const anyUtf16 = fc.oneof(
  fc.string({ unit: anyCodeUnit, maxLength: 64 }),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: 'grapheme', maxLength: 16 }),
);

describe('utf8', () => {
  it('matches TextEncoder byte for byte, lone surrogates included', () => {
    fc.assert(
      fc.property(anyUtf16, fc.nat({ max: 16 }), (text, offset) => {
        const expected = encoder.encode(text);
        expect(utf8ByteLength(text)).toBe(expected.length);
        const target = new Uint8Array(offset + expected.length + 4).fill(0xaa);
        expect(writeUtf8(text, target, offset)).toBe(offset + expected.length);
        expect(target.subarray(offset, offset + expected.length)).toEqual(expected);
        expect(target.subarray(offset + expected.length).every((byte) => byte === 0xaa)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('encodes the boundaries of every UTF-8 length class', () => {
    const samples = ['\u0000', '\u007f', '\u0080', '\u07ff', '\u0800', '\uffff', '\u{10000}', '\u{10ffff}'];
    samples.push('\ud800', '\udfff', '\udc00\ud800', 'a\ud83d', '\ud83d\ude00\ud83d');
    for (const text of samples) {
      const target = new Uint8Array(16);
      const end = writeUtf8(text, target, 0);
      expect(target.subarray(0, end), JSON.stringify(text)).toEqual(encoder.encode(text));
    }
  });
});
