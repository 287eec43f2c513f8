/**
 * Coinbase Exchange `matches` channel: `match` messages, one trade each.
 *
 * The `side` Coinbase sends is the MAKER order's side, so the taker side is
 * its opposite. `time` is RFC 3339 with microseconds. `trade_id` is
 * contiguous per product.
 *
 * `last_match` (sent once per product right after subscribing) repeats the
 * product's latest trade, which may be minutes old and, after a reconnect,
 * already recorded: by default it is validated and counted as a
 * {@link NonTradeKind.snapshot}, not published; `publishSnapshots` publishes it.
 */
import { TradeSide } from '../codec/trade-data.js';
import { asciiBytes, type ByteJsonReader } from './byte-json-reader.js';
import { scanCoinbaseMatchLayout } from './coinbase-layout.js';
import { digitsInto } from './decimal-bytes.js';
import { MessageKind, NonTradeKind } from './message-kind.js';
import { parseRfc3339 } from './rfc3339-bytes.js';
import { scanDecimalString, validPriceAt, validSizeAt } from './scan-values.js';
import type { TradeBatch } from './trade-batch.js';
import {
  finishPrice,
  finishSize,
  isJsonObject,
  treeDecimalString,
  treeNumericId,
  treeRfc3339,
  treeSymbol,
} from './tree-fields.js';
import type { VenueProtocol } from './venue-feed.js';
import { type ParserOptions, type VenueParser, venueParserFor } from './venue-parser.js';
import {
  type LAYOUT_MISSED,
  NEEDS_RAW_NUMBERS,
  type ParseState,
  SCAN_GAVE_UP,
  type VenueReader,
} from './venue-reader.js';

const KEY_TYPE = asciiBytes('type');
const KEY_TRADE_ID = asciiBytes('trade_id');
const KEY_PRODUCT_ID = asciiBytes('product_id');
const KEY_PRICE = asciiBytes('price');
const KEY_SIZE = asciiBytes('size');
const KEY_SIDE = asciiBytes('side');
const KEY_TIME = asciiBytes('time');
const TYPE_MATCH = asciiBytes('match');
const TYPE_LAST_MATCH = asciiBytes('last_match');
const SIDE_BUY = asciiBytes('buy');
const SIDE_SELL = asciiBytes('sell');

const BIT_TYPE = 1;
const BIT_TRADE_ID = 2;
const BIT_PRODUCT = 4;
const BIT_PRICE = 8;
const BIT_SIZE = 16;
const BIT_SIDE = 32;
const BIT_TIME = 64;
const ALL_BITS = 127;

/** Reads Coinbase messages; one instance per parser. */
class CoinbaseReader implements VenueReader {
  readonly venue = 'coinbase' as const;
  private readonly idOut = new Float64Array(1);
  /** Price and size as read (typed, so storing them never boxes a double). */
  private readonly numbers = new Float64Array(2);

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
    return scanCoinbaseMatchLayout(bytes, start, end, batch, state);
  }

  scan(reader: ByteJsonReader, batch: TradeBatch, state: ParseState): MessageKind | typeof SCAN_GAVE_UP {
    const bytes = reader.bytes;
    let seen = 0;
    let snapshot = false;
    let symbolStart = 0;
    let symbolEnd = 0;
    let idStart = 0;
    let idEnd = 0;
    const numbers = this.numbers;
    let takerSide: number = TradeSide.unknown;
    let timeStart = 0;
    let timeEnd = 0;
    if (!reader.eat(0x7b)) return SCAN_GAVE_UP;
    do {
      if (!reader.readKey()) return SCAN_GAVE_UP;
      let bit = 0;
      if (reader.is(KEY_TYPE)) {
        bit = BIT_TYPE;
        if (!reader.readPlainString()) return SCAN_GAVE_UP;
        if (reader.is(TYPE_LAST_MATCH)) snapshot = true;
        else if (!reader.is(TYPE_MATCH)) return SCAN_GAVE_UP;
      } else if (reader.is(KEY_TRADE_ID)) {
        bit = BIT_TRADE_ID;
        if (!reader.readNumber()) return SCAN_GAVE_UP;
        idStart = reader.start;
        idEnd = reader.stop;
      } else if (reader.is(KEY_PRODUCT_ID)) {
        bit = BIT_PRODUCT;
        if (!reader.readPlainString()) return SCAN_GAVE_UP;
        symbolStart = reader.start;
        symbolEnd = reader.stop;
      } else if (reader.is(KEY_PRICE)) {
        bit = BIT_PRICE;
        if (!scanDecimalString(reader, numbers, 0) || !validPriceAt(numbers, 0)) return SCAN_GAVE_UP;
      } else if (reader.is(KEY_SIZE)) {
        bit = BIT_SIZE;
        if (!scanDecimalString(reader, numbers, 1) || !validSizeAt(numbers, 1)) return SCAN_GAVE_UP;
      } else if (reader.is(KEY_SIDE)) {
        bit = BIT_SIDE;
        if (!reader.readPlainString()) return SCAN_GAVE_UP;
        // The maker's side: the taker did the opposite.
        if (reader.is(SIDE_BUY)) takerSide = TradeSide.sell;
        else if (reader.is(SIDE_SELL)) takerSide = TradeSide.buy;
        else return SCAN_GAVE_UP;
      } else if (reader.is(KEY_TIME)) {
        bit = BIT_TIME;
        if (!reader.readPlainString()) return SCAN_GAVE_UP;
        timeStart = reader.start;
        timeEnd = reader.stop;
      } else if (!reader.skipValue()) {
        return SCAN_GAVE_UP;
      }
      if ((seen & bit) !== 0) return SCAN_GAVE_UP;
      seen |= bit;
    } while (reader.eat(0x2c));
    if (!reader.eat(0x7d) || !reader.atEnd() || seen !== ALL_BITS || symbolEnd === symbolStart)
      return SCAN_GAVE_UP;
    if (!parseRfc3339(bytes, timeStart, timeEnd, state.time)) return SCAN_GAVE_UP;
    const index = batch.add();
    if (index < 0 || digitsInto(bytes, idStart, idEnd, batch.tradeIdNumber, index) === -2)
      return SCAN_GAVE_UP;
    batch.symbolStart[index] = symbolStart;
    batch.symbolEnd[index] = symbolEnd;
    batch.tradeIdStart[index] = idStart;
    batch.tradeIdEnd[index] = idEnd;
    batch.seqFirst[index] = batch.tradeIdNumber[index]!;
    batch.seqLast[index] = batch.tradeIdNumber[index]!;
    batch.timestampMs[index] = state.time.ms;
    batch.timestampSubMsNanos[index] = state.time.subMsNanos;
    batch.price[index] = numbers[0]!;
    batch.size[index] = numbers[1]!;
    batch.side[index] = takerSide;
    return state.tradesOrSnapshot(snapshot);
  }

  fromTree(root: unknown, batch: TradeBatch, state: ParseState): MessageKind | typeof NEEDS_RAW_NUMBERS {
    if (!isJsonObject(root)) return state.nonTrade(NonTradeKind.unknown);
    const type = root.type;
    if (type === 'match' || type === 'last_match')
      return this.tradeFromTree(root, type === 'last_match', batch, state);
    if (type === 'subscriptions') return state.nonTrade(NonTradeKind.subscribeAck);
    if (type === 'heartbeat') return state.nonTrade(NonTradeKind.heartbeat);
    if (type === 'error') return state.nonTrade(NonTradeKind.venueError);
    if (typeof type === 'string') return state.nonTrade(NonTradeKind.otherChannel);
    return state.nonTrade(NonTradeKind.unknown);
  }

  private tradeFromTree(
    message: Record<string, unknown>,
    snapshot: boolean,
    batch: TradeBatch,
    state: ParseState,
  ): MessageKind | typeof NEEDS_RAW_NUMBERS {
    const symbol = treeSymbol(message.product_id, state, 'product_id');
    if (symbol === null) return MessageKind.malformed;
    const tradeId = treeNumericId(message.trade_id, state, 'trade_id', this.idOut);
    if (tradeId === null || tradeId === NEEDS_RAW_NUMBERS) return tradeId ?? MessageKind.malformed;
    const idNumber = this.idOut[0]!;
    const price = finishPrice(treeDecimalString(message.price, state, 'price'), state, 'price');
    if (Number.isNaN(price)) return MessageKind.malformed;
    const size = finishSize(treeDecimalString(message.size, state, 'size'), state, 'size');
    if (Number.isNaN(size)) return MessageKind.malformed;
    const makerSide = message.side;
    if (makerSide !== 'buy' && makerSide !== 'sell') {
      return state.fail(
        makerSide === undefined
          ? 'missing-field'
          : typeof makerSide === 'string'
            ? 'invalid-side'
            : 'wrong-type',
        'side',
      );
    }
    const index = batch.addGrowing();
    if (!treeRfc3339(message.time, batch, index, state, 'time')) return MessageKind.malformed;
    batch.setStrings(index, symbol, tradeId);
    batch.tradeIdNumber[index] = idNumber;
    batch.seqFirst[index] = idNumber;
    batch.seqLast[index] = idNumber;
    batch.price[index] = price;
    batch.size[index] = size;
    batch.side[index] = makerSide === 'buy' ? TradeSide.sell : TradeSide.buy;
    return state.tradesOrSnapshot(snapshot);
  }
}

/** Creates a parser for Coinbase Exchange `matches` channel messages. */
export function createCoinbaseParser(options?: ParserOptions): VenueParser {
  return venueParserFor(new CoinbaseReader(), options);
}

/**
 * Coinbase Exchange wire protocol: one subscribe to `matches` plus
 * `heartbeat` (one heartbeat per product per second keeps quiet products
 * alive and carries `last_trade_id`), WebSocket pings as keep-alive.
 *
 * @example
 * ```ts
 * coinbaseProtocol.subscribeMessages(['BTC-USD']);
 * // ['{"type":"subscribe","product_ids":["BTC-USD"],"channels":["matches","heartbeat"]}']
 * ```
 */
export const coinbaseProtocol: VenueProtocol = {
  venue: 'coinbase',
  liveUrl() {
    return 'wss://ws-feed.exchange.coinbase.com';
  },
  subscribeMessages(symbols) {
    return [
      `{"type":"subscribe","product_ids":${JSON.stringify(symbols)},"channels":["matches","heartbeat"]}`,
    ];
  },
  keepAlive: { intervalMs: 20_000, kind: 'ws-ping' },
  staleAfterMs: 60_000,
};
