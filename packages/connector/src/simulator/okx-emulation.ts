/** The simulator's OKX v5 public server: `trades` pushes, subscribe events and the plain-text `pong`. */

import { okxChecksum } from '../books/okx-book.js';
import { isJsonObject } from '../feeds/tree-fields.js';
import type { SimBookState } from './sim-book.js';
import { changeTexts, keptSide, levelTexts } from './sim-book-format.js';
import { batchSymbol } from './sim-format.js';
import type { BookChannelEmulation, BookFormatContext, VenueEmulation } from './venue-emulation.js';

/** Levels per side OKX's checksum covers. */
const CHECKSUM_LEVELS = 25;

/** `[px, sz, "0", orders]`, the deprecated third field always "0" (BOOK_SAMPLES.md 6c). */
function okxLevels(levels: ReadonlyArray<[string, string]>): string {
  return JSON.stringify(levels.map(([price, size]) => [price, size, '0', size === '0' ? '0' : '1']));
}

function bookMessage(
  action: 'snapshot' | 'update',
  book: SimBookState,
  bids: ReadonlyArray<[string, string]>,
  asks: ReadonlyArray<[string, string]>,
  previous: number,
  context: BookFormatContext,
): string {
  const top = (side: SimBookState['bids']) =>
    keptSide(side, levelTexts(side, CHECKSUM_LEVELS, context.priceDecimals, context.sizeDecimals, 'trim'));
  const sum = okxChecksum(top(book.bids), top(book.asks));
  const checksum = context.corruptChecksum ? sum ^ 0x5a5a5a5a : sum;
  return (
    `{"arg":{"channel":"books","instId":${JSON.stringify(book.symbol)}},"action":"${action}","data":[` +
    `{"asks":${okxLevels(asks)},"bids":${okxLevels(bids)},"ts":"${context.timestampMs}","checksum":${checksum},` +
    `"prevSeqId":${previous},"seqId":${book.sequence}}]}`
  );
}

/** `books`: snapshot (`prevSeqId` -1) on subscribe, then updates chained by `prevSeqId`, with the CRC32 checksum. */
const okxBook: BookChannelEmulation = {
  defaultDepth: 400,
  faults: ['skipSequence', 'corruptChecksum', 'staleSnapshot'],
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
    const named = args
      .filter((arg) => isJsonObject(arg) && arg.channel === 'books' && typeof arg.instId === 'string')
      .map((arg) => (arg as { instId: string }).instId)
      .filter((instId) => symbols.includes(instId));
    return named.length === 0 ? undefined : { subscribe: request.op === 'subscribe', symbols: named };
  },
  firstSequence: (random) => 3_000_000_000 + Math.floor(random() * 1e9),
  // OKX ids rise by varying steps; only the prevSeqId chain matters.
  nextSequence: (previous, _changes, random) => previous + 1 + Math.floor(random() * 4),
  snapshot(book, context) {
    const bids = levelTexts(book.bids, context.depth, context.priceDecimals, context.sizeDecimals, 'trim');
    const asks = levelTexts(book.asks, context.depth, context.priceDecimals, context.sizeDecimals, 'trim');
    return bookMessage('snapshot', book, bids, asks, -1, context);
  },
  update(book, changes, previous, context) {
    const bids = changeTexts(changes.bids, true, context.priceDecimals, context.sizeDecimals, 'trim');
    const asks = changeTexts(changes.asks, false, context.priceDecimals, context.sizeDecimals, 'trim');
    return bookMessage('update', book, bids, asks, previous, context);
  },
};

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
  book: okxBook,
};
