/**
 * Coinbase Exchange `level2_batch` (no authentication; `level2` needs it):
 * a `snapshot` after subscribing, then `l2update`s whose `changes` are
 * `[side, price, size]` with absolute sizes. Neither carries a sequence number
 * (BOOK_SAMPLES.md 3d), so no gap can be detected here: the symbol is in sync
 * from its snapshot until the integration resubscribes (`reset`).
 */
import { asciiBytes, ByteJsonReader } from '../feeds/byte-json-reader.js';
import { type EpochTime, parseRfc3339 } from '../feeds/rfc3339-bytes.js';
import { scanPairs, scanPriceSize } from './book-scan.js';
import {
  type BookSync,
  BookSyncBase,
  type BookSyncConstructor,
  type BookSyncOptions,
  BookSyncResult,
  messageBytes,
  parseJson,
  pushPairs,
  rfc3339,
  type SymbolState,
} from './book-sync.js';

const TYPE = asciiBytes('type');
const PRODUCT_ID = asciiBytes('product_id');
const TIME = asciiBytes('time');
const BIDS = asciiBytes('bids');
const ASKS = asciiBytes('asks');
const CHANGES = asciiBytes('changes');
const SNAPSHOT = asciiBytes('snapshot');
const L2UPDATE = asciiBytes('l2update');
const BUY = asciiBytes('buy');
const SELL = asciiBytes('sell');

/** What the scan read as `type`. */
enum Kind {
  absent = 0,
  snapshot = 1,
  l2update = 2,
  other = 3,
}
/** {@link CoinbaseBookSync}'s scan gave up: the `JSON.parse` path decides. */
const GIVE_UP = -1;

/** The Coinbase machine behind {@link CoinbaseBookSync}. */
class CoinbaseBookMachine extends BookSyncBase<SymbolState> {
  readonly #time = new Float64Array(2);
  readonly #reader = new ByteJsonReader();
  readonly #epoch: EpochTime = { ms: 0, subMsNanos: 0 };

  protected createState(symbol: string, tickerUtf8: Uint8Array): SymbolState {
    return { symbol, tickerUtf8, synced: false, lost: false, requested: false };
  }

  /** Handles one raw venue message (text or UTF-8 bytes) received at the given time. */
  onMessage(message: string | Uint8Array, receivedMs: number, receivedSubMsNanos = 0): BookSyncResult {
    const scanned = this.#scan(messageBytes(message), receivedMs, receivedSubMsNanos);
    return scanned === GIVE_UP ? this.#parsed(message, receivedMs, receivedSubMsNanos) : scanned;
  }

  /**
   * The byte scan of a well-formed message: reads it whole before touching any state, so giving up (GIVE_UP) leaves
   * nothing to undo and the `JSON.parse` path sees the message as if first.
   */
  #scan(bytes: Uint8Array, receivedMs: number, receivedSubMsNanos: number): BookSyncResult | typeof GIVE_UP {
    const r = this.#reader;
    const frame = this.frame;
    const epoch = this.#epoch;
    r.reset(bytes, 0, bytes.length);
    if (!r.eat(0x7b)) return GIVE_UP;
    let kind = Kind.absent;
    let symbolStart = -1;
    let symbolStop = -1;
    let timed = false;
    // Level arrays are read where they stand when `type` came first (as Coinbase sends it), else revisited after.
    let bidsAt = -1;
    let asksAt = -1;
    let changesAt = -1;
    let bidsRead = false;
    let asksRead = false;
    let changesRead = false;
    frame.bids.clear();
    frame.asks.clear();
    if (!r.eat(0x7d)) {
      do {
        if (!r.readKey()) return GIVE_UP;
        if (r.is(TYPE)) {
          // A repeated key: JSON.parse keeps the last one; leave that to it.
          if (kind !== Kind.absent || !r.readPlainString()) return GIVE_UP;
          kind = r.is(SNAPSHOT) ? Kind.snapshot : r.is(L2UPDATE) ? Kind.l2update : Kind.other;
        } else if (r.is(PRODUCT_ID)) {
          if (symbolStart >= 0 || !r.readPlainString() || r.stop === r.start) return GIVE_UP;
          symbolStart = r.start;
          symbolStop = r.stop;
        } else if (r.is(TIME)) {
          if (timed || !r.readPlainString() || !parseRfc3339(bytes, r.start, r.stop, epoch)) return GIVE_UP;
          timed = true;
        } else if (r.is(BIDS)) {
          if (bidsAt >= 0) return GIVE_UP;
          bidsAt = r.pos;
          bidsRead = kind === Kind.snapshot;
          if (bidsRead ? !scanPairs(r, frame.bids) : !r.skipValue()) return GIVE_UP;
        } else if (r.is(ASKS)) {
          if (asksAt >= 0) return GIVE_UP;
          asksAt = r.pos;
          asksRead = kind === Kind.snapshot;
          if (asksRead ? !scanPairs(r, frame.asks) : !r.skipValue()) return GIVE_UP;
        } else if (r.is(CHANGES)) {
          if (changesAt >= 0) return GIVE_UP;
          changesAt = r.pos;
          changesRead = kind === Kind.l2update;
          if (changesRead ? !this.#changes() : !r.skipValue()) return GIVE_UP;
        } else if (!r.skipValue()) {
          return GIVE_UP;
        }
      } while (r.eat(0x2c));
      if (!r.eat(0x7d)) return GIVE_UP;
    }
    if (!r.atEnd()) return GIVE_UP;
    if (kind === Kind.absent || kind === Kind.other) return BookSyncResult.ignored;
    if (symbolStart < 0) return GIVE_UP;
    if (kind === Kind.snapshot) {
      if (bidsAt < 0 || asksAt < 0) return GIVE_UP;
      if (!bidsRead && !this.#pairsAt(bidsAt, frame.bids)) return GIVE_UP;
      if (!asksRead && !this.#pairsAt(asksAt, frame.asks)) return GIVE_UP;
    } else if (!changesRead) {
      if (changesAt < 0) return GIVE_UP;
      r.pos = changesAt;
      if (!this.#changes()) return GIVE_UP;
    }
    const state = this.stateOfAscii(bytes, symbolStart, symbolStop);
    if (state === undefined) return BookSyncResult.overCap;
    // A snapshot carries no time in the documented payload: 0, "none" in the schema.
    const ms = timed ? epoch.ms : 0;
    const sub = timed ? epoch.subMsNanos : 0;
    if (kind === Kind.l2update && !state.synced) {
      this.count('unsynced');
      this.lose(state, 'noSnapshot');
      return BookSyncResult.unsynced;
    }
    this.header(state, kind === Kind.snapshot, 0, ms, sub, receivedMs, receivedSubMsNanos);
    this.emit(state);
    return BookSyncResult.emitted;
  }

  /** Reads a snapshot side skipped because `type` came after it. */
  #pairsAt(at: number, into: { push(price: number, size: number): void }): boolean {
    this.#reader.pos = at;
    return scanPairs(this.#reader, into);
  }

  /** Reads `changes`, `[[side, price, size, ...], ...]`, into the frame's sides. */
  #changes(): boolean {
    const r = this.#reader;
    const frame = this.frame;
    if (!r.eat(0x5b)) return false;
    if (r.eat(0x5d)) return true;
    do {
      if (!r.eat(0x5b) || !r.readPlainString()) return false;
      const side = r.is(BUY) ? frame.bids : r.is(SELL) ? frame.asks : undefined;
      if (side === undefined || !r.eat(0x2c) || !scanPriceSize(r, side)) return false;
    } while (r.eat(0x2c));
    return r.eat(0x5d);
  }

  /** The `JSON.parse` path, for whatever the scan does not take: it decides what a malformed message counts as. */
  #parsed(message: string | Uint8Array, receivedMs: number, receivedSubMsNanos: number): BookSyncResult {
    const json = parseJson(message) as Record<string, unknown> | undefined;
    const type = json?.type;
    if (json === undefined) return this.malformed();
    if (type !== 'snapshot' && type !== 'l2update') return BookSyncResult.ignored;
    const symbol = json!.product_id;
    if (typeof symbol !== 'string' || symbol.length === 0) return this.malformed();
    const state = this.stateOf(symbol);
    if (state === undefined) return BookSyncResult.overCap;
    const time = this.#time;
    // A snapshot carries no time in the documented payload: 0, "none" in the schema.
    if (!rfc3339(json!.time, time)) {
      time[0] = 0;
      time[1] = 0;
    }
    if (type === 'snapshot') {
      const frame = this.begin(state, true, 0, time[0]!, time[1]!, receivedMs, receivedSubMsNanos);
      if (!pushPairs(json!.bids, frame.bids) || !pushPairs(json!.asks, frame.asks))
        return this.malformed(state);
      this.emit(state);
      return BookSyncResult.emitted;
    }
    if (!state.synced) {
      this.count('unsynced');
      this.lose(state, 'noSnapshot');
      return BookSyncResult.unsynced;
    }
    const frame = this.begin(state, false, 0, time[0]!, time[1]!, receivedMs, receivedSubMsNanos);
    const changes = json!.changes;
    if (!Array.isArray(changes)) return this.malformed(state);
    for (const change of changes) {
      if (!Array.isArray(change)) return this.malformed(state);
      const side = change[0] === 'buy' ? frame.bids : change[0] === 'sell' ? frame.asks : undefined;
      if (side === undefined || !pushPairs([[change[1], change[2]]], side)) return this.malformed(state);
    }
    this.emit(state);
    return BookSyncResult.emitted;
  }
}

/**
 * Turns Coinbase `snapshot` / `l2update` messages into book updates: the
 * snapshot as `isSnapshot`, each `l2update` as a delta with its changes.
 * An `l2update` before its product's snapshot is dropped and counted
 * (`unsynced`), and that product is reported through `onOutOfSync`.
 *
 * @example
 * ```ts
 * const sync = new CoinbaseBookSync((frame) => publish(frame), { onOutOfSync: (s) => resubscribe(s) });
 * socket.on('message', (data) => sync.onMessage(data, Date.now()));
 * ```
 */
export type CoinbaseBookSync = BookSync;

/** Creates a {@link CoinbaseBookSync}: `new CoinbaseBookSync(sink, options)`. */
export const CoinbaseBookSync: BookSyncConstructor<CoinbaseBookSync, BookSyncOptions> = CoinbaseBookMachine;
