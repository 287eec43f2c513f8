/**
 * The Coinbase fast path: a `match` message exactly as Coinbase Exchange sends it:
 *
 * `{"type":"match","trade_id":<int>,"maker_order_id":"<id>","taker_order_id":"<id>","side":"<buy|sell>","size":"<dec>","price":"<dec>","product_id":"<sym>","sequence":<int>,"time":"<RFC 3339>"}`
 *
 * The first byte that differs makes it miss; the general scanner then reads
 * the message (`last_match`, other key orders, whitespace...).
 */
import { TradeSide } from '../codec/trade-data.js';
import { asciiBytes } from './byte-json-reader.js';
import { decimalStringInto, matchBytes, plainStringEnd, skipUint, uintInto } from './layout-bytes.js';
import type { MessageKind } from './message-kind.js';
import { parseRfc3339 } from './rfc3339-bytes.js';
import { validPriceAt, validSizeAt } from './scan-values.js';
import type { TradeBatch } from './trade-batch.js';
import { LAYOUT_MISSED, type ParseState } from './venue-reader.js';

const MATCH_HEAD = asciiBytes('{"type":"match","trade_id":');
const MAKER_ORDER_KEY = asciiBytes(',"maker_order_id":"');
const TAKER_ORDER_KEY = asciiBytes('","taker_order_id":"');
const SIDE_KEY = asciiBytes('","side":"');
// The side value and the key after it in one pattern each: Coinbase sends the maker's side.
const MAKER_BUY_SIZE_KEY = asciiBytes('buy","size":"');
const MAKER_SELL_SIZE_KEY = asciiBytes('sell","size":"');
const PRICE_KEY = asciiBytes(',"price":"');
const PRODUCT_KEY = asciiBytes(',"product_id":"');
const SEQUENCE_KEY = asciiBytes('","sequence":');
const TIME_KEY = asciiBytes(',"time":"');

/**
 * Reads a Coinbase `match` message in the venue's own layout into `batch`;
 * {@link LAYOUT_MISSED} for any other message.
 */
export function scanCoinbaseMatchLayout(
  bytes: Uint8Array,
  start: number,
  end: number,
  batch: TradeBatch,
  state: ParseState,
): MessageKind | typeof LAYOUT_MISSED {
  let pos = matchBytes(bytes, start, end, MATCH_HEAD);
  if (pos < 0) return LAYOUT_MISSED;
  const index = batch.add();
  if (index < 0) return LAYOUT_MISSED;
  const idStart = pos;
  pos = uintInto(bytes, pos, end, batch.tradeIdNumber, index);
  if (pos < 0) return LAYOUT_MISSED;
  const idEnd = pos;
  pos = matchBytes(bytes, pos, end, MAKER_ORDER_KEY);
  if (pos < 0) return LAYOUT_MISSED;
  pos = plainStringEnd(bytes, pos, end);
  if (pos < 0) return LAYOUT_MISSED;
  pos = matchBytes(bytes, pos, end, TAKER_ORDER_KEY);
  if (pos < 0) return LAYOUT_MISSED;
  pos = plainStringEnd(bytes, pos, end);
  if (pos < 0) return LAYOUT_MISSED;
  pos = matchBytes(bytes, pos, end, SIDE_KEY);
  if (pos < 0) return LAYOUT_MISSED;
  let takerSide: TradeSide = TradeSide.sell;
  let next = matchBytes(bytes, pos, end, MAKER_BUY_SIZE_KEY);
  if (next < 0) {
    takerSide = TradeSide.buy;
    next = matchBytes(bytes, pos, end, MAKER_SELL_SIZE_KEY);
    if (next < 0) return LAYOUT_MISSED;
  }
  pos = decimalStringInto(bytes, next, end, batch.size, index);
  if (pos < 0) return LAYOUT_MISSED;
  pos = matchBytes(bytes, pos, end, PRICE_KEY);
  if (pos < 0) return LAYOUT_MISSED;
  pos = decimalStringInto(bytes, pos, end, batch.price, index);
  if (pos < 0) return LAYOUT_MISSED;
  pos = matchBytes(bytes, pos, end, PRODUCT_KEY);
  if (pos < 0) return LAYOUT_MISSED;
  const symbolStart = pos;
  pos = plainStringEnd(bytes, pos, end);
  if (pos <= symbolStart) return LAYOUT_MISSED;
  const symbolEnd = pos;
  pos = matchBytes(bytes, pos, end, SEQUENCE_KEY);
  if (pos < 0) return LAYOUT_MISSED;
  pos = skipUint(bytes, pos, end);
  if (pos < 0) return LAYOUT_MISSED;
  pos = matchBytes(bytes, pos, end, TIME_KEY);
  if (pos < 0) return LAYOUT_MISSED;
  const timeStart = pos;
  pos = plainStringEnd(bytes, pos, end);
  if (pos < 0 || pos + 2 !== end || bytes[pos + 1] !== 0x7d) return LAYOUT_MISSED;
  if (!parseRfc3339(bytes, timeStart, pos, state.time)) return LAYOUT_MISSED;
  if (!validPriceAt(batch.price, index) || !validSizeAt(batch.size, index)) return LAYOUT_MISSED;
  batch.symbolStart[index] = symbolStart;
  batch.symbolEnd[index] = symbolEnd;
  batch.tradeIdStart[index] = idStart;
  batch.tradeIdEnd[index] = idEnd;
  batch.seqFirst[index] = batch.tradeIdNumber[index]!;
  batch.seqLast[index] = batch.tradeIdNumber[index]!;
  batch.timestampMs[index] = state.time.ms;
  batch.timestampSubMsNanos[index] = state.time.subMsNanos;
  batch.side[index] = takerSide;
  return state.tradesOrSnapshot(false);
}
