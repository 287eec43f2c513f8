/**
 * Writes the UTF-8 encoding of `str` into `out` from index 0 and returns the number of bytes written, or -1 when
 * `str` holds a lone surrogate (it has no UTF-8 form; `TextEncoder` would silently turn it into U+FFFD).
 *
 * Hand-written instead of `TextEncoder.encodeInto` because that returns a fresh `{ read, written }` object on every
 * call, and the interner's string lookups must not allocate. `out` must hold at least `str.length * 3` bytes.
 */
export function encodeUtf8Into(str: string, out: Uint8Array): number {
  let pos = 0;
  const length = str.length;
  for (let i = 0; i < length; i++) {
    const unit = str.charCodeAt(i);
    if (unit < 0x80) {
      out[pos++] = unit;
    } else if (unit < 0x800) {
      out[pos++] = 0xc0 | (unit >>> 6);
      out[pos++] = 0x80 | (unit & 0x3f);
    } else if (unit < 0xd800 || unit > 0xdfff) {
      out[pos++] = 0xe0 | (unit >>> 12);
      out[pos++] = 0x80 | ((unit >>> 6) & 0x3f);
      out[pos++] = 0x80 | (unit & 0x3f);
    } else {
      if (unit > 0xdbff || i + 1 >= length) return -1;
      const low = str.charCodeAt(i + 1);
      if (low < 0xdc00 || low > 0xdfff) return -1;
      i++;
      const codePoint = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
      out[pos++] = 0xf0 | (codePoint >>> 18);
      out[pos++] = 0x80 | ((codePoint >>> 12) & 0x3f);
      out[pos++] = 0x80 | ((codePoint >>> 6) & 0x3f);
      out[pos++] = 0x80 | (codePoint & 0x3f);
    }
  }
  return pos;
}
