/**
 * The Binance fast path: a spot `trade` event exactly as Binance sends it,
 * raw or in the combined-stream wrapper the live URL uses:
 *
 * `{"stream":"<name>","data":{"e":"trade","E":<int>,"s":"<sym>","t":<int>,"p":"<dec>","q":"<dec>","T":<int>,"m":<bool>,"M":<bool>}}`
 *
 * (`"M"` optional). The first byte that differs makes it miss; the general
 * scanner then reads the message (aggTrade, other key orders, whitespace...).
 */
import { TradeSide } from '../codec/trade-data.js';
import { asciiBytes } from './byte-json-reader.js';
import {
  booleanAt,
  decimalStringInto,
  matchBytes,
  plainStringEnd,
  skipUint,
  uintInto,
} from './layout-bytes.js';
import type { MessageKind } from './message-kind.js';
import { splitEpochAt, validPriceAt, validSizeAt } from './scan-values.js';
import type { TradeBatch } from './trade-batch.js';
import { LAYOUT_MISSED, type ParseState } from './venue-reader.js';

const RAW_TRADE_HEAD = asciiBytes('{"e":"trade","E":');

/**
 * The position after `{"stream":"` at `pos`, or -1. The combined stream's two heads are compared as literals, not
 * by `matchBytes`'s loop over a pattern array (a load, a bounds check and a counter per byte): the parse of a Binance
 * message ~6% faster on Node 26 and ~11% on Node 20 and 22 (docs/design/latency-tail.md, "Literal heads").
 */
function combinedHeadEnd(bytes: Uint8Array, pos: number, end: number): number {
  if (pos + 11 > end) return -1;
  return bytes[pos] === 0x7b && // {
    bytes[pos + 1] === 0x22 && // "
    bytes[pos + 2] === 0x73 && // s
    bytes[pos + 3] === 0x74 && // t
    bytes[pos + 4] === 0x72 && // r
    bytes[pos + 5] === 0x65 && // e
    bytes[pos + 6] === 0x61 && // a
    bytes[pos + 7] === 0x6d && // m
    bytes[pos + 8] === 0x22 && // "
    bytes[pos + 9] === 0x3a && // :
    bytes[pos + 10] === 0x22 // "
    ? pos + 11
    : -1;
}

/** The position after `","data":{"e":"trade","E":` (from the stream name's closing quote) at `pos`, or -1. */
function combinedTradeHeadEnd(bytes: Uint8Array, pos: number, end: number): number {
  if (pos + 26 > end) return -1;
  return bytes[pos] === 0x22 && // "
    bytes[pos + 1] === 0x2c && // ,
    bytes[pos + 2] === 0x22 && // "
    bytes[pos + 3] === 0x64 && // d
    bytes[pos + 4] === 0x61 && // a
    bytes[pos + 5] === 0x74 && // t
    bytes[pos + 6] === 0x61 && // a
    bytes[pos + 7] === 0x22 && // "
    bytes[pos + 8] === 0x3a && // :
    bytes[pos + 9] === 0x7b && // {
    bytes[pos + 10] === 0x22 && // "
    bytes[pos + 11] === 0x65 && // e
    bytes[pos + 12] === 0x22 && // "
    bytes[pos + 13] === 0x3a && // :
    bytes[pos + 14] === 0x22 && // "
    bytes[pos + 15] === 0x74 && // t
    bytes[pos + 16] === 0x72 && // r
    bytes[pos + 17] === 0x61 && // a
    bytes[pos + 18] === 0x64 && // d
    bytes[pos + 19] === 0x65 && // e
    bytes[pos + 20] === 0x22 && // "
    bytes[pos + 21] === 0x2c && // ,
    bytes[pos + 22] === 0x22 && // "
    bytes[pos + 23] === 0x45 && // E
    bytes[pos + 24] === 0x22 && // "
    bytes[pos + 25] === 0x3a // :
    ? pos + 26
    : -1;
}

/**
 * The position after `,"<key>":` at `pos`, or -1. Five literal compares instead of `matchBytes`'s loop over a
 * pattern array: about 5% off the Binance parse (docs/design/latency-tail.md, "The hot path against its floor").
 */
function keyEnd(bytes: Uint8Array, pos: number, end: number, key: number): number {
  if (pos + 5 > end) return -1;
  return bytes[pos] === 0x2c &&
    bytes[pos + 1] === 0x22 &&
    bytes[pos + 2] === key &&
    bytes[pos + 3] === 0x22 &&
    bytes[pos + 4] === 0x3a
    ? pos + 5
    : -1;
}

/** The position after `,"<key>":"` (a string value's opening quote) at `pos`, or -1. */
function stringKeyEnd(bytes: Uint8Array, pos: number, end: number, key: number): number {
  const at = keyEnd(bytes, pos, end, key);
  return at >= 0 && at < end && bytes[at] === 0x22 ? at + 1 : -1;
}

/**
 * Reads a Binance spot trade message in the venue's own layout into `batch`;
 * {@link LAYOUT_MISSED} for any other message.
 */
export function scanBinanceTradeLayout(
  bytes: Uint8Array,
  start: number,
  end: number,
  batch: TradeBatch,
  state: ParseState,
): MessageKind | typeof LAYOUT_MISSED {
  let pos = combinedHeadEnd(bytes, start, end);
  const combined = pos >= 0;
  if (combined) {
    pos = plainStringEnd(bytes, pos, end);
    if (pos < 0) return LAYOUT_MISSED;
    pos = combinedTradeHeadEnd(bytes, pos, end);
  } else {
    pos = matchBytes(bytes, start, end, RAW_TRADE_HEAD);
  }
  if (pos < 0) return LAYOUT_MISSED;
  pos = skipUint(bytes, pos, end);
  if (pos < 0) return LAYOUT_MISSED;
  pos = stringKeyEnd(bytes, pos, end, 0x73); // s
  if (pos < 0) return LAYOUT_MISSED;
  const symbolStart = pos;
  pos = plainStringEnd(bytes, pos, end);
  if (pos <= symbolStart) return LAYOUT_MISSED;
  const symbolEnd = pos;
  // The symbol's closing quote, then `,"t":`.
  pos = keyEnd(bytes, pos + 1, end, 0x74);
  if (pos < 0) return LAYOUT_MISSED;
  const index = batch.add();
  if (index < 0) return LAYOUT_MISSED;
  const idStart = pos;
  pos = uintInto(bytes, pos, end, batch.tradeIdNumber, index);
  if (pos < 0) return LAYOUT_MISSED;
  const idEnd = pos;
  pos = stringKeyEnd(bytes, pos, end, 0x70); // p
  if (pos < 0) return LAYOUT_MISSED;
  pos = decimalStringInto(bytes, pos, end, batch.price, index);
  if (pos < 0) return LAYOUT_MISSED;
  pos = stringKeyEnd(bytes, pos, end, 0x71); // q
  if (pos < 0) return LAYOUT_MISSED;
  pos = decimalStringInto(bytes, pos, end, batch.size, index);
  if (pos < 0) return LAYOUT_MISSED;
  pos = keyEnd(bytes, pos, end, 0x54); // T
  if (pos < 0) return LAYOUT_MISSED;
  pos = uintInto(bytes, pos, end, batch.timestampMs, index);
  if (pos < 0) return LAYOUT_MISSED;
  pos = keyEnd(bytes, pos, end, 0x6d); // m
  if (pos < 0) return LAYOUT_MISSED;
  const buyerIsMaker = booleanAt(bytes, pos, end);
  if (buyerIsMaker < 0) return LAYOUT_MISSED;
  pos += 5 - buyerIsMaker;
  const bestMatch = keyEnd(bytes, pos, end, 0x4d); // M
  if (bestMatch >= 0) {
    const value = booleanAt(bytes, bestMatch, end);
    if (value < 0) return LAYOUT_MISSED;
    pos = bestMatch + 5 - value;
  }
  if (pos >= end || bytes[pos] !== 0x7d) return LAYOUT_MISSED;
  pos++;
  if (combined) {
    if (pos >= end || bytes[pos] !== 0x7d) return LAYOUT_MISSED;
    pos++;
  }
  // A time beyond 2^53 (read as -1) cannot be exact: the general path decides.
  if (pos !== end || batch.timestampMs[index]! < 0) return LAYOUT_MISSED;
  if (!validPriceAt(batch.price, index) || !validSizeAt(batch.size, index)) return LAYOUT_MISSED;
  batch.symbolStart[index] = symbolStart;
  batch.symbolEnd[index] = symbolEnd;
  batch.tradeIdStart[index] = idStart;
  batch.tradeIdEnd[index] = idEnd;
  batch.seqFirst[index] = batch.tradeIdNumber[index]!;
  batch.seqLast[index] = batch.tradeIdNumber[index]!;
  splitEpochAt(batch.timestampMs, batch.timestampSubMsNanos, index);
  batch.side[index] = buyerIsMaker === 1 ? TradeSide.sell : TradeSide.buy;
  return state.tradesOrSnapshot(false);
}
