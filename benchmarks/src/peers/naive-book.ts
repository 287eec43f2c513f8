/**
 * The two book paths the books suite compares, each taking one venue message and publishing the `BookUpdate` it
 * yields on an in-memory transport:
 *
 * - the naive path, as a connector written the obvious way would do it: `JSON.parse` of the decoded text, the
 *   venue's sequence rules, a `Map` book per symbol (sorted on demand for the checksum and Kraken's depth), a
 *   capnp-es builder per update, a subject string per publish;
 * - marketpipe's path through the public `@marketpipe/connector/books` API: the venue's sync machine,
 *   `BookEncoder.encodeFrame` into one reused buffer, a prepared publish target per symbol.
 *
 * Both publish the same bytes for the same stream (the suite checks it before timing anything).
 */
import { crc32 } from 'node:zlib';
import type { ReceiveTime, VenueName } from '@marketpipe/connector';
import type { BookSyncCounters } from '@marketpipe/connector/books';
import { markSnapshotRecord, BookPath as PipelineBookPath } from '@marketpipe/connector/pipeline';
import type { FastPublishTransport, PublishStamp } from '@marketpipe/middleware/transport';
import { Message } from 'capnp-es';
// The connector's capnp-es generated struct, by path, as the trade peer does (not public API: capnp-es is ESM-only).
import { BookUpdate as CapnpBookUpdate } from '../../../packages/connector/src/codec/generated/book.gen.js';
import type { BookMessage, BookStream } from '../fixtures/book-messages.js';

/** Receive time both paths stamp on every update (ms since the epoch): no clock read charged to either. */
export const BOOK_RECEIVED_MS = 1_700_000_000_123;
const RECEIVED_NANOS = BigInt(BOOK_RECEIVED_MS) * 1_000_000n;

/** One path: handles a message, returns the updates it published. */
export interface BookPath {
  handle(message: BookMessage): number;
}

/**
 * Encodes one update with the capnp-es builder, fields in schema order (the layout `BookEncoder` matches byte for
 * byte); `bids` and `asks` are `[price, size, ...]`.
 */
export function encodeBookWithCapnpEs(
  timestampNanos: bigint,
  receivedNanos: bigint,
  ticker: string,
  sequence: bigint,
  isSnapshot: boolean,
  bids: readonly number[],
  asks: readonly number[],
): ArrayBuffer {
  const message = new Message();
  const root = message.initRoot(CapnpBookUpdate);
  root.timestampNanos = timestampNanos;
  root.receivedNanos = receivedNanos;
  root.ticker = ticker;
  root.sequence = sequence;
  root.isSnapshot = isSnapshot;
  const bidList = root._initBids(bids.length / 2);
  for (let i = 0; i < bids.length; i += 2) {
    const level = bidList.get(i / 2);
    level.price = bids[i]!;
    level.size = bids[i + 1]!;
  }
  const askList = root._initAsks(asks.length / 2);
  for (let i = 0; i < asks.length; i += 2) {
    const level = askList.get(i / 2);
    level.price = asks[i]!;
    level.size = asks[i + 1]!;
  }
  return message.toArrayBuffer();
}

interface NaiveBook {
  bids: Map<number, number>;
  asks: Map<number, number>;
  /** OKX: the venue's `price:size` text per price, for the checksum. */
  bidTexts: Map<number, string>;
  askTexts: Map<number, string>;
  last: number;
  straddle: boolean;
  synced: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: the naive path reads parsed JSON untyped, as the obvious code does.
type Json = Record<string, any>;

const byPriceDown = (a: number, b: number): number => b - a;
const byPriceUp = (a: number, b: number): number => a - b;

/** RFC 3339 with a fraction, as epoch nanoseconds: `Date.parse` for the ms, the digits after them for the rest. */
function rfc3339Nanos(text: unknown): bigint {
  if (typeof text !== 'string') return 0n;
  const fraction = text.slice(23, -1);
  return BigInt(Date.parse(text)) * 1_000_000n + BigInt(Number(fraction.padEnd(6, '0')));
}

function krakenDigits(value: number, decimals: number): string {
  const text = value.toFixed(decimals).replace('.', '');
  let start = 0;
  while (start < text.length - 1 && text[start] === '0') start++;
  return text.slice(start);
}

/**
 * The naive book path of one venue. `keepBook: false` drops the `Map` book where the venue's rules do not need it
 * (Binance, Coinbase, Bybit have no checksum), to show what the book itself costs.
 */
export class NaiveBookPath implements BookPath {
  /** Gaps and checksum mismatches seen; the suite requires 0 on its coherent streams. */
  failures = 0;
  readonly #books = new Map<string, NaiveBook>();
  readonly #decoder = new TextDecoder();

  constructor(
    private readonly venue: VenueName,
    private readonly transport: FastPublishTransport,
    private readonly stream: Pick<BookStream, 'depth' | 'precisions'>,
    private readonly stamp: PublishStamp,
    private readonly keepBook = true,
  ) {}

  handle(message: BookMessage): number {
    const json = JSON.parse(this.#decoder.decode(message.bytes)) as Json;
    switch (this.venue) {
      case 'binance':
        return message.kind === 'rest' ? this.#binanceSnapshot(message.symbol, json) : this.#binance(json);
      case 'coinbase':
        return this.#coinbase(json);
      case 'kraken':
        return this.#kraken(json);
      case 'bybit':
        return this.#bybit(json);
      case 'okx':
        return this.#okx(json);
    }
  }

  #book(symbol: string): NaiveBook {
    let book = this.#books.get(symbol);
    if (book === undefined) {
      book = {
        bids: new Map(),
        asks: new Map(),
        bidTexts: new Map(),
        askTexts: new Map(),
        last: 0,
        straddle: true,
        synced: false,
      };
      this.#books.set(symbol, book);
    }
    return book;
  }

  /** Applies `[price, size, ...]` texts to a side (when a book is kept) and the output list. */
  #apply(levels: unknown[][], side: Map<number, number>, out: number[], texts?: Map<number, string>): void {
    for (const level of levels) {
      const price = Number(level[0]);
      const size = Number(level[1]);
      if (this.keepBook || texts !== undefined) {
        if (size === 0) {
          side.delete(price);
          texts?.delete(price);
        } else {
          side.set(price, size);
          texts?.set(price, `${level[0]}:${level[1]}`);
        }
      }
      out.push(price, size);
    }
  }

  #publish(
    timestampNanos: bigint,
    ticker: string,
    sequence: bigint,
    isSnapshot: boolean,
    bids: number[],
    asks: number[],
  ): number {
    const bytes = encodeBookWithCapnpEs(
      timestampNanos,
      RECEIVED_NANOS,
      ticker,
      sequence,
      isSnapshot,
      bids,
      asks,
    );
    this.transport.publish(`bench.${this.venue}.book.${ticker}`, new Uint8Array(bytes), this.stamp);
    return 1;
  }

  #binanceSnapshot(symbol: string, json: Json): number {
    const book = this.#book(symbol);
    book.bids.clear();
    book.asks.clear();
    const bids: number[] = [];
    const asks: number[] = [];
    this.#apply(json.bids, book.bids, bids);
    this.#apply(json.asks, book.asks, asks);
    book.last = json.lastUpdateId;
    book.straddle = true;
    book.synced = true;
    return this.#publish(0n, symbol, BigInt(json.lastUpdateId), true, bids, asks);
  }

  #binance(message: Json): number {
    const json = message.data ?? message;
    if (json.e !== 'depthUpdate') return 0;
    const book = this.#book(json.s);
    if (!book.synced || json.u <= book.last) return 0;
    if (book.straddle ? json.U > book.last + 1 : json.U !== book.last + 1) {
      this.failures++;
      book.synced = false;
      return 0;
    }
    const bids: number[] = [];
    const asks: number[] = [];
    this.#apply(json.b, book.bids, bids);
    this.#apply(json.a, book.asks, asks);
    book.last = json.u;
    book.straddle = false;
    return this.#publish(BigInt(json.E) * 1_000_000n, json.s, BigInt(json.u), false, bids, asks);
  }

  #coinbase(json: Json): number {
    const book = this.#book(json.product_id);
    const bids: number[] = [];
    const asks: number[] = [];
    if (json.type === 'snapshot') {
      book.bids.clear();
      book.asks.clear();
      this.#apply(json.bids, book.bids, bids);
      this.#apply(json.asks, book.asks, asks);
      book.synced = true;
      return this.#publish(0n, json.product_id, 0n, true, bids, asks);
    }
    if (json.type !== 'l2update' || !book.synced) return 0;
    for (const change of json.changes as string[][]) {
      if (change[0] === 'buy') this.#apply([[change[1], change[2]]], book.bids, bids);
      else this.#apply([[change[1], change[2]]], book.asks, asks);
    }
    return this.#publish(rfc3339Nanos(json.time), json.product_id, 0n, false, bids, asks);
  }

  #kraken(json: Json): number {
    if (json.channel !== 'book') return 0;
    let published = 0;
    for (const entry of json.data as Json[]) {
      const symbol: string = entry.symbol;
      const book = this.#book(symbol);
      const isSnapshot = json.type === 'snapshot';
      if (!isSnapshot && !book.synced) continue;
      if (isSnapshot) {
        book.bids.clear();
        book.asks.clear();
      }
      const bids: number[] = [];
      const asks: number[] = [];
      for (const level of entry.bids as Json[]) this.#set(book.bids, level.price, level.qty, bids);
      for (const level of entry.asks as Json[]) this.#set(book.asks, level.price, level.qty, asks);
      // Kraken sends no removal for levels pushed past the depth: truncate, and publish the removals.
      const depth = this.stream.depth;
      const bidPrices = [...book.bids.keys()].sort(byPriceDown);
      const askPrices = [...book.asks.keys()].sort(byPriceUp);
      for (let i = bidPrices.length - 1; i >= depth; i--) {
        book.bids.delete(bidPrices[i]!);
        bids.push(bidPrices[i]!, 0);
      }
      for (let i = askPrices.length - 1; i >= depth; i--) {
        book.asks.delete(askPrices[i]!);
        asks.push(askPrices[i]!, 0);
      }
      const precision = this.stream.precisions[symbol]!;
      let text = '';
      for (const price of askPrices.slice(0, 10))
        text += krakenDigits(price, precision.price) + krakenDigits(book.asks.get(price)!, precision.qty);
      for (const price of bidPrices.slice(0, 10))
        text += krakenDigits(price, precision.price) + krakenDigits(book.bids.get(price)!, precision.qty);
      if (crc32(text) >>> 0 !== entry.checksum) {
        this.failures++;
        book.synced = false;
        continue;
      }
      book.synced = true;
      published += this.#publish(rfc3339Nanos(entry.timestamp), symbol, 0n, isSnapshot, bids, asks);
    }
    return published;
  }

  #set(side: Map<number, number>, price: number, qty: number, out: number[]): void {
    if (qty === 0) side.delete(price);
    else side.set(price, qty);
    out.push(price, qty);
  }

  #bybit(json: Json): number {
    if (typeof json.topic !== 'string' || !json.topic.startsWith('orderbook.')) return 0;
    const data = json.data as Json;
    const book = this.#book(data.s);
    const isSnapshot = json.type === 'snapshot' || data.u === 1;
    if (isSnapshot) {
      book.bids.clear();
      book.asks.clear();
      book.synced = true;
    } else {
      if (!book.synced || data.u <= book.last) return 0;
      if (data.u !== book.last + 1) {
        this.failures++;
        book.synced = false;
        return 0;
      }
    }
    const bids: number[] = [];
    const asks: number[] = [];
    this.#apply(data.b, book.bids, bids);
    this.#apply(data.a, book.asks, asks);
    book.last = data.u;
    return this.#publish(BigInt(json.ts) * 1_000_000n, data.s, BigInt(data.u), isSnapshot, bids, asks);
  }

  #okx(json: Json): number {
    if (json.arg?.channel !== 'books') return 0;
    const symbol: string = json.arg.instId;
    const book = this.#book(symbol);
    let published = 0;
    for (const entry of json.data as Json[]) {
      const isSnapshot = json.action === 'snapshot';
      if (isSnapshot) {
        book.bids.clear();
        book.asks.clear();
        book.bidTexts.clear();
        book.askTexts.clear();
      } else if (!book.synced || entry.prevSeqId !== book.last) {
        this.failures++;
        book.synced = false;
        continue;
      }
      const bids: number[] = [];
      const asks: number[] = [];
      this.#apply(entry.bids, book.bids, bids, book.bidTexts);
      this.#apply(entry.asks, book.asks, asks, book.askTexts);
      if (entry.checksum !== 0) {
        const bidPrices = [...book.bidTexts.keys()].sort(byPriceDown).slice(0, 25);
        const askPrices = [...book.askTexts.keys()].sort(byPriceUp).slice(0, 25);
        const parts: string[] = [];
        for (let i = 0; i < 25; i++) {
          if (i < bidPrices.length) parts.push(book.bidTexts.get(bidPrices[i]!)!);
          if (i < askPrices.length) parts.push(book.askTexts.get(askPrices[i]!)!);
        }
        if ((crc32(parts.join(':')) | 0) !== entry.checksum) {
          this.failures++;
          book.synced = false;
          continue;
        }
      }
      book.synced = true;
      book.last = entry.seqId;
      published += this.#publish(
        BigInt(entry.ts) * 1_000_000n,
        symbol,
        BigInt(entry.seqId),
        isSnapshot,
        bids,
        asks,
      );
    }
    return published;
  }
}

/**
 * marketpipe's book path as the pipeline runs it: the connector's `BookPath` (the venue sync machine,
 * `BookEncoder.encodeFrame`, a prepared target per symbol, and the held book behind the refresh snapshots, on by
 * default), fed the way the runner feeds it. A Binance REST snapshot enters as the marked record the pipeline
 * writes for it.
 */
export class MarketpipeBookPath implements BookPath {
  readonly path: PipelineBookPath;
  #published = 0;
  readonly #received: ReceiveTime;
  readonly #venue: VenueName;
  /** The marked record of each REST snapshot message, made once (the pipeline makes it when the response lands). */
  readonly #marked = new Map<BookMessage, Uint8Array>();

  constructor(
    venue: VenueName,
    transport: FastPublishTransport,
    stream: Pick<BookStream, 'depth'>,
    stamp: PublishStamp,
    options: { snapshotIntervalMs?: number } = {},
  ) {
    this.#venue = venue;
    this.#received = { ms: BOOK_RECEIVED_MS, subMsNanos: 0, mono: stamp.mono };
    // Counts what the path publishes without reading its counters (a copy) per message.
    const counting: FastPublishTransport = Object.create(transport) as FastPublishTransport;
    counting.publish = (target, payload, publishStamp) => {
      this.#published++;
      transport.publish(target, payload, publishStamp);
    };
    counting.prepare = (subject) => transport.prepare(subject);
    this.path = new PipelineBookPath({
      venue,
      env: 'bench',
      transport: counting,
      symbols: [],
      allowUnlisted: true,
      venueDepth: stream.depth,
      ...options,
    });
  }

  /** The path's counters. */
  get counters(): Readonly<BookSyncCounters> {
    return this.path.counters();
  }

  handle(message: BookMessage): number {
    const before = this.#published;
    if (message.kind === 'rest') {
      let record = this.#marked.get(message);
      if (record === undefined) {
        record = markSnapshotRecord(this.#venue, message.symbol, message.bytes);
        this.#marked.set(message, record);
      }
      this.path.onMessage(record, this.#received);
    } else {
      this.path.onMessage(message.bytes, this.#received);
    }
    return this.#published - before;
  }
}
