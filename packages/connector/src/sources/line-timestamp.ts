/**
 * Receive-time prefixes of recorded line files, read straight from the bytes
 * (no string decoding per line).
 *
 * Supported shapes, one raw venue message per line:
 * - `raw`: the message alone, no timestamp (`{"e":"trade",...}`).
 * - `seconds`: `<epoch seconds>[.<fraction>]: <message>`, as cryptofeed's
 *   captures write it (`1618677817.079762: {"type":"last_match",...}`).
 * - `micros`: `<epoch µs> <message>`, as hftbacktest's raw Binance captures
 *   (`1660228023043260 {"stream":...}`).
 * - `nanos`: `<epoch ns> <message>`, the same with nanoseconds.
 */

/** The timestamp prefix of a line file; see the module comment for the shapes. */
export type LineTimestampFormat = 'raw' | 'seconds' | 'micros' | 'nanos';

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const DOT = 0x2e;
const COLON = 0x3a;
const SPACE = 0x20;
/** Epoch seconds have 10 digits until 2286; 9 to 11 allows 1973..5138 and rules out most accidental matches. */
const SECONDS_MIN_DIGITS = 9;
const SECONDS_MAX_DIGITS = 11;
/** Epoch µs have 16 digits today, ns 19: the digit count tells them apart. */
const MICROS_MIN_DIGITS = 15;
const MICROS_MAX_DIGITS = 17;
const NANOS_MIN_DIGITS = 18;
const NANOS_MAX_DIGITS = 20;
/** Fraction digits beyond nanoseconds are dropped. */
const MAX_FRACTION_DIGITS = 9;

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= DIGIT_0 && byte <= DIGIT_9;
}

function countDigits(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end && isDigit(bytes[i])) i++;
  return i - start;
}

/**
 * The timestamp shape of one line (`bytes[start..end)`), or `raw` when it has
 * none. Used on the first lines of a file; see {@link LinePrefixReader.read}
 * for the per-line parse once the shape is known.
 */
export function detectLineFormat(bytes: Uint8Array, start: number, end: number): LineTimestampFormat {
  const digits = countDigits(bytes, start, end);
  const after = start + digits;
  if (after >= end) return 'raw';
  if (digits >= SECONDS_MIN_DIGITS && digits <= SECONDS_MAX_DIGITS) {
    let i = after;
    if (bytes[i] === DOT) i += 1 + countDigits(bytes, i + 1, end);
    if (i < end && bytes[i] === COLON) return 'seconds';
  }
  if (bytes[after] === SPACE) {
    if (digits >= MICROS_MIN_DIGITS && digits <= MICROS_MAX_DIGITS) return 'micros';
    if (digits >= NANOS_MIN_DIGITS && digits <= NANOS_MAX_DIGITS) return 'nanos';
  }
  return 'raw';
}

/**
 * Parses the prefix of each line of a file of a known format. Reused for
 * every line: {@link read} returns where the message starts and leaves the
 * receive time in {@link timeMs} and {@link subMsNanos}, with no allocation.
 */
export class LinePrefixReader {
  /** Receive time of the last line read: whole epoch ms (NaN for `raw` files). */
  timeMs = Number.NaN;
  /** ...plus the nanoseconds within that ms (0..999 999), kept apart because a double cannot hold epoch ns. */
  subMsNanos = 0;

  /** Digits kept below the ms point for `micros` (3) and `nanos` (6) prefixes. */
  private readonly subMsDigits: number;
  /** Multiplies those digits into ns. */
  private readonly subMsToNanos: number;

  /** @param format - the file's prefix shape, detected with {@link detectLineFormat} or given by the caller. */
  constructor(readonly format: LineTimestampFormat) {
    this.subMsDigits = format === 'nanos' ? 6 : format === 'micros' ? 3 : 0;
    this.subMsToNanos = format === 'micros' ? 1000 : 1;
  }

  /**
   * The offset where the message of `bytes[start..end)` starts, after the
   * prefix and one separator space; or -1 when the line does not carry this
   * format's prefix (a cryptofeed connection header, a client-sent line).
   */
  read(bytes: Uint8Array, start: number, end: number): number {
    if (this.format === 'raw') return start;
    if (this.format === 'seconds') return this.readSeconds(bytes, start, end);
    const digits = countDigits(bytes, start, end);
    const separator = start + digits;
    if (digits <= this.subMsDigits || separator >= end || bytes[separator] !== SPACE) return -1;
    // Whole ms and the sub-ms digits are summed apart: a 19-digit ns count is beyond 2^53.
    const msEnd = separator - this.subMsDigits;
    let ms = 0;
    for (let i = start; i < msEnd; i++) ms = ms * 10 + ((bytes[i] as number) - DIGIT_0);
    let subMs = 0;
    for (let i = msEnd; i < separator; i++) subMs = subMs * 10 + ((bytes[i] as number) - DIGIT_0);
    this.timeMs = ms;
    this.subMsNanos = subMs * this.subMsToNanos;
    return separator + 1;
  }

  private readSeconds(bytes: Uint8Array, start: number, end: number): number {
    const digits = countDigits(bytes, start, end);
    if (digits === 0) return -1;
    let seconds = 0;
    for (let i = start; i < start + digits; i++) seconds = seconds * 10 + ((bytes[i] as number) - DIGIT_0);
    let i = start + digits;
    let fractionNanos = 0;
    if (bytes[i] === DOT) {
      const fractionDigits = countDigits(bytes, i + 1, end);
      const used = Math.min(fractionDigits, MAX_FRACTION_DIGITS);
      for (let j = i + 1; j < i + 1 + used; j++)
        fractionNanos = fractionNanos * 10 + ((bytes[j] as number) - DIGIT_0);
      fractionNanos *= 10 ** (MAX_FRACTION_DIGITS - used);
      i += 1 + fractionDigits;
    }
    if (i >= end || bytes[i] !== COLON) return -1;
    i++;
    if (i < end && bytes[i] === SPACE) i++;
    const fractionMs = Math.floor(fractionNanos / 1_000_000);
    this.timeMs = seconds * 1000 + fractionMs;
    this.subMsNanos = fractionNanos - fractionMs * 1_000_000;
    return i;
  }
}
