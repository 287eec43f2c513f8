/**
 * What every venue book sync machine shares: the outcome of one message, the
 * counters, the per-symbol registry with its cap, and the reused frame it
 * hands to the sink. Venue rules live in one file per venue beside this one.
 */

import { checkInteger } from '@marketpipe/middleware/internal';
import { type BookFrame, createBookFrame } from './book-data.js';

/** What a sync machine did with one venue message. */
export const BookSyncResult = {
  /** One update per in-sync book entry went to the sink. */
  emitted: 0,
  /** Not a book message (acks, trades, heartbeats of other channels). */
  ignored: 1,
  /** Held until the snapshot it needs arrives (Binance before the REST snapshot). */
  buffered: 2,
  /** Older than the book already held; dropped as the venue's rules say. */
  stale: 3,
  /** The symbol is out of sync and waits for a snapshot; dropped and counted in `unsynced`. */
  unsynced: 4,
  /** A sequence gap: the symbol is now out of sync. */
  gap: 5,
  /** The venue's checksum disagrees with the book: the symbol is now out of sync. */
  checksumFailure: 6,
  /** Not valid JSON or missing a required field; counted in `malformed`. */
  malformed: 7,
  /** A new symbol beyond `maxSymbols`; counted in `symbolsOverCap`. */
  overCap: 8,
} as const;
/** One of {@link BookSyncResult}'s values. */
export type BookSyncResult = (typeof BookSyncResult)[keyof typeof BookSyncResult];

/** Counters of one sync machine; the integration shows them in status and summary. */
export interface BookSyncCounters {
  /** Updates emitted, snapshots included. */
  updates: number;
  /** Snapshots emitted. */
  snapshots: number;
  /** Sequence gaps detected. */
  gaps: number;
  /** Checksum mismatches detected. */
  checksumFailures: number;
  /** Snapshots that brought an out-of-sync symbol (after a gap or checksum failure) back in sync. */
  resyncs: number;
  /** Book messages dropped because their symbol was waiting for a snapshot. */
  unsynced: number;
  /** Messages dropped as older than the book held (or REST snapshots older than the stream). */
  stale: number;
  /** Book messages that were not valid JSON or lacked a required field. */
  malformed: number;
  /** Messages for symbols beyond `maxSymbols`. */
  symbolsOverCap: number;
  /** Levels dropped from a kept book or buffer because it exceeded `maxLevels`. */
  levelsOverCap: number;
}

/** Why a symbol went out of sync, for {@link BookSyncOptions.onOutOfSync}. */
export type OutOfSyncReason =
  | 'gap'
  | 'checksumFailure'
  | 'bufferOverflow'
  | 'staleSnapshot'
  | 'noSnapshot'
  | 'malformed';

/** Options every venue sync machine takes. */
export interface BookSyncOptions {
  /** Most symbols tracked (default 1024); messages for more are counted in `symbolsOverCap`. */
  maxSymbols?: number;
  /** Most levels kept per side of a kept book or buffered per symbol (default 10 000). */
  maxLevels?: number;
  /**
   * Called once each time a symbol starts waiting for a snapshot: the integration resubscribes (or
   * fetches Binance's REST snapshot) with backoff. Never called per dropped message.
   */
  onOutOfSync?: (symbol: string, reason: OutOfSyncReason) => void;
}

/** Receives each emitted update. The frame is reused: encode or copy it before returning. */
export type BookSink = (frame: BookFrame) => void;

/** Per-symbol state a venue machine keeps; `synced` false means waiting for a snapshot. */
export interface SymbolState {
  symbol: string;
  tickerUtf8: Uint8Array;
  synced: boolean;
  /** True after a gap or checksum failure, until a snapshot brings it back (counts a resync). */
  lost: boolean;
  /** True once `onOutOfSync` was called for the current wait, so it is called once per wait. */
  requested: boolean;
}

const utf8 = new TextEncoder();

/** What every venue's book sync offers, whatever the messages it is fed. */
export interface BookSync {
  /**
   * Handles one raw venue book message (text or UTF-8 bytes) received at the given time (epoch
   * milliseconds, plus nanoseconds below the millisecond): emits through the sink what it changes.
   */
  onMessage(message: string | Uint8Array, receivedMs: number, receivedSubMsNanos?: number): BookSyncResult;
  /** A copy of the counters. */
  readonly counters: Readonly<BookSyncCounters>;
  /** Symbols currently waiting for a snapshot (to resubscribe, or to fetch a REST snapshot for). */
  outOfSync(): string[];
  /** True when `symbol` is tracked and in sync. */
  isSynced(symbol: string): boolean;
  /** Forgets every symbol's state, e.g. after a reconnect; the next update per symbol will be a snapshot. */
  reset(): void;
}

/** How each venue's sync is made: `new BinanceBookSync(sink, options)`. */
export type BookSyncConstructor<T extends BookSync, O extends BookSyncOptions = BookSyncOptions> = new (
  sink: BookSink,
  options?: O,
) => T;

/**
 * Base of the venue machines: the symbol registry, counters and frame plumbing. Internal: users get each venue's
 * {@link BookSync} through its constructor (`new BinanceBookSync(...)`).
 */
export abstract class BookSyncBase<S extends SymbolState> implements BookSync {
  protected readonly maxSymbols: number;
  protected readonly maxLevels: number;
  protected readonly frame: BookFrame = createBookFrame();
  protected readonly symbols = new Map<string, S>();
  /** States by a hash of their ticker bytes, so the byte scanners find a symbol without building its string. */
  readonly #byHash = new Map<number, S>();
  readonly #counters: BookSyncCounters = {
    updates: 0,
    snapshots: 0,
    gaps: 0,
    checksumFailures: 0,
    resyncs: 0,
    unsynced: 0,
    stale: 0,
    malformed: 0,
    symbolsOverCap: 0,
    levelsOverCap: 0,
  };
  readonly #onOutOfSync: ((symbol: string, reason: OutOfSyncReason) => void) | undefined;

  constructor(
    protected readonly sink: BookSink,
    options: BookSyncOptions = {},
  ) {
    this.maxSymbols = positive(options.maxSymbols ?? 1024, 'maxSymbols');
    this.maxLevels = positive(options.maxLevels ?? 10_000, 'maxLevels');
    this.#onOutOfSync = options.onOutOfSync;
  }

  /** A copy of the counters (read-only from outside). */
  get counters(): Readonly<BookSyncCounters> {
    return { ...this.#counters };
  }

  /** Symbols currently waiting for a snapshot (to resubscribe, or to fetch a REST snapshot for). */
  outOfSync(): string[] {
    const out: string[] = [];
    for (const state of this.symbols.values()) if (!state.synced) out.push(state.symbol);
    return out;
  }

  /** True when `symbol` is tracked and in sync. */
  isSynced(symbol: string): boolean {
    return this.symbols.get(symbol)?.synced === true;
  }

  /** Forgets every symbol's state, e.g. after a reconnect; the next update per symbol will be a snapshot. */
  reset(): void {
    this.symbols.clear();
    this.#byHash.clear();
  }

  protected abstract createState(symbol: string, tickerUtf8: Uint8Array): S;

  abstract onMessage(
    message: string | Uint8Array,
    receivedMs: number,
    receivedSubMsNanos?: number,
  ): BookSyncResult;

  /** The state of `symbol`, created on first sight; undefined (and counted) beyond `maxSymbols`. */
  protected stateOf(symbol: string): S | undefined {
    let state = this.symbols.get(symbol);
    if (state !== undefined) return state;
    if (this.symbols.size >= this.maxSymbols) {
      this.#counters.symbolsOverCap++;
      return undefined;
    }
    state = this.createState(symbol, utf8.encode(symbol));
    this.symbols.set(symbol, state);
    return state;
  }

  /**
   * {@link stateOf} for an ASCII ticker held in `bytes[start..stop)` (as the byte scanners read it): a hit costs a
   * hash and a compare; only a new symbol or a hash collision builds the string.
   */
  protected stateOfAscii(bytes: Uint8Array, start: number, stop: number): S | undefined {
    let hash = 0x811c9dc5;
    for (let i = start; i < stop; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
    const cached = this.#byHash.get(hash);
    if (cached !== undefined && sameBytes(cached.tickerUtf8, bytes, start, stop)) return cached;
    const state = this.stateOf(latin1(bytes, start, stop));
    if (state !== undefined && cached === undefined) this.#byHash.set(hash, state);
    return state;
  }

  protected count(counter: keyof BookSyncCounters, by = 1): void {
    this.#counters[counter] += by;
  }

  /**
   * Marks `state` as waiting for a snapshot (the caller counts the cause) and tells the integration
   * once per wait.
   */
  protected lose(state: S, reason: OutOfSyncReason): void {
    state.synced = false;
    if (reason === 'gap' || reason === 'checksumFailure') state.lost = true;
    if (state.requested) return;
    state.requested = true;
    this.#onOutOfSync?.(state.symbol, reason);
  }

  /**
   * Counts a malformed book message; a symbol it belongs to loses sync, since the change it carried
   * is missing from every book built downstream.
   */
  protected malformed(state?: S): BookSyncResult {
    this.#counters.malformed++;
    if (state !== undefined) this.lose(state, 'malformed');
    return BookSyncResult.malformed;
  }

  /** Starts a frame for `state`: ticker, times, sequence, kind; levels cleared. */
  protected begin(
    state: S,
    isSnapshot: boolean,
    sequence: number,
    timestampMs: number,
    timestampSubMsNanos: number,
    receivedMs: number,
    receivedSubMsNanos: number,
  ): BookFrame {
    this.frame.bids.clear();
    this.frame.asks.clear();
    return this.header(
      state,
      isSnapshot,
      sequence,
      timestampMs,
      timestampSubMsNanos,
      receivedMs,
      receivedSubMsNanos,
    );
  }

  /** {@link begin} keeping the levels a byte scanner already wrote into the frame. */
  protected header(
    state: S,
    isSnapshot: boolean,
    sequence: number,
    timestampMs: number,
    timestampSubMsNanos: number,
    receivedMs: number,
    receivedSubMsNanos: number,
  ): BookFrame {
    const frame = this.frame;
    frame.ticker = state.symbol;
    frame.tickerUtf8 = state.tickerUtf8;
    frame.isSnapshot = isSnapshot;
    frame.sequence = sequence;
    frame.timestampMs = timestampMs;
    frame.timestampSubMsNanos = timestampSubMsNanos;
    frame.receivedMs = receivedMs;
    frame.receivedSubMsNanos = receivedSubMsNanos;
    return frame;
  }

  /** Hands the frame to the sink and counts it; a snapshot brings the symbol in sync. */
  protected emit(state: S): void {
    const frame = this.frame;
    if (frame.isSnapshot) {
      this.#counters.snapshots++;
      if (state.lost) this.#counters.resyncs++;
      state.lost = false;
      state.requested = false;
      state.synced = true;
    }
    this.#counters.updates++;
    this.sink(frame);
  }
}

/** Parses venue JSON from text or UTF-8 bytes; undefined when it is not JSON. @internal */
export function parseJson(message: string | Uint8Array): unknown {
  try {
    return JSON.parse(typeof message === 'string' ? message : textDecoder.decode(message));
  } catch {
    return undefined;
  }
}

const textDecoder = new TextDecoder();

/** A message as UTF-8 bytes for the byte scanners (text is encoded: the convenience form, not the hot path). @internal */
export function messageBytes(message: string | Uint8Array): Uint8Array {
  return typeof message === 'string' ? utf8.encode(message) : message;
}

// Node's Buffer has a native latin1 slice that works on any Uint8Array and needs no subarray view.
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(start: number, end: number): string })
  .latin1Slice;

/** The ASCII text in `bytes[start..stop)` (the scanners only read ASCII tokens). @internal */
export function latin1(bytes: Uint8Array, start: number, stop: number): string {
  return latin1Slice.call(bytes, start, stop);
}

function sameBytes(expected: Uint8Array, bytes: Uint8Array, start: number, stop: number): boolean {
  if (expected.length !== stop - start) return false;
  for (let i = 0; i < expected.length; i++) if (expected[i] !== bytes[start + i]) return false;
  return true;
}

/** A decimal string (or number) as a float64; NaN when it is neither. @internal */
export function decimal(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value.length === 0) return Number.NaN;
  return Number(value);
}

/** Appends `[price, size, ...]` pairs to a frame side; false when any is malformed. @internal */
export function pushPairs(levels: unknown, into: { push(price: number, size: number): void }): boolean {
  if (!Array.isArray(levels)) return false;
  for (const level of levels) {
    if (!Array.isArray(level)) return false;
    const price = decimal(level[0]);
    const size = decimal(level[1]);
    if (!Number.isFinite(price) || !Number.isFinite(size) || size < 0) return false;
    into.push(price, size);
  }
  return true;
}

/** Non-negative integer milliseconds from a number or digit string; NaN otherwise. @internal */
export function epochMs(value: unknown): number {
  const ms = typeof value === 'string' ? Number(value) : value;
  return typeof ms === 'number' && Number.isSafeInteger(ms) && ms >= 0 ? ms : Number.NaN;
}

/**
 * An RFC 3339 UTC time (`2023-10-06T17:35:55.440295Z`) as epoch ms plus
 * nanoseconds within the ms, into `out[0]`, `out[1]`; false when unparsable. @internal
 */
export function rfc3339(value: unknown, out: Float64Array): boolean {
  if (typeof value !== 'string') return false;
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(value);
  if (match === null) return false;
  const seconds = Date.parse(`${match[1]}Z`);
  if (Number.isNaN(seconds) || seconds < 0) return false;
  const fraction = (match[2] ?? '').padEnd(9, '0');
  out[0] = seconds + Number(fraction.slice(0, 3));
  out[1] = Number(fraction.slice(3));
  return true;
}

function positive(value: number, name: string): number {
  return checkInteger(name, value, 1);
}
