/**
 * Byte-level primitives of the venue layout fast paths: each venue sends its
 * trade messages in one fixed key order with no whitespace, so a fast path
 * can check the literal bytes between values against a precomputed pattern
 * and read each value in one tight loop, instead of tokenizing the message.
 *
 * Every function takes the position to read at and returns the position
 * after what it read, or -1 for anything outside the narrow form it accepts:
 * the layout then misses and the general scanner takes the message. Values
 * go into typed arrays, never returned: V8 boxes a double returned from a
 * call it does not inline, and these run on every message.
 */
import { decimalInto, EXACT_POW10 } from './decimal-bytes.js';

/**
 * Mantissas below 2^53 are integers a double holds exactly, and so is every
 * partial sum on the way to them: below this, `mantissa / 10^scale` is one
 * correctly rounded division, the value `Number(text)` gives.
 */
const EXACT_MANTISSA_LIMIT = 2 ** 53;
/** The largest fraction length whose power of ten a double holds exactly. */
const EXACT_SCALE = 22;

/** {@link digitRun}'s result, the integer read so far (carried from one digit run to the next), and {@link mantissaRun}'s fraction length. */
const digitValue = new Float64Array(2);

/**
 * Reads the run of ASCII digits at `pos` (the caller has checked the first one) onto the integer in
 * `digitValue[0]`, which becomes `digitValue[0] * 10^length + run`; returns the position after the run. Partial
 * results are exact below 2^53; past it they are inexact but stay at or above 2^53 (rounding is monotonic), which
 * is all the callers' limits need.
 *
 * The digits gather in an int32, up to nine at a time, each chunk folded into the double once. A loop that
 * multiplies a double by ten per digit ran ~2.7x slower under Node 26's optimizing compiler than under Node 20-24
 * (a 10- and a 13-digit integer: 67 ns against 18-25); this one runs at 23-26 ns on all four
 * (docs/design/latency-tail.md, "Node 26 and the digit loops").
 */
function digitRun(bytes: Uint8Array, pos: number, end: number): number {
  let value = digitValue[0]!;
  let c = bytes[pos]!;
  let i = pos;
  for (;;) {
    const chunkStart = i;
    const chunkStop = Math.min(i + 9, end);
    let chunk = 0;
    do {
      chunk = (chunk * 10 + (c - 0x30)) | 0;
      i++;
      if (i === chunkStop) break;
      c = bytes[i]!;
    } while (c >= 0x30 && c <= 0x39);
    value = value * EXACT_POW10[i - chunkStart]! + chunk;
    // Ended before the chunk was full (a non-digit at i), or at the end of the bytes.
    if (i !== chunkStop || i === end) break;
    c = bytes[i]!;
    if (c < 0x30 || c > 0x39) break;
  }
  digitValue[0] = value;
  return i;
}

/**
 * The position after `pattern` when `bytes[pos..end)` starts with it, else -1.
 * Patterns are the literal bytes a layout expects between two values (keys,
 * quotes, colons, commas, e.g. `","t":`), made once with `asciiBytes`. A plain
 * byte loop: measured faster in place than comparing 32-bit words, whose
 * assembly from four loads costs more than it saves.
 */
export function matchBytes(bytes: Uint8Array, pos: number, end: number, pattern: Uint8Array): number {
  const length = pattern.length;
  if (pos + length > end) return -1;
  for (let i = 0; i < length; i++) if (bytes[pos + i] !== pattern[i]) return -1;
  return pos + length;
}

/**
 * The position of the quote closing a string whose content starts at `pos`,
 * or -1 when the content holds an escape, a control or a non-ASCII byte (so a
 * byte range of it is exactly the decoded string) or the string is not closed.
 */
export function plainStringEnd(bytes: Uint8Array, pos: number, end: number): number {
  for (let i = pos; i < end; i++) {
    const c = bytes[i]!;
    if (c === 0x22) return i;
    if (c === 0x5c || c < 0x20 || c >= 0x80) return -1;
  }
  return -1;
}

/**
 * Reads the content of a plain string starting at `pos` (see
 * {@link plainStringEnd}) as a decimal number: `out[index]` gets the value
 * `Number(content)` gives and `-1` when it is beyond 2^53 - 1, `-2` when the
 * content is empty or not all digits. Returns the closing quote's position,
 * or -1. One pass for the string ids and times venues send as `"123"`.
 */
export function digitStringIntoByDoubles(
  bytes: Uint8Array,
  pos: number,
  end: number,
  out: Float64Array,
  index: number,
): number {
  let value = 0;
  let i = pos;
  while (i < end) {
    const c = bytes[i]!;
    if (c < 0x30 || c > 0x39) break;
    value = value * 10 + (c - 0x30);
    i++;
  }
  if (i < end && bytes[i] === 0x22 && i > pos) {
    // Once past 2^53 the running value is inexact but stays above the limit.
    out[index] = value > Number.MAX_SAFE_INTEGER ? -1 : value;
    return i;
  }
  out[index] = -2;
  return plainStringEnd(bytes, i, end);
}

/**
 * Reads an unsigned JSON integer token (`0` or `[1-9][0-9]*`) at `pos` into
 * `out[index]`, `-1` when it is beyond 2^53 - 1. Returns the position after
 * it, or -1 when no digit starts there. A fraction, exponent or leading zero
 * after the token is left for the caller's next pattern to reject.
 */
export function uintIntoByDoubles(
  bytes: Uint8Array,
  pos: number,
  end: number,
  out: Float64Array,
  index: number,
): number {
  if (pos >= end) return -1;
  let c = bytes[pos]!;
  if (c === 0x30) {
    out[index] = 0;
    return pos + 1;
  }
  if (c < 0x31 || c > 0x39) return -1;
  let value = 0;
  let i = pos;
  do {
    value = value * 10 + (c - 0x30);
    i++;
    if (i === end) break;
    c = bytes[i]!;
  } while (c >= 0x30 && c <= 0x39);
  // Once past 2^53 the running value is inexact but stays above the limit.
  out[index] = value > Number.MAX_SAFE_INTEGER ? -1 : value;
  return i;
}

/** Skips an unsigned JSON integer token at `pos` (a value the trade does not need); -1 when none starts there. */
export function skipUint(bytes: Uint8Array, pos: number, end: number): number {
  if (pos >= end) return -1;
  const c = bytes[pos]!;
  if (c === 0x30) return pos + 1;
  if (c < 0x31 || c > 0x39) return -1;
  let i = pos + 1;
  while (i < end) {
    const d = bytes[i]!;
    if (d < 0x30 || d > 0x39) break;
    i++;
  }
  return i;
}

/**
 * Reads a decimal sent as a string, its content starting at `pos`, into
 * `out[index]` exactly as `Number(content)` gives it; returns the position
 * after the closing quote, or -1. The common form (`123.456`, a mantissa
 * below 2^53 and at most 22 fraction digits) is read in one pass; anything
 * else (sign, exponent, more digits) is handed whole to `decimalInto`.
 */
export function decimalStringIntoByDoubles(
  bytes: Uint8Array,
  pos: number,
  end: number,
  out: Float64Array,
  index: number,
): number {
  let i = pos;
  let c = i < end ? bytes[i]! : -1;
  let mantissa = 0;
  let scale = 0;
  if (c === 0x30) {
    i++;
    c = i < end ? bytes[i]! : -1;
  } else if (c >= 0x31 && c <= 0x39) {
    do {
      mantissa = mantissa * 10 + (c - 0x30);
      i++;
      c = i < end ? bytes[i]! : -1;
    } while (c >= 0x30 && c <= 0x39);
  } else {
    return decimalStringSlow(bytes, pos, end, out, index);
  }
  if (c === 0x2e) {
    i++;
    c = i < end ? bytes[i]! : -1;
    if (c < 0x30 || c > 0x39) return -1;
    do {
      mantissa = mantissa * 10 + (c - 0x30);
      scale++;
      i++;
      c = i < end ? bytes[i]! : -1;
    } while (c >= 0x30 && c <= 0x39);
  }
  if (c !== 0x22 || mantissa >= EXACT_MANTISSA_LIMIT || scale > EXACT_SCALE) {
    return decimalStringSlow(bytes, pos, end, out, index);
  }
  out[index] = scale === 0 ? mantissa : mantissa / EXACT_POW10[scale]!;
  return i + 1;
}

function decimalStringSlow(
  bytes: Uint8Array,
  pos: number,
  end: number,
  out: Float64Array,
  index: number,
): number {
  const close = plainStringEnd(bytes, pos, end);
  if (close < 0 || !decimalInto(bytes, pos, close, out, index)) return -1;
  return close + 1;
}

/**
 * Reads a decimal sent as a JSON number token at `pos` (Kraken `0.5147`) into
 * `out[index]` exactly as `JSON.parse` gives it; returns the position after
 * the token, or -1. Same split as {@link decimalStringInto}: the common form
 * in one pass, the rest through `decimalInto`. The loop is a deliberate copy
 * of that function's: one shared helper for both measured 1-5% slower per
 * parsed message on every venue (design table, side by side, Node 20).
 */
export function decimalNumberIntoByDoubles(
  bytes: Uint8Array,
  pos: number,
  end: number,
  out: Float64Array,
  index: number,
): number {
  let i = pos;
  let c = i < end ? bytes[i]! : -1;
  let mantissa = 0;
  let scale = 0;
  if (c === 0x30) {
    i++;
    c = i < end ? bytes[i]! : -1;
  } else if (c >= 0x31 && c <= 0x39) {
    do {
      mantissa = mantissa * 10 + (c - 0x30);
      i++;
      c = i < end ? bytes[i]! : -1;
    } while (c >= 0x30 && c <= 0x39);
  } else {
    return decimalNumberSlow(bytes, pos, end, out, index);
  }
  if (c === 0x2e) {
    i++;
    c = i < end ? bytes[i]! : -1;
    if (c < 0x30 || c > 0x39) return -1;
    do {
      mantissa = mantissa * 10 + (c - 0x30);
      scale++;
      i++;
      c = i < end ? bytes[i]! : -1;
    } while (c >= 0x30 && c <= 0x39);
  }
  if (c === 0x65 || c === 0x45 || mantissa >= EXACT_MANTISSA_LIMIT || scale > EXACT_SCALE) {
    return decimalNumberSlow(bytes, pos, end, out, index);
  }
  out[index] = scale === 0 ? mantissa : mantissa / EXACT_POW10[scale]!;
  return i;
}

function decimalNumberSlow(
  bytes: Uint8Array,
  pos: number,
  end: number,
  out: Float64Array,
  index: number,
): number {
  let stop = pos;
  while (stop < end) {
    const c = bytes[stop]!;
    // The bytes a number token can hold; decimalInto then checks their grammar.
    if ((c < 0x30 || c > 0x39) && c !== 0x2e && c !== 0x2d && c !== 0x2b && c !== 0x65 && c !== 0x45) break;
    stop++;
  }
  return stop > pos && decimalInto(bytes, pos, stop, out, index) ? stop : -1;
}

/**
 * Reads a JSON `true` or `false` at `pos`: 1 for `true`, 0 for `false`, -1
 * for neither. The literal is `5 - value` bytes long, so the caller advances
 * by that.
 */
export function booleanAt(bytes: Uint8Array, pos: number, end: number): number {
  if (pos + 4 > end) return -1;
  const c = bytes[pos];
  if (c === 0x74)
    return bytes[pos + 1] === 0x72 && bytes[pos + 2] === 0x75 && bytes[pos + 3] === 0x65 ? 1 : -1;
  if (c !== 0x66 || pos + 5 > end) return -1;
  return bytes[pos + 1] === 0x61 &&
    bytes[pos + 2] === 0x6c &&
    bytes[pos + 3] === 0x73 &&
    bytes[pos + 4] === 0x65
    ? 0
    : -1;
}

/** {@link uintIntoByDoubles} on int32 chunks ({@link digitRun}); same contract. */
export function uintIntoByChunks(
  bytes: Uint8Array,
  pos: number,
  end: number,
  out: Float64Array,
  index: number,
): number {
  if (pos >= end) return -1;
  const c = bytes[pos]!;
  if (c === 0x30) {
    out[index] = 0;
    return pos + 1;
  }
  if (c < 0x31 || c > 0x39) return -1;
  digitValue[0] = 0;
  const i = digitRun(bytes, pos, end);
  const value = digitValue[0]!;
  out[index] = value > Number.MAX_SAFE_INTEGER ? -1 : value;
  return i;
}

/** {@link digitStringIntoByDoubles} on int32 chunks ({@link digitRun}); same contract. */
export function digitStringIntoByChunks(
  bytes: Uint8Array,
  pos: number,
  end: number,
  out: Float64Array,
  index: number,
): number {
  let i = pos;
  digitValue[0] = 0;
  if (i < end && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) i = digitRun(bytes, i, end);
  if (i < end && bytes[i] === 0x22 && i > pos) {
    const value = digitValue[0]!;
    out[index] = value > Number.MAX_SAFE_INTEGER ? -1 : value;
    return i;
  }
  out[index] = -2;
  return plainStringEnd(bytes, i, end);
}

/** Where {@link mantissaRun} found no digit to start with: the caller's slow path decides. */
const NOT_A_MANTISSA = -2;

/**
 * Reads `[0-9]+(\.[0-9]+)?` at `pos` in int32 chunks ({@link digitRun}): the digits without the point into
 * `digitValue[0]`, the fraction's length into `digitValue[1]`. Returns the position after it; -1 for a point with no
 * digit after it; {@link NOT_A_MANTISSA} when no digit is at `pos`. A leading `0` is read alone, so `01` stops
 * after the `0`.
 */
function mantissaRun(bytes: Uint8Array, pos: number, end: number): number {
  let i = pos;
  let c = i < end ? bytes[i]! : -1;
  digitValue[0] = 0;
  digitValue[1] = 0;
  if (c === 0x30) i++;
  else if (c >= 0x31 && c <= 0x39) i = digitRun(bytes, i, end);
  else return NOT_A_MANTISSA;
  if (i >= end || bytes[i] !== 0x2e) return i;
  i++;
  c = i < end ? bytes[i]! : -1;
  if (c < 0x30 || c > 0x39) return -1;
  const fractionStart = i;
  i = digitRun(bytes, i, end);
  digitValue[1] = i - fractionStart;
  return i;
}

/** {@link decimalStringIntoByDoubles} on int32 chunks ({@link mantissaRun}); same contract. */
export function decimalStringIntoByChunks(
  bytes: Uint8Array,
  pos: number,
  end: number,
  out: Float64Array,
  index: number,
): number {
  const i = mantissaRun(bytes, pos, end);
  if (i < 0) return i === NOT_A_MANTISSA ? decimalStringSlow(bytes, pos, end, out, index) : -1;
  const mantissa = digitValue[0]!;
  const scale = digitValue[1]!;
  if (i >= end || bytes[i] !== 0x22 || mantissa >= EXACT_MANTISSA_LIMIT || scale > EXACT_SCALE) {
    return decimalStringSlow(bytes, pos, end, out, index);
  }
  out[index] = scale === 0 ? mantissa : mantissa / EXACT_POW10[scale]!;
  return i + 1;
}

/** {@link decimalNumberIntoByDoubles} on int32 chunks ({@link mantissaRun}); same contract. */
export function decimalNumberIntoByChunks(
  bytes: Uint8Array,
  pos: number,
  end: number,
  out: Float64Array,
  index: number,
): number {
  const i = mantissaRun(bytes, pos, end);
  if (i < 0) return i === NOT_A_MANTISSA ? decimalNumberSlow(bytes, pos, end, out, index) : -1;
  const mantissa = digitValue[0]!;
  const scale = digitValue[1]!;
  const c = i < end ? bytes[i]! : -1;
  if (c === 0x65 || c === 0x45 || mantissa >= EXACT_MANTISSA_LIMIT || scale > EXACT_SCALE) {
    return decimalNumberSlow(bytes, pos, end, out, index);
  }
  out[index] = scale === 0 ? mantissa : mantissa / EXACT_POW10[scale]!;
  return i;
}

/**
 * The number readers' digit loops, two ways. V8 14 (Node 26) compiles a loop that multiplies a double by ten per
 * digit ~2.7x slower than V8 12-13 (Node 22, 24) and 11 (Node 20) do, and the int32-chunk loop of
 * {@link digitRun} at their speed; on those older lines the chunks cost up to 18%
 * (docs/design/latency-tail.md, "Node 26 and the digit loops"). Each reader is picked once, at load.
 */
const DIGIT_CHUNKS = Number(process.versions.v8.split('.')[0]) >= 14;

/**
 * Reads the content of a plain string starting at `pos` (see {@link plainStringEnd}) as a decimal number:
 * `out[index]` gets the value `Number(content)` gives and `-1` when it is beyond 2^53 - 1, `-2` when the content is
 * empty or not all digits. Returns the closing quote's position, or -1. One pass for the string ids and times
 * venues send as `"123"`.
 */
export const digitStringInto: typeof digitStringIntoByDoubles = DIGIT_CHUNKS
  ? digitStringIntoByChunks
  : digitStringIntoByDoubles;
/**
 * Reads an unsigned JSON integer token (`0` or `[1-9][0-9]*`) at `pos` into `out[index]`, `-1` when it is beyond
 * 2^53 - 1. Returns the position after it, or -1 when no digit starts there.
 */
export const uintInto: typeof uintIntoByDoubles = DIGIT_CHUNKS ? uintIntoByChunks : uintIntoByDoubles;
/**
 * Reads a decimal sent as a string, its content starting at `pos`, into `out[index]` exactly as `Number(content)`
 * gives it; returns the position after the closing quote, or -1.
 */
export const decimalStringInto: typeof decimalStringIntoByDoubles = DIGIT_CHUNKS
  ? decimalStringIntoByChunks
  : decimalStringIntoByDoubles;
/**
 * Reads a decimal sent as a JSON number token at `pos` into `out[index]` exactly as `JSON.parse` gives it; returns
 * the position after the token, or -1.
 */
export const decimalNumberInto: typeof decimalNumberIntoByDoubles = DIGIT_CHUNKS
  ? decimalNumberIntoByChunks
  : decimalNumberIntoByDoubles;
