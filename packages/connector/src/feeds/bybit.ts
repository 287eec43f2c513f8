/**
 * Bybit v5 `publicTrade.<symbol>`: one or more trades per message (up to
 * 1024), `S` the taker side (`Buy`/`Sell`), `T` epoch ms, `i` the trade id: a
 * UUID for derivatives, a numeric string for spot. Bybit ids are not a
 * contiguous sequence, so `seqFirst`/`seqLast` are always -1 (no gap
 * detection; deduplicate by id). The message `type` is always `snapshot`,
 * even for live trades, and is ignored.
 */
import { TradeSide } from '../codec/trade-data.js';
import { scanBybitTradeLayout } from './bybit-layout.js';
import { asciiBytes, type ByteJsonReader } from './byte-json-reader.js';
import { digitsInto } from './decimal-bytes.js';
import { MessageKind, NonTradeKind } from './message-kind.js';
import { scanDecimalString, splitEpochAt, validPriceAt, validSizeAt } from './scan-values.js';
import type { TradeBatch } from './trade-batch.js';
import {
  finishPrice,
  finishSize,
  isJsonObject,
  treeDecimalString,
  treeEpochNumber,
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

const KEY_TOPIC = asciiBytes('topic');
const KEY_DATA = asciiBytes('data');
const TOPIC_PREFIX = 'publicTrade.';
const TOPIC_PREFIX_BYTES = asciiBytes(TOPIC_PREFIX);
const SIDE_BUY = asciiBytes('Buy');
const SIDE_SELL = asciiBytes('Sell');

const BIT_TIME = 1;
const BIT_SYMBOL = 2;
const BIT_SIDE = 4;
const BIT_SIZE = 8;
const BIT_PRICE = 16;
const BIT_ID = 32;
const ALL_TRADE_BITS = 63;

/** Reads Bybit v5 messages; one instance per parser. */
class BybitReader implements VenueReader {
  readonly venue = 'bybit' as const;
  private readonly idOut = new Float64Array(1);

  plainFrame(): -1 {
    return -1;
  }

  scanLayout(
    bytes: Uint8Array,
    start: number,
    end: number,
    batch: TradeBatch,
    state: ParseState,
  ): MessageKind | typeof LAYOUT_MISSED {
    return scanBybitTradeLayout(bytes, start, end, batch, state);
  }

  scan(reader: ByteJsonReader, batch: TradeBatch, state: ParseState): MessageKind | typeof SCAN_GAVE_UP {
    let tradeTopic = false;
    let hasTopic = false;
    let hasData = false;
    if (!reader.eat(0x7b)) return SCAN_GAVE_UP;
    do {
      if (!reader.readKey()) return SCAN_GAVE_UP;
      if (reader.is(KEY_TOPIC)) {
        if (hasTopic || !reader.readPlainString()) return SCAN_GAVE_UP;
        hasTopic = true;
        tradeTopic = startsWith(reader, TOPIC_PREFIX_BYTES);
      } else if (reader.is(KEY_DATA)) {
        if (hasData || !this.scanTrades(reader, batch)) return SCAN_GAVE_UP;
        hasData = true;
      } else if (!reader.skipValue()) {
        return SCAN_GAVE_UP;
      }
    } while (reader.eat(0x2c));
    if (!reader.eat(0x7d) || !reader.atEnd() || !tradeTopic || batch.count === 0) return SCAN_GAVE_UP;
    return state.tradesOrSnapshot(false);
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
    do {
      if (!reader.readKey()) return false;
      const keyLength = reader.stop - reader.start;
      const key = keyLength === 1 ? bytes[reader.start]! : 0;
      let bit = 0;
      if (key === 0x54) {
        // T
        bit = BIT_TIME;
        if (!reader.readNumber()) return false;
        if (digitsInto(bytes, reader.start, reader.stop, batch.timestampMs, index) !== 0) return false;
        splitEpochAt(batch.timestampMs, batch.timestampSubMsNanos, index);
      } else if (key === 0x73) {
        // s
        bit = BIT_SYMBOL;
        if (!reader.readPlainString() || reader.stop === reader.start) return false;
        batch.symbolStart[index] = reader.start;
        batch.symbolEnd[index] = reader.stop;
      } else if (key === 0x53) {
        // S
        bit = BIT_SIDE;
        if (!reader.readPlainString()) return false;
        if (reader.is(SIDE_BUY)) batch.side[index] = TradeSide.buy;
        else if (reader.is(SIDE_SELL)) batch.side[index] = TradeSide.sell;
        else return false;
      } else if (key === 0x76) {
        // v
        bit = BIT_SIZE;
        if (!scanDecimalString(reader, batch.size, index) || !validSizeAt(batch.size, index)) return false;
      } else if (key === 0x70) {
        // p
        bit = BIT_PRICE;
        if (!scanDecimalString(reader, batch.price, index) || !validPriceAt(batch.price, index)) return false;
      } else if (key === 0x69) {
        // i
        bit = BIT_ID;
        if (!reader.readPlainString() || reader.stop === reader.start) return false;
        if (digitsInto(bytes, reader.start, reader.stop, batch.tradeIdNumber, index) === -2) {
          batch.tradeIdNumber[index] = -1;
        }
        batch.tradeIdStart[index] = reader.start;
        batch.tradeIdEnd[index] = reader.stop;
        batch.seqFirst[index] = -1;
        batch.seqLast[index] = -1;
      } else if (!reader.skipValue()) {
        return false;
      }
      if ((seen & bit) !== 0) return false;
      seen |= bit;
    } while (reader.eat(0x2c));
    return reader.eat(0x7d) && seen === ALL_TRADE_BITS;
  }

  fromTree(root: unknown, batch: TradeBatch, state: ParseState): MessageKind | typeof NEEDS_RAW_NUMBERS {
    if (!isJsonObject(root)) return state.nonTrade(NonTradeKind.unknown);
    const topic = root.topic;
    if (typeof topic === 'string') {
      return topic.startsWith(TOPIC_PREFIX)
        ? this.tradesFromTree(root.data, batch, state)
        : state.nonTrade(NonTradeKind.otherChannel);
    }
    const op = root.op;
    if (op === 'ping' || op === 'pong') return state.nonTrade(NonTradeKind.pong);
    if (root.success === false) return state.nonTrade(NonTradeKind.venueError);
    if (typeof op === 'string' || root.type === 'COMMAND_RESP')
      return state.nonTrade(NonTradeKind.subscribeAck);
    return state.nonTrade(NonTradeKind.unknown);
  }

  private tradesFromTree(data: unknown, batch: TradeBatch, state: ParseState): MessageKind {
    if (data === undefined) return state.fail('missing-field', 'data');
    if (!Array.isArray(data)) return state.fail('wrong-type', 'data');
    if (data.length === 0) return state.fail('empty-trade-list', 'data');
    const idOut = this.idOut;
    for (const trade of data) {
      if (!isJsonObject(trade)) return state.fail('wrong-type', 'data');
      const symbol = treeSymbol(trade.s, state, 's');
      if (symbol === null) return MessageKind.malformed;
      const side = trade.S;
      if (side !== 'Buy' && side !== 'Sell') {
        return state.fail(
          side === undefined ? 'missing-field' : typeof side === 'string' ? 'invalid-side' : 'wrong-type',
          'S',
        );
      }
      const size = finishSize(treeDecimalString(trade.v, state, 'v'), state, 'v');
      if (Number.isNaN(size)) return MessageKind.malformed;
      const price = finishPrice(treeDecimalString(trade.p, state, 'p'), state, 'p');
      if (Number.isNaN(price)) return MessageKind.malformed;
      const tradeId = treeStringId(trade.i, state, 'i', idOut);
      if (tradeId === null) return MessageKind.malformed;
      const index = batch.addGrowing();
      if (!treeEpochNumber(trade.T, batch, index, state, 'T')) return MessageKind.malformed;
      batch.setStrings(index, symbol, tradeId);
      batch.tradeIdNumber[index] = idOut[0]!;
      batch.seqFirst[index] = -1;
      batch.seqLast[index] = -1;
      batch.price[index] = price;
      batch.size[index] = size;
      batch.side[index] = side === 'Buy' ? TradeSide.buy : TradeSide.sell;
    }
    return state.tradesOrSnapshot(false);
  }
}

function startsWith(reader: ByteJsonReader, prefix: Uint8Array): boolean {
  if (reader.stop - reader.start < prefix.length) return false;
  const bytes = reader.bytes;
  for (let i = 0; i < prefix.length; i++) if (bytes[reader.start + i] !== prefix[i]) return false;
  return true;
}

/** Creates a parser for Bybit v5 `publicTrade` messages. */
export function createBybitParser(options?: ParserOptions): VenueParser {
  return venueParserFor(new BybitReader(), options);
}

/** Bybit accepts at most 10 topics per spot subscribe request. */
const TOPICS_PER_SUBSCRIBE = 10;

/**
 * Bybit v5 spot wire protocol: `publicTrade.<symbol>` subscribes in chunks of
 * ten topics, a text `{"op":"ping"}` every 20 s as Bybit recommends.
 *
 * @example
 * ```ts
 * bybitProtocol.subscribeMessages(['BTCUSDT']);
 * // ['{"op":"subscribe","args":["publicTrade.BTCUSDT"]}']
 * ```
 */
export const bybitProtocol: VenueProtocol = {
  venue: 'bybit',
  liveUrl() {
    return 'wss://stream.bybit.com/v5/public/spot';
  },
  subscribeMessages(symbols) {
    const frames: string[] = [];
    for (let i = 0; i < symbols.length; i += TOPICS_PER_SUBSCRIBE) {
      const topics = symbols.slice(i, i + TOPICS_PER_SUBSCRIBE).map((symbol) => `${TOPIC_PREFIX}${symbol}`);
      frames.push(`{"op":"subscribe","args":${JSON.stringify(topics)}}`);
    }
    return frames;
  },
  keepAlive: { intervalMs: 20_000, kind: 'text', payload: '{"op":"ping"}' },
  staleAfterMs: 60_000,
};
