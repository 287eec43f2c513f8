/** The simulator's Kraken v2 server: `trade` updates, subscribe acks per symbol, pongs, status and heartbeat. */
import { InvalidSimBatchError } from '../errors.js';
import { isJsonObject } from '../feeds/tree-fields.js';
import { rfc3339Micros } from './sim-format.js';
import type { VenueEmulation } from './venue-emulation.js';

function timeFields(now: number): string {
  const time = rfc3339Micros(now, 0);
  return `"time_in":"${time}","time_out":"${time}"`;
}

/** Kraken WebSocket v2, as the simulator serves it: up to 1000 trades per `update`, numbers as JSON numbers. */
export const krakenEmulation: VenueEmulation = {
  venue: 'kraken',
  maxTradesPerMessage: 1000,
  formatTrades(trades) {
    if (trades.length === 0 || trades.length > 1000)
      throw new InvalidSimBatchError('kraken', 'count', trades.length);
    // Kraken sends price and qty as JSON numbers; the simulator's decimal strings are written as-is.
    const data = trades.map(
      (t) =>
        `{"symbol":${JSON.stringify(t.symbol)},"side":"${t.side}","price":${t.price},"qty":${t.size},` +
        `"ord_type":"${t.side === 'buy' ? 'market' : 'limit'}","trade_id":${t.tradeId},` +
        `"timestamp":"${rfc3339Micros(t.timestampMs, t.timestampMicros)}"}`,
    );
    return `{"channel":"trade","type":"update","data":[${data.join(',')}]}`;
  },
  respondTo(clientFrame, symbols) {
    let request: unknown;
    try {
      request = JSON.parse(clientFrame);
    } catch {
      return [];
    }
    if (!isJsonObject(request)) return [];
    const reqId = request.req_id === undefined ? '' : `,"req_id":${JSON.stringify(request.req_id)}`;
    const now = Date.now();
    if (request.method === 'ping') return [`{"method":"pong"${reqId},${timeFields(now)}}`];
    if (request.method !== 'subscribe') return [];
    const params = isJsonObject(request.params) ? request.params : {};
    const requested = Array.isArray(params.symbol) ? (params.symbol as unknown[]) : symbols;
    return requested.map(
      (symbol) =>
        `{"method":"subscribe","result":{"channel":"trade","snapshot":${params.snapshot === true},` +
        `"symbol":${JSON.stringify(symbol)}},"success":true${reqId},${timeFields(now)}}`,
    );
  },
  controlMessages() {
    return [
      '{"channel":"status","data":[{"api_version":"v2","connection_id":13834774380200032777,"system":"online","version":"2.0.0"}],"type":"update"}',
      '{"channel":"heartbeat"}',
    ];
  },
};
