/**
 * The trades of one message, held column-wise until the whole message has
 * been validated. A parser never hands a trade to the sink before it knows the
 * entire message is good, so a message that turns out malformed half-way
 * through yields no trade at all (and the scanner can still give up and let
 * the full parse start over).
 */
import { TradeSide } from '../codec/trade-data.js';
import type { ParsedTrade, TradeSink } from './venue-feed.js';

/** Default capacity: Bybit, the venue with the largest messages, packs up to 1024 trades. */
export const DEFAULT_BATCH_CAPACITY = 1024;

const EMPTY = new Uint8Array(0);

/** Column store for the trades of one message, plus the one reused {@link ParsedTrade}. */
export class TradeBatch {
  count = 0;
  capacity: number;
  symbolStart: Int32Array;
  symbolEnd: Int32Array;
  tradeIdStart: Int32Array;
  tradeIdEnd: Int32Array;
  /** Strings filled by the full parse; `null` where the scanner left byte ranges. */
  symbol: (string | null)[];
  tradeId: (string | null)[];
  tradeIdNumber: Float64Array;
  seqFirst: Float64Array;
  seqLast: Float64Array;
  timestampMs: Float64Array;
  timestampSubMsNanos: Float64Array;
  price: Float64Array;
  size: Float64Array;
  side: Uint8Array;
  private hasStrings = false;
  private readonly trade: ParsedTrade = {
    bytes: EMPTY,
    symbolStart: 0,
    symbolEnd: 0,
    symbol: null,
    tradeIdStart: 0,
    tradeIdEnd: 0,
    tradeId: null,
    tradeIdNumber: -1,
    seqFirst: -1,
    seqLast: -1,
    timestampMs: 0,
    timestampSubMsNanos: 0,
    price: 0,
    size: 0,
    side: TradeSide.unknown,
  };

  constructor(capacity = DEFAULT_BATCH_CAPACITY) {
    this.capacity = capacity;
    this.symbolStart = new Int32Array(capacity);
    this.symbolEnd = new Int32Array(capacity);
    this.tradeIdStart = new Int32Array(capacity);
    this.tradeIdEnd = new Int32Array(capacity);
    this.symbol = new Array<string | null>(capacity).fill(null);
    this.tradeId = new Array<string | null>(capacity).fill(null);
    this.tradeIdNumber = new Float64Array(capacity);
    this.seqFirst = new Float64Array(capacity);
    this.seqLast = new Float64Array(capacity);
    this.timestampMs = new Float64Array(capacity);
    this.timestampSubMsNanos = new Float64Array(capacity);
    this.price = new Float64Array(capacity);
    this.size = new Float64Array(capacity);
    this.side = new Uint8Array(capacity);
  }

  /** Forgets the current trades (and drops string references so they can be collected). */
  clear(): void {
    if (this.hasStrings) {
      this.symbol.fill(null, 0, this.count);
      this.tradeId.fill(null, 0, this.count);
      this.hasStrings = false;
    }
    this.count = 0;
  }

  /**
   * Reserves the next slot and returns its index, or -1 when the batch is full.
   * Byte-range fields start empty and strings `null`.
   */
  add(): number {
    if (this.count === this.capacity) return -1;
    return this.count++;
  }

  /** Like {@link add} but grows the batch when full: for the full parse, which already allocates. */
  addGrowing(): number {
    if (this.count === this.capacity) this.grow();
    return this.count++;
  }

  /** Records a ticker and trade id read as strings (full parse). */
  setStrings(index: number, symbol: string, tradeId: string): void {
    this.symbol[index] = symbol;
    this.tradeId[index] = tradeId;
    this.hasStrings = true;
  }

  /** Hands every trade to `sink`, in message order, through one reused object; returns the count. */
  emit(bytes: Uint8Array, sink: TradeSink): number {
    const trade = this.trade;
    trade.bytes = bytes;
    const count = this.count;
    for (let i = 0; i < count; i++) {
      trade.symbolStart = this.symbolStart[i]!;
      trade.symbolEnd = this.symbolEnd[i]!;
      trade.symbol = this.symbol[i]!;
      trade.tradeIdStart = this.tradeIdStart[i]!;
      trade.tradeIdEnd = this.tradeIdEnd[i]!;
      trade.tradeId = this.tradeId[i]!;
      trade.tradeIdNumber = this.tradeIdNumber[i]!;
      trade.seqFirst = this.seqFirst[i]!;
      trade.seqLast = this.seqLast[i]!;
      trade.timestampMs = this.timestampMs[i]!;
      trade.timestampSubMsNanos = this.timestampSubMsNanos[i]!;
      trade.price = this.price[i]!;
      trade.size = this.size[i]!;
      trade.side = this.side[i] as TradeSide;
      sink.onTrade(trade);
    }
    trade.bytes = EMPTY;
    return count;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(capacity);
      b.set(a);
      return b;
    };
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(capacity);
      b.set(a);
      return b;
    };
    this.symbolStart = i32(this.symbolStart);
    this.symbolEnd = i32(this.symbolEnd);
    this.tradeIdStart = i32(this.tradeIdStart);
    this.tradeIdEnd = i32(this.tradeIdEnd);
    this.tradeIdNumber = f64(this.tradeIdNumber);
    this.seqFirst = f64(this.seqFirst);
    this.seqLast = f64(this.seqLast);
    this.timestampMs = f64(this.timestampMs);
    this.timestampSubMsNanos = f64(this.timestampSubMsNanos);
    this.price = f64(this.price);
    this.size = f64(this.size);
    const side = new Uint8Array(capacity);
    side.set(this.side);
    this.side = side;
    for (let i = this.capacity; i < capacity; i++) {
      this.symbol.push(null);
      this.tradeId.push(null);
    }
    this.capacity = capacity;
  }
}
