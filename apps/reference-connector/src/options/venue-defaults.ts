/**
 * The venues `--venue` accepts, in `--help` order. Listed here rather than read from the connector's registry:
 * importing `@marketpipe/connector/venues` loads every venue's parser, ~17 ms of `--help` on Node 20. The list
 * cannot drift from the connector's: `satisfies` fails the build when a venue is missing or unknown, and a test
 * checks the order against `VENUE_NAMES`.
 */
import type { VenueName } from '@marketpipe/connector/venues';

// Object keys keep their insertion order: this is the `--help` order.
const VENUES = {
  binance: true,
  coinbase: true,
  kraken: true,
  bybit: true,
  okx: true,
} as const satisfies Record<VenueName, true>;

/** The connector's venues, in its order. */
export const CLI_VENUES = Object.keys(VENUES) as readonly VenueName[];

/** `binance | coinbase | ...`, for help text. */
export const VENUE_CHOICES = CLI_VENUES.join(' | ');
