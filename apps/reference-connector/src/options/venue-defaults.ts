/**
 * The venues `--venue` accepts, in `--help` order, from the connector's venue registry (its light entry, so
 * listing them does not load the pipeline).
 */
import { VENUE_NAMES } from '@marketpipe/connector/venues';

/** `binance | coinbase | ...`, for help text. */
export const VENUE_CHOICES = VENUE_NAMES.join(' | ');
