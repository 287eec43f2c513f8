/**
 * The venues the connector speaks and the symbols `run` subscribes to when
 * `--symbols` is not given: two majors, spelled the way each venue spells them.
 */
import type { PipelineOptions } from '@marketpipe/connector';

type VenueName = PipelineOptions['venue'];

/** Every supported venue, in `--help` order. */
export const VENUES = [
  'binance',
  'coinbase',
  'kraken',
  'bybit',
  'okx',
] as const satisfies readonly VenueName[];

/** Default `--symbols` per venue. */
export const DEFAULT_SYMBOLS: Readonly<Record<VenueName, readonly string[]>> = {
  binance: ['BTCUSDT', 'ETHUSDT'],
  coinbase: ['BTC-USD', 'ETH-USD'],
  kraken: ['BTC/USD', 'ETH/USD'],
  bybit: ['BTCUSDT', 'ETHUSDT'],
  okx: ['BTC-USDT', 'ETH-USDT'],
};
