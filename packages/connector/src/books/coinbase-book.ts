/**
 * Coinbase Exchange `level2_batch` (no authentication; `level2` needs it):
 * a `snapshot` after subscribing, then `l2update`s whose `changes` are
 * `[side, price, size]` with absolute sizes. Neither carries a sequence number
 * (BOOK_SAMPLES.md 3d), so no gap can be detected here: the symbol is in sync
 * from its snapshot until the integration resubscribes (`reset`).
 */
import {
  BookSyncBase,
  BookSyncResult,
  parseJson,
  pushPairs,
  rfc3339,
  type SymbolState,
} from './book-sync.js';

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
export class CoinbaseBookSync extends BookSyncBase<SymbolState> {
  readonly #time = new Float64Array(2);

  protected createState(symbol: string, tickerUtf8: Uint8Array): SymbolState {
    return { symbol, tickerUtf8, synced: false, lost: false, requested: false };
  }

  /** Handles one raw venue message (text or UTF-8 bytes) received at the given time. */
  onMessage(message: string | Uint8Array, receivedMs: number, receivedSubMsNanos = 0): BookSyncResult {
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
