/** Every venue the simulator imitates, by name. */
import { checkOneOf } from '@marketpipe/middleware/internal';
import type { VenueName } from '../feeds/venue-feed.js';
import { VENUE_NAMES } from '../feeds/venues.js';
import { binanceEmulation } from './binance-emulation.js';
import { bybitEmulation } from './bybit-emulation.js';
import { coinbaseEmulation } from './coinbase-emulation.js';
import { krakenEmulation } from './kraken-emulation.js';
import { okxEmulation } from './okx-emulation.js';
import type { VenueEmulation } from './venue-emulation.js';

const EMULATIONS: Readonly<Record<VenueName, VenueEmulation>> = {
  binance: binanceEmulation,
  coinbase: coinbaseEmulation,
  kraken: krakenEmulation,
  bybit: bybitEmulation,
  okx: okxEmulation,
};

/**
 * The simulator's imitation of `venue`'s server.
 *
 * @example
 * ```ts
 * const lines = [...simulateMessages(venueEmulation('okx'), ['BTC-USDT'], 1000, 7)];
 * ```
 * @throws {InvalidArgumentError} for a venue name outside the supported set.
 */
export function venueEmulation(venue: VenueName): VenueEmulation {
  return EMULATIONS[checkOneOf('venue', venue, VENUE_NAMES)];
}
