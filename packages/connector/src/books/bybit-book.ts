/**
 * Bybit v5 `orderbook.{depth}.{symbol}`: a `snapshot`, then `delta`s whose
 * update id `u` rises by exactly one. `u = 1` marks a snapshot after a
 * service restart and replaces the book whatever the message's type; a
 * snapshot repeated with the same `u` (level-1 keep-alive) is a snapshot too.
 */
import { asciiBytes, ByteJsonReader } from '../feeds/byte-json-reader.js';
import { digitsInto } from '../feeds/decimal-bytes.js';
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

const TOPIC = asciiBytes('topic');
const TYPE = asciiBytes('type');
const TS = asciiBytes('ts');
const DATA = asciiBytes('data');
const SYMBOL = asciiBytes('s');
const BIDS = asciiBytes('b');
const ASKS = asciiBytes('a');
const UPDATE_ID = asciiBytes('u');
const SNAPSHOT = asciiBytes('snapshot');
const DELTA = asciiBytes('delta');
const ORDERBOOK = asciiBytes('orderbook.');

/** {@link BybitBookSync}'s scan gave up: the `JSON.parse` path decides. */
const GIVE_UP = -1;
/** `ts`, `u` and the symbol's range, as the scan read them (typed: no boxed doubles). */
const F_TS = 0;
const F_U = 1;
const F_SYMBOL_START = 2;
const F_SYMBOL_STOP = 3;

export interface BybitState extends SymbolState {
  /** `u` of the last message applied. */
  lastU: number;
}

/** The Bybit machine behind {@link BybitBookSync}. */
class BybitBookMachine extends BookSyncBase<BybitState> {
  readonly #reader = new ByteJsonReader();
  readonly #fields = new Float64Array(4);
  /** 1 snapshot, 2 delta, 0 another type, -1 none, as the last scan read `type`. */
  #type = -1;

  protected createState(symbol: string, tickerUtf8: Uint8Array): BybitState {
    return { symbol, tickerUtf8, synced: false, lost: false, requested: false, lastU: 0 };
  }

  /** Handles one raw venue message (text or UTF-8 bytes) received at the given time. */
  onMessage(message: string | Uint8Array, receivedMs: number, receivedSubMsNanos = 0): BookSyncResult {
    const bytes = messageBytes(message);
    const scanned = this.#scan(bytes);
    if (scanned === GIVE_UP) return this.#parsed(message, receivedMs, receivedSubMsNanos);
    if (scanned !== BookSyncResult.emitted) return scanned;
    const fields = this.#fields;
    const state = this.stateOfAscii(bytes, fields[F_SYMBOL_START]!, fields[F_SYMBOL_STOP]!);
    if (state === undefined) return BookSyncResult.overCap;
    const u = fields[F_U]!;
    const isSnapshot = this.#type === 1 || u === 1;
    if (!isSnapshot) {
      const result = this.#deltaCheck(state, u);
      if (result !== BookSyncResult.emitted) return result;
    }
    this.header(state, isSnapshot, u, fields[F_TS]!, 0, receivedMs, receivedSubMsNanos);
    state.lastU = u;
    this.emit(state);
    return BookSyncResult.emitted;
  }

  /** The sync rules of a delta: in sync, not stale, `u` the last plus one. */
  #deltaCheck(state: BybitState, u: number): BookSyncResult {
    if (!state.synced) {
      this.count('unsynced');
      this.lose(state, 'noSnapshot');
      return BookSyncResult.unsynced;
    }
    if (u <= state.lastU) {
      this.count('stale');
      return BookSyncResult.stale;
    }
    if (u !== state.lastU + 1) {
      this.count('gaps');
      this.lose(state, 'gap');
      return BookSyncResult.gap;
    }
    return BookSyncResult.emitted;
  }

  /**
   * Reads the whole message, levels into the frame, before touching any state, so giving up (GIVE_UP) leaves
   * nothing to undo; `emitted` means a well-formed book message whose fields are in {@link #fields}.
   */
  #scan(bytes: Uint8Array): BookSyncResult | typeof GIVE_UP {
    const r = this.#reader;
    const frame = this.frame;
    const fields = this.#fields;
    r.reset(bytes, 0, bytes.length);
    if (!r.eat(0x7b)) return GIVE_UP;
    // -1 absent, 0 not an order book topic, 1 an order book topic.
    let topic = -1;
    let type = -1;
    let ts = false;
    let data = false;
    frame.bids.clear();
    frame.asks.clear();
    if (!r.eat(0x7d)) {
      do {
        if (!r.readKey()) return GIVE_UP;
        if (r.is(TOPIC)) {
          // A repeated key: JSON.parse keeps the last one; leave that to it.
          if (topic >= 0 || !r.readPlainString()) return GIVE_UP;
          topic = startsWith(bytes, r.start, r.stop, ORDERBOOK) ? 1 : 0;
        } else if (r.is(TYPE)) {
          if (type >= 0 || !r.readPlainString()) return GIVE_UP;
          type = r.is(SNAPSHOT) ? 1 : r.is(DELTA) ? 2 : 0;
        } else if (r.is(TS)) {
          if (ts || !r.readNumber() || digitsInto(bytes, r.start, r.stop, fields, F_TS) !== 0) return GIVE_UP;
          ts = true;
        } else if (r.is(DATA)) {
          if (data || !this.#data(bytes)) return GIVE_UP;
          data = true;
        } else if (!r.skipValue()) {
          return GIVE_UP;
        }
      } while (r.eat(0x2c));
      if (!r.eat(0x7d)) return GIVE_UP;
    }
    if (!r.atEnd()) return GIVE_UP;
    if (topic !== 1) return BookSyncResult.ignored;
    // A delta-less type on a u other than 1 is malformed: the JSON.parse path counts it.
    if (!data || !ts || (type !== 1 && type !== 2 && fields[F_U] !== 1)) return GIVE_UP;
    this.#type = type;
    return BookSyncResult.emitted;
  }

  /** Reads `data`: `s`, `u` and the `b` / `a` levels (into the frame); false when any is missing or malformed. */
  #data(bytes: Uint8Array): boolean {
    const r = this.#reader;
    const frame = this.frame;
    const fields = this.#fields;
    if (!r.eat(0x7b)) return false;
    let symbol = false;
    let u = false;
    let bids = false;
    let asks = false;
    if (!r.eat(0x7d)) {
      do {
        if (!r.readKey()) return false;
        if (r.is(SYMBOL)) {
          if (symbol || !r.readPlainString() || r.stop === r.start) return false;
          fields[F_SYMBOL_START] = r.start;
          fields[F_SYMBOL_STOP] = r.stop;
          symbol = true;
        } else if (r.is(UPDATE_ID)) {
          if (
            u ||
            !r.readNumber() ||
            digitsInto(bytes, r.start, r.stop, fields, F_U) !== 0 ||
            fields[F_U]! < 1
          )
            return false;
          u = true;
        } else if (r.is(BIDS)) {
          if (bids || !scanPairs(r, frame.bids)) return false;
          bids = true;
        } else if (r.is(ASKS)) {
          if (asks || !scanPairs(r, frame.asks)) return false;
          asks = true;
        } else if (!r.skipValue()) {
          return false;
        }
      } while (r.eat(0x2c));
      if (!r.eat(0x7d)) return false;
    }
    return symbol && u && bids && asks;
  }

  /** The `JSON.parse` path, for whatever the scan does not take: it decides what a malformed message counts as. */
  #parsed(message: string | Uint8Array, receivedMs: number, receivedSubMsNanos: number): BookSyncResult {
    const json = parseJson(message) as Record<string, unknown> | null | undefined;
    if (json === undefined) return this.malformed();
    // `null` is valid JSON but has no fields: not a book message (reading `.topic` on it would throw).
    if (json === null || typeof json.topic !== 'string' || !json.topic.startsWith('orderbook.'))
      return BookSyncResult.ignored;
    const data = json.data as Record<string, unknown> | undefined;
    const symbol = data?.s;
    if (typeof symbol !== 'string' || symbol.length === 0) return this.malformed();
    const state = this.stateOf(symbol);
    if (state === undefined) return BookSyncResult.overCap;
    const u = data!.u;
    const ts = epochMs(json.ts);
    if (typeof u !== 'number' || !Number.isSafeInteger(u) || u < 1 || Number.isNaN(ts))
      return this.malformed(state);
    const isSnapshot = json.type === 'snapshot' || u === 1;
    if (!isSnapshot) {
      if (json.type !== 'delta') return this.malformed(state);
      const result = this.#deltaCheck(state, u);
      if (result !== BookSyncResult.emitted) return result;
    }
    const frame = this.begin(state, isSnapshot, u, ts, 0, receivedMs, receivedSubMsNanos);
    if (!pushPairs(data!.b, frame.bids) || !pushPairs(data!.a, frame.asks)) return this.malformed(state);
    state.lastU = u;
    this.emit(state);
    return BookSyncResult.emitted;
  }
}

function startsWith(bytes: Uint8Array, start: number, stop: number, prefix: Uint8Array): boolean {
  if (stop - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[start + i] !== prefix[i]) return false;
  return true;
}

/**
 * Turns Bybit book messages into book updates. A delta whose `u` is not the
 * previous `u + 1` is a gap: counted, the symbol stops emitting until the next
 * snapshot (resubscribe on `onOutOfSync`), which is emitted as `isSnapshot`.
 * A delta with `u` at or below the last one is stale and dropped.
 *
 * @example
 * ```ts
 * const sync = new BybitBookSync((frame) => publish(frame), { onOutOfSync: (s) => resubscribe(s) });
 * socket.on('message', (data) => sync.onMessage(data, Date.now()));
 * ```
 */
export type BybitBookSync = BookSync;

/** Creates a {@link BybitBookSync}: `new BybitBookSync(sink, options)`. */
export const BybitBookSync: BookSyncConstructor<BybitBookSync, BookSyncOptions> = BybitBookMachine;
