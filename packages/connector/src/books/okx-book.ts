/**
 * OKX v5 incremental book channels (`books`, `books50-l2-tbt`,
 * `books-l2-tbt`): a `snapshot` (`prevSeqId` -1), then `update`s whose
 * `prevSeqId` equals the previous message's `seqId`. A message with
 * `seqId < prevSeqId` is OKX's documented sequence reset and is accepted; an
 * empty update with `seqId == prevSeqId` is its keep-alive. The CRC32
 * `checksum` is verified whenever it is non-zero: OKX fixed it to 0 on
 * 2026-06-23, recordings from before carry real ones (BOOK_SAMPLES.md 6d).
 */

import { asciiBytes, ByteJsonReader } from '../feeds/byte-json-reader.js';
import { decimalInto, digitsInto } from '../feeds/decimal-bytes.js';
import { crc32 } from '../flusher/crc32.js';
import type { BookLevels } from './book-data.js';
import {
  type BookSync,
  BookSyncBase,
  type BookSyncConstructor,
  type BookSyncOptions,
  BookSyncResult,
  epochMs,
  latin1,
  messageBytes,
  parseJson,
  type SymbolState,
} from './book-sync.js';
import { KeptSide, setTexts, type TextLevel } from './kept-book.js';

/** Levels per side OKX's checksum covers. */
const CHECKSUM_LEVELS = 25;
const BOOK_CHANNELS = new Set(['books', 'books50-l2-tbt', 'books-l2-tbt']);

const ARG = asciiBytes('arg');
const CHANNEL = asciiBytes('channel');
const INST_ID = asciiBytes('instId');
const ACTION = asciiBytes('action');
const EVENT = asciiBytes('event');
const DATA = asciiBytes('data');
const ASKS = asciiBytes('asks');
const BIDS = asciiBytes('bids');
const TS = asciiBytes('ts');
const CHECKSUM = asciiBytes('checksum');
const PREV_SEQ_ID = asciiBytes('prevSeqId');
const SEQ_ID = asciiBytes('seqId');
const SNAPSHOT = asciiBytes('snapshot');
const UPDATE = asciiBytes('update');
const BOOKS = asciiBytes('books');
const BOOKS_50_TBT = asciiBytes('books50-l2-tbt');
const BOOKS_TBT = asciiBytes('books-l2-tbt');

/** {@link OkxBookSync}'s scan gave up: the `JSON.parse` path decides. */
const GIVE_UP = -1;
/** What the scan read, typed so no double is boxed: times, sequences, checksum, symbol and level ranges. */
const F_TS = 0;
const F_SEQ = 1;
/** `prevSeqId`: -1 as sent, NaN when absent (never equal to a last `seqId`, as `undefined` in the parse path). */
const F_PREV = 2;
const F_CHECKSUM = 3;
const F_SYMBOL_START = 4;
const F_SYMBOL_STOP = 5;
const F_BIDS_FROM = 6;
const F_BIDS_TO = 7;
const F_ASKS_FROM = 8;
const F_ASKS_TO = 9;
const FIELDS = 10;
/** Token offsets per scanned level: price start / stop, size start / stop. */
const LEVEL_FIELDS = 4;

export interface OkxState extends SymbolState {
  lastSeqId: number;
  bids: KeptSide;
  asks: KeptSide;
}

/** The Okx machine behind {@link OkxBookSync}. */
class OkxBookMachine extends BookSyncBase<OkxState> {
  readonly #reader = new ByteJsonReader();
  readonly #fields = new Float64Array(FIELDS);
  /** Price and size of each scanned level (the frame has them too; these feed the kept book). */
  #levelValues = new Float64Array(64 * 2);
  /** {@link LEVEL_FIELDS} token offsets per scanned level: the venue's own texts, for the checksum. */
  #levelTokens = new Int32Array(64 * LEVEL_FIELDS);
  #levelCount = 0;
  /** True when the last scan read `action` as `snapshot`. */
  #snapshot = false;

  protected createState(symbol: string, tickerUtf8: Uint8Array): OkxState {
    return {
      symbol,
      tickerUtf8,
      synced: false,
      lost: false,
      requested: false,
      lastSeqId: -1,
      bids: new KeptSide(true),
      asks: new KeptSide(false),
    };
  }

  /** Handles one raw venue message (text or UTF-8 bytes) received at the given time. */
  onMessage(message: string | Uint8Array, receivedMs: number, receivedSubMsNanos = 0): BookSyncResult {
    const bytes = messageBytes(message);
    if (this.#scan(bytes) === GIVE_UP) return this.#parsed(message, receivedMs, receivedSubMsNanos);
    const fields = this.#fields;
    const state = this.stateOfAscii(bytes, fields[F_SYMBOL_START]!, fields[F_SYMBOL_STOP]!);
    if (state === undefined) return BookSyncResult.overCap;
    const isSnapshot = this.#snapshot;
    const seqId = fields[F_SEQ]!;
    if (!isSnapshot) {
      if (!state.synced) {
        this.count('unsynced');
        this.lose(state, 'noSnapshot');
        return BookSyncResult.unsynced;
      }
      if (fields[F_PREV] !== state.lastSeqId) {
        this.count('gaps');
        this.lose(state, 'gap');
        return BookSyncResult.gap;
      }
    }
    this.header(state, isSnapshot, seqId, fields[F_TS]!, 0, receivedMs, receivedSubMsNanos);
    if (isSnapshot) {
      state.bids.clear();
      state.asks.clear();
    }
    this.#keep(bytes, fields[F_BIDS_FROM]!, fields[F_BIDS_TO]!, state.bids);
    this.#keep(bytes, fields[F_ASKS_FROM]!, fields[F_ASKS_TO]!, state.asks);
    return this.#verify(state, fields[F_CHECKSUM]!, seqId);
  }

  /** Checks a non-zero checksum against the kept book, then emits (or loses sync on a mismatch). */
  #verify(state: OkxState, checksum: number, seqId: number): BookSyncResult {
    if (checksum !== 0 && checksum !== okxChecksum(state.bids, state.asks)) {
      this.count('checksumFailures');
      this.lose(state, 'checksumFailure');
      return BookSyncResult.checksumFailure;
    }
    state.lastSeqId = seqId;
    this.emit(state);
    return BookSyncResult.emitted;
  }

  /**
   * Reads the whole message, levels into the frame, before touching any state, so giving up leaves nothing to
   * undo. Takes only a book channel's message with one `data` entry, every field as OKX sends it; anything else
   * (acks, events, repeated keys, odd tokens) is GIVE_UP and the `JSON.parse` path decides.
   */
  #scan(bytes: Uint8Array): 0 | typeof GIVE_UP {
    const r = this.#reader;
    r.reset(bytes, 0, bytes.length);
    this.frame.bids.clear();
    this.frame.asks.clear();
    this.#levelCount = 0;
    if (!r.eat(0x7b)) return GIVE_UP;
    let arg = false;
    let action = -1;
    let data = false;
    do {
      if (!r.readKey()) return GIVE_UP;
      if (r.is(ARG)) {
        if (arg || !this.#arg()) return GIVE_UP;
        arg = true;
      } else if (r.is(ACTION)) {
        // A repeated key: JSON.parse keeps the last one; leave that to it.
        if (action >= 0 || !r.readPlainString()) return GIVE_UP;
        action = r.is(SNAPSHOT) ? 1 : r.is(UPDATE) ? 2 : 0;
      } else if (r.is(DATA)) {
        // Exactly one entry, as OKX sends; more (each applied in turn) is left to the parse path.
        if (data || !r.eat(0x5b) || !this.#entry1(bytes) || !r.eat(0x5d)) return GIVE_UP;
        data = true;
      } else if (r.is(EVENT)) {
        // An `event` (ack, error) is not a book message: the parse path ignores it.
        return GIVE_UP;
      } else if (!r.skipValue()) {
        return GIVE_UP;
      }
    } while (r.eat(0x2c));
    if (!r.eat(0x7d) || !r.atEnd() || !arg || !data || action < 1) return GIVE_UP;
    this.#snapshot = action === 1;
    return 0;
  }

  /** Reads `arg`: a book `channel` and a non-empty `instId`; false otherwise. */
  #arg(): boolean {
    const r = this.#reader;
    const fields = this.#fields;
    if (!r.eat(0x7b)) return false;
    let channel = false;
    let symbol = false;
    do {
      if (!r.readKey()) return false;
      if (r.is(CHANNEL)) {
        if (channel || !r.readPlainString() || !(r.is(BOOKS) || r.is(BOOKS_50_TBT) || r.is(BOOKS_TBT)))
          return false;
        channel = true;
      } else if (r.is(INST_ID)) {
        if (symbol || !r.readPlainString() || r.stop === r.start) return false;
        fields[F_SYMBOL_START] = r.start;
        fields[F_SYMBOL_STOP] = r.stop;
        symbol = true;
      } else if (!r.skipValue()) {
        return false;
      }
    } while (r.eat(0x2c));
    return r.eat(0x7d) && channel && symbol;
  }

  /** Reads the one `data` entry: levels, `ts`, `checksum`, `prevSeqId`, `seqId`; false when any is off. */
  #entry1(bytes: Uint8Array): boolean {
    const r = this.#reader;
    const fields = this.#fields;
    const frame = this.frame;
    if (!r.eat(0x7b)) return false;
    let bids = false;
    let asks = false;
    let ts = false;
    let checksum = false;
    let prev = false;
    let seq = false;
    fields[F_PREV] = Number.NaN;
    fields[F_CHECKSUM] = 0;
    do {
      if (!r.readKey()) return false;
      if (r.is(BIDS)) {
        fields[F_BIDS_FROM] = this.#levelCount;
        if (bids || !this.#levels(bytes, frame.bids)) return false;
        fields[F_BIDS_TO] = this.#levelCount;
        bids = true;
      } else if (r.is(ASKS)) {
        fields[F_ASKS_FROM] = this.#levelCount;
        if (asks || !this.#levels(bytes, frame.asks)) return false;
        fields[F_ASKS_TO] = this.#levelCount;
        asks = true;
      } else if (r.is(TS)) {
        // `ts` is a digit string; a JSON number is taken too, as `epochMs` takes it.
        if (ts || !(r.peek() === 0x22 ? r.readPlainString() : r.readNumber())) return false;
        if (digitsInto(bytes, r.start, r.stop, fields, F_TS) !== 0) return false;
        ts = true;
      } else if (r.is(CHECKSUM)) {
        if (checksum || !r.readNumber() || !signedInto(bytes, r.start, r.stop, fields, F_CHECKSUM))
          return false;
        checksum = true;
      } else if (r.is(PREV_SEQ_ID)) {
        if (prev || !r.readNumber()) return false;
        if (r.stop - r.start === 2 && bytes[r.start] === 0x2d && bytes[r.start + 1] === 0x31) {
          fields[F_PREV] = -1;
        } else if (digitsInto(bytes, r.start, r.stop, fields, F_PREV) !== 0) {
          return false;
        }
        prev = true;
      } else if (r.is(SEQ_ID)) {
        if (seq || !r.readNumber() || digitsInto(bytes, r.start, r.stop, fields, F_SEQ) !== 0) return false;
        seq = true;
      } else if (!r.skipValue()) {
        return false;
      }
    } while (r.eat(0x2c));
    return r.eat(0x7d) && bids && asks && ts && seq;
  }

  /**
   * Reads one side, `[[price, size, ...], ...]` with price and size decimal strings, checking each level as the
   * `JSON.parse` path's `#apply` does; pushes it to the frame and records its values and texts' ranges.
   */
  #levels(bytes: Uint8Array, out: BookLevels): boolean {
    const r = this.#reader;
    if (!r.eat(0x5b)) return false;
    if (r.eat(0x5d)) return true;
    do {
      if (!r.eat(0x5b)) return false;
      const n = this.#levelCount;
      if ((n + 1) * LEVEL_FIELDS > this.#levelTokens.length) this.#growLevels();
      const values = this.#levelValues;
      const tokens = this.#levelTokens;
      if (!r.readPlainString() || !decimalInto(bytes, r.start, r.stop, values, n * 2)) return false;
      tokens[n * LEVEL_FIELDS] = r.start;
      tokens[n * LEVEL_FIELDS + 1] = r.stop;
      if (!r.eat(0x2c) || !r.readPlainString() || !decimalInto(bytes, r.start, r.stop, values, n * 2 + 1))
        return false;
      tokens[n * LEVEL_FIELDS + 2] = r.start;
      tokens[n * LEVEL_FIELDS + 3] = r.stop;
      while (r.eat(0x2c)) if (!r.skipValue()) return false;
      if (!r.eat(0x5d)) return false;
      const price = values[n * 2]!;
      const size = values[n * 2 + 1]!;
      if (!Number.isFinite(price) || !Number.isFinite(size) || size < 0) return false;
      out.push(price, size);
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

  /** Applies scanned levels [from, to) to a kept side with the venue's texts, then caps it, as `#apply` does. */
  #keep(bytes: Uint8Array, from: number, to: number, side: KeptSide): void {
    const values = this.#levelValues;
    const tokens = this.#levelTokens;
    for (let i = from; i < to; i++) {
      const at = i * LEVEL_FIELDS;
      setTexts(
        side,
        values[i * 2]!,
        values[i * 2 + 1]!,
        latin1(bytes, tokens[at]!, tokens[at + 1]!),
        latin1(bytes, tokens[at + 2]!, tokens[at + 3]!),
      );
    }
    side.truncate(this.maxLevels, () => this.count('levelsOverCap'));
  }

  /** The `JSON.parse` path, for whatever the scan does not take: it decides what a malformed message counts as. */
  #parsed(message: string | Uint8Array, receivedMs: number, receivedSubMsNanos: number): BookSyncResult {
    const json = parseJson(message) as Record<string, unknown> | null | undefined;
    if (json === undefined) return this.malformed();
    if (json === null) return BookSyncResult.ignored;
    const arg = json.arg as Record<string, unknown> | undefined;
    if (typeof arg?.channel !== 'string' || !BOOK_CHANNELS.has(arg.channel) || json.event !== undefined) {
      return BookSyncResult.ignored;
    }
    const symbol = arg.instId;
    if (typeof symbol !== 'string' || symbol.length === 0 || !Array.isArray(json.data))
      return this.malformed();
    const state = this.stateOf(symbol);
    if (state === undefined) return BookSyncResult.overCap;
    let result: BookSyncResult = BookSyncResult.emitted;
    for (const entry of json.data as Array<Record<string, unknown>>) {
      const one = this.#entry(state, json.action, entry, receivedMs, receivedSubMsNanos);
      if (result === BookSyncResult.emitted) result = one;
    }
    return result;
  }

  #entry(
    state: OkxState,
    action: unknown,
    entry: Record<string, unknown>,
    receivedMs: number,
    receivedSubMsNanos: number,
  ): BookSyncResult {
    const seqId = entry?.seqId;
    const prevSeqId = entry?.prevSeqId;
    const ts = epochMs(entry?.ts);
    if (
      !isSeq(seqId) ||
      (prevSeqId !== undefined && !isSeq(prevSeqId) && prevSeqId !== -1) ||
      Number.isNaN(ts)
    ) {
      return this.malformed(state);
    }
    const isSnapshot = action === 'snapshot';
    if (!isSnapshot) {
      if (action !== 'update') return this.malformed(state);
      if (!state.synced) {
        this.count('unsynced');
        this.lose(state, 'noSnapshot');
        return BookSyncResult.unsynced;
      }
      if (prevSeqId !== state.lastSeqId) {
        this.count('gaps');
        this.lose(state, 'gap');
        return BookSyncResult.gap;
      }
    }
    const frame = this.begin(state, isSnapshot, seqId, ts, 0, receivedMs, receivedSubMsNanos);
    if (isSnapshot) {
      state.bids.clear();
      state.asks.clear();
    }
    if (
      !this.#apply(entry.bids, state.bids, frame.bids) ||
      !this.#apply(entry.asks, state.asks, frame.asks)
    ) {
      return this.malformed(state);
    }
    // No checksum (or 0, OKX's value since 2026-06) is not verified, as in the scan.
    return this.#verify(state, typeof entry.checksum === 'number' ? entry.checksum : 0, seqId);
  }

  /** Applies one side's `[price, size, ...]` texts to the kept book and the frame; false when malformed. */
  #apply(levels: unknown, side: KeptSide, out: { push(price: number, size: number): void }): boolean {
    if (!Array.isArray(levels)) return false;
    for (const level of levels) {
      if (!Array.isArray(level) || typeof level[0] !== 'string' || typeof level[1] !== 'string') return false;
      const price = Number(level[0]);
      const size = Number(level[1]);
      if (!Number.isFinite(price) || !Number.isFinite(size) || size < 0) return false;
      setTexts(side, price, size, level[0], level[1]);
      out.push(price, size);
    }
    // Levels past the cap are far from the top 25 the checksum reads; dropping them is counted.
    side.truncate(this.maxLevels, () => this.count('levelsOverCap'));
    return true;
  }
}

/** Where {@link okxChecksum} writes the checksum text; grows for unusually long numbers. */
let checksumText = new Uint8Array(4096);
const utf8 = new TextEncoder();

/**
 * OKX's checksum of a book: the top 25 bids and asks as `price:size`, alternating bid then ask,
 * joined by `:`, CRC32 as a signed 32-bit integer. The text is written into one reused buffer (no joined
 * string per message) and hashed as the UTF-8 `crc32` would hash the string.
 * @internal
 */
export function okxChecksum(bids: KeptSide, asks: KeptSide): number {
  const topBids = bids.top(CHECKSUM_LEVELS);
  const topAsks = asks.top(CHECKSUM_LEVELS);
  let end = 0;
  for (let i = 0; i < CHECKSUM_LEVELS; i++) {
    const bid = topBids[i];
    const ask = topAsks[i];
    if (bid !== undefined) end = appendLevel(bid, end);
    if (ask !== undefined) end = appendLevel(ask, end);
  }
  // `end - 1`: no separator after the last part.
  return crc32(checksumText.subarray(0, Math.max(0, end - 1))) | 0;
}

/** Appends a level's `price:size` and a `:` separator at `at`; returns the end. */
function appendLevel(level: TextLevel, at: number): number {
  return appendText(level.size, appendText(level.price, at, 0x3a), 0x3a);
}

/** Appends `text` as UTF-8 and then the byte `after` at `at`; returns the end. */
function appendText(text: string, at: number, after: number): number {
  // Venue numbers are ASCII (a byte per char); a non-ASCII text (only from the parse path) is encoded.
  if (at + text.length * 3 + 1 > checksumText.length) {
    const grown = new Uint8Array((at + text.length * 3 + 1) * 2);
    grown.set(checksumText.subarray(0, at));
    checksumText = grown;
  }
  const out = checksumText;
  let end = at;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) {
      end = at + utf8.encodeInto(text, out.subarray(at)).written;
      break;
    }
    out[end++] = c;
  }
  out[end] = after;
  return end + 1;
}

/** A JSON integer token (optional `-`, digits) into `out[index]`; false for fractions, exponents or beyond 2^53. */
function signedInto(
  bytes: Uint8Array,
  start: number,
  stop: number,
  out: Float64Array,
  index: number,
): boolean {
  const negative = bytes[start] === 0x2d;
  if (digitsInto(bytes, negative ? start + 1 : start, stop, out, index) !== 0) return false;
  if (negative) out[index] = -out[index]!;
  return true;
}

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Turns OKX book messages into book updates, keeping each instrument's book
 * (price and size text, capped at `maxLevels` per side) to verify the
 * checksum. A broken `prevSeqId` chain is a gap and a checksum mismatch a
 * checksum failure: both are counted, the instrument stops emitting until the
 * next snapshot (resubscribe on `onOutOfSync`), which is emitted as `isSnapshot`.
 *
 * @example
 * ```ts
 * const sync = new OkxBookSync((frame) => publish(frame), { onOutOfSync: (s) => resubscribe(s) });
 * socket.on('message', (data) => sync.onMessage(data, Date.now()));
 * ```
 */
export type OkxBookSync = BookSync;

/** Creates a {@link OkxBookSync}: `new OkxBookSync(sink, options)`. */
export const OkxBookSync: BookSyncConstructor<OkxBookSync, BookSyncOptions> = OkxBookMachine;
