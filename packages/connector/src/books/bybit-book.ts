/**
 * Bybit v5 `orderbook.{depth}.{symbol}`: a `snapshot`, then `delta`s whose
 * update id `u` rises by exactly one. `u = 1` marks a snapshot after a
 * service restart and replaces the book whatever the message's type; a
 * snapshot repeated with the same `u` (level-1 keep-alive) is a snapshot too.
 */
import {
  BookSyncBase,
  BookSyncResult,
  epochMs,
  parseJson,
  pushPairs,
  type SymbolState,
} from './book-sync.js';

export interface BybitState extends SymbolState {
  /** `u` of the last message applied. */
  lastU: number;
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
export class BybitBookSync extends BookSyncBase<BybitState> {
  protected createState(symbol: string, tickerUtf8: Uint8Array): BybitState {
    return { symbol, tickerUtf8, synced: false, lost: false, requested: false, lastU: 0 };
  }

  /** Handles one raw venue message (text or UTF-8 bytes) received at the given time. */
  onMessage(message: string | Uint8Array, receivedMs: number, receivedSubMsNanos = 0): BookSyncResult {
    const json = parseJson(message) as Record<string, unknown> | undefined;
    if (json === undefined) return this.malformed();
    if (typeof json.topic !== 'string' || !json.topic.startsWith('orderbook.')) return BookSyncResult.ignored;
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
    }
    const frame = this.begin(state, isSnapshot, u, ts, 0, receivedMs, receivedSubMsNanos);
    if (!pushPairs(data!.b, frame.bids) || !pushPairs(data!.a, frame.asks)) return this.malformed(state);
    state.lastU = u;
    this.emit(state);
    return BookSyncResult.emitted;
  }
}
