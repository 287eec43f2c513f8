/**
 * What a venue parser found in one message. Plain numbers (not strings or
 * objects) so the per-message result costs nothing to return and compare.
 */

/** Outcome of {@link VenueParser.parse}: the message held trades, was a control message, or was malformed. */
export const MessageKind = {
  /** One or more trades were handed to the sink. */
  trades: 0,
  /** A valid message without new trades (ack, heartbeat, pong, status, other channel...). */
  nonTrade: 1,
  /** Not valid JSON, or a trade message with a missing or invalid field. Nothing was handed to the sink. */
  malformed: 2,
} as const;

/** One of the {@link MessageKind} values. */
export type MessageKind = (typeof MessageKind)[keyof typeof MessageKind];

/**
 * Kinds of non-trade messages, counted separately by each parser so an
 * operator can tell heartbeats from venue errors without logging every frame.
 */
export const NonTradeKind = {
  /** Subscription acknowledgement or subscription list echo. */
  subscribeAck: 0,
  /** Venue heartbeat (Coinbase `heartbeat`, Kraken `heartbeat`). */
  heartbeat: 1,
  /** A ping sent by the venue. */
  ping: 2,
  /** The answer to a client keep-alive (Bybit pong, Kraken `pong`, OKX plain-text `pong`). */
  pong: 3,
  /** Connection or system status (Kraken `status`). */
  status: 4,
  /** An error reported by the venue (failed subscribe, slow consumer...). */
  venueError: 5,
  /** The venue announces a disconnect or restart (Binance `serverShutdown`, OKX `notice`). */
  shutdown: 6,
  /** Past trades replayed on subscribe (Coinbase `last_match`, Kraken `snapshot`), when not published. */
  snapshot: 7,
  /** A well-formed message of another channel or event type. */
  otherChannel: 8,
  /** Valid JSON this venue module does not recognise. */
  unknown: 9,
} as const;

/** One of the {@link NonTradeKind} values. */
export type NonTradeKind = (typeof NonTradeKind)[keyof typeof NonTradeKind];

/** Number of {@link NonTradeKind} values: the length of a per-kind counter array. */
export const NON_TRADE_KIND_COUNT = 10;

/** The name of a {@link NonTradeKind} value, for logs and metrics labels. */
export type NonTradeKindName =
  | 'subscribeAck'
  | 'heartbeat'
  | 'ping'
  | 'pong'
  | 'status'
  | 'venueError'
  | 'shutdown'
  | 'snapshot'
  | 'otherChannel'
  | 'unknown';

/** The names of the {@link NonTradeKind} values, indexed by value: labels for a per-kind counter array. */
export const NON_TRADE_KIND_NAMES: readonly NonTradeKindName[] = [
  'subscribeAck',
  'heartbeat',
  'ping',
  'pong',
  'status',
  'venueError',
  'shutdown',
  'snapshot',
  'otherChannel',
  'unknown',
];

/** Name of a {@link NonTradeKind} value, for logs and metrics labels. */
export function nonTradeKindName(kind: NonTradeKind): NonTradeKindName {
  return NON_TRADE_KIND_NAMES[kind] ?? 'unknown';
}
