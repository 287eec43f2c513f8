// `@marketpipe/connector/feeds`: the venue parsers (one per venue, on one interface), the venues' protocols,
// gap detection and the feed errors.

export { type BookFrame, BookLevels } from '../books/book-data.js';
export type {
  BookSink,
  BookSync,
  BookSyncCounters,
  BookSyncOptions,
  OutOfSyncReason,
} from '../books/book-sync.js';
export { BookSyncResult } from '../books/book-sync.js';
export { TradeSide } from '../codec/trade-data.js';
export { type MalformedReason, MalformedVenueMessageError, SimdjsonUnavailableError } from '../errors.js';
export { binanceProtocol } from './binance.js';
export type { Channel } from './book-subscriptions.js';
export {
  BINANCE_DEPTH_URL,
  binanceDepthWeight,
  bookResubscribeMessages,
  channelProtocol,
  venueBookDepth,
} from './book-subscriptions.js';
export { bybitProtocol } from './bybit.js';
export { coinbaseProtocol } from './coinbase.js';
export type { GapDetectorOptions, GapListener, TradeIdRange } from './gap-detector.js';
export { GapDetector, SequenceCheck } from './gap-detector.js';
export { krakenProtocol } from './kraken.js';
export { MessageKind, NonTradeKind, type NonTradeKindName, nonTradeKindName } from './message-kind.js';
export { okxProtocol } from './okx.js';
export type { ParsedTrade, TradeSink, VenueName, VenueProtocol } from './venue-feed.js';
export {
  DEFAULT_PARSER_BACKEND,
  type ParserBackend,
  type ParserOptions,
  VenueParser,
} from './venue-parser.js';
export {
  createParser,
  VENUE_NAMES,
  VENUES,
  type VenueDefinition,
  venueDefinition,
  venueProtocol,
} from './venues.js';
