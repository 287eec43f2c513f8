/**
 * The Bybit fast path: a v5 `publicTrade` message exactly as Bybit sends it:
 *
 * `{"topic":"publicTrade.<sym>","type":"snapshot","ts":<int>,"data":[{"T":<int>,"s":"<sym>","S":"<Buy|Sell>","v":"<dec>","p":"<dec>","L":"<tick>","i":"<id>","BT":<bool>,"RPI":<bool>,"seq":<int>},...]}`
 *
 * (`"RPI"` and `"seq"` optional: older frames lack them). The first byte that
 * differs makes it miss; the general scanner then reads the message.
 */
import { TradeSide } from '../codec/trade-data.js';
import { asciiBytes } from './byte-json-reader.js';
import {
  booleanAt,
  decimalStringInto,
  digitStringInto,
  matchBytes,
  plainStringEnd,
  skipUint,
  uintInto,
} from './layout-bytes.js';
import type { MessageKind } from './message-kind.js';
import { splitEpochAt, validPriceAt, validSizeAt } from './scan-values.js';
import type { TradeBatch } from './trade-batch.js';
import { LAYOUT_MISSED, type ParseState } from './venue-reader.js';

const TOPIC_HEAD = asciiBytes('{"topic":"publicTrade.');
const TYPE_TS_KEYS = asciiBytes('","type":"snapshot","ts":');
const DATA_KEY = asciiBytes(',"data":[');
const TRADE_HEAD = asciiBytes('{"T":');
const SYMBOL_KEY = asciiBytes(',"s":"');
const SIDE_KEY = asciiBytes('","S":"');
const BUY_SIZE_KEY = asciiBytes('Buy","v":"');
const SELL_SIZE_KEY = asciiBytes('Sell","v":"');
const PRICE_KEY = asciiBytes(',"p":"');
const TICK_KEY = asciiBytes(',"L":"');
const ID_KEY = asciiBytes('","i":"');
const BLOCK_TRADE_KEY = asciiBytes('","BT":');
const RPI_KEY = asciiBytes(',"RPI":');
const SEQ_KEY = asciiBytes(',"seq":');

/**
 * Reads a Bybit `publicTrade` message in the venue's own layout into `batch`;
 * {@link LAYOUT_MISSED} for any other message.
 */
export function scanBybitTradeLayout(
  bytes: Uint8Array,
  start: number,
  end: number,
  batch: TradeBatch,
  state: ParseState,
): MessageKind | typeof LAYOUT_MISSED {
  let pos = matchBytes(bytes, start, end, TOPIC_HEAD);
  if (pos < 0) return LAYOUT_MISSED;
  pos = plainStringEnd(bytes, pos, end);
  if (pos < 0) return LAYOUT_MISSED;
  pos = matchBytes(bytes, pos, end, TYPE_TS_KEYS);
  if (pos < 0) return LAYOUT_MISSED;
  pos = skipUint(bytes, pos, end);
  if (pos < 0) return LAYOUT_MISSED;
  pos = matchBytes(bytes, pos, end, DATA_KEY);
  if (pos < 0) return LAYOUT_MISSED;
  for (;;) {
    pos = scanBybitTrade(bytes, pos, end, batch);
    if (pos < 0 || pos >= end) return LAYOUT_MISSED;
    if (bytes[pos] !== 0x2c) break;
    pos++;
  }
  if (pos + 2 !== end || bytes[pos] !== 0x5d || bytes[pos + 1] !== 0x7d) return LAYOUT_MISSED;
  return state.tradesOrSnapshot(false);
}

/** Reads one trade object at `pos` into the next batch slot; the position after it, or -1. */
function scanBybitTrade(bytes: Uint8Array, at: number, end: number, batch: TradeBatch): number {
  let pos = matchBytes(bytes, at, end, TRADE_HEAD);
  if (pos < 0) return -1;
  const index = batch.add();
  if (index < 0) return -1;
  pos = uintInto(bytes, pos, end, batch.timestampMs, index);
  // A time beyond 2^53 (read as -1) cannot be exact: the general path decides.
  if (pos < 0 || batch.timestampMs[index]! < 0) return -1;
  pos = matchBytes(bytes, pos, end, SYMBOL_KEY);
  if (pos < 0) return -1;
  const symbolStart = pos;
  pos = plainStringEnd(bytes, pos, end);
  if (pos <= symbolStart) return -1;
  batch.symbolStart[index] = symbolStart;
  batch.symbolEnd[index] = pos;
  pos = matchBytes(bytes, pos, end, SIDE_KEY);
  if (pos < 0) return -1;
  let next = matchBytes(bytes, pos, end, BUY_SIZE_KEY);
  batch.side[index] = TradeSide.buy;
  if (next < 0) {
    next = matchBytes(bytes, pos, end, SELL_SIZE_KEY);
    if (next < 0) return -1;
    batch.side[index] = TradeSide.sell;
  }
  pos = decimalStringInto(bytes, next, end, batch.size, index);
  if (pos < 0) return -1;
  pos = matchBytes(bytes, pos, end, PRICE_KEY);
  if (pos < 0) return -1;
  pos = decimalStringInto(bytes, pos, end, batch.price, index);
  if (pos < 0) return -1;
  pos = matchBytes(bytes, pos, end, TICK_KEY);
  if (pos < 0) return -1;
  pos = plainStringEnd(bytes, pos, end);
  if (pos < 0) return -1;
  pos = matchBytes(bytes, pos, end, ID_KEY);
  if (pos < 0) return -1;
  const idStart = pos;
  pos = digitStringInto(bytes, pos, end, batch.tradeIdNumber, index);
  if (pos <= idStart) return -1;
  batch.tradeIdStart[index] = idStart;
  batch.tradeIdEnd[index] = pos;
  // A UUID or an id beyond 2^53 has no number; Bybit ids are no sequence anyway.
  if (batch.tradeIdNumber[index]! < 0) batch.tradeIdNumber[index] = -1;
  pos = matchBytes(bytes, pos, end, BLOCK_TRADE_KEY);
  if (pos < 0) return -1;
  let flag = booleanAt(bytes, pos, end);
  if (flag < 0) return -1;
  pos += 5 - flag;
  const rpi = matchBytes(bytes, pos, end, RPI_KEY);
  if (rpi >= 0) {
    flag = booleanAt(bytes, rpi, end);
    if (flag < 0) return -1;
    pos = rpi + 5 - flag;
  }
  const seq = matchBytes(bytes, pos, end, SEQ_KEY);
  if (seq >= 0) {
    pos = skipUint(bytes, seq, end);
    if (pos < 0) return -1;
  }
  if (pos >= end || bytes[pos] !== 0x7d) return -1;
  if (!validPriceAt(batch.price, index) || !validSizeAt(batch.size, index)) return -1;
  splitEpochAt(batch.timestampMs, batch.timestampSubMsNanos, index);
  batch.seqFirst[index] = -1;
  batch.seqLast[index] = -1;
  return pos + 1;
}
