/** The simulator's Coinbase Exchange server: `match` messages, the subscriptions ack, `last_match` and heartbeats. */
import { InvalidSimBatchError } from '../errors.js';
import { isJsonObject } from '../feeds/tree-fields.js';
import { changeTexts, levelTexts } from './sim-book-format.js';
import { rfc3339Micros, simUuid } from './sim-format.js';
import type { BookChannelEmulation, SimTrade, VenueEmulation } from './venue-emulation.js';

const BOOK_CHANNELS = new Set(['level2', 'level2_batch', 'level2_50']);

/** `level2_batch`: `snapshot` on subscribe, then `l2update`s; no sequence and no checksum (BOOK_SAMPLES.md 3). */
const coinbaseBook: BookChannelEmulation = {
  defaultDepth: 50,
  // Neither message carries a sequence or checksum: no client can see a fault, so none is offered.
  faults: [],
  subscription(clientFrame, symbols) {
    let request: unknown;
    try {
      request = JSON.parse(clientFrame);
    } catch {
      return undefined;
    }
    if (!isJsonObject(request) || (request.type !== 'subscribe' && request.type !== 'unsubscribe'))
      return undefined;
    const channels = Array.isArray(request.channels) ? request.channels : [];
    const named = channels.some((c) => BOOK_CHANNELS.has(isJsonObject(c) ? String(c.name) : String(c)));
    if (!named) return undefined;
    const products = Array.isArray(request.product_ids) ? request.product_ids : symbols;
    return {
      subscribe: request.type === 'subscribe',
      symbols: products.filter((p): p is string => typeof p === 'string'),
    };
  },
  firstSequence: () => 0,
  nextSequence: (previous) => previous + 1,
  snapshot(book, context) {
    const bids = levelTexts(book.bids, context.depth, context.priceDecimals, context.sizeDecimals, 'tick');
    const asks = levelTexts(book.asks, context.depth, context.priceDecimals, context.sizeDecimals, 'tick');
    return `{"type":"snapshot","product_id":${JSON.stringify(book.symbol)},"bids":${JSON.stringify(bids)},"asks":${JSON.stringify(asks)}}`;
  },
  update(book, changes, _previous, context) {
    const list: Array<[string, string, string]> = [];
    for (const [price, size] of changeTexts(
      changes.bids,
      true,
      context.priceDecimals,
      context.sizeDecimals,
      'tick',
    ))
      list.push(['buy', price, size]);
    for (const [price, size] of changeTexts(
      changes.asks,
      false,
      context.priceDecimals,
      context.sizeDecimals,
      'tick',
    ))
      list.push(['sell', price, size]);
    return (
      `{"type":"l2update","product_id":${JSON.stringify(book.symbol)},"changes":${JSON.stringify(list)},` +
      `"time":"${rfc3339Micros(context.timestampMs, context.timestampMicros)}"}`
    );
  },
};

function matchMessage(type: 'match' | 'last_match', trade: SimTrade): string {
  const makerSide = trade.side === 'buy' ? 'sell' : 'buy';
  return (
    `{"type":"${type}","trade_id":${trade.tradeId},"maker_order_id":"${simUuid(trade.tradeId * 2)}",` +
    `"taker_order_id":"${simUuid(trade.tradeId * 2 + 1)}","side":"${makerSide}","size":${JSON.stringify(trade.size)},` +
    `"price":${JSON.stringify(trade.price)},"product_id":${JSON.stringify(trade.symbol)},` +
    `"sequence":${trade.tradeId * 7 + 11},"time":"${rfc3339Micros(trade.timestampMs, trade.timestampMicros)}"}`
  );
}

/** Coinbase Exchange, as the simulator serves it: one `match` per message, a `last_match` and a heartbeat per product on subscribe. */
export const coinbaseEmulation: VenueEmulation = {
  venue: 'coinbase',
  maxTradesPerMessage: 1,
  formatTrades(trades) {
    const trade = trades[0];
    if (trades.length !== 1 || trade === undefined)
      throw new InvalidSimBatchError('coinbase', 'count', trades.length);
    return matchMessage('match', trade);
  },
  respondTo(clientFrame, symbols) {
    let request: unknown;
    try {
      request = JSON.parse(clientFrame);
    } catch {
      return [];
    }
    if (!isJsonObject(request) || request.type !== 'subscribe') return [];
    const products = Array.isArray(request.product_ids) ? request.product_ids : symbols;
    const names = Array.isArray(request.channels) ? request.channels : ['matches'];
    const channels = names.map((name) => ({ name, product_ids: products }));
    return [JSON.stringify({ type: 'subscriptions', channels })];
  },
  controlMessages(symbols, options) {
    const now = Date.now();
    const frames: string[] = [];
    // The venue's last trade per product, sent on subscribe: a trade message, so not to a client of books alone.
    const lastMatches = options?.trades === false ? [] : symbols;
    lastMatches.forEach((symbol, i) => {
      const trade: SimTrade = {
        symbol,
        tradeId: 1000 + i,
        price: '100.00',
        size: '0.01',
        side: 'buy',
        timestampMs: now - 60_000,
        timestampMicros: 0,
      };
      frames.push(matchMessage('last_match', trade));
    });
    for (const symbol of symbols) {
      frames.push(
        `{"type":"heartbeat","last_trade_id":0,"product_id":${JSON.stringify(symbol)},"sequence":0,` +
          `"time":"${rfc3339Micros(now, 0)}"}`,
      );
    }
    return frames;
  },
  book: coinbaseBook,
};
