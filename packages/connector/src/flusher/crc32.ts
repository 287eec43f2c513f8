/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial) over a byte range.
 *
 * `zlib.crc32` only takes whole views, so checking a record inside the write
 * buffer would cost a `subarray` allocation per record; this slice-by-8
 * version works on `(bytes, start, end)`, allocates nothing, and measured as
 * fast as `zlib.crc32` plus its `subarray` on 224-byte records (~210 ns vs
 * ~500 ns for the byte-at-a-time table). Results are identical to
 * `zlib.crc32`, which the reader uses.
 */

const TABLES = buildTables();

/** Eight 256-entry tables: table t advances a byte's CRC contribution by t further zero bytes. */
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
      tables[t * 256 + n] = tables[previous & 0xff]! ^ (previous >>> 8);
    }
  }
  return tables;
}

/**
 * CRC-32 of `bytes[start, end)`. Returns an unsigned 32-bit integer.
 *
 * @example
 * ```ts
 * crc32(new TextEncoder().encode('123456789'), 0, 9); // 0xcbf43926
 * ```
 */
export function crc32(bytes: Uint8Array, start: number, end: number): number {
  const t = TABLES;
  let c = -1;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    c =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^
      t[512 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < end; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
