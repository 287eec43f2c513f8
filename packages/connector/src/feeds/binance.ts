/**
 * Binance spot: `<symbol>@trade` and `<symbol>@aggTrade` events, raw or in the
 * combined-stream wrapper `{"stream":...,"data":...}` the live URL uses.
 *
 * `m` is "the buyer is the maker", so `m: true` means the taker sold. `t` (or
 * `f`..`l` for an aggTrade) is the contiguous per-symbol trade sequence; an
 * aggTrade's own id is `a`. Trade times are epoch ms (or µs when the stream was
 * opened with `timeUnit=MICROSECOND`, told apart by magnitude).
 */
import { TradeSide } from '../codec/trade-data.js';
import { scanBinanceTradeLayout } from './binance-layout.js';
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
  treeNumericId,
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

const KEY_STREAM = asciiBytes('stream');
const KEY_DATA = asciiBytes('data');
const EVENT_TRADE = asciiBytes('trade');
const EVENT_AGG_TRADE = asciiBytes('aggTrade');

const OTHER_EVENT = 0;
const TRADE_EVENT = 1;
const AGG_TRADE_EVENT = 2;

// One bit per captured payload key, to spot duplicates (which JSON.parse resolves last-wins).
const BIT_E = 1;
const BIT_S = 2;
const BIT_T_ID = 4;
const BIT_A = 8;
const BIT_F = 16;
const BIT_L = 32;
const BIT_P = 64;
const BIT_Q = 128;
const BIT_T_TIME = 256;
const BIT_M = 512;
const PRICE = 0;
const SIZE = 1;
const TIME = 2;
const FIRST = 3;
const LAST = 4;

const TRADE_BITS = BIT_E | BIT_S | BIT_T_ID | BIT_P | BIT_Q | BIT_T_TIME | BIT_M;
const AGG_TRADE_BITS = BIT_E | BIT_S | BIT_A | BIT_F | BIT_L | BIT_P | BIT_Q | BIT_T_TIME | BIT_M;

/** Reads Binance messages; one instance per parser (it keeps scan state in its fields). */
class BinanceReader implements VenueReader {
  readonly venue = 'binance' as const;
  private seen = 0;
  private event = OTHER_EVENT;
  private symbolStart = 0;
  private symbolEnd = 0;
  private tradeIdStart = 0;
  private tradeIdEnd = 0;
  private aggIdStart = 0;
  private aggIdEnd = 0;
  private firstStatus = -2;
  private lastStatus = -2;
  private timeStatus = -2;
  private buyerIsMaker = false;
  /** Price, size, time, first and last trade id as read (typed, so storing them never boxes a double). */
  private readonly numbers = new Float64Array(5);
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
    return scanBinanceTradeLayout(bytes, start, end, batch, state);
  }

  scan(reader: ByteJsonReader, batch: TradeBatch, state: ParseState): MessageKind | typeof SCAN_GAVE_UP {
    this.seen = 0;
    this.event = OTHER_EVENT;
    let hasStream = false;
    let hasData = false;
    let payloadAtRoot = false;
    if (!reader.eat(0x7b)) return SCAN_GAVE_UP;
    do {
      if (!reader.readKey()) return SCAN_GAVE_UP;
      if (reader.is(KEY_DATA)) {
        if (hasData || !this.scanPayload(reader)) return SCAN_GAVE_UP;
        hasData = true;
      } else if (reader.is(KEY_STREAM)) {
        if (hasStream || !reader.skipString()) return SCAN_GAVE_UP;
        hasStream = true;
      } else {
        if (!this.scanField(reader)) return SCAN_GAVE_UP;
        payloadAtRoot = true;
      }
    } while (reader.eat(0x2c));
    if (!reader.eat(0x7d) || !reader.atEnd()) return SCAN_GAVE_UP;
    if (payloadAtRoot ? hasStream || hasData : !(hasStream && hasData)) return SCAN_GAVE_UP;
    return this.commit(reader.bytes, batch, state);
  }

  private scanPayload(reader: ByteJsonReader): boolean {
    if (!reader.eat(0x7b)) return false;
    do {
      if (!reader.readKey() || !this.scanField(reader)) return false;
    } while (reader.eat(0x2c));
    return reader.eat(0x7d);
  }

  /** Reads the value of the payload key just read. */
  private scanField(reader: ByteJsonReader): boolean {
    if (reader.stop - reader.start !== 1) return reader.skipValue();
    let bit: number;
    switch (reader.bytes[reader.start]) {
      case 0x65: // e
        bit = BIT_E;
        if (!reader.readPlainString()) return false;
        this.event = reader.is(EVENT_TRADE)
          ? TRADE_EVENT
          : reader.is(EVENT_AGG_TRADE)
            ? AGG_TRADE_EVENT
            : OTHER_EVENT;
        break;
      case 0x73: // s
        bit = BIT_S;
        if (!reader.readPlainString()) return false;
        this.symbolStart = reader.start;
        this.symbolEnd = reader.stop;
        break;
      case 0x74: // t
        bit = BIT_T_ID;
        if (!reader.readNumber()) return false;
        this.tradeIdStart = reader.start;
        this.tradeIdEnd = reader.stop;
        break;
      case 0x61: // a
        bit = BIT_A;
        if (!reader.readNumber()) return false;
        this.aggIdStart = reader.start;
        this.aggIdEnd = reader.stop;
        break;
      case 0x66: // f
        bit = BIT_F;
        if (!reader.readNumber()) return false;
        this.firstStatus = digitsInto(reader.bytes, reader.start, reader.stop, this.numbers, FIRST);
        break;
      case 0x6c: // l
        bit = BIT_L;
        if (!reader.readNumber()) return false;
        this.lastStatus = digitsInto(reader.bytes, reader.start, reader.stop, this.numbers, LAST);
        break;
      case 0x70: // p
        bit = BIT_P;
        if (!scanDecimalString(reader, this.numbers, PRICE)) return false;
        break;
      case 0x71: // q
        bit = BIT_Q;
        if (!scanDecimalString(reader, this.numbers, SIZE)) return false;
        break;
      case 0x54: // T
        bit = BIT_T_TIME;
        if (!reader.readNumber()) return false;
        this.timeStatus = digitsInto(reader.bytes, reader.start, reader.stop, this.numbers, TIME);
        break;
      case 0x6d: // m
        bit = BIT_M;
        if (!reader.readBoolean()) return false;
        this.buyerIsMaker = reader.bool;
        break;
      default:
        return reader.skipValue();
    }
    if ((this.seen & bit) !== 0) return false;
    this.seen |= bit;
    return true;
  }

  private commit(bytes: Uint8Array, batch: TradeBatch, state: ParseState): MessageKind | typeof SCAN_GAVE_UP {
    const numbers = this.numbers;
    const aggregate = this.event === AGG_TRADE_EVENT;
    if (aggregate) {
      if ((this.seen & AGG_TRADE_BITS) !== AGG_TRADE_BITS) return SCAN_GAVE_UP;
      if (this.firstStatus === -2 || this.lastStatus === -2) return SCAN_GAVE_UP;
      if (this.firstStatus === 0 && this.lastStatus === 0 && numbers[FIRST]! > numbers[LAST]!)
        return SCAN_GAVE_UP;
    } else if (this.event !== TRADE_EVENT || (this.seen & TRADE_BITS) !== TRADE_BITS) {
      return SCAN_GAVE_UP;
    }
    if (
      this.timeStatus !== 0 ||
      this.symbolEnd === this.symbolStart ||
      !validPriceAt(numbers, PRICE) ||
      !validSizeAt(numbers, SIZE)
    ) {
      return SCAN_GAVE_UP;
    }
    const index = batch.add();
    if (index < 0) return SCAN_GAVE_UP;
    const idStart = aggregate ? this.aggIdStart : this.tradeIdStart;
    const idEnd = aggregate ? this.aggIdEnd : this.tradeIdEnd;
    if (digitsInto(bytes, idStart, idEnd, batch.tradeIdNumber, index) === -2) return SCAN_GAVE_UP;
    batch.symbolStart[index] = this.symbolStart;
    batch.symbolEnd[index] = this.symbolEnd;
    batch.tradeIdStart[index] = idStart;
    batch.tradeIdEnd[index] = idEnd;
    if (!aggregate) {
      batch.seqFirst[index] = batch.tradeIdNumber[index]!;
      batch.seqLast[index] = batch.tradeIdNumber[index]!;
    } else if (this.firstStatus === 0 && this.lastStatus === 0) {
      batch.seqFirst[index] = numbers[FIRST]!;
      batch.seqLast[index] = numbers[LAST]!;
    } else {
      batch.seqFirst[index] = -1;
      batch.seqLast[index] = -1;
    }
    batch.timestampMs[index] = numbers[TIME]!;
    splitEpochAt(batch.timestampMs, batch.timestampSubMsNanos, index);
    batch.price[index] = numbers[PRICE]!;
    batch.size[index] = numbers[SIZE]!;
    batch.side[index] = this.buyerIsMaker ? TradeSide.sell : TradeSide.buy;
    return state.tradesOrSnapshot(false);
  }

  fromTree(root: unknown, batch: TradeBatch, state: ParseState): MessageKind | typeof NEEDS_RAW_NUMBERS {
    if (!isJsonObject(root)) return state.nonTrade(NonTradeKind.unknown);
    const payload = typeof root.stream === 'string' && isJsonObject(root.data) ? root.data : root;
    const event = payload.e;
    if (event === 'trade' || event === 'aggTrade')
      return this.tradeFromTree(payload, event === 'aggTrade', batch, state);
    if (event === 'serverShutdown') return state.nonTrade(NonTradeKind.shutdown);
    if (typeof event === 'string') return state.nonTrade(NonTradeKind.otherChannel);
    if (root.result !== undefined && root.id !== undefined) return state.nonTrade(NonTradeKind.subscribeAck);
    if ((root.code !== undefined && root.msg !== undefined) || root.error !== undefined) {
      return state.nonTrade(NonTradeKind.venueError);
    }
    return state.nonTrade(NonTradeKind.unknown);
  }

  private tradeFromTree(
    payload: Record<string, unknown>,
    aggregate: boolean,
    batch: TradeBatch,
    state: ParseState,
  ): MessageKind | typeof NEEDS_RAW_NUMBERS {
    const idOut = this.idOut;
    const symbol = treeSymbol(payload.s, state, 's');
    if (symbol === null) return MessageKind.malformed;
    const idField = aggregate ? 'a' : 't';
    const tradeId = treeNumericId(payload[idField], state, idField, idOut);
    if (tradeId === null || tradeId === NEEDS_RAW_NUMBERS) return tradeId ?? MessageKind.malformed;
    const idNumber = idOut[0]!;
    let seqFirst = idNumber;
    let seqLast = idNumber;
    if (aggregate) {
      const first = treeNumericId(payload.f, state, 'f', idOut);
      if (first === null || first === NEEDS_RAW_NUMBERS) return first ?? MessageKind.malformed;
      seqFirst = idOut[0]!;
      const last = treeNumericId(payload.l, state, 'l', idOut);
      if (last === null || last === NEEDS_RAW_NUMBERS) return last ?? MessageKind.malformed;
      seqLast = idOut[0]!;
      if (seqFirst >= 0 && seqLast >= 0 && seqFirst > seqLast) return state.fail('invalid-trade-id', 'f');
      if (seqFirst < 0 || seqLast < 0) {
        seqFirst = -1;
        seqLast = -1;
      }
    }
    const price = finishPrice(treeDecimalString(payload.p, state, 'p'), state, 'p');
    if (Number.isNaN(price)) return MessageKind.malformed;
    const size = finishSize(treeDecimalString(payload.q, state, 'q'), state, 'q');
    if (Number.isNaN(size)) return MessageKind.malformed;
    const maker = payload.m;
    if (typeof maker !== 'boolean')
      return state.fail(maker === undefined ? 'missing-field' : 'wrong-type', 'm');
    const index = batch.addGrowing();
    if (!treeEpochNumber(payload.T, batch, index, state, 'T')) return MessageKind.malformed;
    batch.setStrings(index, symbol, tradeId);
    batch.tradeIdNumber[index] = idNumber;
    batch.seqFirst[index] = seqFirst;
    batch.seqLast[index] = seqLast;
    batch.price[index] = price;
    batch.size[index] = size;
    batch.side[index] = maker ? TradeSide.sell : TradeSide.buy;
    return state.tradesOrSnapshot(false);
  }
}

/** Creates a parser for Binance spot `trade`/`aggTrade` messages (raw or combined-stream). */
export function createBinanceParser(options?: ParserOptions): VenueParser {
  return venueParserFor(new BinanceReader(), options);
}

function streamName(symbol: string): string {
  return `${symbol.toLowerCase()}@trade`;
}

/**
 * Binance spot wire protocol. Streams are named in the URL (combined-stream
 * endpoint), so nothing is sent after connecting; the server pings every 20 s
 * and `ws` answers automatically, the client's own ping frames just prove the
 * connection to this side.
 *
 * @example
 * ```ts
 * binanceProtocol.liveUrl(['BTCUSDT', 'ETHUSDT']);
 * // 'wss://stream.binance.com:9443/stream?streams=btcusdt@trade/ethusdt@trade'
 * ```
 */
export const binanceProtocol: VenueProtocol = {
  venue: 'binance',
  liveUrl(symbols) {
    return `wss://stream.binance.com:9443/stream?streams=${symbols.map(streamName).join('/')}`;
  },
  subscribeMessages() {
    return [];
  },
  keepAlive: { intervalMs: 20_000, kind: 'ws-ping' },
  staleAfterMs: 60_000,
};
