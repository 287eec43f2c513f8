/**
 * OKX v5 incremental book channels (`books`, `books50-l2-tbt`,
 * `books-l2-tbt`): a `snapshot` (`prevSeqId` -1), then `update`s whose
 * `prevSeqId` equals the previous message's `seqId`. A message with
 * `seqId < prevSeqId` is OKX's documented sequence reset and is accepted; an
 * empty update with `seqId == prevSeqId` is its keep-alive. The CRC32
 * `checksum` is verified whenever it is non-zero: OKX fixed it to 0 on
 * 2026-06-23, recordings from before carry real ones (BOOK_SAMPLES.md 6d).
 */
import { crc32 } from 'node:zlib';
import { BookSyncBase, BookSyncResult, epochMs, parseJson, type SymbolState } from './book-sync.js';
import { KeptSide } from './kept-book.js';

/** Levels per side OKX's checksum covers. */
const CHECKSUM_LEVELS = 25;
const BOOK_CHANNELS = new Set(['books', 'books50-l2-tbt', 'books-l2-tbt']);

export interface OkxState extends SymbolState {
  lastSeqId: number;
  bids: KeptSide;
  asks: KeptSide;
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
export class OkxBookSync extends BookSyncBase<OkxState> {
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
    const checksum = entry.checksum;
    if (typeof checksum === 'number' && checksum !== 0 && checksum !== okxChecksum(state.bids, state.asks)) {
      this.count('checksumFailures');
      this.lose(state, 'checksumFailure');
      return BookSyncResult.checksumFailure;
    }
    state.lastSeqId = seqId;
    this.emit(state);
    return BookSyncResult.emitted;
  }

  /** Applies one side's `[price, size, ...]` texts to the kept book and the frame; false when malformed. */
  #apply(levels: unknown, side: KeptSide, out: { push(price: number, size: number): void }): boolean {
    if (!Array.isArray(levels)) return false;
    for (const level of levels) {
      if (!Array.isArray(level) || typeof level[0] !== 'string' || typeof level[1] !== 'string') return false;
      const price = Number(level[0]);
      const size = Number(level[1]);
      if (!Number.isFinite(price) || !Number.isFinite(size) || size < 0) return false;
      side.set(price, size, level[0], level[1]);
      out.push(price, size);
    }
    // Levels past the cap are far from the top 25 the checksum reads; dropping them is counted.
    side.truncate(this.maxLevels, () => this.count('levelsOverCap'));
    return true;
  }
}

/**
 * OKX's checksum of a book: the top 25 bids and asks as `price:size`, alternating bid then ask,
 * joined by `:`, CRC32 as a signed 32-bit integer.
 * @internal
 */
export function okxChecksum(bids: KeptSide, asks: KeptSide): number {
  const topBids = bids.top(CHECKSUM_LEVELS);
  const topAsks = asks.top(CHECKSUM_LEVELS);
  const parts: string[] = [];
  for (let i = 0; i < CHECKSUM_LEVELS; i++) {
    const bid = topBids[i];
    const ask = topAsks[i];
    if (bid !== undefined) parts.push(`${bid.price}:${bid.size}`);
    if (ask !== undefined) parts.push(`${ask.price}:${ask.size}`);
  }
  return crc32(parts.join(':')) | 0;
}

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
