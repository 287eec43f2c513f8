/**
 * Value readers for the byte scanners, shared by the venue modules. Results go
 * into typed arrays (see `decimal-bytes.ts` on why nothing returns a double);
 * each returns false when the scanner should give up.
 */
import type { ByteJsonReader } from './byte-json-reader.js';
import { decimalInto } from './decimal-bytes.js';

/** Epoch values at or above this are microseconds (Binance `timeUnit=MICROSECOND`), below it milliseconds. */
export const MICROSECOND_EPOCH_THRESHOLD = 1e15;

/** Reads a decimal sent as a JSON string (`"0.001"`) into `out[index]`. */
export function scanDecimalString(reader: ByteJsonReader, out: Float64Array, index: number): boolean {
  return reader.readPlainString() && decimalInto(reader.bytes, reader.start, reader.stop, out, index);
}

/** Reads a decimal sent as a JSON number (Kraken `0.5147`) into `out[index]`. */
export function scanDecimalNumber(reader: ByteJsonReader, out: Float64Array, index: number): boolean {
  return reader.readNumber() && decimalInto(reader.bytes, reader.start, reader.stop, out, index);
}

/** Checks the price in `out[index]`: finite; -0 becomes 0 so every backend agrees. */
export function validPriceAt(out: Float64Array, index: number): boolean {
  const price = out[index]!;
  if (!Number.isFinite(price)) return false;
  out[index] = price + 0;
  return true;
}

/** Checks the size in `out[index]`: finite and not negative; -0 becomes 0. */
export function validSizeAt(out: Float64Array, index: number): boolean {
  const size = out[index]!;
  if (!Number.isFinite(size) || size < 0) return false;
  out[index] = size + 0;
  return true;
}

/**
 * Splits the epoch time already stored in `ms[index]` (ms, or µs above
 * {@link MICROSECOND_EPOCH_THRESHOLD}) into whole ms and sub-ms nanoseconds.
 */
export function splitEpochAt(ms: Float64Array, subMsNanos: Float64Array, index: number): void {
  const value = ms[index]!;
  if (value >= MICROSECOND_EPOCH_THRESHOLD) {
    const whole = Math.floor(value / 1000);
    ms[index] = whole;
    subMsNanos[index] = (value - whole * 1000) * 1000;
  } else {
    subMsNanos[index] = 0;
  }
}
