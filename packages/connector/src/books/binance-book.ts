/**
 * Binance spot diff depth (`<symbol>@depth`, `@depth@100ms`) with the REST
 * snapshot `GET /api/v3/depth`, following "How to manage a local order book
 * correctly" (BOOK_SAMPLES.md 1d): buffer the stream, take a snapshot, drop
 * the events it already covers, then the first applied event must straddle
 * the snapshot (`U <= lastUpdateId + 1 <= u`) and each next one continue the
 * chain (`U == previous u + 1`).
 */
import {
  type BookSync,
  BookSyncBase,
  type BookSyncConstructor,
  type BookSyncOptions,
  BookSyncResult,
  epochMs,
  parseJson,
  pushPairs,
  type SymbolState,
} from './book-sync.js';

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
