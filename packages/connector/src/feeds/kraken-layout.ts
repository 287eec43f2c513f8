/**
 * The Kraken fast path: a v2 `trade` message exactly as Kraken sends it:
 *
 * `{"channel":"trade","type":"update","data":[{"symbol":"<sym>","side":"<buy|sell>","price":<num>,"qty":<num>,"ord_type":"<type>","trade_id":<int>,"timestamp":"<RFC 3339>"},...]}`
 *
 * (`"type":"snapshot"` too). The first byte that differs makes it miss; the
 * general scanner then reads the message (heartbeats, other key orders...).
 */
import { TradeSide } from '../codec/trade-data.js';
import { asciiBytes } from './byte-json-reader.js';
import { decimalNumberInto, matchBytes, plainStringEnd, uintInto } from './layout-bytes.js';
import type { MessageKind } from './message-kind.js';
import { parseRfc3339 } from './rfc3339-bytes.js';
import { validPriceAt, validSizeAt } from './scan-values.js';
import type { TradeBatch } from './trade-batch.js';
import { LAYOUT_MISSED, type ParseState } from './venue-reader.js';

const UPDATE_HEAD = asciiBytes('{"channel":"trade","type":"update","data":[');
const SNAPSHOT_HEAD = asciiBytes('{"channel":"trade","type":"snapshot","data":[');
const TRADE_HEAD = asciiBytes('{"symbol":"');
const SIDE_KEY = asciiBytes('","side":"');
const BUY_PRICE_KEY = asciiBytes('buy","price":');
const SELL_PRICE_KEY = asciiBytes('sell","price":');
const QTY_KEY = asciiBytes(',"qty":');
const ORDER_TYPE_KEY = asciiBytes(',"ord_type":"');
const TRADE_ID_KEY = asciiBytes('","trade_id":');
const TIMESTAMP_KEY = asciiBytes(',"timestamp":"');

/**
 * Reads a Kraken v2 trade message in the venue's own layout into `batch`;
 * {@link LAYOUT_MISSED} for any other message.
 */
export function scanKrakenTradeLayout(
  bytes: Uint8Array,
  start: number,
  end: number,
  batch: TradeBatch,
  state: ParseState,
): MessageKind | typeof LAYOUT_MISSED {
  let snapshot = false;
  let pos = matchBytes(bytes, start, end, UPDATE_HEAD);
  if (pos < 0) {
    snapshot = true;
    pos = matchBytes(bytes, start, end, SNAPSHOT_HEAD);
    if (pos < 0) return LAYOUT_MISSED;
  }
  for (;;) {
    pos = scanKrakenTrade(bytes, pos, end, batch, state);
    if (pos < 0 || pos >= end) return LAYOUT_MISSED;
    if (bytes[pos] !== 0x2c) break;
    pos++;
  }
  if (pos + 2 !== end || bytes[pos] !== 0x5d || bytes[pos + 1] !== 0x7d) return LAYOUT_MISSED;
  return state.tradesOrSnapshot(snapshot);
}

/** Reads one trade object at `pos` into the next batch slot; the position after it, or -1. */
function scanKrakenTrade(
  bytes: Uint8Array,
  at: number,
  end: number,
  batch: TradeBatch,
  state: ParseState,
): number {
  let pos = matchBytes(bytes, at, end, TRADE_HEAD);
  if (pos < 0) return -1;
  const index = batch.add();
  if (index < 0) return -1;
  const symbolStart = pos;
  pos = plainStringEnd(bytes, pos, end);
  if (pos <= symbolStart) return -1;
  batch.symbolStart[index] = symbolStart;
  batch.symbolEnd[index] = pos;
  pos = matchBytes(bytes, pos, end, SIDE_KEY);
  if (pos < 0) return -1;
  let next = matchBytes(bytes, pos, end, BUY_PRICE_KEY);
  batch.side[index] = TradeSide.buy;
  if (next < 0) {
    next = matchBytes(bytes, pos, end, SELL_PRICE_KEY);
    if (next < 0) return -1;
    batch.side[index] = TradeSide.sell;
  }
  pos = decimalNumberInto(bytes, next, end, batch.price, index);
  if (pos < 0) return -1;
  pos = matchBytes(bytes, pos, end, QTY_KEY);
  if (pos < 0) return -1;
  pos = decimalNumberInto(bytes, pos, end, batch.size, index);
  if (pos < 0) return -1;
  pos = matchBytes(bytes, pos, end, ORDER_TYPE_KEY);
  if (pos < 0) return -1;
  pos = plainStringEnd(bytes, pos, end);
  if (pos < 0) return -1;
  pos = matchBytes(bytes, pos, end, TRADE_ID_KEY);
  if (pos < 0) return -1;
  batch.tradeIdStart[index] = pos;
  pos = uintInto(bytes, pos, end, batch.tradeIdNumber, index);
  if (pos < 0) return -1;
  batch.tradeIdEnd[index] = pos;
  pos = matchBytes(bytes, pos, end, TIMESTAMP_KEY);
  if (pos < 0) return -1;
  const timeStart = pos;
  pos = plainStringEnd(bytes, pos, end);
  if (pos < 0 || pos + 1 >= end || bytes[pos + 1] !== 0x7d) return -1;
  if (!parseRfc3339(bytes, timeStart, pos, state.time)) return -1;
  if (!validPriceAt(batch.price, index) || !validSizeAt(batch.size, index)) return -1;
  batch.timestampMs[index] = state.time.ms;
  batch.timestampSubMsNanos[index] = state.time.subMsNanos;
  batch.seqFirst[index] = batch.tradeIdNumber[index]!;
  batch.seqLast[index] = batch.tradeIdNumber[index]!;
  return pos + 2;
}
