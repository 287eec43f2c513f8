/**
 * The design's encoder used as-is: capnp-es builds a message object per trade and copies it out. The peers and
 * the design table call this one function, so "capnp-es per message" means the same work everywhere.
 */

import { Message } from 'capnp-es';
// The connector's capnp-es generated struct, by path: it is not public API, because capnp-es is ESM-only and
// its types would break CommonJS consumers of the connector's declarations.
import { TradeData as CapnpTradeData } from '../../../packages/connector/src/codec/generated/trade.gen.js';

/**
 * Encodes one trade with the capnp-es builder, fields set in schema order (the layout `TradeEncoder` matches byte
 * for byte), and returns the framed message.
 */
export function encodeTradeWithCapnpEs(
  timestampNanos: bigint,
  receivedNanos: bigint,
  ticker: string,
  price: number,
  size: number,
  side: number,
  tradeId: string,
): ArrayBuffer {
  const message = new Message();
  const root = message.initRoot(CapnpTradeData);
  root.timestampNanos = timestampNanos;
  root.receivedNanos = receivedNanos;
  root.ticker = ticker;
  root.price = price;
  root.size = size;
  root.side = side as 0 | 1 | 2;
  root.tradeId = tradeId;
  return message.toArrayBuffer();
}
