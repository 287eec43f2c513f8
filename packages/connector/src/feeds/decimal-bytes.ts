/**
 * Numbers read straight from message bytes, without building a string.
 *
 * A decimal is exact only if it equals what `Number(text)` gives (the
 * correctly rounded double). Dividing an integer mantissa below 2^53 by an
 * exactly representable power of ten (<= 10^22) is a single correctly rounded
 * IEEE operation, so up to 15 significant digits and 22 fraction digits the
 * fast path is exact; anything longer, or with an exponent, takes the slow
 * path through `Number()` on the ASCII text.
 *
 * The scanners use the `...Into` forms, which write the result into a typed
 * array: V8 boxes a double returned from (or passed to) a call it does not
 * inline as a fresh heap number, so returning numbers would allocate on every
 * message.
 */

/**
 * `EXACT_POW10[n]` is 10^n for n <= 22, the powers of ten a double holds exactly: dividing a mantissa below 2^53
 * by one of them is correctly rounded, the basis of every exact fast decimal path.
 */
export const EXACT_POW10 = new Float64Array(23);
for (let i = 0, p = 1; i < EXACT_POW10.length; i++, p *= 10) EXACT_POW10[i] = p;

const asciiDecoder = new TextDecoder();

/**
 * Writes into `out[index]` the value of the JSON-grammar number
 * (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`) held in `bytes[start..stop)`,
 * exactly as `Number(text)` would give it; returns false (leaving `out` as it
 * was) when the bytes do not follow that grammar. Used both for JSON number
 * tokens and for the decimal strings venues send prices in.
 */
export function decimalInto(
  bytes: Uint8Array,
  start: number,
  stop: number,
  out: Float64Array,
  index: number,
): boolean {
  let i = start;
  let negative = false;
  if (i < stop && bytes[i] === 0x2d) {
    negative = true;
    i++;
  }
  if (i >= stop) return false;
  let c = bytes[i]!;
  let mantissa = 0;
  let significant = 0;
  let scale = 0;
  if (c === 0x30) {
    i++;
  } else if (c >= 0x31 && c <= 0x39) {
    // The digits gather in an int32, nine at most, folded into the double once per chunk: a double multiplied by
    // ten per digit runs much slower under Node 26's optimizing compiler (layout-bytes.ts `digitRun`), and a
    // Binance depth delta reads dozens of these (docs/design/book-paths.md).
    const integerStart = i;
    let chunk = 0;
    let n = 0;
    while (i < stop) {
      c = bytes[i]!;
      if (c < 0x30 || c > 0x39) break;
      chunk = (chunk * 10 + (c - 0x30)) | 0;
      i++;
      if (++n === 9) {
        mantissa = mantissa * 1e9 + chunk;
        chunk = 0;
        n = 0;
      }
    }
    mantissa = mantissa * EXACT_POW10[n]! + chunk;
    significant = i - integerStart;
  } else {
    return false;
  }
  if (i < stop && bytes[i] === 0x2e) {
    i++;
    const fractionStart = i;
    // Leading fraction zeros of a value below 1 add no significant digit.
    if (significant === 0) while (i < stop && bytes[i] === 0x30) i++;
    const significantStart = i;
    let chunk = 0;
    let n = 0;
    while (i < stop) {
      c = bytes[i]!;
      if (c < 0x30 || c > 0x39) break;
      chunk = (chunk * 10 + (c - 0x30)) | 0;
      i++;
      if (++n === 9) {
        mantissa = mantissa * 1e9 + chunk;
        chunk = 0;
        n = 0;
      }
    }
    mantissa = mantissa * EXACT_POW10[n]! + chunk;
    significant += i - significantStart;
    scale = i - fractionStart;
    if (i === fractionStart) return false;
  }
  let exponent = false;
  if (i < stop && (bytes[i] === 0x65 || bytes[i] === 0x45)) {
    exponent = true;
    i++;
    if (i < stop && (bytes[i] === 0x2b || bytes[i] === 0x2d)) i++;
    const exponentStart = i;
    while (i < stop) {
      c = bytes[i]!;
      if (c < 0x30 || c > 0x39) break;
      i++;
    }
    if (i === exponentStart) return false;
  }
  if (i !== stop) return false;
  if (!exponent && significant <= 15 && scale <= 22) {
    const value = scale === 0 ? mantissa : mantissa / EXACT_POW10[scale]!;
    out[index] = negative ? -value : value;
    return true;
  }
  out[index] = Number(asciiDecoder.decode(bytes.subarray(start, stop)));
  return true;
}

const result = new Float64Array(1);

/** {@link decimalInto} returning the value, or `NaN` for text outside the grammar; for the full parse and tests. */
export function parseDecimal(bytes: Uint8Array, start: number, stop: number): number {
  return decimalInto(bytes, start, stop, result, 0) ? result[0]! : Number.NaN;
}

/**
 * The value of the ASCII digits in `bytes[start..stop)`: a non-negative safe
 * integer, `-1` when they are all digits but the value exceeds 2^53 - 1, or
 * `-2` when the range is empty or holds a non-digit.
 */
export function parseDigits(bytes: Uint8Array, start: number, stop: number): number {
  if (start >= stop) return -2;
  let value = 0;
  for (let i = start; i < stop; i++) {
    const c = bytes[i]!;
    if (c < 0x30 || c > 0x39) return -2;
    value = value * 10 + (c - 0x30);
  }
  // Once past 2^53 the running value is inexact but stays above the limit.
  return value > Number.MAX_SAFE_INTEGER ? -1 : value;
}

/**
 * {@link parseDigits} writing the value into `out[index]`: returns 0 when it
 * is a safe integer, -1 (and writes -1) when larger, -2 (writing nothing) for
 * an empty range or a non-digit.
 */
export function digitsInto(
  bytes: Uint8Array,
  start: number,
  stop: number,
  out: Float64Array,
  index: number,
): number {
  if (start >= stop) return -2;
  let value = 0;
  for (let i = start; i < stop; i++) {
    const c = bytes[i]!;
    if (c < 0x30 || c > 0x39) return -2;
    value = value * 10 + (c - 0x30);
  }
  if (value > Number.MAX_SAFE_INTEGER) {
    out[index] = -1;
    return -1;
  }
  out[index] = value;
  return 0;
}
