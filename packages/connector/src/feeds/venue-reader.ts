/**
 * The per-venue half of a parser: how to read one venue's messages, once with
 * the byte scanner (fast path) and once from a parsed JSON tree (the full
 * parse and the reference). {@link VenueParser} drives both.
 */

import type { MalformedReason } from '../errors.js';
import type { ByteJsonReader } from './byte-json-reader.js';
import { MessageKind, NonTradeKind } from './message-kind.js';
import type { EpochTime } from './rfc3339-bytes.js';
import type { TradeBatch } from './trade-batch.js';
import type { VenueName } from './venue-feed.js';

/** Layout fast-path result: the message is not in the venue's exact trade layout; run the general scanner. */
export const LAYOUT_MISSED = -3;
/** Scanner result: the message is outside what the scanner handles; run the full parse. */
export const SCAN_GAVE_UP = -1;
/** Tree-reader result: a numeric trade id exceeds 2^53; parse again keeping raw number text. */
export const NEEDS_RAW_NUMBERS = -2;

/** Mutable per-parser state shared by the scanner and the tree reader; never allocated per message. */
export class ParseState {
  /** Set with a `nonTrade` result. */
  nonTradeKind: NonTradeKind = NonTradeKind.unknown;
  /** Set with a `malformed` result. */
  reason: MalformedReason = 'invalid-json';
  field: string | null = null;
  /** True while the tree was built by the raw-number parse (big integers are {@link RawJsonNumber}). */
  rawNumbers = false;
  /** Scratch for timestamps. */
  readonly time: EpochTime = { ms: 0, subMsNanos: 0 };

  constructor(
    /** Publish Coinbase `last_match` and Kraken `snapshot` trades instead of counting them as non-trade. */
    readonly publishSnapshots: boolean,
  ) {}

  /** Records why the message is malformed and returns the `malformed` result. */
  fail(reason: MalformedReason, field: string | null): typeof MessageKind.malformed {
    this.reason = reason;
    this.field = field;
    return MessageKind.malformed;
  }

  /** Records the kind of a non-trade message and returns the `nonTrade` result. */
  nonTrade(kind: NonTradeKind): typeof MessageKind.nonTrade {
    this.nonTradeKind = kind;
    return MessageKind.nonTrade;
  }

  /**
   * The result for a validated trade message: its trades, or a snapshot count
   * when it replays past trades and snapshots are not published.
   */
  tradesOrSnapshot(isSnapshot: boolean): MessageKind {
    return isSnapshot && !this.publishSnapshots ? this.nonTrade(NonTradeKind.snapshot) : MessageKind.trades;
  }
}

/** How one venue's messages are read. */
export interface VenueReader {
  readonly venue: VenueName;
  /**
   * A frame that is not JSON but still valid for this venue (OKX plain-text `pong`): its non-trade kind, or -1.
   * Checked before any parse, for every backend.
   */
  plainFrame(bytes: Uint8Array, start: number, end: number): NonTradeKind | -1;
  /**
   * Fastest path: reads `bytes[start..end)` when it is a trade message in the exact byte layout the venue sends
   * (fixed key order, no whitespace), into `batch`. Returns a {@link MessageKind} (never `malformed`) or
   * {@link LAYOUT_MISSED} at the first byte that differs, leaving `batch` for the caller to clear.
   */
  scanLayout(
    bytes: Uint8Array,
    start: number,
    end: number,
    batch: TradeBatch,
    state: ParseState,
  ): MessageKind | typeof LAYOUT_MISSED;
  /**
   * Fast path: reads the message with `reader` (already reset to it) into `batch`. Returns a {@link MessageKind}
   * (never `malformed`) or {@link SCAN_GAVE_UP} for anything it does not fully understand.
   */
  scan(reader: ByteJsonReader, batch: TradeBatch, state: ParseState): MessageKind | typeof SCAN_GAVE_UP;
  /**
   * Full path: reads the parsed JSON `root` into `batch`. Returns a {@link MessageKind} or
   * {@link NEEDS_RAW_NUMBERS} when a numeric trade id needs its raw digits.
   */
  fromTree(root: unknown, batch: TradeBatch, state: ParseState): MessageKind | typeof NEEDS_RAW_NUMBERS;
}
