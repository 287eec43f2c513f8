/**
 * OKX v5 `trades` channel: `{"arg":{"channel":"trades","instId":...},"data":[...]}`
 * with `px`/`sz`/`ts`/`tradeId`/`count` as strings. `side` is the taker's.
 *
 * One message may aggregate several fills of one taker order at one price:
 * `tradeId` is the LAST id of the aggregation and `count` how many fills it
 * holds, so the trade covers ids `tradeId - count + 1`..`tradeId`
 * (`seqFirst`..`seqLast`) and the next message's first id follows on. OKX also
 * sends plain-text `pong` (not JSON) to the client's `ping`.
 */
import { TradeSide } from '../codec/trade-data.js';
import { asciiBytes, type ByteJsonReader } from './byte-json-reader.js';
import { digitsInto } from './decimal-bytes.js';
import { MessageKind, NonTradeKind } from './message-kind.js';
import { scanOkxTradesLayout } from './okx-layout.js';
import { scanDecimalString, splitEpochAt, validPriceAt, validSizeAt } from './scan-values.js';
import type { TradeBatch } from './trade-batch.js';
import {
  finishPrice,
  finishSize,
  isJsonObject,
  treeCountString,
  treeDecimalString,
  treeEpochString,
  treeStringId,
  treeSymbol,
} from './tree-fields.js';
import type { VenueProtocol } from './venue-feed.js';
import { type ParserOptions, type VenueParser, venueParserFor } from './venue-parser.js';
import {
  type LAYOUT_MISSED,
  type NEEDS_RAW_NUMBERS,
  type ParseState,
  SCAN_GAVE_UP,
  type VenueReader,
} from './venue-reader.js';

const KEY_ARG = asciiBytes('arg');
const KEY_EVENT = asciiBytes('event');
const KEY_CHANNEL = asciiBytes('channel');
const KEY_DATA = asciiBytes('data');
const KEY_INST_ID = asciiBytes('instId');
const KEY_TRADE_ID = asciiBytes('tradeId');
const KEY_PX = asciiBytes('px');
const KEY_SZ = asciiBytes('sz');
const KEY_SIDE = asciiBytes('side');
const KEY_TS = asciiBytes('ts');
const KEY_COUNT = asciiBytes('count');
const CHANNEL_TRADES = asciiBytes('trades');
const SIDE_BUY = asciiBytes('buy');
const SIDE_SELL = asciiBytes('sell');

const BIT_INST_ID = 1;
const BIT_TRADE_ID = 2;
const BIT_PX = 4;
const BIT_SZ = 8;
const BIT_SIDE = 16;
const BIT_TS = 32;
const BIT_COUNT = 64;
const REQUIRED_TRADE_BITS = 63;

/** Reads OKX v5 messages; one instance per parser. */
class OkxReader implements VenueReader {
  readonly venue = 'okx' as const;
  private readonly idOut = new Float64Array(1);
  /** The `count` of the trade being scanned (typed, so storing it never boxes a double). */
  private readonly numbers = new Float64Array(1);

  plainFrame(bytes: Uint8Array, start: number, end: number): NonTradeKind | -1 {
    // Exactly `pong` or `ping`: OKX keep-alive frames are plain text, not JSON.
    if (
      end - start !== 4 ||
      bytes[start] !== 0x70 ||
      bytes[start + 2] !== 0x6e ||
      bytes[start + 3] !== 0x67
    ) {
      return -1;
    }
    const second = bytes[start + 1];
    return second === 0x6f ? NonTradeKind.pong : second === 0x69 ? NonTradeKind.ping : -1;
  }

  scanLayout(
    bytes: Uint8Array,
    start: number,
    end: number,
    batch: TradeBatch,
    state: ParseState,
  ): MessageKind | typeof LAYOUT_MISSED {
    return scanOkxTradesLayout(bytes, start, end, batch, state, this.numbers);
  }

  scan(reader: ByteJsonReader, batch: TradeBatch, state: ParseState): MessageKind | typeof SCAN_GAVE_UP {
    let tradesChannel = false;
    let hasArg = false;
    let hasData = false;
    if (!reader.eat(0x7b)) return SCAN_GAVE_UP;
    do {
      if (!reader.readKey()) return SCAN_GAVE_UP;
      if (reader.is(KEY_ARG)) {
        if (hasArg) return SCAN_GAVE_UP;
        hasArg = true;
        const channel = this.scanArg(reader);
        if (channel < 0) return SCAN_GAVE_UP;
        tradesChannel = channel === 1;
      } else if (reader.is(KEY_DATA)) {
        if (hasData || !this.scanTrades(reader, batch)) return SCAN_GAVE_UP;
        hasData = true;
      } else if (reader.is(KEY_EVENT) || !reader.skipValue()) {
        // An `event` key makes the message an event whatever else it holds: the full parse classifies it.
        return SCAN_GAVE_UP;
      }
    } while (reader.eat(0x2c));
    if (!reader.eat(0x7d) || !reader.atEnd() || !tradesChannel || batch.count === 0) return SCAN_GAVE_UP;
    return state.tradesOrSnapshot(false);
  }

  /** Reads the `arg` object: 1 for the trades channel, 0 for another, -1 to give up. */
  private scanArg(reader: ByteJsonReader): number {
    let channel = -1;
    if (!reader.eat(0x7b)) return -1;
    if (reader.eat(0x7d)) return -1;
    do {
      if (!reader.readKey()) return -1;
      if (reader.is(KEY_CHANNEL)) {
        if (channel !== -1 || !reader.readPlainString()) return -1;
        channel = reader.is(CHANNEL_TRADES) ? 1 : 0;
      } else if (!reader.skipValue()) {
        return -1;
      }
    } while (reader.eat(0x2c));
    return reader.eat(0x7d) ? channel : -1;
  }

  private scanTrades(reader: ByteJsonReader, batch: TradeBatch): boolean {
    if (!reader.eat(0x5b)) return false;
    do {
      if (!this.scanTrade(reader, batch)) return false;
    } while (reader.eat(0x2c));
    return reader.eat(0x5d);
  }

  private scanTrade(reader: ByteJsonReader, batch: TradeBatch): boolean {
    const index = batch.add();
    if (index < 0 || !reader.eat(0x7b)) return false;
    const bytes = reader.bytes;
    let seen = 0;
    let countStatus = 1;
    let idStatus = -2;
    const numbers = this.numbers;
    do {
      if (!reader.readKey()) return false;
      let bit = 0;
      if (reader.is(KEY_INST_ID)) {
        bit = BIT_INST_ID;
        if (!reader.readPlainString() || reader.stop === reader.start) return false;
        batch.symbolStart[index] = reader.start;
        batch.symbolEnd[index] = reader.stop;
      } else if (reader.is(KEY_TRADE_ID)) {
        bit = BIT_TRADE_ID;
        if (!reader.readPlainString() || reader.stop === reader.start) return false;
        idStatus = digitsInto(bytes, reader.start, reader.stop, batch.tradeIdNumber, index);
        batch.tradeIdStart[index] = reader.start;
        batch.tradeIdEnd[index] = reader.stop;
      } else if (reader.is(KEY_PX)) {
        bit = BIT_PX;
        if (!scanDecimalString(reader, batch.price, index) || !validPriceAt(batch.price, index)) return false;
      } else if (reader.is(KEY_SZ)) {
        bit = BIT_SZ;
        if (!scanDecimalString(reader, batch.size, index) || !validSizeAt(batch.size, index)) return false;
      } else if (reader.is(KEY_SIDE)) {
        bit = BIT_SIDE;
        if (!reader.readPlainString()) return false;
        if (reader.is(SIDE_BUY)) batch.side[index] = TradeSide.buy;
        else if (reader.is(SIDE_SELL)) batch.side[index] = TradeSide.sell;
        else return false;
      } else if (reader.is(KEY_TS)) {
        bit = BIT_TS;
        if (!reader.readPlainString()) return false;
        if (digitsInto(bytes, reader.start, reader.stop, batch.timestampMs, index) !== 0) return false;
        splitEpochAt(batch.timestampMs, batch.timestampSubMsNanos, index);
      } else if (reader.is(KEY_COUNT)) {
        bit = BIT_COUNT;
        if (!reader.readPlainString()) return false;
        countStatus = digitsInto(bytes, reader.start, reader.stop, numbers, 0);
        if (countStatus !== 0 || numbers[0]! < 1) return false;
      } else if (!reader.skipValue()) {
        return false;
      }
      if ((seen & bit) !== 0) return false;
      seen |= bit;
    } while (reader.eat(0x2c));
    if (!reader.eat(0x7d) || (seen & REQUIRED_TRADE_BITS) !== REQUIRED_TRADE_BITS) return false;
    if (idStatus !== 0) {
      // Not all digits, or beyond 2^53: kept as text, no sequence.
      batch.tradeIdNumber[index] = -1;
      batch.seqFirst[index] = -1;
      batch.seqLast[index] = -1;
      return true;
    }
    // tradeId is the last of `count` aggregated fills.
    const last = batch.tradeIdNumber[index]!;
    const first = countStatus === 1 ? last : last - numbers[0]! + 1;
    if (first < 0) return false;
    batch.seqFirst[index] = first;
    batch.seqLast[index] = last;
    return true;
  }

  fromTree(root: unknown, batch: TradeBatch, state: ParseState): MessageKind | typeof NEEDS_RAW_NUMBERS {
    if (!isJsonObject(root)) return state.nonTrade(NonTradeKind.unknown);
    const event = root.event;
    if (event === 'subscribe' || event === 'unsubscribe') return state.nonTrade(NonTradeKind.subscribeAck);
    if (event === 'error') return state.nonTrade(NonTradeKind.venueError);
    if (event === 'notice') return state.nonTrade(NonTradeKind.shutdown);
    if (typeof event === 'string') return state.nonTrade(NonTradeKind.otherChannel);
    const arg = root.arg;
    if (isJsonObject(arg) && typeof arg.channel === 'string') {
      return arg.channel === 'trades'
        ? this.tradesFromTree(root.data, batch, state)
        : state.nonTrade(NonTradeKind.otherChannel);
    }
    return state.nonTrade(NonTradeKind.unknown);
  }

  private tradesFromTree(data: unknown, batch: TradeBatch, state: ParseState): MessageKind {
    if (data === undefined) return state.fail('missing-field', 'data');
    if (!Array.isArray(data)) return state.fail('wrong-type', 'data');
    if (data.length === 0) return state.fail('empty-trade-list', 'data');
    const idOut = this.idOut;
    for (const trade of data) {
      if (!isJsonObject(trade)) return state.fail('wrong-type', 'data');
      const symbol = treeSymbol(trade.instId, state, 'instId');
      if (symbol === null) return MessageKind.malformed;
      const tradeId = treeStringId(trade.tradeId, state, 'tradeId', idOut);
      if (tradeId === null) return MessageKind.malformed;
      const idNumber = idOut[0]!;
      const price = finishPrice(treeDecimalString(trade.px, state, 'px'), state, 'px');
      if (Number.isNaN(price)) return MessageKind.malformed;
      const size = finishSize(treeDecimalString(trade.sz, state, 'sz'), state, 'sz');
      if (Number.isNaN(size)) return MessageKind.malformed;
      const side = trade.side;
      if (side !== 'buy' && side !== 'sell') {
        return state.fail(
          side === undefined ? 'missing-field' : typeof side === 'string' ? 'invalid-side' : 'wrong-type',
          'side',
        );
      }
      const count = trade.count === undefined ? 1 : treeCountString(trade.count, state, 'count');
      if (count < 0) return MessageKind.malformed;
      const first = idNumber < 0 ? -1 : idNumber - count + 1;
      if (idNumber >= 0 && first < 0) return state.fail('invalid-number', 'count');
      const index = batch.addGrowing();
      if (!treeEpochString(trade.ts, batch, index, state, 'ts')) return MessageKind.malformed;
      batch.setStrings(index, symbol, tradeId);
      batch.tradeIdNumber[index] = idNumber;
      batch.seqFirst[index] = first;
      batch.seqLast[index] = first < 0 ? -1 : idNumber;
      batch.price[index] = price;
      batch.size[index] = size;
      batch.side[index] = side === 'buy' ? TradeSide.buy : TradeSide.sell;
    }
    return state.tradesOrSnapshot(false);
  }
}

/** Creates a parser for OKX v5 `trades` channel messages (and the plain-text `pong`). */
export function createOkxParser(options?: ParserOptions): VenueParser {
  return venueParserFor(new OkxReader(), options);
}

/**
 * OKX v5 public wire protocol: one subscribe with a `trades` arg per
 * instrument, a plain-text `ping` every 25 s (OKX drops connections silent for
 * 30 s).
 *
 * @example
 * ```ts
 * okxProtocol.subscribeMessages(['BTC-USDT']);
 * // ['{"op":"subscribe","args":[{"channel":"trades","instId":"BTC-USDT"}]}']
 * ```
 */
export const okxProtocol: VenueProtocol = {
  venue: 'okx',
  liveUrl() {
    return 'wss://ws.okx.com:8443/ws/v5/public';
  },
  subscribeMessages(symbols) {
    const args = symbols.map((instId) => ({ channel: 'trades', instId }));
    return [JSON.stringify({ op: 'subscribe', args })];
  },
  keepAlive: { intervalMs: 25_000, kind: 'text', payload: 'ping' },
  staleAfterMs: 60_000,
};
