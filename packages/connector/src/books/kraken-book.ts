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

import { checkInteger } from '@marketpipe/middleware/internal';
import { asciiBytes, ByteJsonReader } from '../feeds/byte-json-reader.js';
import { decimalInto, digitsInto } from '../feeds/decimal-bytes.js';
import { type EpochTime, parseRfc3339 } from '../feeds/rfc3339-bytes.js';
import { crc32Range } from './book-crc32.js';
import type { BookLevels } from './book-data.js';
import type { BookSink } from './book-sync.js';
import {
  type BookSync,
  BookSyncBase,
  type BookSyncConstructor,
  type BookSyncOptions,
  BookSyncResult,
  messageBytes,
  parseJson,
  rfc3339,
  type SymbolState,
} from './book-sync.js';
import { KeptSide } from './kept-book.js';

const CHANNEL = asciiBytes('channel');
const TYPE = asciiBytes('type');
const DATA = asciiBytes('data');
const BOOK = asciiBytes('book');
const SNAPSHOT = asciiBytes('snapshot');
const UPDATE = asciiBytes('update');
const SYMBOL = asciiBytes('symbol');
const BIDS = asciiBytes('bids');
const ASKS = asciiBytes('asks');
const CHECKSUM = asciiBytes('checksum');
const TIMESTAMP = asciiBytes('timestamp');
const PRICE = asciiBytes('price');
const QTY = asciiBytes('qty');

/** {@link KrakenBookSync}'s scan gave up: the `JSON.parse` path decides. */
const GIVE_UP = -1;
/** Fields of one scanned `data` entry in the entry table: symbol range, checksum, time, level index ranges. */
const ENTRY_FIELDS = 9;
const E_SYMBOL_START = 0;
const E_SYMBOL_STOP = 1;
const E_CHECKSUM = 2;
const E_MS = 3;
const E_SUB_MS = 4;
/** An entry's bids are levels [E_BIDS_START, E_BIDS_END) of the level table, its asks [E_ASKS_START, E_ASKS_END). */
const E_BIDS_START = 5;
const E_BIDS_END = 6;
const E_ASKS_START = 7;
const E_ASKS_END = 8;
/** Token ranges of one scanned level in the level table: price start, stop, qty start, stop. */
const LEVEL_FIELDS = 4;

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

/** Per-symbol state of {@link KrakenBookSync}: its kept book and the checksum's cached texts, read-only outside. */
export interface KrakenState extends SymbolState {
  bids: KeptSide<KrakenLevel>;
  asks: KeptSide<KrakenLevel>;
  priceDecimals: number;
  qtyDecimals: number;
  fixed: boolean;
  bidsText: SideText;
  asksText: SideText;
}

/**
 * A kept level: the venue's price and qty texts as they came (as bytes, the price first; UTF-8 where the `JSON.parse`
 * path met a non-ASCII text), and its checksum digits once built. Bytes rather than strings: the scan copies them out
 * of the message without making two strings per level. @internal
 */
export interface KrakenLevel {
  text: Uint8Array;
  /** Bytes of `text` that are the price; the rest is the qty. */
  priceBytes: number;
  /** The level's checksum bytes at the precisions `digitsKey` names, built when the level first reaches the top 10. */
  digits: Uint8Array | undefined;
  digitsKey: number;
}

/**
 * One side's part of the checksum: its text (each level's price then size digits), rebuilt only when the side or the
 * precisions changed (a delta often touches one side), and the text's CRC-32 continued from the CRC before it (the
 * asks' from 0, the bids' from the asks'), recomputed only when the text or that starting CRC changed.
 */
export class SideText {
  bytes = new Uint8Array(256);
  length = 0;
  version = -1;
  key = -1;
  crc = 0;
  /** The CRC {@link SideText.crc} continued from; -1 (never a CRC) until it is computed for the current text. */
  crcFrom = -1;
}

/** The Kraken machine behind {@link KrakenBookSync}. */
class KrakenBookMachine extends BookSyncBase<KrakenState> {
  /** The subscribed depth the kept book is truncated to. */
  readonly depth: number;
  readonly #precisions: Readonly<Record<string, KrakenPrecision>>;
  readonly #time = new Float64Array(2);
  readonly #reader = new ByteJsonReader();
  readonly #epoch: EpochTime = { ms: 0, subMsNanos: 0 };
  /** One scanned entry per {@link ENTRY_FIELDS} slots; grows for messages with more entries than any before. */
  #entries = new Float64Array(4 * ENTRY_FIELDS);
  /** Price and size of each scanned level, so applying them reads nothing twice. */
  #levelValues = new Float64Array(64 * 2);
  /** {@link LEVEL_FIELDS} token offsets per scanned level (the venue's texts, for the checksum). */
  #levelTokens = new Int32Array(64 * LEVEL_FIELDS);
  #levelCount = 0;

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
      bids: new KeptSide<KrakenLevel>(true),
      asks: new KeptSide<KrakenLevel>(false),
      priceDecimals: precision?.price ?? 0,
      qtyDecimals: precision?.qty ?? 0,
      fixed: precision !== undefined,
      bidsText: new SideText(),
      asksText: new SideText(),
    };
  }

  /** Handles one raw venue message (text or UTF-8 bytes) received at the given time. */
  onMessage(message: string | Uint8Array, receivedMs: number, receivedSubMsNanos = 0): BookSyncResult {
    const bytes = messageBytes(message);
    const scanned = this.#scan(bytes);
    if (scanned === GIVE_UP) return this.#parsed(message, receivedMs, receivedSubMsNanos);
    if (scanned !== BookSyncResult.emitted) return scanned;
    const count = this.#entryCount;
    let result: BookSyncResult = BookSyncResult.emitted;
    for (let i = 0; i < count; i++) {
      const one = this.#scannedEntry(bytes, i * ENTRY_FIELDS, receivedMs, receivedSubMsNanos);
      if (result === BookSyncResult.emitted) result = one;
    }
    return result;
  }

  /** Entries the last successful {@link #scan} recorded. */
  #entryCount = 0;
  /** True when the message being scanned is a `snapshot`. */
  #isSnapshot = false;

  /**
   * Reads and checks the whole message before any state changes, so that giving up (GIVE_UP) leaves nothing to undo:
   * `emitted` means the entries are recorded and every level in them is valid, `ignored` a valid non-book message.
   */
  #scan(bytes: Uint8Array): BookSyncResult | typeof GIVE_UP {
    const r = this.#reader;
    r.reset(bytes, 0, bytes.length);
    if (!r.eat(0x7b)) return GIVE_UP;
    // -1: absent; 0: not a book snapshot/update; 1: the book (channel) or snapshot (type); 2: update.
    let channel = -1;
    let type = -1;
    let dataAt = -1;
    let dataRead = false;
    if (!r.eat(0x7d)) {
      do {
        if (!r.readKey()) return GIVE_UP;
        if (r.is(CHANNEL)) {
          // A repeated key: JSON.parse keeps the last one; leave that to it.
          if (channel >= 0 || !r.readPlainString()) return GIVE_UP;
          channel = r.is(BOOK) ? 1 : 0;
        } else if (r.is(TYPE)) {
          if (type >= 0 || !r.readPlainString()) return GIVE_UP;
          type = r.is(SNAPSHOT) ? 1 : r.is(UPDATE) ? 2 : 0;
        } else if (r.is(DATA)) {
          if (dataAt >= 0) return GIVE_UP;
          dataAt = r.pos;
          dataRead = channel === 1 && type > 0;
          if (dataRead ? !this.#scanEntries(bytes) : !r.skipValue()) return GIVE_UP;
        } else if (!r.skipValue()) {
          return GIVE_UP;
        }
      } while (r.eat(0x2c));
      if (!r.eat(0x7d)) return GIVE_UP;
    }
    if (!r.atEnd()) return GIVE_UP;
    if (channel !== 1 || type <= 0) return BookSyncResult.ignored;
    if (dataAt < 0) return GIVE_UP;
    if (!dataRead) {
      r.pos = dataAt;
      if (!this.#scanEntries(bytes)) return GIVE_UP;
    }
    this.#isSnapshot = type === 1;
    return BookSyncResult.emitted;
  }

  /** Reads `data`, recording each entry; false on anything the `JSON.parse` path should judge. */
  #scanEntries(bytes: Uint8Array): boolean {
    const r = this.#reader;
    this.#entryCount = 0;
    this.#levelCount = 0;
    if (!r.eat(0x5b)) return false;
    if (r.eat(0x5d)) return true;
    do {
      const at = this.#entryCount * ENTRY_FIELDS;
      if (at + ENTRY_FIELDS > this.#entries.length) {
        const grown = new Float64Array(this.#entries.length * 2);
        grown.set(this.#entries);
        this.#entries = grown;
      }
      if (!this.#scanEntry(bytes, this.#entries, at)) return false;
      this.#entryCount++;
    } while (r.eat(0x2c));
    return r.eat(0x5d);
  }

  #scanEntry(bytes: Uint8Array, entries: Float64Array, at: number): boolean {
    const r = this.#reader;
    const epoch = this.#epoch;
    if (!r.eat(0x7b)) return false;
    let symbolStart = -1;
    let checksum = false;
    let timed = false;
    let bidsAt = -1;
    let asksAt = -1;
    let bids = 0;
    let asks = 0;
    if (!r.eat(0x7d)) {
      do {
        if (!r.readKey()) return false;
        if (r.is(SYMBOL)) {
          if (symbolStart >= 0 || !r.readPlainString() || r.stop === r.start) return false;
          symbolStart = r.start;
          entries[at + E_SYMBOL_START] = r.start;
          entries[at + E_SYMBOL_STOP] = r.stop;
        } else if (r.is(CHECKSUM)) {
          if (
            checksum ||
            !r.readNumber() ||
            digitsInto(bytes, r.start, r.stop, entries, at + E_CHECKSUM) !== 0
          )
            return false;
          checksum = true;
        } else if (r.is(TIMESTAMP)) {
          if (timed || !r.readPlainString() || !parseRfc3339(bytes, r.start, r.stop, epoch)) return false;
          timed = true;
          entries[at + E_MS] = epoch.ms;
          entries[at + E_SUB_MS] = epoch.subMsNanos;
        } else if (r.is(BIDS)) {
          if (bidsAt >= 0) return false;
          bidsAt = this.#levelCount;
          if (!this.#levels(bytes)) return false;
          bids = this.#levelCount - bidsAt;
        } else if (r.is(ASKS)) {
          if (asksAt >= 0) return false;
          asksAt = this.#levelCount;
          if (!this.#levels(bytes)) return false;
          asks = this.#levelCount - asksAt;
        } else if (!r.skipValue()) {
          return false;
        }
      } while (r.eat(0x2c));
      if (!r.eat(0x7d)) return false;
    }
    entries[at + E_BIDS_START] = bidsAt;
    entries[at + E_BIDS_END] = bidsAt + bids;
    entries[at + E_ASKS_START] = asksAt;
    entries[at + E_ASKS_END] = asksAt + asks;
    return symbolStart >= 0 && checksum && timed && bidsAt >= 0 && asksAt >= 0;
  }

  /**
   * Reads one side, `[{"price": number, "qty": number, ...}, ...]`, checking each level as the `JSON.parse` path's
   * `#apply` does and recording its values and token ranges in the level table.
   */
  #levels(bytes: Uint8Array): boolean {
    const r = this.#reader;
    if (!r.eat(0x5b)) return false;
    if (r.eat(0x5d)) return true;
    do {
      if (!r.eat(0x7b)) return false;
      let priceStart = -1;
      let priceStop = -1;
      let qtyStart = -1;
      let qtyStop = -1;
      if (!r.eat(0x7d)) {
        do {
          if (!r.readKey()) return false;
          if (r.is(PRICE)) {
            if (priceStart >= 0 || !r.readNumber()) return false;
            priceStart = r.start;
            priceStop = r.stop;
          } else if (r.is(QTY)) {
            if (qtyStart >= 0 || !r.readNumber()) return false;
            qtyStart = r.start;
            qtyStop = r.stop;
          } else if (!r.skipValue()) {
            return false;
          }
        } while (r.eat(0x2c));
        if (!r.eat(0x7d)) return false;
      }
      if (priceStart < 0 || qtyStart < 0) return false;
      const n = this.#levelCount;
      if ((n + 1) * LEVEL_FIELDS > this.#levelTokens.length) this.#growLevels();
      const values = this.#levelValues;
      if (
        !decimalInto(bytes, priceStart, priceStop, values, n * 2) ||
        !decimalInto(bytes, qtyStart, qtyStop, values, n * 2 + 1)
      )
        return false;
      const price = values[n * 2]!;
      const size = values[n * 2 + 1]!;
      if (!Number.isFinite(price) || !Number.isFinite(size) || size < 0) return false;
      const tokens = this.#levelTokens;
      tokens[n * LEVEL_FIELDS] = priceStart;
      tokens[n * LEVEL_FIELDS + 1] = priceStop;
      tokens[n * LEVEL_FIELDS + 2] = qtyStart;
      tokens[n * LEVEL_FIELDS + 3] = qtyStop;
      this.#levelCount = n + 1;
    } while (r.eat(0x2c));
    return r.eat(0x5d);
  }

  #growLevels(): void {
    const values = new Float64Array(this.#levelValues.length * 2);
    values.set(this.#levelValues);
    this.#levelValues = values;
    const tokens = new Int32Array(this.#levelTokens.length * 2);
    tokens.set(this.#levelTokens);
    this.#levelTokens = tokens;
  }

  /** Applies scanned levels [from, to) to a kept side and the frame, as the `JSON.parse` path's `#apply` does. */
  #applyLevels(
    bytes: Uint8Array,
    state: KrakenState,
    from: number,
    to: number,
    side: KeptSide<KrakenLevel>,
    out: BookLevels,
  ): void {
    const values = this.#levelValues;
    const tokens = this.#levelTokens;
    for (let i = from; i < to; i++) {
      const price = values[i * 2]!;
      const size = values[i * 2 + 1]!;
      const priceStart = tokens[i * LEVEL_FIELDS]!;
      const priceStop = tokens[i * LEVEL_FIELDS + 1]!;
      const qtyStart = tokens[i * LEVEL_FIELDS + 2]!;
      const qtyStop = tokens[i * LEVEL_FIELDS + 3]!;
      if (!state.fixed) {
        state.priceDecimals = Math.max(state.priceDecimals, decimalsOf(bytes, priceStart, priceStop));
        state.qtyDecimals = Math.max(state.qtyDecimals, decimalsOf(bytes, qtyStart, qtyStop));
      }
      if (size === 0) side.remove(price);
      else side.put(price, levelOf(bytes, priceStart, priceStop, qtyStart, qtyStop));
      out.push(price, size);
    }
  }

  /** One recorded entry, with the same rules and order as {@link #entry}; its levels were checked by the scan. */
  #scannedEntry(
    bytes: Uint8Array,
    at: number,
    receivedMs: number,
    receivedSubMsNanos: number,
  ): BookSyncResult {
    const entries = this.#entries;
    const state = this.stateOfAscii(bytes, entries[at + E_SYMBOL_START]!, entries[at + E_SYMBOL_STOP]!);
    if (state === undefined) return BookSyncResult.overCap;
    const isSnapshot = this.#isSnapshot;
    if (!isSnapshot && !state.synced) {
      this.count('unsynced');
      this.lose(state, 'noSnapshot');
      return BookSyncResult.unsynced;
    }
    const frame = this.begin(
      state,
      isSnapshot,
      0,
      entries[at + E_MS]!,
      entries[at + E_SUB_MS]!,
      receivedMs,
      receivedSubMsNanos,
    );
    if (isSnapshot) {
      state.bids.clear();
      state.asks.clear();
    }
    this.#applyLevels(
      bytes,
      state,
      entries[at + E_BIDS_START]!,
      entries[at + E_BIDS_END]!,
      state.bids,
      frame.bids,
    );
    this.#applyLevels(
      bytes,
      state,
      entries[at + E_ASKS_START]!,
      entries[at + E_ASKS_END]!,
      state.asks,
      frame.asks,
    );
    return this.#verify(state, entries[at + E_CHECKSUM]!);
  }

  /** Truncates to the subscribed depth, checks the checksum, emits or loses sync. */
  #verify(state: KrakenState, checksum: number): BookSyncResult {
    const frame = this.frame;
    // Kraken sends no removal for levels pushed past the subscribed depth: publish one, so consumers truncate too.
    state.bids.truncate(this.depth, (price) => frame.bids.push(price, 0));
    state.asks.truncate(this.depth, (price) => frame.asks.push(price, 0));
    if (krakenChecksum(state) !== checksum) {
      this.count('checksumFailures');
      this.lose(state, 'checksumFailure');
      return BookSyncResult.checksumFailure;
    }
    this.emit(state);
    return BookSyncResult.emitted;
  }

  /** The `JSON.parse` path, for whatever the scan does not take: it decides what a malformed message counts as. */
  #parsed(message: string | Uint8Array, receivedMs: number, receivedSubMsNanos: number): BookSyncResult {
    const text = typeof message === 'string' ? message : textDecoder.decode(message);
    // Validate the text as sent: quoting the numbers would turn invalid tokens (`01`, `1.`) into valid strings.
    if (parseJson(text) === undefined) return this.malformed();
    if (!text.includes('"book"')) return BookSyncResult.ignored;
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
    return this.#verify(state, entry.checksum);
  }

  #apply(
    state: KrakenState,
    levels: unknown,
    side: KeptSide<KrakenLevel>,
    out: { push(price: number, size: number): void },
  ): boolean {
    if (!Array.isArray(levels)) return false;
    for (const level of levels as Array<Record<string, unknown>>) {
      const priceText = level?.price;
      const qtyText = level?.qty;
      if (typeof priceText !== 'string' || typeof qtyText !== 'string') return false;
      const price = Number(priceText);
      const size = Number(qtyText);
      if (!Number.isFinite(price) || !Number.isFinite(size) || size < 0) return false;
      if (!state.fixed) {
        state.priceDecimals = Math.max(state.priceDecimals, decimals(priceText));
        state.qtyDecimals = Math.max(state.qtyDecimals, decimals(qtyText));
      }
      if (size === 0) side.remove(price);
      else side.put(price, levelOfTexts(priceText, qtyText));
      out.push(price, size);
    }
    return true;
  }
}

/** Kraken's checksum of a kept book: top 10 asks then top 10 bids, CRC32 unsigned. @internal */
export function krakenChecksum(state: {
  bids: KeptSide<KrakenLevel>;
  asks: KeptSide<KrakenLevel>;
  priceDecimals: number;
  qtyDecimals: number;
  /** The sync machine's per-side caches; a one-off caller (the simulator) leaves them out. */
  bidsText?: SideText;
  asksText?: SideText;
}): number {
  // Precisions are small (Kraken's are at most a dozen or so decimals), so one number keys both.
  const key = state.priceDecimals * 4096 + state.qtyDecimals;
  const { priceDecimals, qtyDecimals } = state;
  const asks = sideText(state.asks, state.asksText ?? new SideText(), priceDecimals, qtyDecimals, key);
  const bids = sideText(state.bids, state.bidsText ?? new SideText(), priceDecimals, qtyDecimals, key);
  return textCrc(bids, textCrc(asks, 0));
}

/** The CRC-32 of a side's text continued from `from`, from its cache when neither changed. */
function textCrc(text: SideText, from: number): number {
  if (text.crcFrom !== from) {
    text.crc = crc32Range(text.bytes, 0, text.length, from);
    text.crcFrom = from;
  }
  return text.crc;
}

/** The checksum bytes of a side's top 10, from its cache when the side and precisions did not change. */
function sideText(
  side: KeptSide<KrakenLevel>,
  text: SideText,
  priceDecimals: number,
  qtyDecimals: number,
  key: number,
): SideText {
  if (text.version === side.version && text.key === key) return text;
  let end = 0;
  const levels = side.top(CHECKSUM_LEVELS);
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    let digits = level.digits;
    if (digits === undefined || level.digitsKey !== key) {
      const length = levelDigits(level, priceDecimals, qtyDecimals);
      digits = scratch.slice(0, length);
      level.digits = digits;
      level.digitsKey = key;
    }
    const length = digits.length;
    if (end + length > text.bytes.length) {
      const grown = new Uint8Array((end + length) * 2);
      grown.set(text.bytes);
      text.bytes = grown;
    }
    text.bytes.set(digits, end);
    end += length;
  }
  text.length = end;
  text.version = side.version;
  text.key = key;
  text.crcFrom = -1;
  return text;
}

/** A level of the texts `bytes[priceStart..priceStop)` and `bytes[qtyStart..qtyStop)`. */
function levelOf(
  bytes: Uint8Array,
  priceStart: number,
  priceStop: number,
  qtyStart: number,
  qtyStop: number,
): KrakenLevel {
  const priceBytes = priceStop - priceStart;
  const text = new Uint8Array(priceBytes + qtyStop - qtyStart);
  // A number's text is a dozen bytes or so: copied by a loop, with no `subarray` view per text.
  for (let i = 0; i < priceBytes; i++) text[i] = bytes[priceStart + i]!;
  for (let i = priceBytes; i < text.length; i++) text[i] = bytes[qtyStart - priceBytes + i]!;
  return { text, priceBytes, digits: undefined, digitsKey: -1 };
}

/**
 * A level of texts held as strings (the `JSON.parse` path's, the simulator's), as UTF-8: copied a char at a time
 * when both are ASCII, as venue numbers are, without the two encoder calls and views that cost the simulator's
 * checksum of every book message more than its strings did.
 */
function levelOfTexts(priceText: string, qtyText: string): KrakenLevel {
  const priceBytes = priceText.length;
  const text = new Uint8Array(priceBytes + qtyText.length);
  for (let i = 0; i < priceBytes; i++) {
    const c = priceText.charCodeAt(i);
    if (c > 0x7f) return levelOfUtf8(priceText, qtyText);
    text[i] = c;
  }
  for (let i = 0; i < qtyText.length; i++) {
    const c = qtyText.charCodeAt(i);
    if (c > 0x7f) return levelOfUtf8(priceText, qtyText);
    text[priceBytes + i] = c;
  }
  return { text, priceBytes, digits: undefined, digitsKey: -1 };
}

/** {@link levelOfTexts} for texts that are not all ASCII. */
function levelOfUtf8(priceText: string, qtyText: string): KrakenLevel {
  const price = utf8.encode(priceText);
  const qty = utf8.encode(qtyText);
  const text = new Uint8Array(price.length + qty.length);
  text.set(price);
  text.set(qty, price.length);
  return { text, priceBytes: price.length, digits: undefined, digitsKey: -1 };
}

/**
 * A side as the kept book would hold it after levels with these texts (`[price, qty]`, best first), for a caller
 * that computes a checksum alone (the simulator). @internal
 */
export function krakenKeptSide(
  bids: boolean,
  levels: ReadonlyArray<readonly [string, string]>,
): KeptSide<KrakenLevel> {
  const side = new KeptSide<KrakenLevel>(bids);
  for (const [price, qty] of levels) {
    if (Number(qty) === 0) side.remove(Number(price));
    else side.put(Number(price), levelOfTexts(price, qty));
  }
  return side;
}

/** Writes a level's checksum bytes (price then qty digits) at the start of the scratch; returns their length. */
function levelDigits(level: KrakenLevel, priceDecimals: number, qtyDecimals: number): number {
  const { text, priceBytes } = level;
  return writeDigitsOf(
    text,
    priceBytes,
    text.length,
    qtyDecimals,
    writeDigitsOf(text, 0, priceBytes, priceDecimals, 0),
  );
}

/**
 * {@link writeDigits} of the text `text[start..stop)`: the same bytes, read in place when the text is plain ASCII
 * without an exponent (every text the scan keeps), through the string form otherwise.
 */
function writeDigitsOf(text: Uint8Array, start: number, stop: number, places: number, at: number): number {
  let dot = -1;
  for (let i = start; i < stop; i++) {
    const c = text[i]!;
    if (c === 0x65 || c === 0x45 || c > 0x7f)
      return writeDigits(utf8Decoder.decode(text.subarray(start, stop)), places, at);
    if (c === 0x2e && dot < 0) dot = i;
  }
  const padding = Math.max(0, places - (dot < 0 ? 0 : stop - dot - 1));
  if (at + (stop - start) + padding > scratch.length) grow(at + (stop - start) + padding);
  const out = scratch;
  let end = at;
  for (let i = start; i < stop; i++) if (i !== dot) out[end++] = text[i]!;
  for (let i = 0; i < padding; i++) out[end++] = 0x30;
  let zeros = 0;
  while (at + zeros < end - 1 && out[at + zeros] === 0x30) zeros++;
  if (zeros > 0) out.copyWithin(at, at + zeros, end);
  return end - zeros;
}

/** {@link decimals} of an ASCII number token `bytes[start..stop)` (the scan's). */
function decimalsOf(bytes: Uint8Array, start: number, stop: number): number {
  let dot = -1;
  for (let i = start; i < stop; i++) {
    const c = bytes[i]!;
    if (c === 0x65 || c === 0x45) return 0;
    if (c === 0x2e && dot < 0) dot = i;
  }
  return dot < 0 ? 0 : stop - dot - 1;
}

/** Where one level's checksum text is built before it is kept with the level; grows for unusually long numbers. */
let scratch = new Uint8Array(64);

function grow(length: number): void {
  const grown = new Uint8Array(length * 2);
  grown.set(scratch);
  scratch = grown;
}

/**
 * Writes at `at` the number at `places` decimals, without the point and leading zeros (`0.566`, 4 -> `5660`);
 * returns the end.
 */
function writeDigits(text: string, places: number, at: number): number {
  const fixed = hasExponent(text) ? Number(text).toFixed(places) : text;
  const dot = fixed.indexOf('.');
  const padding = Math.max(0, places - (dot < 0 ? 0 : fixed.length - dot - 1));
  // Venue numbers are ASCII; a non-ASCII text (only from the JSON.parse path's string form) is hashed as UTF-8.
  const encoded = isAscii(fixed)
    ? undefined
    : utf8.encode(dot < 0 ? fixed : fixed.slice(0, dot) + fixed.slice(dot + 1));
  const length = encoded === undefined ? fixed.length : encoded.length;
  if (at + length + padding > scratch.length) grow(at + length + padding);
  const out = scratch;
  let end = at;
  if (encoded !== undefined) {
    out.set(encoded, end);
    end += encoded.length;
  } else {
    for (let i = 0; i < fixed.length; i++) if (i !== dot) out[end++] = fixed.charCodeAt(i);
  }
  for (let i = 0; i < padding; i++) out[end++] = 0x30;
  let zeros = 0;
  while (at + zeros < end - 1 && out[at + zeros] === 0x30) zeros++;
  if (zeros > 0) out.copyWithin(at, at + zeros, end);
  return end - zeros;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
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
export interface KrakenBookSync extends BookSync {
  /** Levels per side kept and checksummed: the subscribed depth. */
  readonly depth: number;
}

/** Creates a {@link KrakenBookSync}: `new KrakenBookSync(sink, options)`. */
export const KrakenBookSync: BookSyncConstructor<KrakenBookSync, KrakenBookSyncOptions> = KrakenBookMachine;
