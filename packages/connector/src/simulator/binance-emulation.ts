/**
 * The simulator's Binance spot server: combined-stream `trade` events, `SUBSCRIBE` acks, and the diff-depth
 * stream (`<symbol>@depth`, `@depth@100ms`) whose snapshot is the REST `GET /api/v3/depth` (BOOK_SAMPLES.md 1).
 */
import { InvalidSimBatchError } from '../errors.js';
import { isJsonObject } from '../feeds/tree-fields.js';
import { changeTexts, levelTexts } from './sim-book-format.js';
import type { BookChannelEmulation, BookSubscription, SimTrade, VenueEmulation } from './venue-emulation.js';

const DEPTH_STREAM = /^([a-z0-9]+)@depth(@100ms)?$/;

/** The `@depth` streams among `names`, as a subscription of the symbols the simulator trades. */
function depthStreams(
  names: readonly unknown[],
  symbols: readonly string[],
  subscribe: boolean,
): BookSubscription | undefined {
  const channels = new Map<string, string>();
  for (const name of names) {
    const match = typeof name === 'string' ? DEPTH_STREAM.exec(name) : null;
    if (match === null) continue;
    const symbol = symbols.find((s) => s.toLowerCase() === match[1]);
    if (symbol !== undefined) channels.set(symbol, name as string);
  }
  return channels.size === 0 ? undefined : { subscribe, symbols: [...channels.keys()], channels };
}

const binanceBook: BookChannelEmulation = {
  defaultDepth: 100,
  faults: ['skipSequence', 'staleSnapshot'],
  subscription(clientFrame, symbols) {
    let request: unknown;
    try {
      request = JSON.parse(clientFrame);
    } catch {
      return undefined;
    }
    if (!isJsonObject(request) || !Array.isArray(request.params)) return undefined;
    if (request.method !== 'SUBSCRIBE' && request.method !== 'UNSUBSCRIBE') return undefined;
    return depthStreams(request.params, symbols, request.method === 'SUBSCRIBE');
  },
  urlSubscription(url, symbols) {
    const streams = new URL(url, 'ws://sim').searchParams.get('streams');
    return streams === null ? undefined : depthStreams(streams.split('/'), symbols, true);
  },
  firstSequence: (random) => 1_000_000 + Math.floor(random() * 1e9),
  // Binance numbers every change: an event covers U..u, one id per level it changes.
  nextSequence: (previous, changes) => previous + Math.max(1, changes),
  snapshot: () => undefined,
  update(book, changes, previous, context) {
    const bids = changeTexts(changes.bids, true, context.priceDecimals, context.sizeDecimals, 'pad8');
    const asks = changeTexts(changes.asks, false, context.priceDecimals, context.sizeDecimals, 'pad8');
    const data =
      `{"e":"depthUpdate","E":${context.timestampMs},"s":${JSON.stringify(book.symbol)},"U":${previous + 1},` +
      `"u":${book.sequence},"b":${JSON.stringify(bids)},"a":${JSON.stringify(asks)}}`;
    const stream = context.channel ?? `${book.symbol.toLowerCase()}@depth`;
    return `{"stream":${JSON.stringify(stream)},"data":${data}}`;
  },
  restSnapshot(book, limit, context) {
    const bids = levelTexts(book.bids, limit, context.priceDecimals, context.sizeDecimals, 'pad8');
    const asks = levelTexts(book.asks, limit, context.priceDecimals, context.sizeDecimals, 'pad8');
    return `{"lastUpdateId":${book.sequence},"bids":${JSON.stringify(bids)},"asks":${JSON.stringify(asks)}}`;
  },
};

/** Binance spot, as the simulator serves it: one trade per message, wrapped as the combined-stream URL sends it. */
export const binanceEmulation: VenueEmulation = {
  venue: 'binance',
  maxTradesPerMessage: 1,
  formatTrades(trades: readonly SimTrade[]) {
    const trade = trades[0];
    if (trades.length !== 1 || trade === undefined)
      throw new InvalidSimBatchError('binance', 'count', trades.length);
    const data =
      `{"e":"trade","E":${trade.timestampMs},"s":${JSON.stringify(trade.symbol)},"t":${trade.tradeId},` +
      `"p":${JSON.stringify(trade.price)},"q":${JSON.stringify(trade.size)},"T":${trade.timestampMs},` +
      `"m":${trade.side === 'sell'},"M":true}`;
    return `{"stream":${JSON.stringify(`${trade.symbol.toLowerCase()}@trade`)},"data":${data}}`;
  },
  respondTo(clientFrame) {
    let request: unknown;
    try {
      request = JSON.parse(clientFrame);
    } catch {
      return [];
    }
    if (!isJsonObject(request)) return [];
    const method = request.method;
    if (method !== 'SUBSCRIBE' && method !== 'UNSUBSCRIBE' && method !== 'LIST_SUBSCRIPTIONS') return [];
    return [`{"result":null,"id":${JSON.stringify(request.id ?? null)}}`];
  },
  controlMessages() {
    return [];
  },
  book: binanceBook,
};
