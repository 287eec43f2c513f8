/**
 * The contract between a venue module (one per exchange, in this folder) and
 * the rest of the connector: the live source uses the protocol half, the
 * runner the parsing half. Imitating the venue's server is the simulator's
 * business (`../simulator/`), not part of this contract.
 *
 * Parsing is allocation-free on the fast path: a parser fills one reused
 * {@link ParsedTrade} per trade and hands it to a {@link TradeSink}; the sink
 * copies what it needs before returning.
 */
import type { TradeSide } from '../codec/trade-data.js';

import type { VenueName } from './venues.js';

export type { VenueName };

/**
 * One parsed trade. The object is reused for every trade of every message:
 * valid only during {@link TradeSink.onTrade}.
 *
 * Ticker and trade id are given as byte ranges into `bytes` when the parser
 * read them straight from the message (the fast path), or as strings when it
 * had to decode them (fallback path, escapes): exactly one of the two forms is
 * set for each, the unused string being `null`.
 */
export interface ParsedTrade {
  /** The raw message bytes the ranges point into. */
  bytes: Uint8Array;
  /** Ticker as sent (UTF-8 byte range), when `symbol` is `null`. */
  symbolStart: number;
  symbolEnd: number;
  /** Ticker as a string (fallback path), or `null`. */
  symbol: string | null;
  /** Trade id as sent, every digit kept (UTF-8 byte range), when `tradeId` is `null`. */
  tradeIdStart: number;
  tradeIdEnd: number;
  /** Trade id as a string (fallback path), or `null`. */
  tradeId: string | null;
  /** Trade id as a safe integer for gap detection, or -1 when not numeric or beyond 2^53. */
  tradeIdNumber: number;
  /**
   * The range of the venue's contiguous trade sequence this trade covers, for gap detection: equal to
   * `tradeIdNumber` for one trade, wider for an aggregate (Binance `aggTrade` `f`..`l`, OKX `tradeId - count + 1`
   * ..`tradeId`). Both -1 when the venue has no contiguous ids (Bybit) or the ids exceed 2^53.
   */
  seqFirst: number;
  seqLast: number;
  /** Venue trade time: whole epoch milliseconds plus the sub-millisecond nanoseconds (0..999999). */
  timestampMs: number;
  timestampSubMsNanos: number;
  price: number;
  size: number;
  /** Taker side. */
  side: TradeSide;
}

/** Receives the trades a parser finds in one message. */
export interface TradeSink {
  onTrade(trade: ParsedTrade): void;
}

/** The wire protocol of a venue, as a client needs it: URL, subscribe frames and keep-alive. */
export interface VenueProtocol {
  readonly venue: VenueName;
  /** The public WebSocket URL for these symbols (Binance puts the streams in the URL). */
  liveUrl(symbols: readonly string[]): string;
  /** Text frames to send right after the connection opens (may be empty). */
  subscribeMessages(symbols: readonly string[]): string[];
  /** Client keep-alive: a WebSocket ping frame, or a text frame (e.g. OKX `ping`, Bybit `{"op":"ping"}`). */
  readonly keepAlive:
    | { intervalMs: number; kind: 'ws-ping' }
    | { intervalMs: number; kind: 'text'; payload: string };
  /**
   * A connection with no frame at all (trades, heartbeats, pongs) for this long is stale. Keep-alives or venue
   * heartbeats guarantee traffic on quiet symbols, so this never trips on a quiet market.
   */
  readonly staleAfterMs: number;
}
