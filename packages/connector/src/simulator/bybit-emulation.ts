/** The simulator's Bybit v5 spot server: `publicTrade` messages and `op` acks and pongs. */
import { isJsonObject } from '../feeds/tree-fields.js';
import { batchSymbol, simUuid } from './sim-format.js';
import type { VenueEmulation } from './venue-emulation.js';

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
};
