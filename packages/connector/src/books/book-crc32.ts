/**
 * CRC-32 (zlib's: polynomial 0xEDB88320, reflected, inverted in and out) of a byte range, for the venue book
 * checksums, which hash a few hundred bytes per message. `node:zlib`'s `crc32` takes whole views only, so a range
 * costs a `subarray` per call, and its argument checks and native call cost more than the hashing at this length:
 * 130 bytes took ~130 ns there against ~75 ns here (slice-by-8 tables, Node 22 and 26). The record files, which hash
 * kilobytes per block, keep zlib's.
 *
 * @internal
 */

/** Eight 256-entry tables: table t gives the CRC of a byte followed by t zero bytes. */
const TABLES = /* @__PURE__ */ buildTables();

function buildTables(): Int32Array {
  const tables = new Int32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    tables[n] = c;
  }
  for (let t = 1; t < 8; t++) {
    for (let n = 0; n < 256; n++) {
      const previous = tables[(t - 1) * 256 + n]!;
      tables[t * 256 + n] = (previous >>> 8) ^ tables[previous & 0xff]!;
    }
  }
  return tables;
}

/**
 * The CRC-32 of `bytes[start..end)`, continuing from `value` (the CRC of what came before; 0 to start), as an
 * unsigned 32-bit number: `crc32Range(b, 0, n, crc32Range(a, 0, m))` is zlib's `crc32` of `a[0..m)` then `b[0..n)`.
 * The caller keeps the range within `bytes`.
 */
export function crc32Range(bytes: Uint8Array, start: number, end: number, value = 0): number {
  const t = TABLES;
  let c = ~value;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const low = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    c =
      t[1792 + (low & 0xff)]! ^
      t[1536 + ((low >>> 8) & 0xff)]! ^
      t[1280 + ((low >>> 16) & 0xff)]! ^
      t[1024 + (low >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^
      t[512 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < end; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
