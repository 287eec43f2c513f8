/**
 * The simulator's book channel, end to end over its real WebSocket (and, for
 * Binance, its real HTTP depth endpoint): the frames it sends drive each
 * venue's own sync machine, and an independent `JSON.parse` reference book
 * is built from the same frames. Without faults every update applies and the
 * two books agree after every message; with each fault kind the machine
 * detects it and resyncs, with exact counts.
 */
import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import { waitFor } from '@marketpipe/test-support/wait-for';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { BinanceBookSync } from '../../src/books/binance-book.js';
import { type BookFrame, frameToUpdate } from '../../src/books/book-data.js';
import type { BookSync, OutOfSyncReason } from '../../src/books/book-sync.js';
import { OrderBook } from '../../src/books/order-book.js';
import { channelProtocol } from '../../src/feeds/book-subscriptions.js';
import type { VenueName } from '../../src/feeds/venue-feed.js';
import { VENUES, venueProtocol } from '../../src/feeds/venues.js';
import type { BookFaultKind } from '../../src/simulator/venue-emulation.js';
import { SimulatorServer } from '../../src/sources/simulator.js';

const SYMBOLS: Record<VenueName, string[]> = {
  binance: ['BTCUSDT', 'ETHUSDT'],
  coinbase: ['BTC-USD', 'ETH-USD'],
  kraken: ['BTC/USD', 'ETH/USD'],
  bybit: ['BTCUSDT', 'ETHUSDT'],
  okx: ['BTC-USDT', 'ETH-USDT'],
};
const DEPTH: Record<VenueName, number> = { binance: 100, coinbase: 50, kraken: 10, bybit: 50, okx: 400 };

/** The book subscribe frame a client of `venue` sends (none for Binance: its streams are in the URL). */
function bookSubscribe(venue: VenueName, symbols: readonly string[]): string | undefined {
  switch (venue) {
    case 'binance':
      return undefined;
    case 'coinbase':
      return JSON.stringify({ type: 'subscribe', product_ids: symbols, channels: ['level2_batch'] });
    case 'kraken':
      return JSON.stringify({ method: 'subscribe', params: { channel: 'book', symbol: symbols, depth: 10 } });
    case 'bybit':
      return JSON.stringify({ op: 'subscribe', args: symbols.map((s) => `orderbook.50.${s}`) });
    case 'okx':
      return JSON.stringify({
        op: 'subscribe',
        args: symbols.map((instId) => ({ channel: 'books', instId })),
      });
  }
}

/** The symbol and kind of a venue book message, or undefined for any other frame. */
function bookInfo(venue: VenueName, text: string): { symbol: string; snapshot: boolean } | undefined {
  let json: ReturnType<typeof JSON.parse>;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  switch (venue) {
    case 'binance':
      return json.data?.e === 'depthUpdate' ? { symbol: json.data.s, snapshot: false } : undefined;
    case 'coinbase':
      return json.type === 'snapshot' || json.type === 'l2update'
        ? { symbol: json.product_id, snapshot: json.type === 'snapshot' }
        : undefined;
    case 'kraken':
      return json.channel === 'book'
        ? { symbol: json.data[0].symbol, snapshot: json.type === 'snapshot' }
        : undefined;
    case 'bybit':
      return typeof json.topic === 'string' && json.topic.startsWith('orderbook.')
        ? { symbol: json.data.s, snapshot: json.type === 'snapshot' }
        : undefined;
    case 'okx':
      return json.arg?.channel === 'books' && json.event === undefined
        ? { symbol: json.arg.instId, snapshot: json.action === 'snapshot' }
        : undefined;
  }
}

/** One thing the client received, in order: a WebSocket frame or a REST depth snapshot. */
type Entry = { kind: 'ws'; text: string } | { kind: 'rest'; symbol: string; text: string };

type Levels = Map<number, number>;
interface RefBook {
  bids: Levels;
  asks: Levels;
  /** Binance: update id of the book. */
  lastId: number;
}

/** Binance events per symbol that arrived before its REST snapshot, as the venue's procedure buffers them. */
type Buffered = Map<string, Array<{ u: number; b: string[][]; a: string[][] }>>;

/**
 * The reference: each venue's documented rules, from `JSON.parse` alone. Returns the symbol touched, or
 * undefined for a frame that is not a book message.
 */
function applyReference(
  venue: VenueName,
  books: Map<string, RefBook>,
  entry: Entry,
  buffered: Buffered = new Map(),
): string | undefined {
  const json = JSON.parse(entry.text);
  const set = (side: Levels, price: unknown, size: unknown) => {
    const p = Number(price);
    const q = Number(size);
    if (q === 0) side.delete(p);
    else side.set(p, q);
  };
  const replace = (symbol: string, lastId = 0): RefBook => {
    const book = { bids: new Map(), asks: new Map(), lastId };
    books.set(symbol, book);
    return book;
  };
  switch (venue) {
    case 'binance': {
      if (entry.kind === 'rest') {
        const book = replace(entry.symbol, json.lastUpdateId);
        for (const [p, q] of json.bids) set(book.bids, p, q);
        for (const [p, q] of json.asks) set(book.asks, p, q);
        for (const event of buffered.get(entry.symbol) ?? []) {
          if (event.u <= book.lastId) continue;
          for (const [p, q] of event.b) set(book.bids, p, q);
          for (const [p, q] of event.a) set(book.asks, p, q);
          book.lastId = event.u;
        }
        buffered.delete(entry.symbol);
        return entry.symbol;
      }
      const data = json.data;
      if (data?.e !== 'depthUpdate') return undefined;
      const book = books.get(data.s);
      if (book === undefined) {
        buffered.set(data.s, [...(buffered.get(data.s) ?? []), { u: data.u, b: data.b, a: data.a }]);
        return undefined;
      }
      if (data.u <= book.lastId) return undefined;
      for (const [p, q] of data.b) set(book.bids, p, q);
      for (const [p, q] of data.a) set(book.asks, p, q);
      book.lastId = data.u;
      return data.s;
    }
    case 'coinbase': {
      if (json.type === 'snapshot') {
        const book = replace(json.product_id);
        for (const [p, q] of json.bids) set(book.bids, p, q);
        for (const [p, q] of json.asks) set(book.asks, p, q);
        return json.product_id;
      }
      if (json.type !== 'l2update') return undefined;
      const book = books.get(json.product_id);
      if (book === undefined) return undefined;
      for (const [side, p, q] of json.changes) set(side === 'buy' ? book.bids : book.asks, p, q);
      return json.product_id;
    }
    case 'kraken': {
      if (json.channel !== 'book') return undefined;
      const entryData = json.data[0];
      const book = json.type === 'snapshot' ? replace(entryData.symbol) : books.get(entryData.symbol);
      if (book === undefined) return undefined;
      for (const level of entryData.bids) set(book.bids, level.price, level.qty);
      for (const level of entryData.asks) set(book.asks, level.price, level.qty);
      // Kraken's rule: truncate to the subscribed depth after every message.
      for (const [side, bids] of [
        [book.bids, true],
        [book.asks, false],
      ] as const) {
        const prices = [...side.keys()].sort(bids ? (a, b) => b - a : (a, b) => a - b);
        for (const price of prices.slice(DEPTH.kraken)) side.delete(price);
      }
      return entryData.symbol;
    }
    case 'bybit': {
      if (typeof json.topic !== 'string' || !json.topic.startsWith('orderbook.')) return undefined;
      const book = json.type === 'snapshot' ? replace(json.data.s) : books.get(json.data.s);
      if (book === undefined) return undefined;
      for (const [p, q] of json.data.b) set(book.bids, p, q);
      for (const [p, q] of json.data.a) set(book.asks, p, q);
      return json.data.s;
    }
    case 'okx': {
      if (json.arg?.channel !== 'books' || json.event !== undefined) return undefined;
      const symbol = json.arg.instId;
      const data = json.data[0];
      const book = json.action === 'snapshot' ? replace(symbol) : books.get(symbol);
      if (book === undefined) return undefined;
      for (const [p, q] of data.bids) set(book.bids, p, q);
      for (const [p, q] of data.asks) set(book.asks, p, q);
      return symbol;
    }
  }
}

function sorted(levels: Levels, bids: boolean): Array<[number, number]> {
  return [...levels.entries()].sort(bids ? (a, b) => b[0] - a[0] : (a, b) => a[0] - b[0]);
}

function published(book: OrderBook): { bids: Array<[number, number]>; asks: Array<[number, number]> } {
  return {
    bids: book.bids().map((l) => [l.price, l.size]),
    asks: book.asks().map((l) => [l.price, l.size]),
  };
}

/** A live client of the simulator: WebSocket frames and REST snapshots, fed to the venue's sync machine as they come. */
class BookClient {
  readonly entries: Entry[] = [];
  readonly reasons: OutOfSyncReason[] = [];
  readonly books = new Map<string, OrderBook>();
  readonly sync: BookSync;
  readonly #ws: WebSocket;
  readonly #pending: Promise<void>[] = [];
  readonly #failures: unknown[] = [];
  #closed = false;
  #bookMessages = 0;

  constructor(
    readonly venue: VenueName,
    readonly sim: SimulatorServer,
    readonly symbols: readonly string[],
  ) {
    const onFrame = (frame: BookFrame) => {
      const update = frameToUpdate(frame);
      let book = this.books.get(update.ticker);
      if (book === undefined) {
        book = new OrderBook();
        this.books.set(update.ticker, book);
      }
      book.apply(update);
    };
    this.sync = VENUES[venue].createBookSync(onFrame, {
      onOutOfSync: (symbol, reason) => {
        this.reasons.push(reason);
        this.resync(symbol);
      },
    });
    const streams = symbols.flatMap((s) => [`${s.toLowerCase()}@trade`, `${s.toLowerCase()}@depth@100ms`]);
    const url = venue === 'binance' ? `${sim.url}stream?streams=${streams.join('/')}` : sim.url;
    this.#ws = new WebSocket(url);
    this.#ws.on('open', () => {
      for (const frame of venueProtocol(venue).subscribeMessages(symbols)) this.#ws.send(frame);
      const books = bookSubscribe(venue, symbols);
      if (books !== undefined) this.#ws.send(books);
    });
    this.#ws.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      this.entries.push({ kind: 'ws', text });
      if (bookInfo(venue, text) !== undefined) this.#bookMessages++;
      this.#feed({ kind: 'ws', text });
    });
  }

  get bookMessages(): number {
    return this.#bookMessages;
  }

  /** Resynchronizes `symbol` the venue's way: a new REST snapshot (Binance) or a new subscribe. */
  resync(symbol: string): void {
    if (this.venue !== 'binance') {
      const frame = bookSubscribe(this.venue, [symbol]);
      if (frame !== undefined && this.#ws.readyState === WebSocket.OPEN) this.#ws.send(frame);
      return;
    }
    if (this.#closed) return;
    this.#pending.push(
      (async () => {
        const response = await fetch(`${this.sim.httpUrl}/api/v3/depth?symbol=${symbol}&limit=1000`);
        expect(response.status).toBe(200);
        const text = await response.text();
        this.entries.push({ kind: 'rest', symbol, text });
        this.#feed({ kind: 'rest', symbol, text });
      })().catch((error: unknown) => {
        // A fetch still in flight when the test stops the simulator fails by design; before that, settle() reports it.
        if (!this.#closed) this.#failures.push(error);
      }),
    );
  }

  async settle(): Promise<void> {
    while (this.#pending.length > 0) await this.#pending.shift();
    if (this.#failures.length > 0) throw this.#failures[0];
  }

  close(): void {
    this.#closed = true;
    this.#ws.terminate();
  }

  #feed(entry: Entry): void {
    if (entry.kind === 'rest') {
      (this.sync as BinanceBookSync).applySnapshot(entry.symbol, entry.text, Date.now());
    } else {
      this.sync.onMessage(entry.text, Date.now());
    }
  }
}

const SOON = { timeoutMs: 20_000, everyMs: 10 };

const running: { stop(): Promise<void> }[] = [];
const clients: BookClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const item of running.splice(0)) await item.stop();
});

async function start(
  venue: VenueName,
  seed: number,
  rate = 200,
): Promise<{ sim: SimulatorServer; client: BookClient }> {
  const sim = new SimulatorServer({
    protocol: venueProtocol(venue),
    symbols: SYMBOLS[venue],
    messagesPerSecond: rate,
    seed,
    books: {},
    log: { maxEntries: 0 },
  });
  running.push(sim);
  await sim.start();
  const client = new BookClient(venue, sim, SYMBOLS[venue]);
  clients.push(client);
  return { sim, client };
}

/** Replays what the client received through a fresh sync machine and the reference, comparing after every message. */
function replayAndCompare(
  venue: VenueName,
  entries: readonly Entry[],
): { compared: number; emitted: number } {
  const books = new Map<string, OrderBook>();
  let emitted = 0;
  const sync = VENUES[venue].createBookSync((frame) => {
    emitted++;
    const update = frameToUpdate(frame);
    let book = books.get(update.ticker);
    if (book === undefined) {
      book = new OrderBook();
      books.set(update.ticker, book);
    }
    book.apply(update);
  });
  const reference = new Map<string, RefBook>();
  const buffered: Buffered = new Map();
  let compared = 0;
  for (const entry of entries) {
    if (entry.kind === 'rest') (sync as BinanceBookSync).applySnapshot(entry.symbol, entry.text, 1);
    else sync.onMessage(entry.text, 1);
    const symbol = applyReference(venue, reference, entry, buffered);
    if (symbol === undefined) continue;
    const ref = reference.get(symbol)!;
    const mine = books.get(symbol);
    expect(mine, `${symbol} published`).toBeDefined();
    expect(published(mine!)).toEqual({ bids: sorted(ref.bids, true), asks: sorted(ref.asks, false) });
    compared++;
  }
  return { compared, emitted };
}

describe.each(Object.keys(SYMBOLS) as VenueName[])('%s book channel over the simulator', (venue) => {
  it('without faults: every update applies and the published book equals a JSON.parse reference after every message', async () => {
    // Binance: the sync machine asks for the REST snapshot of each symbol once it has buffered an event.
    const { sim, client } = await start(venue, 21);
    await waitFor('300 book messages', () => client.bookMessages >= 300, SOON);
    sim.setRate(0);
    await client.settle();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const counters = client.sync.counters;
    const received = client.bookMessages;
    // Every book message was emitted; Binance's only exceptions are the buffered events its snapshot covered.
    expect(counters.updates).toBe(
      venue === 'binance' ? received - counters.stale + SYMBOLS.binance.length : received,
    );
    expect(counters.gaps).toBe(0);
    expect(counters.checksumFailures).toBe(0);
    expect(counters.malformed).toBe(0);
    expect(counters.unsynced).toBe(0);
    expect(counters.resyncs).toBe(0);
    expect(client.reasons.filter((r) => r !== 'noSnapshot')).toEqual([]);
    for (const symbol of SYMBOLS[venue]) expect(client.sync.isSynced(symbol)).toBe(true);
    const stats = sim.stats().books!;
    expect(stats.faults).toEqual({ skipSequence: 0, corruptChecksum: 0, staleSnapshot: 0 });
    // Every book message the client got (after its symbol's snapshot, for Binance) was emitted.
    const { compared, emitted } = replayAndCompare(venue, client.entries);
    expect(compared).toBeGreaterThanOrEqual(250);
    expect(emitted).toBe(counters.updates);
    expect(counters.snapshots).toBe(SYMBOLS[venue].length);
    // The books are coherent: never crossed, and at the channel's depth (Kraken: the subscribed one).
    for (const book of client.books.values()) {
      expect(book.bestBid()!.price).toBeLessThan(book.bestAsk()!.price);
      expect(book.bidCount).toBe(DEPTH[venue]);
      expect(book.askCount).toBe(DEPTH[venue]);
    }
  }, 60_000);
});

const FAULTS: Array<[VenueName, BookFaultKind, Record<string, number>]> = [
  ['binance', 'skipSequence', { gaps: 1, checksumFailures: 0, resyncs: 1 }],
  ['binance', 'staleSnapshot', { gaps: 1, checksumFailures: 0, resyncs: 1 }],
  ['kraken', 'skipSequence', { gaps: 0, checksumFailures: 1, resyncs: 1 }],
  ['kraken', 'corruptChecksum', { gaps: 0, checksumFailures: 1, resyncs: 1 }],
  ['kraken', 'staleSnapshot', { gaps: 0, checksumFailures: 1, resyncs: 1 }],
  ['bybit', 'skipSequence', { gaps: 1, checksumFailures: 0, resyncs: 1 }],
  ['bybit', 'staleSnapshot', { gaps: 1, checksumFailures: 0, resyncs: 1 }],
  ['okx', 'skipSequence', { gaps: 1, checksumFailures: 0, resyncs: 1 }],
  ['okx', 'corruptChecksum', { gaps: 0, checksumFailures: 1, resyncs: 1 }],
  ['okx', 'staleSnapshot', { gaps: 1, checksumFailures: 0, resyncs: 1 }],
];

describe('book faults are detected and resynchronized', () => {
  it.each(FAULTS)(
    '%s %s',
    async (venue, kind, expected) => {
      const { sim, client } = await start(venue, 33, 100);
      await waitFor(
        'every book in sync',
        () => client.bookMessages >= 40 && SYMBOLS[venue].every((s) => client.sync.isSynced(s)),
        SOON,
      );
      const before = client.reasons.length;
      const symbol = SYMBOLS[venue][0]!;
      const binanceStale = venue === 'binance' && kind === 'staleSnapshot';
      if (binanceStale) {
        // Binance's snapshot is only fetched to resync: a gap first, then a stale answer to the fetch.
        sim.injectBookFault('staleSnapshot');
        sim.injectBookFault('skipSequence');
      } else if (kind === 'staleSnapshot') {
        sim.injectBookFault('staleSnapshot');
        // A stale snapshot is served to a client asking for one: the venue's resync path.
        client.resync(symbol);
      } else {
        sim.injectBookFault(kind);
      }
      await waitFor(`the ${kind} fault`, () => sim.stats().books!.faults[kind] === 1, SOON);
      await waitFor('120 book messages', () => client.bookMessages >= 120, SOON);
      await client.settle();
      await waitFor(
        'every book back in sync',
        () => SYMBOLS[venue].every((s) => client.sync.isSynced(s)),
        SOON,
      );
      sim.setRate(0);
      await client.settle();
      const counters = client.sync.counters;
      expect({
        gaps: counters.gaps,
        checksumFailures: counters.checksumFailures,
        resyncs: counters.resyncs,
      }).toEqual(expected);
      const reasons = client.reasons.slice(before).filter((r) => r !== 'noSnapshot');
      expect(reasons).toEqual(
        binanceStale ? ['gap', 'staleSnapshot'] : [expected.gaps === 1 ? 'gap' : 'checksumFailure'],
      );
      expect(sim.stats().books!.faults).toEqual({
        skipSequence: kind === 'skipSequence' || binanceStale ? 1 : 0,
        corruptChecksum: kind === 'corruptChecksum' ? 1 : 0,
        staleSnapshot: kind === 'staleSnapshot' ? 1 : 0,
      });
      expect(counters.malformed).toBe(0);
      // Back in sync, the published books equal the reference rebuilt from the last snapshot of each symbol on.
      const last = new Map<string, number>();
      client.entries.forEach((entry, i) => {
        if (entry.kind === 'rest') last.set(entry.symbol, i);
        else {
          const info = bookInfo(venue, entry.text);
          if (info?.snapshot) last.set(info.symbol, i);
        }
      });
      for (const s of SYMBOLS[venue]) {
        const reference = new Map<string, RefBook>();
        // Binance: the events buffered before that snapshot, as the sync machine kept them.
        const buffered: Buffered = new Map();
        const from = last.get(s)!;
        if (venue === 'binance') {
          for (const entry of client.entries.slice(0, from)) {
            const info = entry.kind === 'ws' ? bookInfo(venue, entry.text) : undefined;
            if (info?.symbol === s) applyReference(venue, new Map(), entry, buffered);
          }
        }
        for (const entry of client.entries.slice(from)) {
          if (entry.kind === 'rest' && entry.symbol !== s) continue;
          applyReference(venue, reference, entry, buffered);
        }
        const ref = reference.get(s)!;
        expect(published(client.books.get(s)!)).toEqual({
          bids: sorted(ref.bids, true),
          asks: sorted(ref.asks, false),
        });
      }
    },
    60_000,
  );

  it('refuses faults a venue cannot show, and book options out of range', async () => {
    const coinbase = new SimulatorServer({
      protocol: venueProtocol('coinbase'),
      symbols: ['BTC-USD'],
      books: {},
    });
    expect(() => coinbase.injectBookFault('skipSequence')).toThrow(InvalidArgumentError);
    expect(
      () =>
        new SimulatorServer({
          protocol: venueProtocol('bybit'),
          symbols: ['BTCUSDT'],
          books: { faults: { corruptChecksum: 0.1 } },
        }),
    ).toThrow(InvalidArgumentError);
    expect(
      () =>
        new SimulatorServer({ protocol: venueProtocol('okx'), symbols: ['BTC-USDT'], books: { depth: 0 } }),
    ).toThrow(InvalidArgumentError);
    const plain = new SimulatorServer({ protocol: venueProtocol('okx'), symbols: ['BTC-USDT'] });
    expect(() => plain.injectBookFault('skipSequence')).toThrow(InvalidArgumentError);
  });

  it('answers the Binance REST depth endpoint as Binance does, over HTTP', async () => {
    const { sim } = await start('binance', 5);
    const ok = await fetch(`${sim.httpUrl}/api/v3/depth?symbol=BTCUSDT&limit=5`);
    expect(ok.status).toBe(200);
    const body = JSON.parse(await ok.text());
    expect(Object.keys(body)).toEqual(['lastUpdateId', 'bids', 'asks']);
    expect(body.bids).toHaveLength(5);
    expect(body.bids[0]).toEqual([
      expect.stringMatching(/^\d+\.\d{8}$/),
      expect.stringMatching(/^\d+\.\d{8}$/),
    ]);
    expect((await fetch(`${sim.httpUrl}/api/v3/depth?symbol=NOPE`)).status).toBe(400);
    expect((await fetch(`${sim.httpUrl}/api/v3/other`)).status).toBe(404);
  });
});

describe('the simulator with trades off', () => {
  // Bybit's trades are pushed messages; Coinbase also sends a `last_match` trade on its own when a client subscribes.
  const kinds = {
    bybit: {
      trade: (m: { topic?: unknown }) => typeof m.topic === 'string' && m.topic.startsWith('publicTrade.'),
      book: (m: { topic?: unknown }) => typeof m.topic === 'string' && m.topic.startsWith('orderbook.'),
    },
    coinbase: {
      trade: (m: { type?: unknown }) => m.type === 'match' || m.type === 'last_match',
      book: (m: { type?: unknown }) => m.type === 'snapshot' || m.type === 'l2update',
    },
  } as const;
  it.each([
    ['bybit', true],
    ['bybit', false],
    ['coinbase', true],
    ['coinbase', false],
  ] as const)(
    '%s, trades: %s: trade messages only when asked; the books move either way',
    async (venue, trades) => {
      // The protocol a books-only pipeline connects with: its subscribe frames name the book channel alone.
      const protocol = channelProtocol(venueProtocol(venue), ['books'], 50);
      const symbol = SYMBOLS[venue][0]!;
      const sim = new SimulatorServer({
        protocol,
        symbols: [symbol],
        messagesPerSecond: 500,
        books: {},
        trades,
        log: { maxEntries: 0 },
      });
      running.push(sim);
      const ws = new WebSocket(await sim.start());
      let tradeMessages = 0;
      let bookMessages = 0;
      ws.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString()) as Record<string, unknown>;
        if (kinds[venue].trade(message)) tradeMessages++;
        if (kinds[venue].book(message)) bookMessages++;
      });
      ws.on('open', () => {
        for (const frame of protocol.subscribeMessages([symbol])) ws.send(frame);
      });
      try {
        await waitFor('50 book messages', () => bookMessages >= 50, SOON);
      } finally {
        ws.close();
      }
      if (trades) expect(tradeMessages).toBeGreaterThan(0);
      else expect(tradeMessages).toBe(0);
      // The market moved all the same: after the snapshot, a book message follows each trade message made.
      expect(sim.stats().tradeMessages).toBeGreaterThanOrEqual(49);
    },
  );
});
