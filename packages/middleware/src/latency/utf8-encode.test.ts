import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeUtf8Into } from './utf8-encode.js';

const encoder = new TextEncoder();

function encode(str: string): Uint8Array | undefined {
  const out = new Uint8Array(str.length * 3);
  const length = encodeUtf8Into(str, out);
  return length < 0 ? undefined : out.subarray(0, length);
}

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));

describe('encodeUtf8Into', () => {
  it('matches TextEncoder for any well-formed string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (str) => {
        expect(encode(str)).toEqual(encoder.encode(str));
      }),
      { numRuns: 1000 },
    );
  });

  it('encodes every length class of code point', () => {
    for (const str of [
      '',
      'A',
      '\u007f',
      '\u0080',
      'é',
      '\u07ff',
      '\u0800',
      '€',
      '\ud7ff',
      '\ue000',
      '\uffff',
      '😀',
      '\u{10ffff}',
    ]) {
      expect(encode(str)).toEqual(encoder.encode(str));
    }
  });

  it('returns -1 for a lone surrogate anywhere in the string', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 10 }),
        loneSurrogate,
        fc.string({ maxLength: 10 }),
        (head, lone, tail) => {
          // A high surrogate followed by a low one would form a valid pair; keep the surrogate alone.
          fc.pre(!/^[\udc00-\udfff]/.test(tail) && !/[\ud800-\udbff]$/.test(head));
          expect(encode(head + lone + tail)).toBeUndefined();
        },
      ),
    );
    expect(encode('\ud83d')).toBeUndefined();
    expect(encode('\ude00x')).toBeUndefined();
  });
});
