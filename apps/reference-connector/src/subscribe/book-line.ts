/**
 * How `marketpipe subscribe` prints one decoded book update: a readable line
 * (the kind, the sequence, the levels it carries, at most a few per side), or
 * with `--book` the top of the book maintained from every update so far; as
 * JSON lines with `--json` (every level, nanosecond times as strings).
 */
import type { BookView, OrderBook } from '@marketpipe/connector/books';
import { formatEpochNanos } from '../format/epoch-nanos.js';

/** Levels per side a text line shows; the rest are counted. */
const SHOWN_LEVELS = 5;

/** The `--json` shape of one book update. */
export interface BookUpdateJson {
  subject: string;
  ticker: string;
  /** `refresh`: a snapshot the connector republished for late subscribers (a consumer at its sequence holds it). */
  kind: 'snapshot' | 'refresh' | 'delta';
  sequence: string;
  /** `[price, size]` pairs; size 0 removes the level. */
  bids: [number, number][];
  asks: [number, number][];
  timestampNanos: string;
  receivedNanos: string;
}

/** The `--json --book` shape: the maintained top of book after one update. */
export interface TopOfBookJson {
  subject: string;
  ticker: string;
  sequence: string;
  bid: { price: number; size: number } | null;
  ask: { price: number; size: number } | null;
  bidLevels: number;
  askLevels: number;
}

function bookKind(view: BookView): BookUpdateJson['kind'] {
  return view.isRefresh ? 'refresh' : view.isSnapshot ? 'snapshot' : 'delta';
}

function side(count: number, price: (i: number) => number, size: (i: number) => number): string {
  const shown: string[] = [];
  for (let i = 0; i < Math.min(count, SHOWN_LEVELS); i++) shown.push(`${size(i)}@${price(i)}`);
  if (count > SHOWN_LEVELS) shown.push(`+${count - SHOWN_LEVELS}`);
  return `[${shown.join(' ')}]`;
}

/**
 * `dev.bybit.book.BTCUSDT BTCUSDT delta seq=18521289 bids=[30.028@30247.2] asks=[0@30248.7] ts=... recv=...`
 *
 * @example
 * ```ts
 * console.log(formatBookLine(subject, view.wrap(payload)));
 * ```
 */
export function formatBookLine(subject: string, view: BookView): string {
  return (
    `${subject} ${view.ticker} ${bookKind(view)} seq=${view.sequence}` +
    ` bids=${side(
      view.bidCount,
      (i) => view.bidPrice(i),
      (i) => view.bidSize(i),
    )}` +
    ` asks=${side(
      view.askCount,
      (i) => view.askPrice(i),
      (i) => view.askSize(i),
    )}` +
    ` ts=${view.timestampNanos === 0n ? '-' : formatEpochNanos(view.timestampNanos)}` +
    ` recv=${formatEpochNanos(view.receivedNanos)}`
  );
}

/** The update as a {@link BookUpdateJson} object. */
export function bookUpdateJson(subject: string, view: BookView): BookUpdateJson {
  const bids: [number, number][] = [];
  const asks: [number, number][] = [];
  for (let i = 0; i < view.bidCount; i++) bids.push([view.bidPrice(i), view.bidSize(i)]);
  for (let i = 0; i < view.askCount; i++) asks.push([view.askPrice(i), view.askSize(i)]);
  return {
    subject,
    ticker: view.ticker,
    kind: bookKind(view),
    sequence: view.sequence.toString(),
    bids,
    asks,
    timestampNanos: view.timestampNanos.toString(),
    receivedNanos: view.receivedNanos.toString(),
  };
}

/** `dev.bybit.book.BTCUSDT BTCUSDT bid 30.028@30247.2 ask 1.5@30248.7 levels 200/200 seq=18521289` */
export function formatTopOfBook(subject: string, ticker: string, book: OrderBook): string {
  const bid = book.bestBid();
  const ask = book.bestAsk();
  return (
    `${subject} ${ticker} bid ${bid === undefined ? '-' : `${bid.size}@${bid.price}`}` +
    ` ask ${ask === undefined ? '-' : `${ask.size}@${ask.price}`}` +
    ` levels ${book.bidCount}/${book.askCount} seq=${book.sequence}`
  );
}

/** The top of book as a {@link TopOfBookJson} object. */
export function topOfBookJson(subject: string, ticker: string, book: OrderBook): TopOfBookJson {
  return {
    subject,
    ticker,
    sequence: book.sequence.toString(),
    bid: book.bestBid() ?? null,
    ask: book.bestAsk() ?? null,
    bidLevels: book.bidCount,
    askLevels: book.askCount,
  };
}

/** True for a `{env}.{venue}.book.{SYMBOL}` subject. */
export function isBookSubject(subject: string): boolean {
  const first = subject.indexOf('.');
  const second = first < 0 ? -1 : subject.indexOf('.', first + 1);
  return second >= 0 && subject.startsWith('book.', second + 1);
}
