/**
 * Book-channel subscriptions per venue (BOOK_SAMPLES.md, section a of each
 * venue): what to subscribe to for a requested depth, how to resubscribe one
 * symbol to get a fresh snapshot, and where Binance's REST depth snapshot
 * lives. Kept apart from the trade protocols so a trade-only run sends exactly
 * what it sent before.
 */
import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import type { VenueName, VenueProtocol } from './venue-feed.js';

/** The market-data channels a pipeline can carry. */
export type Channel = 'trades' | 'books';

/** Binance's documented REST depth endpoint (BOOK_SAMPLES.md 1e). */
export const BINANCE_DEPTH_URL = 'https://api.binance.com/api/v3/depth';

const KRAKEN_DEPTHS = [10, 25, 100, 500, 1000];
const BYBIT_SPOT_DEPTHS = [1, 50, 200, 1000];
/** Binance REST `limit` maximum. */
const BINANCE_MAX_LIMIT = 5000;

/** The smallest allowed value at least `depth`, or the largest allowed one. */
function atLeast(allowed: readonly number[], depth: number): number {
  for (const value of allowed) if (value >= depth) return value;
  return allowed[allowed.length - 1]!;
}

/**
 * The depth a venue is actually asked for when `depth` levels are wanted: Kraken's and Bybit's next
 * allowed subscription depth, Binance's REST `limit` (at most 5000); OKX `books` (400) and Coinbase
 * `level2_batch` (the whole book) have no choice.
 */
export function venueBookDepth(venue: VenueName, depth: number): number {
  if (!Number.isSafeInteger(depth) || depth < 1) {
    throw new InvalidArgumentError(`depth must be an integer >= 1, got ${depth}`, { argument: 'depth' });
  }
  switch (venue) {
    case 'binance':
      return Math.min(depth, BINANCE_MAX_LIMIT);
    case 'kraken':
      return atLeast(KRAKEN_DEPTHS, depth);
    case 'bybit':
      return atLeast(BYBIT_SPOT_DEPTHS, depth);
    case 'okx':
      return 400;
    case 'coinbase':
      return 0;
  }
}

/** Binance REST request weight of a depth snapshot of `limit` levels (BOOK_SAMPLES.md 1e). */
export function binanceDepthWeight(limit: number): number {
  if (limit <= 100) return 5;
  if (limit <= 500) return 25;
  if (limit <= 1000) return 50;
  return 250;
}

/** Frames that subscribe the book channel of `symbols` at `depth` (already a {@link venueBookDepth}). */
function bookSubscribe(
  venue: VenueName,
  symbols: readonly string[],
  depth: number,
  op = 'subscribe',
): string[] {
  if (symbols.length === 0) return [];
  switch (venue) {
    case 'binance':
      // Streams are named in the URL; nothing to send.
      return [];
    case 'coinbase':
      return [`{"type":"${op}","product_ids":${JSON.stringify(symbols)},"channels":["level2_batch"]}`];
    case 'kraken':
      return [
        `{"method":"${op}","params":{"channel":"book","symbol":${JSON.stringify(symbols)},"depth":${depth}` +
          (op === 'subscribe' ? ',"snapshot":true}}' : '}}'),
      ];
    case 'bybit': {
      const frames: string[] = [];
      // Bybit takes at most 10 args per spot request.
      for (let i = 0; i < symbols.length; i += 10) {
        const topics = symbols.slice(i, i + 10).map((s) => `orderbook.${depth}.${s}`);
        frames.push(`{"op":"${op}","args":${JSON.stringify(topics)}}`);
      }
      return frames;
    }
    case 'okx':
      return [JSON.stringify({ op, args: symbols.map((instId) => ({ channel: 'books', instId })) })];
  }
}

/**
 * Frames that make the venue send a fresh snapshot of one symbol: unsubscribe then subscribe its book
 * channel. Empty for Binance, whose snapshot is REST.
 */
export function bookResubscribeMessages(venue: VenueName, symbol: string, depth: number): string[] {
  return [...bookSubscribe(venue, [symbol], depth, 'unsubscribe'), ...bookSubscribe(venue, [symbol], depth)];
}

/**
 * The protocol a pipeline connects with for these channels: the trade protocol as is when only trades are
 * wanted; otherwise the book channel (at the venue's depth) added or, for books only, in place of trades.
 * Coinbase keeps its `heartbeat` channel either way, so a quiet book is not taken for a dead connection.
 */
export function channelProtocol(
  protocol: VenueProtocol,
  channels: readonly Channel[],
  depth: number,
): VenueProtocol {
  const trades = channels.includes('trades');
  if (!channels.includes('books')) return protocol;
  const venue = protocol.venue;
  const venueDepth = venueBookDepth(venue, depth);
  return {
    ...protocol,
    liveUrl(symbols) {
      if (venue !== 'binance') return protocol.liveUrl(symbols);
      const streams = symbols.flatMap((s) => {
        const lower = s.toLowerCase();
        return trades ? [`${lower}@trade`, `${lower}@depth@100ms`] : [`${lower}@depth@100ms`];
      });
      return `wss://stream.binance.com:9443/stream?streams=${streams.join('/')}`;
    },
    subscribeMessages(symbols) {
      const books = bookSubscribe(venue, symbols, venueDepth);
      if (trades) return [...protocol.subscribeMessages(symbols), ...books];
      if (venue === 'coinbase' && symbols.length > 0) {
        return [
          `{"type":"subscribe","product_ids":${JSON.stringify(symbols)},"channels":["level2_batch","heartbeat"]}`,
        ];
      }
      return books;
    },
  };
}
