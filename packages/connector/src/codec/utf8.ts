/**
 * Allocation-free UTF-8 for the encoder's convenience path. `TextEncoder`
 * would allocate a result (`encode`) or need a fresh `subarray` per target
 * (`encodeInto`); these loops write straight into the reused message buffer.
 * Lone surrogates become U+FFFD exactly as `TextEncoder` (and so capnp-es)
 * encodes them, which keeps the bytes identical.
 */

/** Number of UTF-8 bytes `TextEncoder` would produce for `text`. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  const end = text.length;
  for (let i = 0; i < end; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < end && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Writes `text` as UTF-8 into `target` at `offset` and returns the offset just
 * past the last byte. The caller must have checked the room with
 * {@link utf8ByteLength}.
 */
export function writeUtf8(text: string, target: Uint8Array, offset: number): number {
  let at = offset;
  const end = text.length;
  for (let i = 0; i < end; i++) {
    let unit = text.charCodeAt(i);
    if (unit < 0x80) {
      target[at++] = unit;
      continue;
    }
    if (unit < 0x800) {
      target[at++] = 0xc0 | (unit >> 6);
      target[at++] = 0x80 | (unit & 0x3f);
      continue;
    }
    if (unit >= 0xd800 && unit <= 0xdfff) {
      const next = i + 1 < end ? text.charCodeAt(i + 1) : 0;
      if (unit <= 0xdbff && isLowSurrogate(next)) {
        const codePoint = 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00);
        target[at++] = 0xf0 | (codePoint >> 18);
        target[at++] = 0x80 | ((codePoint >> 12) & 0x3f);
        target[at++] = 0x80 | ((codePoint >> 6) & 0x3f);
        target[at++] = 0x80 | (codePoint & 0x3f);
        i++;
        continue;
      }
      unit = 0xfffd;
    }
    target[at++] = 0xe0 | (unit >> 12);
    target[at++] = 0x80 | ((unit >> 6) & 0x3f);
    target[at++] = 0x80 | (unit & 0x3f);
  }
  return at;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
