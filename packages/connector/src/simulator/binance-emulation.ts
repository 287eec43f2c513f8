/** The simulator's Binance spot server: combined-stream `trade` events and `SUBSCRIBE` acks. */
import { InvalidSimBatchError } from '../errors.js';
import { isJsonObject } from '../feeds/tree-fields.js';
import type { SimTrade, VenueEmulation } from './venue-emulation.js';

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
};
