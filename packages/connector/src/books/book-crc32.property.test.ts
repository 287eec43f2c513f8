import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32Range } from './book-crc32.js';

describe('crc32Range', () => {
  it("equals zlib's crc32 of a non-empty range, continued from any starting CRC, and leaves it for an empty one", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.nat(),
        fc.nat(),
        fc.nat({ max: 0xffff_ffff }),
        (bytes, a, b, from) => {
          const start = bytes.length === 0 ? 0 : a % (bytes.length + 1);
          const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
          // The CRC of nothing more is the CRC so far. Node 20 and 22's zlib return 0 for some empty views instead
          // (`Uint8Array.from([]).subarray(0, 0)`, whose data pointer is null), so the reference skips them.
          const expected = end > start ? crc32(bytes.subarray(start, end), from) : from;
          expect(crc32Range(bytes, start, end, from)).toBe(expected);
        },
      ),
    );
  });

  it('chains: the CRC of a then b is the CRC of b continued from that of a', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 100 }), (a, b) => {
        const joined = new Uint8Array(a.length + b.length);
        joined.set(a);
        joined.set(b, a.length);
        expect(crc32Range(b, 0, b.length, crc32Range(a, 0, a.length))).toBe(crc32(joined));
      }),
    );
  });

  it('matches the known check value of "123456789"', () => {
    expect(crc32Range(new TextEncoder().encode('123456789'), 0, 9)).toBe(0xcbf43926);
  });
});
