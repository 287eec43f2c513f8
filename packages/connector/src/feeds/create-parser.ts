/**
 * Venue lookup: the parser and wire protocol for a {@link VenueName}, so the
 * runner and the live source can be driven by configuration.
 */
import { binanceProtocol, createBinanceParser } from './binance.js';
import { bybitProtocol, createBybitParser } from './bybit.js';
import { coinbaseProtocol, createCoinbaseParser } from './coinbase.js';
import { UnknownFeedOptionError } from './feed-errors.js';
import { createKrakenParser, krakenProtocol } from './kraken.js';
import { createOkxParser, okxProtocol } from './okx.js';
import type { VenueName, VenueProtocol } from './venue-feed.js';
import type { ParserOptions, VenueParser } from './venue-parser.js';

/** Every supported venue, in a stable order. */
export const VENUE_NAMES: readonly VenueName[] = ['binance', 'coinbase', 'kraken', 'bybit', 'okx'];

const PARSERS: Record<VenueName, (options?: ParserOptions) => VenueParser> = {
  binance: createBinanceParser,
  coinbase: createCoinbaseParser,
  kraken: createKrakenParser,
  bybit: createBybitParser,
  okx: createOkxParser,
};

const PROTOCOLS: Record<VenueName, VenueProtocol> = {
  binance: binanceProtocol,
  coinbase: coinbaseProtocol,
  kraken: krakenProtocol,
  bybit: bybitProtocol,
  okx: okxProtocol,
};

function check(venue: string): VenueName {
  if (!Object.hasOwn(PARSERS, venue)) throw new UnknownFeedOptionError('venue', venue);
  return venue as VenueName;
}

/**
 * A new parser for `venue`. Each parser keeps its own counters and scratch
 * state: use one per connection.
 *
 * @example
 * ```ts
 * const parser = createParser('okx', { backend: 'scanner' });
 * ```
 * @throws {UnknownFeedOptionError} for a venue or backend name outside the supported set.
 * @throws {SimdjsonUnavailableError} for the `simdjson` backend when the native package is unavailable.
 */
export function createParser(venue: VenueName, options?: ParserOptions): VenueParser {
  return PARSERS[check(venue)](options);
}

/**
 * The wire protocol of `venue`.
 *
 * @throws {UnknownFeedOptionError} for a venue name outside the supported set.
 */
export function venueProtocol(venue: VenueName): VenueProtocol {
  return PROTOCOLS[check(venue)];
}
