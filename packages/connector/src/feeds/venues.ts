/**
 * The venue registry: everything the connector and the app know about a venue, in one entry. Adding a venue is a
 * module in this folder (its reader and protocol) plus one entry here; the venue names, `--venue` choices, help
 * text and default symbols all derive from it.
 */
import { checkOneOf } from '@marketpipe/middleware/internal';
import { BinanceBookSync } from '../books/binance-book.js';
import type { BookSink, BookSync, BookSyncOptions } from '../books/book-sync.js';
import { BybitBookSync } from '../books/bybit-book.js';
import { CoinbaseBookSync } from '../books/coinbase-book.js';
import { KrakenBookSync } from '../books/kraken-book.js';
import { OkxBookSync } from '../books/okx-book.js';
import { binanceProtocol, createBinanceParser } from './binance.js';
import { bybitProtocol, createBybitParser } from './bybit.js';
import { coinbaseProtocol, createCoinbaseParser } from './coinbase.js';
import { createKrakenParser, krakenProtocol } from './kraken.js';
import { createOkxParser, okxProtocol } from './okx.js';
import type { VenueProtocol } from './venue-feed.js';
import type { ParserOptions, VenueParser } from './venue-parser.js';

/** What the connector knows about one venue. */
export interface VenueDefinition {
  /** The venue's own spelling, for help text and logs (`OKX`, `Coinbase`). */
  readonly displayName: string;
  /** A new trade parser; each keeps its own counters and scratch state, so use one per connection. */
  readonly createParser: (options?: ParserOptions) => VenueParser;
  /** How the live source connects, subscribes and keeps the connection alive. */
  readonly protocol: VenueProtocol;
  /** Symbols `run` subscribes to when none are given: two majors, spelled the way the venue spells them. */
  readonly defaultSymbols: readonly string[];
  /** A new order-book sync machine for the venue's depth channel: feed it the channel's raw messages. */
  readonly createBookSync: (sink: BookSink, options?: BookSyncOptions) => BookSync;
}

// The types and values this entry's signatures use, so that a user of `@marketpipe/connector/venues` can name them.
// Classes, enums and consts are exported as values: `export type` of a value is type-only in the source, but the
// bundled declarations drop the modifier and promise a value the JavaScript does not have (scripts/check-exports.mjs).
export { type BookFrame, BookLevels } from '../books/book-data.js';
export {
  type BookSink,
  type BookSync,
  type BookSyncCounters,
  type BookSyncOptions,
  BookSyncResult,
  type OutOfSyncReason,
} from '../books/book-sync.js';
export { TradeSide } from '../codec/trade-data.js';
export { type MalformedReason, MalformedVenueMessageError } from '../errors.js';
export { MessageKind, NonTradeKind } from './message-kind.js';
export type { ParsedTrade, TradeSink, VenueProtocol } from './venue-feed.js';
export { type ParserBackend, type ParserOptions, VenueParser } from './venue-parser.js';

/**
 * Venue names, also the `{venue}` subject token and the data-dir folder. Spelled out (the registry below must have
 * exactly these keys) so that the declarations show the names rather than the registry's private type: derived as
 * `keyof typeof REGISTRY`, every entry naming `VenueName` would have to export the registry (api-extractor's
 * forgotten-export check, which `pnpm test:api` enforces).
 */
export type VenueName = 'binance' | 'coinbase' | 'kraken' | 'bybit' | 'okx';

const REGISTRY = {
  binance: {
    displayName: 'Binance',
    createParser: createBinanceParser,
    protocol: binanceProtocol,
    defaultSymbols: ['BTCUSDT', 'ETHUSDT'],
    createBookSync: (sink, options) => new BinanceBookSync(sink, options),
  },
  coinbase: {
    displayName: 'Coinbase',
    createParser: createCoinbaseParser,
    protocol: coinbaseProtocol,
    defaultSymbols: ['BTC-USD', 'ETH-USD'],
    createBookSync: (sink, options) => new CoinbaseBookSync(sink, options),
  },
  kraken: {
    displayName: 'Kraken',
    createParser: createKrakenParser,
    protocol: krakenProtocol,
    defaultSymbols: ['BTC/USD', 'ETH/USD'],
    createBookSync: (sink, options) => new KrakenBookSync(sink, options),
  },
  bybit: {
    displayName: 'Bybit',
    createParser: createBybitParser,
    protocol: bybitProtocol,
    defaultSymbols: ['BTCUSDT', 'ETHUSDT'],
    createBookSync: (sink, options) => new BybitBookSync(sink, options),
  },
  okx: {
    displayName: 'OKX',
    createParser: createOkxParser,
    protocol: okxProtocol,
    defaultSymbols: ['BTC-USDT', 'ETH-USDT'],
    createBookSync: (sink, options) => new OkxBookSync(sink, options),
  },
} as const satisfies Record<VenueName, VenueDefinition>;

/** Every venue, by name. */
export const VENUES: Readonly<Record<VenueName, VenueDefinition>> = REGISTRY;

/** Every supported venue, in a stable order (the registry's). */
export const VENUE_NAMES: readonly VenueName[] = Object.keys(REGISTRY) as VenueName[];

/**
 * The registry entry of `venue`, checked: the name may come from configuration or untyped JavaScript.
 *
 * @throws {InvalidArgumentError} for a name outside {@link VENUE_NAMES}.
 */
export function venueDefinition(venue: VenueName): VenueDefinition {
  return VENUES[checkOneOf('venue', venue, VENUE_NAMES)];
}

/**
 * A new parser for `venue`. Each parser keeps its own counters and scratch
 * state: use one per connection.
 *
 * @example
 * ```ts
 * const parser = createParser('okx', { backend: 'scanner' });
 * ```
 * @throws {InvalidArgumentError} for a venue or backend name outside the supported set.
 * @throws {SimdjsonUnavailableError} for the `simdjson` backend when the native package is unavailable.
 */
export function createParser(venue: VenueName, options?: ParserOptions): VenueParser {
  return venueDefinition(venue).createParser(options);
}

/**
 * The wire protocol of `venue`.
 *
 * @throws {InvalidArgumentError} for a venue name outside the supported set.
 */
export function venueProtocol(venue: VenueName): VenueProtocol {
  return venueDefinition(venue).protocol;
}
