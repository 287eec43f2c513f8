/**
 * Binance spot diff depth (`<symbol>@depth`, `@depth@100ms`) with the REST
 * snapshot `GET /api/v3/depth`, following "How to manage a local order book
 * correctly" (BOOK_SAMPLES.md 1d): buffer the stream, take a snapshot, drop
 * the events it already covers, then the first applied event must straddle
 * the snapshot (`U <= lastUpdateId + 1 <= u`) and each next one continue the
 * chain (`U == previous u + 1`).
 */
import { asciiBytes, ByteJsonReader } from '../feeds/byte-json-reader.js';
import { digitsInto } from '../feeds/decimal-bytes.js';
import type { BookLevels } from './book-data.js';
import { scanPairs } from './book-scan.js';
import {
  type BookSync,
  BookSyncBase,
  type BookSyncConstructor,
  type BookSyncOptions,
  BookSyncResult,
  epochMs,
  messageBytes,
  parseJson,
  pushPairs,
  type SymbolState,
} from './book-sync.js';

const STREAM = asciiBytes('stream');
const DATA = asciiBytes('data');
const EVENT = asciiBytes('e');
const EVENT_TIME = asciiBytes('E');
const SYMBOL = asciiBytes('s');
const FIRST_ID = asciiBytes('U');
const LAST_ID = asciiBytes('u');
const BIDS = asciiBytes('b');
const ASKS = asciiBytes('a');
const DEPTH_UPDATE = asciiBytes('depthUpdate');

/** {@link BinanceBookSync}'s scan gave up: the `JSON.parse` path decides. */
const GIVE_UP = -1;
/** The event's `E`, `U`, `u` and its symbol's range, as the scan read them (typed: no boxed doubles). */
const F_EVENT_MS = 0;
const F_FIRST_ID = 1;
const F_LAST_ID = 2;
const F_SYMBOL_START = 3;
const F_SYMBOL_STOP = 4;
/** Bits of the event fields the scan has read, so a repeated key gives up (`JSON.parse` keeps the last one). */
const SEEN_EVENT = 1;
const SEEN_EVENT_MS = 2;
const SEEN_SYMBOL = 4;
const SEEN_FIRST_ID = 8;
const SEEN_LAST_ID = 16;
const SEEN_BIDS = 32;
const SEEN_ASKS = 64;
/** Every field a depth event needs. */
const SEEN_ALL = 127;
/** What {@link BinanceBookMachine.#field} did with a key. */
const FIELD_READ = 1;
const FIELD_BAD = 0;
const FIELD_OTHER = -1;

/** A diff-depth event held while the symbol waits for its REST snapshot. */
export interface BufferedEvent {
  firstId: number;
  lastId: number;
  eventMs: number;
  receivedMs: number;
  receivedSubMsNanos: number;
  /** `[price, size, ...]`. */
  bids: number[];
  asks: number[];
}

export interface BinanceState extends SymbolState {
  /** Update id of the book held: the snapshot's `lastUpdateId`, then each applied event's `u`. */
  lastId: number;
  /** True until the first event after the snapshot is applied (it must straddle, not continue). */
  straddle: boolean;
  /** Events received while waiting for a snapshot, oldest first. */
  buffer: BufferedEvent[];
  bufferedLevels: number;
}

/** The Binance machine behind {@link BinanceBookSync}. */
class BinanceBookMachine extends BookSyncBase<BinanceState> {
  readonly #reader = new ByteJsonReader();
  readonly #fields = new Float64Array(5);
  /** {@link SEEN_EVENT} and the others, for the message being scanned. */
  #seen = 0;
  /** True when the scanned event's `e` is `depthUpdate`. */
  #isDepth = false;

  protected createState(symbol: string, tickerUtf8: Uint8Array): BinanceState {
    return {
      symbol,
      tickerUtf8,
      synced: false,
      lost: false,
      requested: false,
      lastId: 0,
      straddle: true,
      buffer: [],
      bufferedLevels: 0,
    };
  }

  /**
   * Events held in the buffers, waiting for a snapshot: not published (yet). With no snapshot to come
   * (a plain line replay) they never will be, so the integration counts them as `unsynced`.
   */
  get bufferedEvents(): number {
    let events = 0;
    for (const state of this.symbols.values()) events += state.buffer.length;
    return events;
  }

  /** True when `symbol` waits for a REST snapshot (seen on the stream and not in sync). */
  needsSnapshot(symbol: string): boolean {
    const state = this.symbols.get(symbol);
    return state !== undefined && !state.synced;
  }

  /**
   * Handles one raw stream message (a `depthUpdate` event, bare or wrapped in a combined-stream
   * `{stream, data}` envelope) received at the given time.
   */
  onMessage(message: string | Uint8Array, receivedMs: number, receivedSubMsNanos = 0): BookSyncResult {
    const bytes = messageBytes(message);
    const scanned = this.#scan(bytes);
    if (scanned === GIVE_UP) return this.#parsed(message, receivedMs, receivedSubMsNanos);
    if (scanned !== BookSyncResult.emitted) return scanned;
    const fields = this.#fields;
    const state = this.stateOfAscii(bytes, fields[F_SYMBOL_START]!, fields[F_SYMBOL_STOP]!);
    if (state === undefined) return BookSyncResult.overCap;
    const firstId = fields[F_FIRST_ID]!;
    const lastId = fields[F_LAST_ID]!;
    const eventMs = fields[F_EVENT_MS]!;
    const frame = this.frame;
    if (!state.synced) {
      this.#buffer(state, scannedEvent(firstId, lastId, eventMs, receivedMs, receivedSubMsNanos, frame));
      return BookSyncResult.buffered;
    }
    const result = this.#check(state, firstId, lastId);
    if (result !== BookSyncResult.emitted) {
      // The event after a gap starts the new buffer: the next snapshot may be older than it.
      if (result === BookSyncResult.gap) {
        this.#buffer(state, scannedEvent(firstId, lastId, eventMs, receivedMs, receivedSubMsNanos, frame));
      }
      return result;
    }
    this.header(state, false, lastId, eventMs, 0, receivedMs, receivedSubMsNanos);
    state.lastId = lastId;
    state.straddle = false;
    this.emit(state);
    return BookSyncResult.emitted;
  }

  /**
   * Reads the whole message, levels into the frame, before touching any state, so giving up (GIVE_UP) leaves
   * nothing to undo: `emitted` means a well-formed depth event whose fields are in {@link #fields}, `ignored` valid
   * JSON whose event is not a depth update. Takes a bare event, or the combined stream's `{"stream", "data"}` with
   * the event in `data`; any other shape (an envelope with event fields beside it, `data` without `stream`) is left
   * to `JSON.parse`.
   */
  #scan(bytes: Uint8Array): BookSyncResult | typeof GIVE_UP {
    const r = this.#reader;
    const frame = this.frame;
    r.reset(bytes, 0, bytes.length);
    if (!r.eat(0x7b)) return GIVE_UP;
    this.#seen = 0;
    this.#isDepth = false;
    frame.bids.clear();
    frame.asks.clear();
    let stream = false;
    let data = false;
    let outside = false;
    if (!r.eat(0x7d)) {
      do {
        if (!r.readKey()) return GIVE_UP;
        if (r.is(STREAM)) {
          if (stream || r.peek() !== 0x22 || !r.readPlainString()) return GIVE_UP;
          stream = true;
        } else if (r.is(DATA)) {
          if (data || !this.#event(bytes)) return GIVE_UP;
          data = true;
        } else {
          const field = this.#field(bytes);
          if (field === FIELD_BAD || (field === FIELD_OTHER && !r.skipValue())) return GIVE_UP;
          if (field === FIELD_READ) outside = true;
        }
      } while (r.eat(0x2c));
      if (!r.eat(0x7d)) return GIVE_UP;
    }
    if (!r.atEnd()) return GIVE_UP;
    // `JSON.parse` unwraps `data` when `stream` is a string and `data` an object, and then reads data's fields
    // alone: an envelope must hold them all, and a bare event neither key.
    if (stream !== data || (data && outside)) return GIVE_UP;
    if (!this.#isDepth) return BookSyncResult.ignored;
    if (this.#seen !== SEEN_ALL || this.#fields[F_FIRST_ID]! > this.#fields[F_LAST_ID]!) return GIVE_UP;
    return BookSyncResult.emitted;
  }

  /** Reads `data`'s object, each event field through {@link #field}; false on anything else than an object. */
  #event(bytes: Uint8Array): boolean {
    const r = this.#reader;
    if (!r.eat(0x7b)) return false;
    if (r.eat(0x7d)) return true;
    do {
      if (!r.readKey()) return false;
      const field = this.#field(bytes);
      if (field === FIELD_BAD || (field === FIELD_OTHER && !r.skipValue())) return false;
    } while (r.eat(0x2c));
    return r.eat(0x7d);
  }

  /** Reads the value of the key just read when it is an event field; {@link FIELD_OTHER} when it is not one. */
  #field(bytes: Uint8Array): number {
    const r = this.#reader;
    const fields = this.#fields;
    const seen = this.#seen;
    let bit: number;
    if (r.is(EVENT)) {
      if ((seen & SEEN_EVENT) !== 0 || !r.readPlainString()) return FIELD_BAD;
      this.#isDepth = r.is(DEPTH_UPDATE);
      bit = SEEN_EVENT;
    } else if (r.is(EVENT_TIME)) {
      if ((seen & SEEN_EVENT_MS) !== 0 || !uintField(r, bytes, fields, F_EVENT_MS)) return FIELD_BAD;
      bit = SEEN_EVENT_MS;
    } else if (r.is(SYMBOL)) {
      if ((seen & SEEN_SYMBOL) !== 0 || !r.readPlainString() || r.stop === r.start) return FIELD_BAD;
      fields[F_SYMBOL_START] = r.start;
      fields[F_SYMBOL_STOP] = r.stop;
      bit = SEEN_SYMBOL;
    } else if (r.is(FIRST_ID)) {
      if ((seen & SEEN_FIRST_ID) !== 0 || !uintField(r, bytes, fields, F_FIRST_ID)) return FIELD_BAD;
      bit = SEEN_FIRST_ID;
    } else if (r.is(LAST_ID)) {
      if ((seen & SEEN_LAST_ID) !== 0 || !uintField(r, bytes, fields, F_LAST_ID)) return FIELD_BAD;
      bit = SEEN_LAST_ID;
    } else if (r.is(BIDS)) {
      if ((seen & SEEN_BIDS) !== 0 || !scanPairs(r, this.frame.bids)) return FIELD_BAD;
      bit = SEEN_BIDS;
    } else if (r.is(ASKS)) {
      if ((seen & SEEN_ASKS) !== 0 || !scanPairs(r, this.frame.asks)) return FIELD_BAD;
      bit = SEEN_ASKS;
    } else {
      return FIELD_OTHER;
    }
    this.#seen = seen | bit;
    return FIELD_READ;
  }

  /** The `JSON.parse` path, for whatever the scan does not take: it decides what a malformed message counts as. */
  #parsed(message: string | Uint8Array, receivedMs: number, receivedSubMsNanos: number): BookSyncResult {
    let json = parseJson(message) as Record<string, unknown> | null | undefined;
    if (json === undefined) return this.malformed();
    if (json === null) return BookSyncResult.ignored;
    if (typeof json.stream === 'string' && typeof json.data === 'object' && json.data !== null) {
      json = json.data as Record<string, unknown>;
    }
    if (json.e !== 'depthUpdate') return BookSyncResult.ignored;
    const symbol = json.s;
    if (typeof symbol !== 'string' || symbol.length === 0) return this.malformed();
    const state = this.stateOf(symbol);
    if (state === undefined) return BookSyncResult.overCap;
    const firstId = json.U;
    const lastId = json.u;
    const eventMs = epochMs(json.E);
    if (!isId(firstId) || !isId(lastId) || firstId > lastId || Number.isNaN(eventMs))
      return this.malformed(state);
    if (!state.synced) {
      const event: BufferedEvent = {
        firstId,
        lastId,
        eventMs,
        receivedMs,
        receivedSubMsNanos,
        bids: [],
        asks: [],
      };
      if (!pushPairs(json.b, pairSink(event.bids)) || !pushPairs(json.a, pairSink(event.asks))) {
        return this.malformed(state);
      }
      this.#buffer(state, event);
      return BookSyncResult.buffered;
    }
    const result = this.#check(state, firstId, lastId);
    if (result !== BookSyncResult.emitted) {
      if (result === BookSyncResult.gap) {
        const event: BufferedEvent = {
          firstId,
          lastId,
          eventMs,
          receivedMs,
          receivedSubMsNanos,
          bids: [],
          asks: [],
        };
        // The event after a gap starts the new buffer: the next snapshot may be older than it.
        if (pushPairs(json.b, pairSink(event.bids)) && pushPairs(json.a, pairSink(event.asks))) {
          this.#buffer(state, event);
        }
      }
      return result;
    }
    const frame = this.begin(state, false, lastId, eventMs, 0, receivedMs, receivedSubMsNanos);
    if (!pushPairs(json.b, frame.bids) || !pushPairs(json.a, frame.asks)) return this.malformed(state);
    state.lastId = lastId;
    state.straddle = false;
    this.emit(state);
    return BookSyncResult.emitted;
  }

  /**
   * Applies a REST depth snapshot (`{lastUpdateId, bids, asks}`, as text, bytes or parsed JSON) for
   * `symbol`: emits it as `isSnapshot` with `sequence = lastUpdateId`, then every buffered event
   * that follows it. Returns `stale` (and asks again through `onOutOfSync`) when the snapshot is older
   * than the oldest buffered event, `gap` when a buffered event breaks the chain.
   */
  applySnapshot(
    symbol: string,
    body: string | Uint8Array | object,
    receivedMs: number,
    receivedSubMsNanos = 0,
  ): BookSyncResult {
    const json = (typeof body === 'string' || body instanceof Uint8Array ? parseJson(body) : body) as
      | Record<string, unknown>
      | undefined;
    const state = this.stateOf(symbol);
    if (state === undefined) return BookSyncResult.overCap;
    const lastUpdateId = json?.lastUpdateId;
    if (!isId(lastUpdateId)) return this.malformed(state);
    // Events the snapshot already covers.
    let skip = 0;
    while (skip < state.buffer.length && state.buffer[skip]!.lastId <= lastUpdateId) skip++;
    if (skip > 0) this.count('stale', skip);
    const pending = state.buffer.slice(skip);
    if (pending.length > 0 && pending[0]!.firstId > lastUpdateId + 1) {
      // Older than the stream we hold: the rules say fetch again.
      this.count('stale');
      state.buffer = pending;
      state.requested = false;
      this.lose(state, 'staleSnapshot');
      return BookSyncResult.stale;
    }
    const frame = this.begin(state, true, lastUpdateId, 0, 0, receivedMs, receivedSubMsNanos);
    if (!pushPairs(json!.bids, frame.bids) || !pushPairs(json!.asks, frame.asks))
      return this.malformed(state);
    state.buffer = [];
    state.bufferedLevels = 0;
    state.lastId = lastUpdateId;
    state.straddle = true;
    this.emit(state);
    for (let i = 0; i < pending.length; i++) {
      const event = pending[i]!;
      const result = this.#check(state, event.firstId, event.lastId);
      if (result === BookSyncResult.stale) continue;
      if (result !== BookSyncResult.emitted) {
        // As on the stream, the event after a gap starts the new buffer, for the next snapshot to meet.
        state.buffer = pending.slice(i);
        for (const kept of state.buffer) state.bufferedLevels += (kept.bids.length + kept.asks.length) / 2;
        return result;
      }
      const delta = this.begin(
        state,
        false,
        event.lastId,
        event.eventMs,
        0,
        event.receivedMs,
        event.receivedSubMsNanos,
      );
      for (let i = 0; i < event.bids.length; i += 2) delta.bids.push(event.bids[i]!, event.bids[i + 1]!);
      for (let i = 0; i < event.asks.length; i += 2) delta.asks.push(event.asks[i]!, event.asks[i + 1]!);
      state.lastId = event.lastId;
      state.straddle = false;
      this.emit(state);
    }
    return BookSyncResult.emitted;
  }

  /** The Binance continuity rules for an event against the book held; counts stale and gaps. */
  #check(state: BinanceState, firstId: number, lastId: number): BookSyncResult {
    if (lastId <= state.lastId) {
      this.count('stale');
      return BookSyncResult.stale;
    }
    const continues = state.straddle ? firstId <= state.lastId + 1 : firstId === state.lastId + 1;
    if (!continues) {
      this.count('gaps');
      this.lose(state, 'gap');
      return BookSyncResult.gap;
    }
    return BookSyncResult.emitted;
  }

  #buffer(state: BinanceState, event: BufferedEvent): void {
    const levels = (event.bids.length + event.asks.length) / 2;
    if (state.bufferedLevels + levels > this.maxLevels) {
      // Keeping the newest events is what lets a fresh snapshot connect; the older ones are lost.
      this.count('levelsOverCap', state.bufferedLevels);
      this.count('unsynced', state.buffer.length);
      state.buffer = [];
      state.bufferedLevels = 0;
      this.lose(state, 'bufferOverflow');
    }
    state.buffer.push(event);
    state.bufferedLevels += levels;
    this.lose(state, 'noSnapshot');
  }
}

/** Reads a JSON integer token of digits that is a safe integer into `out[index]`; false otherwise. */
function uintField(r: ByteJsonReader, bytes: Uint8Array, out: Float64Array, index: number): boolean {
  return r.readNumber() && digitsInto(bytes, r.start, r.stop, out, index) === 0;
}

/** A scanned event held for a snapshot, its levels copied out of the frame the scan wrote them into. */
function scannedEvent(
  firstId: number,
  lastId: number,
  eventMs: number,
  receivedMs: number,
  receivedSubMsNanos: number,
  frame: { bids: BookLevels; asks: BookLevels },
): BufferedEvent {
  return {
    firstId,
    lastId,
    eventMs,
    receivedMs,
    receivedSubMsNanos,
    bids: levelValues(frame.bids),
    asks: levelValues(frame.asks),
  };
}

/** `[price, size, ...]` of levels. */
function levelValues(levels: BookLevels): number[] {
  const out: number[] = [];
  const values = levels.values;
  for (let i = 0; i < levels.count * 2; i++) out.push(values[i]!);
  return out;
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function pairSink(into: number[]): { push(price: number, size: number): void } {
  return { push: (price, size) => into.push(price, size) };
}

/**
 * Turns Binance diff-depth events and REST depth snapshots into book updates.
 *
 * The integration watches {@link BinanceBookSync.needsSnapshot} (or
 * `onOutOfSync`), fetches `GET /api/v3/depth?symbol=...&limit=...` within
 * Binance's request-weight limits, and hands the body to
 * {@link BinanceBookSync.applySnapshot}, live or replayed from a recording.
 * Events that arrive before it are buffered (bounded by `maxLevels` levels);
 * a buffer overflow or a snapshot older than the buffered stream asks for a
 * new snapshot.
 *
 * @example
 * ```ts
 * const sync = new BinanceBookSync((frame) => publish(frame), {
 *   onOutOfSync: async (symbol) => sync.applySnapshot(symbol, await fetchDepth(symbol), Date.now()),
 * });
 * socket.on('message', (data) => sync.onMessage(data, Date.now()));
 * ```
 */
export interface BinanceBookSync extends BookSync {
  /**
   * Events held in the buffers, waiting for a snapshot: not published (yet). With no snapshot to come
   * (a plain line replay) they never will be, so the integration counts them as `unsynced`.
   */
  readonly bufferedEvents: number;
  /** True when `symbol` waits for a REST snapshot (seen on the stream and not in sync). */
  needsSnapshot(symbol: string): boolean;
  /**
   * Applies a REST depth snapshot (`{lastUpdateId, bids, asks}`, as text, bytes or parsed JSON) for
   * `symbol`: emits it as `isSnapshot` with `sequence = lastUpdateId`, then every buffered event
   * that follows it. Returns `stale` (and asks again through `onOutOfSync`) when the snapshot is older
   * than the oldest buffered event, `gap` when a buffered event breaks the chain.
   */
  applySnapshot(
    symbol: string,
    body: string | Uint8Array | object,
    receivedMs: number,
    receivedSubMsNanos?: number,
  ): BookSyncResult;
}

/** Creates a {@link BinanceBookSync}: `new BinanceBookSync(sink, options)`. */
export const BinanceBookSync: BookSyncConstructor<BinanceBookSync, BookSyncOptions> = BinanceBookMachine;
