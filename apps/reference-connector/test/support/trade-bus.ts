/**
 * An in-memory transport for `subscribe` tests that tells the test when the
 * command has subscribed, plus Cap'n Proto trades to publish on it.
 */
import { type TradeData, TradeEncoder, TradeSide } from '@marketpipe/connector';
import { InMemoryTransport } from '@marketpipe/middleware';

/** A transport and a promise that resolves once something subscribed to it. */
export function observedTransport(): { transport: InMemoryTransport; subscribed: Promise<void> } {
  const transport = new InMemoryTransport();
  const subscribe = transport.subscribe.bind(transport);
  const subscribed = new Promise<void>((resolve) => {
    transport.subscribe = (pattern, handler) => {
      const subscription = subscribe(pattern, handler);
      resolve();
      return subscription;
    };
  });
  return { transport, subscribed };
}

/** A trade with recognizable fields; `n` varies the id and price. */
export function sampleTrade(n: number, ticker = 'BTCUSDT'): TradeData {
  return {
    timestampNanos: 1_736_000_000_123_456_789n + BigInt(n),
    receivedNanos: 1_736_000_000_223_456_789n + BigInt(n),
    ticker,
    price: 43_210.5 + n,
    size: 0.012,
    side: n % 2 === 0 ? TradeSide.buy : TradeSide.sell,
    tradeId: `${9_007_199_254_740_993n + BigInt(n)}`,
  };
}

/** The Cap'n Proto bytes of `trade`, as the connector's publisher sends them. */
export function encodeTrade(trade: TradeData): Uint8Array {
  const encoder = new TradeEncoder();
  encoder.encode(trade);
  return encoder.bytes.slice();
}
