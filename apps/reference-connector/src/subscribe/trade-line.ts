/**
 * How `marketpipe subscribe` prints one decoded trade: a readable line, or a
 * JSON object per line (`--json`) with the nanosecond times as strings (JSON
 * numbers cannot hold them exactly).
 */
import { type TradeView, tradeSideName } from '@marketpipe/connector';
import { formatEpochNanos } from '../format/epoch-nanos.js';

/** The `--json` shape of one trade. */
export interface TradeJson {
  subject: string;
  ticker: string;
  side: 'buy' | 'sell' | 'unknown';
  price: number;
  size: number;
  tradeId: string;
  /** Venue trade time, ns since the epoch, as a decimal string. */
  timestampNanos: string;
  /** Connector receive time, ns since the epoch, as a decimal string. */
  receivedNanos: string;
  /** `timestampNanos` as ISO-8601. */
  timestamp: string;
}

/**
 * `dev.binance.trade.BTCUSDT BTCUSDT buy 43210.5 0.012 id=123 ts=2025-...Z recv=2025-...Z`
 *
 * @example
 * ```ts
 * transport.subscribe('dev.>', (payload, subject) => console.log(formatTradeLine(subject, view.wrap(payload))));
 * ```
 */
export function formatTradeLine(subject: string, trade: TradeView): string {
  return (
    `${subject} ${trade.ticker} ${tradeSideName(trade.side)} ${trade.price} ${trade.size} id=${trade.tradeId}` +
    ` ts=${formatEpochNanos(trade.timestampNanos)} recv=${formatEpochNanos(trade.receivedNanos)}`
  );
}

/** The trade as a {@link TradeJson} object. */
export function tradeJson(subject: string, trade: TradeView): TradeJson {
  const timestampNanos = trade.timestampNanos;
  return {
    subject,
    ticker: trade.ticker,
    side: tradeSideName(trade.side),
    price: trade.price,
    size: trade.size,
    tradeId: trade.tradeId,
    timestampNanos: timestampNanos.toString(),
    receivedNanos: trade.receivedNanos.toString(),
    timestamp: formatEpochNanos(timestampNanos),
  };
}
