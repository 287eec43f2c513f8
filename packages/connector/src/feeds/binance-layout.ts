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

const COMBINED_HEAD = asciiBytes('{"stream":"');
const COMBINED_TRADE_HEAD = asciiBytes('","data":{"e":"trade","E":');
const RAW_TRADE_HEAD = asciiBytes('{"e":"trade","E":');
const SYMBOL_KEY = asciiBytes(',"s":"');
const TRADE_ID_KEY = asciiBytes('","t":');
const PRICE_KEY = asciiBytes(',"p":"');
const SIZE_KEY = asciiBytes(',"q":"');
const TIME_KEY = asciiBytes(',"T":');
const MAKER_KEY = asciiBytes(',"m":');
const BEST_MATCH_KEY = asciiBytes(',"M":');

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
  let pos = matchBytes(bytes, start, end, COMBINED_HEAD);
  const combined = pos >= 0;
  if (combined) {
    pos = plainStringEnd(bytes, pos, end);
    if (pos < 0) return LAYOUT_MISSED;
    pos = matchBytes(bytes, pos, end, COMBINED_TRADE_HEAD);
  } else {
    pos = matchBytes(bytes, start, end, RAW_TRADE_HEAD);
  }
  if (pos < 0) return LAYOUT_MISSED;
  pos = skipUint(bytes, pos, end);
  if (pos < 0) return LAYOUT_MISSED;
  pos = matchBytes(bytes, pos, end, SYMBOL_KEY);
  if (pos < 0) return LAYOUT_MISSED;
  const symbolStart = pos;
  pos = plainStringEnd(bytes, pos, end);
  if (pos <= symbolStart) return LAYOUT_MISSED;
  const symbolEnd = pos;
  pos = matchBytes(bytes, pos, end, TRADE_ID_KEY);
  if (pos < 0) return LAYOUT_MISSED;
  const index = batch.add();
  if (index < 0) return LAYOUT_MISSED;
  const idStart = pos;
  pos = uintInto(bytes, pos, end, batch.tradeIdNumber, index);
  if (pos < 0) return LAYOUT_MISSED;
  const idEnd = pos;
  pos = matchBytes(bytes, pos, end, PRICE_KEY);
  if (pos < 0) return LAYOUT_MISSED;
  pos = decimalStringInto(bytes, pos, end, batch.price, index);
  if (pos < 0) return LAYOUT_MISSED;
  pos = matchBytes(bytes, pos, end, SIZE_KEY);
  if (pos < 0) return LAYOUT_MISSED;
  pos = decimalStringInto(bytes, pos, end, batch.size, index);
  if (pos < 0) return LAYOUT_MISSED;
  pos = matchBytes(bytes, pos, end, TIME_KEY);
  if (pos < 0) return LAYOUT_MISSED;
  pos = uintInto(bytes, pos, end, batch.timestampMs, index);
  if (pos < 0) return LAYOUT_MISSED;
  pos = matchBytes(bytes, pos, end, MAKER_KEY);
  if (pos < 0) return LAYOUT_MISSED;
  const buyerIsMaker = booleanAt(bytes, pos, end);
  if (buyerIsMaker < 0) return LAYOUT_MISSED;
  pos += 5 - buyerIsMaker;
  const bestMatch = matchBytes(bytes, pos, end, BEST_MATCH_KEY);
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
