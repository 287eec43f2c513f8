/** The simulator's Bybit v5 spot server: `publicTrade` messages and `op` acks and pongs. */
import { isJsonObject } from '../feeds/tree-fields.js';
import type { SimBookState } from './sim-book.js';
import { changeTexts, levelTexts } from './sim-book-format.js';
import { batchSymbol, simUuid } from './sim-format.js';
import type { BookChannelEmulation, BookFormatContext, VenueEmulation } from './venue-emulation.js';

const BOOK_TOPIC = /^orderbook\.(\d+)\.(.+)$/;

/** A spot book message: `ts` before `type`, as Bybit spot writes it (BOOK_SAMPLES.md 5d). */
function bookMessage(
  type: 'snapshot' | 'delta',
  book: SimBookState,
  bids: ReadonlyArray<[string, string]>,
  asks: ReadonlyArray<[string, string]>,
  context: BookFormatContext,
): string {
  return (
    `{"topic":"orderbook.${context.depth}.${book.symbol}","ts":${context.timestampMs},"type":"${type}",` +
    `"data":{"s":${JSON.stringify(book.symbol)},"b":${JSON.stringify(bids)},"a":${JSON.stringify(asks)},` +
    `"u":${book.sequence},"seq":${book.sequence * 3 + 7_000_000_000}},"cts":${context.timestampMs - 2}}`
  );
}

/** `orderbook.{depth}.{symbol}`: snapshot on subscribe, then deltas with `u` rising by one. */
const bybitBook: BookChannelEmulation = {
  defaultDepth: 50,
  faults: ['skipSequence', 'staleSnapshot'],
  subscription(clientFrame, symbols) {
    let request: unknown;
    try {
      request = JSON.parse(clientFrame);
    } catch {
      return undefined;
    }
    if (!isJsonObject(request) || (request.op !== 'subscribe' && request.op !== 'unsubscribe'))
      return undefined;
    const args = Array.isArray(request.args) ? request.args : [];
    const named: string[] = [];
    let depth: number | undefined;
    for (const arg of args) {
      const match = typeof arg === 'string' ? BOOK_TOPIC.exec(arg) : null;
      if (match === null || !symbols.includes(match[2]!)) continue;
      named.push(match[2]!);
      depth = Number(match[1]);
    }
    if (named.length === 0) return undefined;
    return {
      subscribe: request.op === 'subscribe',
      symbols: named,
      ...(depth === undefined ? {} : { depth }),
    };
  },
  // Above 1: `u = 1` means a snapshot after a Bybit restart.
  firstSequence: (random) => 10_000_000 + Math.floor(random() * 1e8),
  nextSequence: (previous) => previous + 1,
  snapshot(book, context) {
    const bids = levelTexts(book.bids, context.depth, context.priceDecimals, context.sizeDecimals, 'tick');
    const asks = levelTexts(book.asks, context.depth, context.priceDecimals, context.sizeDecimals, 'tick');
    return bookMessage('snapshot', book, bids, asks, context);
  },
  update(book, changes, _previous, context) {
    const bids = changeTexts(changes.bids, true, context.priceDecimals, context.sizeDecimals, 'tick');
    const asks = changeTexts(changes.asks, false, context.priceDecimals, context.sizeDecimals, 'tick');
    return bookMessage('delta', book, bids, asks, context);
  },
};

/** Bybit v5 spot, as the simulator serves it: up to 1024 trades of one symbol per `publicTrade` message. */
export const bybitEmulation: VenueEmulation = {
  venue: 'bybit',
  maxTradesPerMessage: 1024,
  formatTrades(trades) {
    const symbol = batchSymbol('bybit', trades, 1024);
    const data = trades.map(
      (t) =>
        `{"T":${t.timestampMs},"s":${JSON.stringify(t.symbol)},"S":"${t.side === 'buy' ? 'Buy' : 'Sell'}",` +
        `"v":${JSON.stringify(t.size)},"p":${JSON.stringify(t.price)},"L":"ZeroPlusTick","i":"${t.tradeId}",` +
        `"BT":false,"RPI":false,"seq":${t.tradeId + 4_000_000_000}}`,
    );
    const last = trades[trades.length - 1]!;
    return (
      `{"topic":${JSON.stringify(`publicTrade.${symbol}`)},"type":"snapshot","ts":${last.timestampMs + 1},` +
      `"data":[${data.join(',')}]}`
    );
  },
  respondTo(clientFrame) {
    let request: unknown;
    try {
      request = JSON.parse(clientFrame);
    } catch {
      return [];
    }
    if (!isJsonObject(request)) return [];
    const reqId = typeof request.req_id === 'string' ? request.req_id : '';
    const head = `{"success":true,"ret_msg":`;
    const tail = `,"conn_id":"${simUuid(42)}","req_id":${JSON.stringify(reqId)},"op":${JSON.stringify(request.op)}}`;
    if (request.op === 'ping') return [`${head}"pong"${tail}`];
    if (request.op === 'subscribe' || request.op === 'unsubscribe') return [`${head}""${tail}`];
    return [];
  },
  controlMessages() {
    return [];
  },
  book: bybitBook,
};
