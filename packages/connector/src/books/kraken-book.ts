/**
 * Kraken spot WebSocket v2 `book`: a `snapshot`, then `update`s, each with a
 * CRC32 `checksum` of the top 10 asks (low to high) then the top 10 bids
 * (high to low), each level as its price then quantity text with the decimal
 * point and leading zeros removed (BOOK_SAMPLES.md 4d). The book carries no
 * sequence number, so the checksum is the only gap detector; it is verified
 * on every message. The kept book is truncated to the subscribed depth after
 * every message, as Kraken requires.
 *
 * Kraken v2 sends prices and quantities as JSON numbers, which drop trailing
 * zeros; its checksum is over the texts at the pair's fixed precision (the
 * `instrument` channel's `price_precision` and `qty_precision`): the doc
 * sample's 0.566 is checksummed as 0.5660. Give the precisions per symbol in
 * `precisions`; otherwise each symbol uses the most decimals it has seen,
 * which is exact as soon as one level shows the full precision.
 */
import { crc32 } from 'node:zlib';
import { checkInteger } from '@marketpipe/middleware/errors';
import type { BookSink } from './book-sync.js';
import {
  BookSyncBase,
  type BookSyncOptions,
  BookSyncResult,
  parseJson,
  rfc3339,
  type SymbolState,
} from './book-sync.js';
import { KeptSide } from './kept-book.js';

/** Levels per side Kraken's checksum covers, whatever the subscribed depth. */
const CHECKSUM_LEVELS = 10;
/** Quotes the number after `"price":` / `"qty":` so its text survives `JSON.parse`. */
const NUMBER_FIELDS = /"(price|qty)"\s*:\s*(-?[0-9][0-9.eE+-]*)/g;

/** Decimal places of a Kraken pair, from its `instrument` entry. */
export interface KrakenPrecision {
  price: number;
  qty: number;
}

/** Options of {@link KrakenBookSync}. */
export interface KrakenBookSyncOptions extends BookSyncOptions {
  /** The subscribed `depth` (10, 25, 100, 500 or 1000; default 10). */
  depth?: number;
  /** Precisions per symbol (`BTC/USD`); symbols without one infer it from the decimals seen. */
  precisions?: Readonly<Record<string, KrakenPrecision>>;
}

export interface KrakenState extends SymbolState {
  bids: KeptSide;
  asks: KeptSide;
  priceDecimals: number;
  qtyDecimals: number;
  fixed: boolean;
}

/**
 * Turns Kraken v2 book messages into book updates. Each delta carries the
 * levels the message changes plus, as size 0, the levels that fell out of
 * the subscribed depth, so a consumer's book equals Kraken's at that depth.
 * A checksum mismatch is counted, the symbol stops emitting until the next
 * snapshot (resubscribe on `onOutOfSync`), which is emitted as `isSnapshot`.
 *
 * @example
 * ```ts
 * const sync = new KrakenBookSync((frame) => publish(frame), {
 *   depth: 10,
 *   precisions: { 'BTC/USD': { price: 1, qty: 8 } },
 *   onOutOfSync: (symbol) => resubscribe(symbol),
 * });
 * socket.on('message', (data) => sync.onMessage(data, Date.now()));
 * ```
 */
export class KrakenBookSync extends BookSyncBase<KrakenState> {
  /** The subscribed depth the kept book is truncated to. */
  readonly depth: number;
  readonly #precisions: Readonly<Record<string, KrakenPrecision>>;
  readonly #time = new Float64Array(2);

  constructor(sink: BookSink, options: KrakenBookSyncOptions = {}) {
    super(sink, options);
    const depth = checkInteger('depth', options.depth ?? 10, 1);
    this.depth = Math.min(depth, this.maxLevels);
    this.#precisions = options.precisions ?? {};
  }

  protected createState(symbol: string, tickerUtf8: Uint8Array): KrakenState {
    const precision = Object.hasOwn(this.#precisions, symbol) ? this.#precisions[symbol] : undefined;
    return {
      symbol,
      tickerUtf8,
      synced: false,
      lost: false,
      requested: false,
      bids: new KeptSide(true),
      asks: new KeptSide(false),
      priceDecimals: precision?.price ?? 0,
      qtyDecimals: precision?.qty ?? 0,
      fixed: precision !== undefined,
    };
  }

  /** Handles one raw venue message (text or UTF-8 bytes) received at the given time. */
  onMessage(message: string | Uint8Array, receivedMs: number, receivedSubMsNanos = 0): BookSyncResult {
    const text = typeof message === 'string' ? message : textDecoder.decode(message);
    if (!text.includes('"book"'))
      return parseJson(text) === undefined ? this.malformed() : BookSyncResult.ignored;
    const json = parseJson(text.replace(NUMBER_FIELDS, '"$1":"$2"')) as Record<string, unknown> | undefined;
    if (json === undefined) return this.malformed();
    if (json.channel !== 'book' || (json.type !== 'snapshot' && json.type !== 'update'))
      return BookSyncResult.ignored;
    if (!Array.isArray(json.data)) return this.malformed();
    let result: BookSyncResult = BookSyncResult.emitted;
    for (const entry of json.data as Array<Record<string, unknown>>) {
      const one = this.#entry(json.type === 'snapshot', entry, receivedMs, receivedSubMsNanos);
      if (result === BookSyncResult.emitted) result = one;
    }
    return result;
  }

  #entry(
    isSnapshot: boolean,
    entry: Record<string, unknown>,
    receivedMs: number,
    receivedSubMsNanos: number,
  ): BookSyncResult {
    const symbol = entry?.symbol;
    if (typeof symbol !== 'string' || symbol.length === 0) return this.malformed();
    const state = this.stateOf(symbol);
    if (state === undefined) return BookSyncResult.overCap;
    const time = this.#time;
    if (typeof entry.checksum !== 'number' || !rfc3339(entry.timestamp, time)) return this.malformed(state);
    if (!isSnapshot && !state.synced) {
      this.count('unsynced');
      this.lose(state, 'noSnapshot');
      return BookSyncResult.unsynced;
    }
    const frame = this.begin(state, isSnapshot, 0, time[0]!, time[1]!, receivedMs, receivedSubMsNanos);
    if (isSnapshot) {
      state.bids.clear();
      state.asks.clear();
    }
    if (
      !this.#apply(state, entry.bids, state.bids, frame.bids) ||
      !this.#apply(state, entry.asks, state.asks, frame.asks)
    ) {
      return this.malformed(state);
    }
    // Kraken sends no removal for levels pushed past the subscribed depth: publish one, so consumers truncate too.
    state.bids.truncate(this.depth, (price) => frame.bids.push(price, 0));
    state.asks.truncate(this.depth, (price) => frame.asks.push(price, 0));
    if (krakenChecksum(state) !== entry.checksum) {
      this.count('checksumFailures');
      this.lose(state, 'checksumFailure');
      return BookSyncResult.checksumFailure;
    }
    this.emit(state);
    return BookSyncResult.emitted;
  }

  #apply(
    state: KrakenState,
    levels: unknown,
    side: KeptSide,
    out: { push(price: number, size: number): void },
  ): boolean {
    if (!Array.isArray(levels)) return false;
    for (const level of levels as Array<Record<string, unknown>>) {
      const priceText = level?.price;
      const qtyText = level?.qty;
      if (typeof priceText !== 'string' || typeof qtyText !== 'string') return false;
      const price = Number(priceText);
      const size = Number(qtyText);
      if (!Number.isFinite(price) || !(size >= 0)) return false;
      if (!state.fixed) {
        state.priceDecimals = Math.max(state.priceDecimals, decimals(priceText));
        state.qtyDecimals = Math.max(state.qtyDecimals, decimals(qtyText));
      }
      side.set(price, size, priceText, qtyText);
      out.push(price, size);
    }
    return true;
  }
}

/** Kraken's checksum of a kept book: top 10 asks then top 10 bids, CRC32 unsigned. @internal */
export function krakenChecksum(state: {
  bids: KeptSide;
  asks: KeptSide;
  priceDecimals: number;
  qtyDecimals: number;
}): number {
  let text = '';
  for (const side of [state.asks, state.bids]) {
    for (const level of side.top(CHECKSUM_LEVELS)) {
      text += digits(level.price, state.priceDecimals) + digits(level.size, state.qtyDecimals);
    }
  }
  return crc32(text) >>> 0;
}

/** One decoder for every message (a new one per message showed in the profile). */
const textDecoder = new TextDecoder();

/** True when a number's text is in exponent form (cheaper than a regex per number, on the checksum path). */
function hasExponent(text: string): boolean {
  return text.includes('e') || text.includes('E');
}

/** Decimal places written in a number's text. */
function decimals(text: string): number {
  if (hasExponent(text)) return 0;
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** The number at `places` decimals, without the point and leading zeros (`0.566`, 4 -> `5660`). */
function digits(text: string, places: number): string {
  const fixed = hasExponent(text) ? Number(text).toFixed(places) : text;
  const dot = fixed.indexOf('.');
  const whole = dot < 0 ? fixed : fixed.slice(0, dot);
  const fraction = dot < 0 ? '' : fixed.slice(dot + 1);
  const all = whole + fraction.padEnd(places, '0');
  let start = 0;
  while (start < all.length - 1 && all[start] === '0') start++;
  return all.slice(start);
}
