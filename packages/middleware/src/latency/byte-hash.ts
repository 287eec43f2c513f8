const FNV_OFFSET_BASIS = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/**
 * 32-bit hash of `bytes[start..end)`: FNV-1a over the bytes, then the MurmurHash3 finalizer.
 *
 * FNV-1a is tiny and fast for the 3..12-byte symbols a feed carries, but its low bits mix poorly, and an
 * open-addressing table indexes by the low bits; the finalizer spreads every input bit over the whole word.
 * Returns a signed 32-bit integer so it fits an `Int32Array` slot without conversion.
 */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET_BASIS;
  for (let i = start; i < end; i++) {
    h = Math.imul(h ^ bytes[i]!, FNV_PRIME);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
