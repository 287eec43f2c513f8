/**
 * A strict, allocation-free JSON tokenizer over message bytes, the building
 * block of the venue scanners. Every method either advances past a token it
 * fully validated or returns false: a scanner that gets false gives up and
 * lets the full parse decide, so whatever the reader accepts, `JSON.parse`
 * accepts too.
 *
 * Deliberate limits (they all make the reader give up, never guess): strings
 * it must read (keys, tickers, ids) may not contain escapes or non-ASCII
 * bytes; strings it skips may hold escapes but no non-ASCII bytes (UTF-8
 * validity is left to the full parse's fatal decoder); skipped values may
 * nest at most {@link MAX_SKIP_DEPTH} levels.
 */

/** Deepest nesting a skipped value may have before the reader gives up. */
export const MAX_SKIP_DEPTH = 16;

const EMPTY = new Uint8Array(0);

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Cursor over one message; reused for every message of a parser. */
export class ByteJsonReader {
  bytes: Uint8Array = EMPTY;
  pos = 0;
  end = 0;
  /** Content range of the last string read (without quotes) or the last number token. */
  start = 0;
  stop = 0;
  /** The last literal read by {@link readBoolean}. */
  bool = false;

  /** Points the reader at `bytes[start..end)`. */
  reset(bytes: Uint8Array, start: number, end: number): void {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
  }

  /** Skips JSON whitespace and returns the next byte, or -1 at the end. */
  peek(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    const end = this.end;
    while (pos < end) {
      const c = bytes[pos]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
        this.pos = pos;
        return c;
      }
      pos++;
    }
    this.pos = pos;
    return -1;
  }

  /** Consumes `c` (after whitespace) or returns false. */
  eat(c: number): boolean {
    if (this.peek() !== c) return false;
    this.pos++;
    return true;
  }

  /** True when only whitespace remains. */
  atEnd(): boolean {
    return this.peek() === -1;
  }

  /**
   * Reads a string without escapes, control or non-ASCII bytes; its content
   * range lands in `start`/`stop`.
   */
  readPlainString(): boolean {
    if (!this.eat(0x22)) return false;
    const bytes = this.bytes;
    const end = this.end;
    let pos = this.pos;
    this.start = pos;
    while (pos < end) {
      const c = bytes[pos]!;
      if (c === 0x22) {
        this.stop = pos;
        this.pos = pos + 1;
        return true;
      }
      if (c === 0x5c || c < 0x20 || c >= 0x80) return false;
      pos++;
    }
    return false;
  }

  /** Reads an object key (a plain string) and the colon after it. */
  readKey(): boolean {
    return this.readPlainString() && this.eat(0x3a);
  }

  /** True when the last string or number read equals the ASCII `key`. */
  is(key: Uint8Array): boolean {
    const length = key.length;
    if (this.stop - this.start !== length) return false;
    const bytes = this.bytes;
    const at = this.start;
    for (let i = 0; i < length; i++) if (bytes[at + i] !== key[i]) return false;
    return true;
  }

  /** True when the last string or number read is the single ASCII character `c`. */
  isChar(c: number): boolean {
    return this.stop - this.start === 1 && this.bytes[this.start] === c;
  }

  /** Reads a number token, checking the JSON number grammar; its range lands in `start`/`stop`. */
  readNumber(): boolean {
    const c0 = this.peek();
    if (c0 !== 0x2d && (c0 < 0x30 || c0 > 0x39)) return false;
    const bytes = this.bytes;
    const end = this.end;
    let pos = this.pos;
    this.start = pos;
    if (c0 === 0x2d) pos++;
    if (pos >= end) return false;
    const first = bytes[pos]!;
    if (first === 0x30) pos++;
    else if (first >= 0x31 && first <= 0x39) pos = this.skipDigits(pos + 1);
    else return false;
    if (pos < end && bytes[pos] === 0x2e) {
      const digits = pos + 1;
      pos = this.skipDigits(digits);
      if (pos === digits) return false;
    }
    if (pos < end && (bytes[pos] === 0x65 || bytes[pos] === 0x45)) {
      pos++;
      if (pos < end && (bytes[pos] === 0x2b || bytes[pos] === 0x2d)) pos++;
      const digits = pos;
      pos = this.skipDigits(digits);
      if (pos === digits) return false;
    }
    this.stop = pos;
    this.pos = pos;
    return true;
  }

  /** The position of the first non-digit at or after `pos`. */
  private skipDigits(pos: number): number {
    const bytes = this.bytes;
    const end = this.end;
    let at = pos;
    while (at < end) {
      const c = bytes[at]!;
      if (c < 0x30 || c > 0x39) break;
      at++;
    }
    return at;
  }

  /** Reads `true` or `false` into {@link bool}. */
  readBoolean(): boolean {
    const c = this.peek();
    if (c === 0x74) {
      if (!this.literal(0x72, 0x75, 0x65, -1)) return false;
      this.bool = true;
      return true;
    }
    if (c === 0x66) {
      if (!this.literal(0x61, 0x6c, 0x73, 0x65)) return false;
      this.bool = false;
      return true;
    }
    return false;
  }

  /** Consumes the literal starting at `pos` whose remaining letters are given (-1 = none). */
  private literal(a: number, b: number, c: number, d: number): boolean {
    const bytes = this.bytes;
    const pos = this.pos;
    const length = d === -1 ? 4 : 5;
    if (pos + length > this.end) return false;
    if (bytes[pos + 1] !== a || bytes[pos + 2] !== b || bytes[pos + 3] !== c) return false;
    if (d !== -1 && bytes[pos + 4] !== d) return false;
    this.pos = pos + length;
    return true;
  }

  /** Skips any valid JSON string, escapes allowed (no non-ASCII bytes). */
  skipString(): boolean {
    if (!this.eat(0x22)) return false;
    const bytes = this.bytes;
    const end = this.end;
    let pos = this.pos;
    while (pos < end) {
      const c = bytes[pos]!;
      if (c === 0x22) {
        this.pos = pos + 1;
        return true;
      }
      if (c < 0x20 || c >= 0x80) return false;
      if (c === 0x5c) {
        if (pos + 1 >= end) return false;
        const e = bytes[pos + 1]!;
        if (e === 0x75) {
          if (pos + 6 > end) return false;
          if (
            !isHex(bytes[pos + 2]!) ||
            !isHex(bytes[pos + 3]!) ||
            !isHex(bytes[pos + 4]!) ||
            !isHex(bytes[pos + 5]!)
          ) {
            return false;
          }
          pos += 6;
          continue;
        }
        if (
          e !== 0x22 &&
          e !== 0x5c &&
          e !== 0x2f &&
          e !== 0x62 &&
          e !== 0x66 &&
          e !== 0x6e &&
          e !== 0x72 &&
          e !== 0x74
        ) {
          return false;
        }
        pos += 2;
        continue;
      }
      pos++;
    }
    return false;
  }

  /** Skips any JSON value, validating it, up to {@link MAX_SKIP_DEPTH} levels deep. */
  skipValue(depth = 0): boolean {
    const c = this.peek();
    if (c === 0x22) return this.skipString();
    if (c === 0x7b) {
      if (depth >= MAX_SKIP_DEPTH) return false;
      this.pos++;
      if (this.eat(0x7d)) return true;
      do {
        if (!this.skipString() || !this.eat(0x3a) || !this.skipValue(depth + 1)) return false;
      } while (this.eat(0x2c));
      return this.eat(0x7d);
    }
    if (c === 0x5b) {
      if (depth >= MAX_SKIP_DEPTH) return false;
      this.pos++;
      if (this.eat(0x5d)) return true;
      do {
        if (!this.skipValue(depth + 1)) return false;
      } while (this.eat(0x2c));
      return this.eat(0x5d);
    }
    if (c === 0x74) return this.literal(0x72, 0x75, 0x65, -1);
    if (c === 0x66) return this.literal(0x61, 0x6c, 0x73, 0x65);
    if (c === 0x6e) return this.literal(0x75, 0x6c, 0x6c, -1);
    return this.readNumber();
  }
}

/** The ASCII bytes of `text`, for comparing keys and values with {@link ByteJsonReader.is}. */
export function asciiBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
