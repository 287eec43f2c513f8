/**
 * Small formatting helpers the venue simulators share. Not on the hot path:
 * a simulator builds its messages with ordinary string code.
 */
import { InvalidSimBatchError } from '../errors.js';
import type { VenueName } from '../feeds/venue-feed.js';
import type { SimTrade } from './venue-emulation.js';

/** RFC 3339 UTC time with microseconds (`2021-04-17T16:43:37.089723Z`), as Coinbase and Kraken send it. */
export function rfc3339Micros(timestampMs: number, timestampMicros: number): string {
  const iso = new Date(timestampMs).toISOString();
  return `${iso.slice(0, 23)}${String(timestampMicros).padStart(3, '0')}Z`;
}

/**
 * The one symbol of a batch for venues that carry one symbol per message
 * (Bybit topic, OKX `arg`), checking the batch size against the venue's limit.
 */
export function batchSymbol(venue: VenueName, trades: readonly SimTrade[], maxTrades: number): string {
  const first = trades[0];
  if (first === undefined || trades.length > maxTrades)
    throw new InvalidSimBatchError(venue, 'count', trades.length);
  for (const trade of trades) {
    if (trade.symbol !== first.symbol) throw new InvalidSimBatchError(venue, 'mixed-symbols', trades.length);
  }
  return first.symbol;
}

/** A stable UUID-shaped string derived from a number, for simulated order and connection ids. */
export function simUuid(seed: number): string {
  const hex = (Math.abs(Math.trunc(seed)) % 0x1000000000000).toString(16).padStart(12, '0');
  return `5e1a7c00-0000-4000-8000-${hex}`;
}
