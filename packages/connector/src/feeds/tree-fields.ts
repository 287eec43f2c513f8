/**
 * Field readers for the full parse: they take values from a parsed JSON tree
 * and check them with the same byte-level rules the scanner uses (strings are
 * copied to a scratch buffer first), so both paths accept exactly the same
 * values and produce exactly the same numbers.
 */
import { parseDecimal, parseDigits } from './decimal-bytes.js';
import { RawJsonNumber } from './raw-json-numbers.js';
import { parseRfc3339 } from './rfc3339-bytes.js';
import { splitEpochAt } from './scan-values.js';
import type { TradeBatch } from './trade-batch.js';
import { NEEDS_RAW_NUMBERS, type ParseState } from './venue-reader.js';

let scratch = new Uint8Array(256);

/** Copies an ASCII string into the scratch buffer; returns its length, or -1 if it holds a non-ASCII character. */
function toScratch(text: string): number {
  const length = text.length;
  if (length > scratch.length) scratch = new Uint8Array(length * 2);
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return -1;
    scratch[i] = c;
  }
  return length;
}

/** A plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Stores an epoch time given in ms (or µs, see {@link splitEpochAt}) into slot `index`. */
export function setEpoch(batch: TradeBatch, index: number, value: number): void {
  batch.timestampMs[index] = value;
  splitEpochAt(batch.timestampMs, batch.timestampSubMsNanos, index);
}

/** A price: any finite value; -0 becomes 0 so every backend agrees. NaN when invalid. */
export function checkPrice(value: number): number {
  return Number.isFinite(value) ? value + 0 : Number.NaN;
}

/** A size: finite and not negative; -0 becomes 0. NaN when invalid. */
export function checkSize(value: number): number {
  return Number.isFinite(value) && value >= 0 ? value + 0 : Number.NaN;
}

/** A non-empty ticker string, or `null` after recording the failure. */
export function treeSymbol(value: unknown, state: ParseState, field: string): string | null {
  if (value === undefined) return fail(state, 'missing-field', field);
  if (typeof value !== 'string') return fail(state, 'wrong-type', field);
  if (value.length === 0) return fail(state, 'invalid-symbol', field);
  return value;
}

function fail(state: ParseState, reason: Parameters<ParseState['fail']>[0], field: string): null {
  state.fail(reason, field);
  return null;
}

/** A decimal sent as a JSON string (`"0.001"`), or NaN after recording the failure. */
export function treeDecimalString(value: unknown, state: ParseState, field: string): number {
  if (value === undefined) return failNaN(state, 'missing-field', field);
  if (typeof value !== 'string') return failNaN(state, 'wrong-type', field);
  const length = toScratch(value);
  const number = length < 0 ? Number.NaN : parseDecimal(scratch, 0, length);
  return Number.isNaN(number) ? failNaN(state, 'invalid-number', field) : number;
}

/** A decimal sent as a JSON number (Kraken), or NaN after recording the failure. */
export function treeJsonNumber(value: unknown, state: ParseState, field: string): number {
  if (value === undefined) return failNaN(state, 'missing-field', field);
  if (value instanceof RawJsonNumber) return Number(value.text);
  if (typeof value !== 'number') return failNaN(state, 'wrong-type', field);
  return value;
}

function reject(state: ParseState, reason: Parameters<ParseState['fail']>[0], field: string): false {
  state.fail(reason, field);
  return false;
}

function failNaN(state: ParseState, reason: Parameters<ParseState['fail']>[0], field: string): number {
  state.fail(reason, field);
  return Number.NaN;
}

/** An epoch time in ms sent as a JSON number (Binance `T`, Bybit `T`) into slot `index`. */
export function treeEpochNumber(
  value: unknown,
  batch: TradeBatch,
  index: number,
  state: ParseState,
  field: string,
): boolean {
  if (value === undefined) return reject(state, 'missing-field', field);
  if (value instanceof RawJsonNumber) return reject(state, 'invalid-timestamp', field);
  if (typeof value !== 'number') return reject(state, 'wrong-type', field);
  if (!Number.isSafeInteger(value) || value < 0) return reject(state, 'invalid-timestamp', field);
  setEpoch(batch, index, value + 0);
  return true;
}

/** An epoch time in ms sent as a digit string (OKX `ts`) into slot `index`. */
export function treeEpochString(
  value: unknown,
  batch: TradeBatch,
  index: number,
  state: ParseState,
  field: string,
): boolean {
  if (value === undefined) return reject(state, 'missing-field', field);
  if (typeof value !== 'string') return reject(state, 'wrong-type', field);
  const length = toScratch(value);
  const ms = length < 0 ? -2 : parseDigits(scratch, 0, length);
  if (ms < 0) return reject(state, 'invalid-timestamp', field);
  setEpoch(batch, index, ms);
  return true;
}

/** An RFC 3339 UTC time string (Coinbase `time`, Kraken `timestamp`) into slot `index`. */
export function treeRfc3339(
  value: unknown,
  batch: TradeBatch,
  index: number,
  state: ParseState,
  field: string,
): boolean {
  if (value === undefined) return reject(state, 'missing-field', field);
  if (typeof value !== 'string') return reject(state, 'wrong-type', field);
  const length = toScratch(value);
  if (length < 0 || !parseRfc3339(scratch, 0, length, state.time)) {
    return reject(state, 'invalid-timestamp', field);
  }
  batch.timestampMs[index] = state.time.ms;
  batch.timestampSubMsNanos[index] = state.time.subMsNanos;
  return true;
}

/**
 * A trade id sent as a JSON number (Binance, Coinbase, Kraken): its digits as a
 * string, or `null` after recording the failure, or {@link NEEDS_RAW_NUMBERS}
 * when it exceeds 2^53 and the tree was built from doubles. `numberOut[0]`
 * receives the safe value or -1.
 */
export function treeNumericId(
  value: unknown,
  state: ParseState,
  field: string,
  numberOut: Float64Array,
): string | null | typeof NEEDS_RAW_NUMBERS {
  if (value === undefined) return fail(state, 'missing-field', field);
  if (value instanceof RawJsonNumber) {
    const length = toScratch(value.text);
    if (parseDigits(scratch, 0, length) !== -1) return fail(state, 'invalid-trade-id', field);
    numberOut[0] = -1;
    return value.text;
  }
  if (typeof value !== 'number') return fail(state, 'wrong-type', field);
  if (Number.isSafeInteger(value) && value >= 0) {
    numberOut[0] = value + 0;
    return String(value + 0);
  }
  if (!state.rawNumbers && Number.isInteger(value) && value > 0) return NEEDS_RAW_NUMBERS;
  return fail(state, 'invalid-trade-id', field);
}

/**
 * A trade id sent as a JSON string (OKX, Bybit): the string, or `null` after
 * recording the failure. `numberOut[0]` receives its value when it is all
 * digits and at most 2^53 - 1, else -1.
 */
export function treeStringId(
  value: unknown,
  state: ParseState,
  field: string,
  numberOut: Float64Array,
): string | null {
  if (value === undefined) return fail(state, 'missing-field', field);
  if (typeof value !== 'string') return fail(state, 'wrong-type', field);
  if (value.length === 0) return fail(state, 'invalid-trade-id', field);
  const length = toScratch(value);
  const number = length < 0 ? -1 : parseDigits(scratch, 0, length);
  numberOut[0] = number < 0 ? -1 : number;
  return value;
}

/** A positive integer sent as a digit string (OKX `count`), or -1 after recording the failure. */
export function treeCountString(value: unknown, state: ParseState, field: string): number {
  if (typeof value !== 'string') {
    state.fail(value === undefined ? 'missing-field' : 'wrong-type', field);
    return -1;
  }
  const length = toScratch(value);
  const count = length < 0 ? -2 : parseDigits(scratch, 0, length);
  if (count < 1) {
    state.fail('invalid-number', field);
    return -1;
  }
  return count;
}

/** Checks a price read by a tree reader: NaN (reason recorded) when it is missing, invalid or not finite. */
export function finishPrice(value: number, state: ParseState, field: string): number {
  if (Number.isNaN(value)) return value;
  const price = checkPrice(value);
  if (Number.isNaN(price)) state.fail('invalid-number', field);
  return price;
}

/** Checks a size read by a tree reader: NaN (reason recorded) when it is missing, invalid, negative or not finite. */
export function finishSize(value: number, state: ParseState, field: string): number {
  if (Number.isNaN(value)) return value;
  const size = checkSize(value);
  if (Number.isNaN(size)) state.fail('invalid-number', field);
  return size;
}
