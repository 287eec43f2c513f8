/** The simulator's Kraken v2 server: `trade` updates, subscribe acks per symbol, pongs, status and heartbeat. */

import { krakenChecksum, krakenKeptSide } from '../books/kraken-book.js';
import { InvalidSimBatchError } from '../errors.js';
import { isJsonObject } from '../feeds/tree-fields.js';
import type { SimBookState } from './sim-book.js';
import { changeTexts, levelTexts } from './sim-book-format.js';
import { rfc3339Micros } from './sim-format.js';
import type { BookChannelEmulation, BookFormatContext, VenueEmulation } from './venue-emulation.js';

/** Levels per side Kraken's checksum covers. */
const CHECKSUM_LEVELS = 10;

/** `[{"price":p,"qty":q}]` with Kraken's JSON numbers (written at the pair's fixed precision). */
function krakenLevels(levels: ReadonlyArray<[string, string]>): string {
  return `[${levels.map(([price, qty]) => `{"price":${price},"qty":${qty}}`).join(',')}]`;
}

/** Kraken's CRC32 over the book's top 10 texts, with the book code's own checksum function. */
function checksumOf(book: SimBookState, context: BookFormatContext): number {
  const top = (side: SimBookState['bids']) =>
    krakenKeptSide(
      side.isBid,
      levelTexts(side, CHECKSUM_LEVELS, context.priceDecimals, context.sizeDecimals, 'tick'),
    );
  const sum = krakenChecksum({
    bids: top(book.bids),
    asks: top(book.asks),
    priceDecimals: context.priceDecimals,
    qtyDecimals: context.sizeDecimals,
  });
  return context.corruptChecksum ? (sum ^ 0x5a5a5a5a) >>> 0 : sum;
}

function bookEntry(book: SimBookState, bids: string, asks: string, context: BookFormatContext): string {
  return (
    `{"symbol":${JSON.stringify(book.symbol)},"bids":${bids},"asks":${asks},"checksum":${checksumOf(book, context)},` +
    `"timestamp":"${rfc3339Micros(context.timestampMs, context.timestampMicros)}"}`
  );
}

/** Parses a `book` (un)subscribe request. */
function bookRequest(
  clientFrame: string,
): { subscribe: boolean; symbols: string[]; depth: number } | undefined {
  let request: unknown;
  try {
    request = JSON.parse(clientFrame);
  } catch {
    return undefined;
  }
  if (!isJsonObject(request) || (request.method !== 'subscribe' && request.method !== 'unsubscribe'))
    return undefined;
  const params = isJsonObject(request.params) ? request.params : {};
  if (params.channel !== 'book') return undefined;
  const symbols = Array.isArray(params.symbol)
    ? params.symbol.filter((s): s is string => typeof s === 'string')
    : [];
  return {
    subscribe: request.method === 'subscribe',
    symbols,
    depth: typeof params.depth === 'number' ? params.depth : 10,
  };
}

/** `book`: snapshot on subscribe, then updates, each with the CRC32 checksum of the top 10 (BOOK_SAMPLES.md 4). */
const krakenBook: BookChannelEmulation = {
  defaultDepth: 10,
  faults: ['skipSequence', 'corruptChecksum', 'staleSnapshot'],
  subscription(clientFrame) {
    return bookRequest(clientFrame);
  },
  firstSequence: () => 0,
  nextSequence: (previous) => previous + 1,
  snapshot(book, context) {
    const bids = krakenLevels(
      levelTexts(book.bids, context.depth, context.priceDecimals, context.sizeDecimals, 'tick'),
    );
    const asks = krakenLevels(
      levelTexts(book.asks, context.depth, context.priceDecimals, context.sizeDecimals, 'tick'),
    );
    return `{"channel":"book","type":"snapshot","data":[${bookEntry(book, bids, asks, context)}]}`;
  },
  update(book, changes, _previous, context) {
    // Kraken sends no removal for levels pushed past the depth: clients truncate themselves.
    const { priceDecimals, sizeDecimals } = context;
    const bids = krakenLevels(
      changeTexts(changes.bids, true, priceDecimals, sizeDecimals, 'tick', changes.outOfDepth.bids),
    );
    const asks = krakenLevels(
      changeTexts(changes.asks, false, priceDecimals, sizeDecimals, 'tick', changes.outOfDepth.asks),
    );
    return `{"channel":"book","type":"update","data":[${bookEntry(book, bids, asks, context)}]}`;
  },
};

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
    if (params.channel === 'book') {
      const depth = typeof params.depth === 'number' ? params.depth : 10;
      const requested = Array.isArray(params.symbol) ? (params.symbol as unknown[]) : [];
      return requested.map(
        (symbol) =>
          `{"method":"subscribe","result":{"channel":"book","depth":${depth},"snapshot":true,` +
          `"symbol":${JSON.stringify(symbol)}},"success":true${reqId},${timeFields(now)}}`,
      );
    }
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
  book: krakenBook,
};
