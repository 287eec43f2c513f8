/**
 * Taker side of a trade, numbered as in the Cap'n Proto schema's `TradeSide`
 * enum (`buy = 0`, `sell = 1`, `unknown = 2`).
 */
export const TradeSide = {
  buy: 0,
  sell: 1,
  unknown: 2,
} as const;

/** One of the {@link TradeSide} values. */
export type TradeSide = (typeof TradeSide)[keyof typeof TradeSide];

/**
 * A normalized trade, the unit every venue feed produces and every publisher
 * encodes. Field names match `schema/trade.capnp`.
 */
export interface TradeData {
  /** Venue trade time, nanoseconds since the Unix epoch. */
  timestampNanos: bigint;
  /** Wall-clock receive time, nanoseconds since the Unix epoch. */
  receivedNanos: bigint;
  /** Venue ticker as sent (for example `BTCUSDT`, `BTC-USD`, `BTC/USD`). */
  ticker: string;
  /** Trade price as sent by the venue. */
  price: number;
  /** Trade size as sent by the venue (fractional for crypto). */
  size: number;
  /** Taker side. */
  side: TradeSide;
  /** Venue trade id, every digit kept. */
  tradeId: string;
}

/** Human-readable name of a {@link TradeSide} value. */
export function tradeSideName(side: TradeSide): 'buy' | 'sell' | 'unknown' {
  return side === TradeSide.buy ? 'buy' : side === TradeSide.sell ? 'sell' : 'unknown';
}
