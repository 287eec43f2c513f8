/** The simulator's OKX v5 public server: `trades` pushes, subscribe events and the plain-text `pong`. */
import { isJsonObject } from '../feeds/tree-fields.js';
import { batchSymbol } from './sim-format.js';
import type { VenueEmulation } from './venue-emulation.js';

/** OKX v5, as the simulator serves it: up to 100 trades of one instrument per `trades` push. */
export const okxEmulation: VenueEmulation = {
  venue: 'okx',
  maxTradesPerMessage: 100,
  formatTrades(trades) {
    const symbol = JSON.stringify(batchSymbol('okx', trades, 100));
    const data = trades.map(
      (t) =>
        `{"instId":${symbol},"tradeId":"${t.tradeId}","px":${JSON.stringify(t.price)},"sz":${JSON.stringify(t.size)},` +
        `"side":"${t.side}","ts":"${t.timestampMs}","count":"1","source":"0","seqId":${t.tradeId + 1_000_000}}`,
    );
    return `{"arg":{"channel":"trades","instId":${symbol}},"data":[${data.join(',')}]}`;
  },
  respondTo(clientFrame) {
    if (clientFrame === 'ping') return ['pong'];
    let request: unknown;
    try {
      request = JSON.parse(clientFrame);
    } catch {
      return [];
    }
    if (!isJsonObject(request) || (request.op !== 'subscribe' && request.op !== 'unsubscribe')) return [];
    const id = typeof request.id === 'string' ? `"id":${JSON.stringify(request.id)},` : '';
    const args = Array.isArray(request.args) ? request.args : [];
    return args.map(
      (arg) => `{${id}"event":"${request.op}","arg":${JSON.stringify(arg)},"connId":"a4d3ae55"}`,
    );
  },
  controlMessages() {
    return [];
  },
};
