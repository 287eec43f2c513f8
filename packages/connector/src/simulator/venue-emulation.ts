/**
 * The server half of a venue, as the simulator imitates it: trade messages,
 * answers to client frames and unprompted control frames. Clients never need
 * this; it lives beside the simulator, not in the venue's feed module.
 */
import type { VenueName } from '../feeds/venue-feed.js';

/** A trade as the simulator emits it, in venue-neutral form (decimal strings as a venue would send them). */
export interface SimTrade {
  symbol: string;
  /** Contiguous per symbol unless the simulator is told to skip ids. */
  tradeId: number;
  price: string;
  size: string;
  /** Taker side. */
  side: 'buy' | 'sell';
  /** Trade time, epoch milliseconds, plus microseconds within the millisecond (0..999) for venues that send µs. */
  timestampMs: number;
  timestampMicros: number;
}

/** How the simulator imitates one venue's server: its trade messages, acks, pongs and control frames. */
export interface VenueEmulation {
  readonly venue: VenueName;
  /** Largest number of trades the venue packs into one message (1 for Binance and Coinbase). */
  readonly maxTradesPerMessage: number;
  /** One venue message carrying these trades, byte-for-byte in the venue's format. */
  formatTrades(trades: readonly SimTrade[]): string;
  /** The frames the venue answers a client text frame with (subscribe acks, pongs), or `[]`. */
  respondTo(clientFrame: string, symbols: readonly string[]): string[];
  /** Frames the venue sends on its own after subscribing (status, snapshot-style control, heartbeats), or `[]`. */
  controlMessages(symbols: readonly string[]): string[];
}
