/**
 * Test helpers: run a parser on a string or bytes and collect its trades in a
 * comparable form (ticker and id as strings whichever path produced them).
 */
import { TradeSide } from '../../src/codec/trade-data.js';
import type { MessageKind } from '../../src/feeds/message-kind.js';
import type { ParsedTrade } from '../../src/feeds/venue-feed.js';
import type { ParserBackend, VenueParser } from '../../src/feeds/venue-parser.js';
import type { ExpectedTrade } from './venue-samples.js';

export const BACKENDS: readonly ParserBackend[] = ['scanner', 'json', 'simdjson'];

const utf8 = new TextDecoder();

/** A copy of a parsed trade with strings for ticker and id. */
export function snapshotTrade(trade: ParsedTrade): ExpectedTrade {
  return {
    symbol: trade.symbol ?? utf8.decode(trade.bytes.subarray(trade.symbolStart, trade.symbolEnd)),
    tradeId: trade.tradeId ?? utf8.decode(trade.bytes.subarray(trade.tradeIdStart, trade.tradeIdEnd)),
    tradeIdNumber: trade.tradeIdNumber,
    seqFirst: trade.seqFirst,
    seqLast: trade.seqLast,
    timestampMs: trade.timestampMs,
    timestampSubMsNanos: trade.timestampSubMsNanos,
    price: trade.price,
    size: trade.size,
    side:
      trade.side === TradeSide.buy
        ? 'buy'
        : trade.side === TradeSide.sell
          ? 'sell'
          : (String(trade.side) as 'buy'),
  };
}

/** Parsing outcome with collected trades. */
export interface Parsed {
  kind: MessageKind;
  trades: ExpectedTrade[];
  /** The non-trade kind, or -1. */
  nonTradeKind: number;
  /** The malformed reason, or null. */
  reason: string | null;
  /** True when at least one trade came as byte ranges (the scanner's fast path). */
  ranges: boolean;
}

/** Parses `message` (string or bytes), placed at a non-zero offset to exercise start/end handling. */
export function run(parser: VenueParser, message: string | Uint8Array): Parsed {
  const body = typeof message === 'string' ? new TextEncoder().encode(message) : message;
  const bytes = new Uint8Array(body.length + 7);
  bytes.fill(0x7b);
  bytes.set(body, 3);
  const trades: ExpectedTrade[] = [];
  let ranges = false;
  const before = parser.nonTradeMessages;
  const malformedBefore = parser.malformedMessages;
  const kind = parser.parse(bytes, 3, 3 + body.length, {
    onTrade(trade) {
      if (trade.symbol === null) ranges = true;
      trades.push(snapshotTrade(trade));
    },
  });
  return {
    kind,
    trades,
    nonTradeKind: parser.nonTradeMessages > before ? parser.lastNonTradeKind : -1,
    reason: parser.malformedMessages > malformedBefore ? (parser.lastError?.reason ?? null) : null,
    ranges,
  };
}
