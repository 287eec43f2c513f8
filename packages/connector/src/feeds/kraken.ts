/**
 * Kraken Spot WebSocket v2 `trade` channel: `update` messages with one or
 * more trades, `snapshot` messages replaying the latest 50 on subscribe.
 *
 * `side` is the taker's. `price` and `qty` are JSON numbers, read from their
 * text (the double `JSON.parse` would give for it). `trade_id` is a sequence
 * number per book. Snapshots are validated and counted as
 * {@link NonTradeKind.snapshot} unless `publishSnapshots` is set (they
 * overlap what was recorded before a resubscribe).
 */
import { TradeSide } from '../codec/trade-data.js';
import { asciiBytes, type ByteJsonReader } from './byte-json-reader.js';
import { digitsInto } from './decimal-bytes.js';
import { scanKrakenTradeLayout } from './kraken-layout.js';
import { MessageKind, NonTradeKind } from './message-kind.js';
import { parseRfc3339 } from './rfc3339-bytes.js';
import { scanDecimalNumber, validPriceAt, validSizeAt } from './scan-values.js';
import type { TradeBatch } from './trade-batch.js';
import {
  finishPrice,
  finishSize,
  isJsonObject,
  treeJsonNumber,
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

const KEY_CHANNEL = asciiBytes('channel');
const KEY_TYPE = asciiBytes('type');
const KEY_DATA = asciiBytes('data');
const KEY_SYMBOL = asciiBytes('symbol');
const KEY_SIDE = asciiBytes('side');
const KEY_PRICE = asciiBytes('price');
const KEY_QTY = asciiBytes('qty');
const KEY_TRADE_ID = asciiBytes('trade_id');
const KEY_TIMESTAMP = asciiBytes('timestamp');
const CHANNEL_TRADE = asciiBytes('trade');
const CHANNEL_HEARTBEAT = asciiBytes('heartbeat');
const TYPE_UPDATE = asciiBytes('update');
const TYPE_SNAPSHOT = asciiBytes('snapshot');
const SIDE_BUY = asciiBytes('buy');
const SIDE_SELL = asciiBytes('sell');

const CHANNEL_OTHER = 0;
const CHANNEL_IS_TRADE = 1;
const CHANNEL_IS_HEARTBEAT = 2;

const BIT_SYMBOL = 1;
const BIT_SIDE = 2;
const BIT_PRICE = 4;
const BIT_QTY = 8;
const BIT_TRADE_ID = 16;
const BIT_TIMESTAMP = 32;
const ALL_TRADE_BITS = 63;

/** Reads Kraken v2 messages; one instance per parser. */
class KrakenReader implements VenueReader {
  readonly venue = 'kraken' as const;
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
    return scanKrakenTradeLayout(bytes, start, end, batch, state);
  }

  scan(reader: ByteJsonReader, batch: TradeBatch, state: ParseState): MessageKind | typeof SCAN_GAVE_UP {
    let channel = -1;
    let type = -1;
    let hasData = false;
    if (!reader.eat(0x7b)) return SCAN_GAVE_UP;
    do {
      if (!reader.readKey()) return SCAN_GAVE_UP;
      if (reader.is(KEY_CHANNEL)) {
        if (channel !== -1 || !reader.readPlainString()) return SCAN_GAVE_UP;
        channel = reader.is(CHANNEL_TRADE)
          ? CHANNEL_IS_TRADE
          : reader.is(CHANNEL_HEARTBEAT)
            ? CHANNEL_IS_HEARTBEAT
            : CHANNEL_OTHER;
      } else if (reader.is(KEY_TYPE)) {
        if (type !== -1 || !reader.readPlainString()) return SCAN_GAVE_UP;
        type = reader.is(TYPE_UPDATE) ? 0 : reader.is(TYPE_SNAPSHOT) ? 1 : 2;
      } else if (reader.is(KEY_DATA)) {
        if (hasData) return SCAN_GAVE_UP;
        hasData = true;
        // A heartbeat has no data; anything else with data is read as trades and judged by channel at the end.
        if (!this.scanTrades(reader, batch, state)) return SCAN_GAVE_UP;
      } else if (!reader.skipValue()) {
        return SCAN_GAVE_UP;
      }
    } while (reader.eat(0x2c));
    if (!reader.eat(0x7d) || !reader.atEnd()) return SCAN_GAVE_UP;
    if (channel === CHANNEL_IS_HEARTBEAT && !hasData) return state.nonTrade(NonTradeKind.heartbeat);
    if (channel !== CHANNEL_IS_TRADE || type > 1 || type < 0 || batch.count === 0) return SCAN_GAVE_UP;
    return state.tradesOrSnapshot(type === 1);
  }

  private scanTrades(reader: ByteJsonReader, batch: TradeBatch, state: ParseState): boolean {
    if (!reader.eat(0x5b)) return false;
    do {
      if (!this.scanTrade(reader, batch, state)) return false;
    } while (reader.eat(0x2c));
    return reader.eat(0x5d);
  }

  private scanTrade(reader: ByteJsonReader, batch: TradeBatch, state: ParseState): boolean {
    const index = batch.add();
    if (index < 0 || !reader.eat(0x7b)) return false;
    const bytes = reader.bytes;
    let seen = 0;
    do {
      if (!reader.readKey()) return false;
      let bit = 0;
      if (reader.is(KEY_SYMBOL)) {
        bit = BIT_SYMBOL;
        if (!reader.readPlainString() || reader.stop === reader.start) return false;
        batch.symbolStart[index] = reader.start;
        batch.symbolEnd[index] = reader.stop;
      } else if (reader.is(KEY_SIDE)) {
        bit = BIT_SIDE;
        if (!reader.readPlainString()) return false;
        if (reader.is(SIDE_BUY)) batch.side[index] = TradeSide.buy;
        else if (reader.is(SIDE_SELL)) batch.side[index] = TradeSide.sell;
        else return false;
      } else if (reader.is(KEY_PRICE)) {
        bit = BIT_PRICE;
        if (!scanDecimalNumber(reader, batch.price, index) || !validPriceAt(batch.price, index)) return false;
      } else if (reader.is(KEY_QTY)) {
        bit = BIT_QTY;
        if (!scanDecimalNumber(reader, batch.size, index) || !validSizeAt(batch.size, index)) return false;
      } else if (reader.is(KEY_TRADE_ID)) {
        bit = BIT_TRADE_ID;
        if (!reader.readNumber()) return false;
        if (digitsInto(bytes, reader.start, reader.stop, batch.tradeIdNumber, index) === -2) return false;
        batch.tradeIdStart[index] = reader.start;
        batch.tradeIdEnd[index] = reader.stop;
        batch.seqFirst[index] = batch.tradeIdNumber[index]!;
        batch.seqLast[index] = batch.tradeIdNumber[index]!;
      } else if (reader.is(KEY_TIMESTAMP)) {
        bit = BIT_TIMESTAMP;
        if (!reader.readPlainString() || !parseRfc3339(bytes, reader.start, reader.stop, state.time))
          return false;
        batch.timestampMs[index] = state.time.ms;
        batch.timestampSubMsNanos[index] = state.time.subMsNanos;
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
    const channel = root.channel;
    if (channel === 'trade') {
      const type = root.type;
      if (type !== 'update' && type !== 'snapshot') {
        return type === undefined
          ? state.fail('missing-field', 'type')
          : state.nonTrade(NonTradeKind.unknown);
      }
      return this.tradesFromTree(root.data, type === 'snapshot', batch, state);
    }
    if (channel === 'heartbeat') return state.nonTrade(NonTradeKind.heartbeat);
    if (channel === 'status') return state.nonTrade(NonTradeKind.status);
    if (typeof channel === 'string') return state.nonTrade(NonTradeKind.otherChannel);
    const method = root.method;
    if (method === 'pong') return state.nonTrade(NonTradeKind.pong);
    if (root.success === false || root.error !== undefined) return state.nonTrade(NonTradeKind.venueError);
    if (typeof method === 'string') return state.nonTrade(NonTradeKind.subscribeAck);
    return state.nonTrade(NonTradeKind.unknown);
  }

  private tradesFromTree(
    data: unknown,
    snapshot: boolean,
    batch: TradeBatch,
    state: ParseState,
  ): MessageKind | typeof NEEDS_RAW_NUMBERS {
    if (data === undefined) return state.fail('missing-field', 'data');
    if (!Array.isArray(data)) return state.fail('wrong-type', 'data');
    if (data.length === 0) return state.fail('empty-trade-list', 'data');
    const idOut = this.idOut;
    for (const trade of data) {
      if (!isJsonObject(trade)) return state.fail('wrong-type', 'data');
      const symbol = treeSymbol(trade.symbol, state, 'symbol');
      if (symbol === null) return MessageKind.malformed;
      const side = trade.side;
      if (side !== 'buy' && side !== 'sell') {
        return state.fail(
          side === undefined ? 'missing-field' : typeof side === 'string' ? 'invalid-side' : 'wrong-type',
          'side',
        );
      }
      const price = finishPrice(treeJsonNumber(trade.price, state, 'price'), state, 'price');
      if (Number.isNaN(price)) return MessageKind.malformed;
      const size = finishSize(treeJsonNumber(trade.qty, state, 'qty'), state, 'qty');
      if (Number.isNaN(size)) return MessageKind.malformed;
      const tradeId = treeNumericId(trade.trade_id, state, 'trade_id', idOut);
      if (tradeId === null || tradeId === NEEDS_RAW_NUMBERS) return tradeId ?? MessageKind.malformed;
      const index = batch.addGrowing();
      if (!treeRfc3339(trade.timestamp, batch, index, state, 'timestamp')) return MessageKind.malformed;
      batch.setStrings(index, symbol, tradeId);
      batch.tradeIdNumber[index] = idOut[0]!;
      batch.seqFirst[index] = idOut[0]!;
      batch.seqLast[index] = idOut[0]!;
      batch.price[index] = price;
      batch.size[index] = size;
      batch.side[index] = side === 'buy' ? TradeSide.buy : TradeSide.sell;
    }
    return state.tradesOrSnapshot(snapshot);
  }
}

/** Creates a parser for Kraken WebSocket v2 `trade` channel messages. */
export function createKrakenParser(options?: ParserOptions): VenueParser {
  return venueParserFor(new KrakenReader(), options);
}

/**
 * Kraken WebSocket v2 wire protocol: one `trade` subscribe (snapshot always
 * requested explicitly, as the docs disagree on its default), `{"method":"ping"}`
 * keep-alives on top of the venue's own heartbeats.
 *
 * @example
 * ```ts
 * krakenProtocol.subscribeMessages(['BTC/USD']);
 * // ['{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"],"snapshot":true}}']
 * ```
 */
export const krakenProtocol: VenueProtocol = {
  venue: 'kraken',
  liveUrl() {
    return 'wss://ws.kraken.com/v2';
  },
  subscribeMessages(symbols) {
    return [
      `{"method":"subscribe","params":{"channel":"trade","symbol":${JSON.stringify(symbols)},"snapshot":true}}`,
    ];
  },
  keepAlive: { intervalMs: 20_000, kind: 'text', payload: '{"method":"ping"}' },
  staleAfterMs: 60_000,
};
