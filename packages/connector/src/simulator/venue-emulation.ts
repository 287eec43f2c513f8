/**
 * The server half of a venue, as the simulator imitates it: trade messages,
 * answers to client frames and unprompted control frames. Clients never need
 * this; it lives beside the simulator, not in the venue's feed module.
 */
import type { VenueName } from '../feeds/venue-feed.js';
import type { SimBookChanges, SimBookState } from './sim-book.js';

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
  /**
   * Frames the venue sends on its own after subscribing (status, snapshot-style control, heartbeats), or `[]`.
   * `trades: false` (a client of the book channel alone) leaves out those that are trades (Coinbase `last_match`).
   */
  controlMessages(symbols: readonly string[], options?: { trades?: boolean }): string[];
  /** The venue's order-book channel, when the simulator serves one. */
  readonly book?: BookChannelEmulation;
}

/** A fault the simulator can inject into a book channel. */
export type BookFaultKind = 'skipSequence' | 'corruptChecksum' | 'staleSnapshot';

/** A client frame (or, for Binance, the connection URL) asking to start or stop book updates. */
export interface BookSubscription {
  /** False for an unsubscribe. */
  subscribe: boolean;
  /** The symbols it names (the simulator ignores symbols it does not trade). */
  symbols: string[];
  /** The venue's name of the channel as the client spelled it (Binance `btcusdt@depth@100ms`), echoed back. */
  channels?: Map<string, string>;
  /** The depth the client asked for, where the channel has one. */
  depth?: number;
}

/** What a book message is written with, besides the book. */
export interface BookFormatContext {
  /** The channel's depth, levels per side. */
  depth: number;
  priceDecimals: number;
  sizeDecimals: number;
  /** Event time. */
  timestampMs: number;
  timestampMicros: number;
  /** Write a wrong checksum (fault injection). */
  corruptChecksum: boolean;
  /** The client's spelling of the channel, from its {@link BookSubscription}. */
  channel: string | undefined;
}

/** How the simulator imitates one venue's order-book channel. */
export interface BookChannelEmulation {
  /** Depth served when the simulator's options give none. */
  readonly defaultDepth: number;
  /** Faults a client of this venue can detect; the simulator refuses others. */
  readonly faults: readonly BookFaultKind[];
  /** The book (un)subscription in a client text frame, or undefined when it is none. */
  subscription(clientFrame: string, symbols: readonly string[]): BookSubscription | undefined;
  /** The book subscription in the connection URL (Binance streams), or undefined. */
  urlSubscription?(url: string, symbols: readonly string[]): BookSubscription | undefined;
  /** The update id a new book starts at. */
  firstSequence(random: () => number): number;
  /** The update id after a message with `changes` level changes. */
  nextSequence(previous: number, changes: number, random: () => number): number;
  /** The WebSocket snapshot sent on subscribe, or undefined when the venue has none (Binance: REST). */
  snapshot(book: SimBookState, context: BookFormatContext): string | undefined;
  /** One delta message: `changes` took the book from update id `previous` to `book.sequence`. */
  update(book: SimBookState, changes: SimBookChanges, previous: number, context: BookFormatContext): string;
  /** The REST depth snapshot body (Binance `GET /api/v3/depth`), for venues that serve one. */
  restSnapshot?(book: SimBookState, limit: number, context: BookFormatContext): string;
}
