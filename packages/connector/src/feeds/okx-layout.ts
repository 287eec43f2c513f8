/**
 * The OKX fast path: a v5 `trades` message exactly as OKX sends it:
 *
 * `{"arg":{"channel":"trades","instId":"<sym>"},"data":[{"instId":"<sym>","tradeId":"<id>","px":"<dec>","sz":"<dec>","side":"<buy|sell>","ts":"<int>","count":"<int>","source":"<src>","seqId":<int>},...]}`
 *
 * (`"count"`, `"source"` and `"seqId"` optional, in that order: older frames
 * lack them). The first byte that differs makes it miss; the general scanner
 * then reads the message.
 */
import { TradeSide } from '../codec/trade-data.js';
import { asciiBytes } from './byte-json-reader.js';
import { decimalStringInto, digitStringInto, matchBytes, plainStringEnd, skipUint } from './layout-bytes.js';
import type { MessageKind } from './message-kind.js';
import { splitEpochAt, validPriceAt, validSizeAt } from './scan-values.js';
import type { TradeBatch } from './trade-batch.js';
import { LAYOUT_MISSED, type ParseState } from './venue-reader.js';

const ARG_HEAD = asciiBytes('{"arg":{"channel":"trades","instId":"');
const DATA_KEY = asciiBytes('"},"data":[');
const TRADE_HEAD = asciiBytes('{"instId":"');
const TRADE_ID_KEY = asciiBytes('","tradeId":"');
const PRICE_KEY = asciiBytes('","px":"');
const SIZE_KEY = asciiBytes(',"sz":"');
const SIDE_KEY = asciiBytes(',"side":"');
const BUY_TIME_KEY = asciiBytes('buy","ts":"');
const SELL_TIME_KEY = asciiBytes('sell","ts":"');
const COUNT_KEY = asciiBytes('","count":"');
const SOURCE_KEY = asciiBytes(',"source":"');
const SEQ_ID_KEY = asciiBytes(',"seqId":');

/**
 * Reads an OKX `trades` message in the venue's own layout into `batch`;
 * {@link LAYOUT_MISSED} for any other message.
 */
export function scanOkxTradesLayout(
  bytes: Uint8Array,
  start: number,
  end: number,
  batch: TradeBatch,
  state: ParseState,
  scratch: Float64Array,
): MessageKind | typeof LAYOUT_MISSED {
  let pos = matchBytes(bytes, start, end, ARG_HEAD);
  if (pos < 0) return LAYOUT_MISSED;
  pos = plainStringEnd(bytes, pos, end);
  if (pos < 0) return LAYOUT_MISSED;
  pos = matchBytes(bytes, pos, end, DATA_KEY);
  if (pos < 0) return LAYOUT_MISSED;
  for (;;) {
    pos = scanOkxTrade(bytes, pos, end, batch, scratch);
    if (pos < 0 || pos >= end) return LAYOUT_MISSED;
    if (bytes[pos] !== 0x2c) break;
    pos++;
  }
  if (pos + 2 !== end || bytes[pos] !== 0x5d || bytes[pos + 1] !== 0x7d) return LAYOUT_MISSED;
  return state.tradesOrSnapshot(false);
}

/**
 * Reads one trade object at `pos` into the next batch slot (`scratch[0]`
 * takes the fill count); the position after it, or -1.
 */
function scanOkxTrade(
  bytes: Uint8Array,
  at: number,
  end: number,
  batch: TradeBatch,
  scratch: Float64Array,
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
  pos = matchBytes(bytes, pos, end, TRADE_ID_KEY);
  if (pos < 0) return -1;
  const idStart = pos;
  pos = digitStringInto(bytes, pos, end, batch.tradeIdNumber, index);
  if (pos <= idStart) return -1;
  batch.tradeIdStart[index] = idStart;
  batch.tradeIdEnd[index] = pos;
  pos = matchBytes(bytes, pos, end, PRICE_KEY);
  if (pos < 0) return -1;
  pos = decimalStringInto(bytes, pos, end, batch.price, index);
  if (pos < 0) return -1;
  pos = matchBytes(bytes, pos, end, SIZE_KEY);
  if (pos < 0) return -1;
  pos = decimalStringInto(bytes, pos, end, batch.size, index);
  if (pos < 0) return -1;
  pos = matchBytes(bytes, pos, end, SIDE_KEY);
  if (pos < 0) return -1;
  let next = matchBytes(bytes, pos, end, BUY_TIME_KEY);
  batch.side[index] = TradeSide.buy;
  if (next < 0) {
    next = matchBytes(bytes, pos, end, SELL_TIME_KEY);
    if (next < 0) return -1;
    batch.side[index] = TradeSide.sell;
  }
  pos = digitStringInto(bytes, next, end, batch.timestampMs, index);
  // Not all digits, or beyond 2^53: the general path decides.
  if (pos < 0 || batch.timestampMs[index]! < 0) return -1;
  scratch[0] = 1;
  const count = matchBytes(bytes, pos, end, COUNT_KEY);
  if (count >= 0) {
    pos = digitStringInto(bytes, count, end, scratch, 0);
    if (pos < 0 || scratch[0]! < 1) return -1;
  }
  // Past the quote closing `ts` or `count`.
  pos++;
  const source = matchBytes(bytes, pos, end, SOURCE_KEY);
  if (source >= 0) {
    pos = plainStringEnd(bytes, source, end);
    if (pos < 0) return -1;
    pos++;
  }
  const seqId = matchBytes(bytes, pos, end, SEQ_ID_KEY);
  if (seqId >= 0) {
    pos = skipUint(bytes, seqId, end);
    if (pos < 0) return -1;
  }
  if (pos >= end || bytes[pos] !== 0x7d) return -1;
  if (!validPriceAt(batch.price, index) || !validSizeAt(batch.size, index)) return -1;
  splitEpochAt(batch.timestampMs, batch.timestampSubMsNanos, index);
  const last = batch.tradeIdNumber[index]!;
  if (last < 0) {
    // Not all digits, or beyond 2^53: kept as text, no sequence.
    batch.tradeIdNumber[index] = -1;
    batch.seqFirst[index] = -1;
    batch.seqLast[index] = -1;
    return pos + 1;
  }
  // tradeId is the last of `count` aggregated fills.
  const first = last - scratch[0]! + 1;
  if (first < 0) return -1;
  batch.seqFirst[index] = first;
  batch.seqLast[index] = last;
  return pos + 1;
}
