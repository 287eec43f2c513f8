/**
 * A local stand-in for a venue's WebSocket endpoint: speaks the venue's
 * protocol, streams a seeded random market at a chosen rate, and misbehaves
 * on command (drops, stalls, refusals, garbage, skipped trade ids) so the
 * connector's reliability can be tested without the internet.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { finished } from 'node:stream/promises';
import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import { checkNumber } from '@marketpipe/middleware/internal';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { SimulatorLogError, SourceStateError } from '../errors.js';
import type { VenueProtocol } from '../feeds/venue-feed.js';
import {
  SimBookChannel,
  type SimulatorBookOptions,
  type SimulatorBookStats,
} from '../simulator/book-channel.js';
import { venueEmulation } from '../simulator/emulations.js';
import { MarketWalk } from '../simulator/market-walk.js';
import type {
  BookFaultKind,
  BookSubscription,
  SimTrade,
  VenueEmulation,
} from '../simulator/venue-emulation.js';
import { createSeededRandom } from './seeded-random.js';

/** Options of a {@link SimulatorServer}. */
export interface SimulatorOptions {
  /** The venue to imitate, as its clients speak to it: a client is subscribed once all its `subscribeMessages` arrived. */
  protocol: VenueProtocol;
  /** The venue's server side: trade messages, answers, control frames (default: the built-in one for `protocol.venue`). */
  emulation?: VenueEmulation;
  /** Symbols of the simulated market, as the venue spells them. */
  symbols: readonly string[];
  /** Trade messages per second across all symbols (default 100; 0 = a quiet market). */
  messagesPerSecond?: number;
  /** Cap on trades per message (default: the venue's maximum, at most 8); 1..cap drawn per message. */
  maxTradesPerMessage?: number;
  /** Seed of the market walk (default 1). */
  seed?: number;
  /** Port on 127.0.0.1 (default 0: a free port, see `url`). */
  port?: number;
  /** Send timer period (default 10 ms): each tick sends every message due since the last one. */
  tickMs?: number;
  /** Send a WebSocket ping to each client at this interval, as Binance does every 20 s (default: never). */
  serverPingIntervalMs?: number;
  /** Venue heartbeats: `frames(symbols)` sent to each subscribed client every `intervalMs` (default: none). */
  heartbeat?: { intervalMs: number; frames: (symbols: readonly string[]) => string[] };
  /** Chance per message to skip 1 to 3 trade ids first (default 0); counted in `skippedTradeIds()`. */
  skipProbability?: number;
  /**
   * What to keep of the sent frames: up to `maxEntries` in memory (default 10 000; 0 = none) and, when
   * `file` is set, every frame in that file, one per line (frame bytes, then `\n`), truncated at start.
   */
  log?: { maxEntries?: number; file?: string };
  /**
   * A client with more than this many bytes queued is behind (default 8 MiB): the market waits for it
   * rather than buffer without bound, so the log stays exactly what was sent.
   */
  maxBufferedBytes?: number;
  /**
   * Serve the venue's order-book channel: a coherent book per symbol that the trade tape executes
   * against, one book message after each trade message, with the venue's sequence fields and checksums.
   * Clients get it by subscribing as they would at the venue: Binance `<symbol>@depth` or
   * `<symbol>@depth@100ms` streams (in the URL's `streams=` or a `SUBSCRIBE`) plus the REST snapshot at
   * `GET {httpUrl}/api/v3/depth?symbol=BTCUSDT&limit=100`; Coinbase `level2_batch` (or `level2`,
   * `level2_50`); Kraken `{"method":"subscribe","params":{"channel":"book","symbol":[...],"depth":10}}`;
   * Bybit `orderbook.{depth}.{symbol}`; OKX `{"channel":"books","instId":...}`. Subscribing again
   * sends a fresh snapshot (the way a client resynchronizes). Off by default.
   */
  books?: SimulatorBookOptions;
  /**
   * Send the trade messages to subscribed clients (default true). False makes a market whose trades move the
   * books (`books`) without being sent: what a client subscribed to the book channel alone gets from a venue. A
   * books-only `Pipeline` on the simulator sets it.
   */
  trades?: boolean;
}

/** One frame the simulator sent, as kept in its log. */
export interface SentFrame {
  /** Number of the client connection (1 for the first accepted, then 2...). */
  connection: number;
  /** Sent as a binary frame (only garbage is). */
  binary: boolean;
  /** The frame's exact bytes. */
  data: Buffer;
}

/** One text frame a client sent (subscribe, ping...), as kept in the simulator's log. */
export interface ReceivedFrame {
  /** Number of the client connection that sent it. */
  connection: number;
  /** The frame, decoded as UTF-8. */
  text: string;
}

/** Counters of a {@link SimulatorServer}. */
export interface SimulatorStats {
  /** Connections accepted so far. */
  connectionsAccepted: number;
  /** Connections open now. */
  openConnections: number;
  /** Upgrade requests refused on purpose (see `refuseConnections`). */
  connectionsRefused: number;
  /** Trade messages generated (each sent to every subscribed, healthy client, unless `trades` is false). */
  tradeMessages: number;
  /** Trades in those messages. */
  trades: number;
  /** Frames sent of any kind, counted per client. */
  framesSent: number;
  /** Bytes of those frames. */
  bytesSent: number;
  /** The in-memory log reached `maxEntries` and stopped growing. */
  logTruncated: boolean;
  /** The book channel's counters, when `books` is on. */
  books?: SimulatorBookStats;
}

interface SimClient {
  readonly id: number;
  readonly ws: WebSocket;
  readonly pendingSubscribes: Set<string>;
  subscribed: boolean;
  stalled: boolean;
  /** Symbols whose book this client subscribed to, with its spelling of the channel. */
  readonly books: Map<string, string | undefined>;
}

const DEFAULT_RATE = 100;
const DEFAULT_MAX_TRADES = 8;
const DEFAULT_TICK_MS = 10;
const DEFAULT_LOG_ENTRIES = 10_000;
const DEFAULT_MAX_BUFFERED = 8 * 1024 * 1024;
/** At most this much time's worth of messages per tick: a simulator starved of CPU drops the backlog instead of bursting. */
const MAX_CATCH_UP_MS = 100;
const TEXT = { binary: false } as const;
const BINARY = { binary: true } as const;
const NEWLINE = Buffer.from('\n');
const NEWLINE_BYTE = 0x0a;
const CARRIAGE_RETURN_BYTE = 0x0d;

/**
 * A venue on 127.0.0.1. Clients get the venue's answers to their frames
 * (`emulation.respondTo`), then, once every frame of
 * `protocol.subscribeMessages(symbols)` has arrived (at once when there are
 * none, as with Binance's URL streams), the emulation's `controlMessages` and the
 * trade stream. All subscribed clients see the same market.
 *
 * The market moves only while at least one subscribed client is healthy, so
 * a single client sees contiguous trade ids across a reconnect unless ids are
 * skipped on purpose; {@link skippedTradeIds} reports exactly how many were.
 *
 * Trade messages are sent in batches per timer tick (every `tickMs`), never
 * one timer per message, which sustains tens of thousands of messages per
 * second on one core.
 *
 * @example
 * ```ts
 * const sim = new SimulatorServer({ protocol: okx, symbols: ['BTC-USDT'], messagesPerSecond: 500 });
 * await sim.start();
 * const source = new WebSocketSource({ protocol: okx, symbols: ['BTC-USDT'], url: sim.url });
 * source.start();
 * // ... later, a fault:
 * sim.dropConnections();
 * // ... and at the end:
 * await source.stop();
 * await sim.stop();
 * ```
 */
export class SimulatorServer {
  private readonly protocol: VenueProtocol;
  private readonly emulation: VenueEmulation;
  private readonly symbols: readonly string[];
  private readonly walk: MarketWalk;
  private readonly faultRandom: () => number;
  private readonly port: number;
  private readonly tickMs: number;
  private readonly serverPingIntervalMs: number;
  private readonly heartbeat: SimulatorOptions['heartbeat'];
  private readonly maxLogEntries: number;
  private readonly logFile: string | undefined;
  private readonly maxBufferedBytes: number;
  private readonly clients = new Set<SimClient>();
  private readonly sentLog: SentFrame[] = [];
  private readonly receivedLog: ReceivedFrame[] = [];
  private readonly garbageTrade: readonly SimTrade[];

  private server: WebSocketServer | null = null;
  private http: Server | null = null;
  private readonly bookChannel: SimBookChannel | undefined;
  private httpBase: string | null = null;
  private stopped = false;
  private fileLog: WriteStream | null = null;
  private listeningUrl: string | null = null;
  private timers: NodeJS.Timeout[] = [];
  private rate: number;
  private readonly sendTrades: boolean;
  private credit = 0;
  private lastTickAt = 0;
  private readonly wallAnchorMs = Date.now();
  private readonly perfAnchorMs = performance.now();
  private refuseRemaining = 0;
  private refuseStatus = 503;

  private connectionsAccepted = 0;
  private connectionsRefused = 0;
  private tradeMessages = 0;
  private framesSent = 0;
  private bytesSent = 0;
  private logTruncated = false;
  private fileLogError: Error | null = null;

  /** @throws {InvalidArgumentError} for out-of-range options. */
  constructor(options: SimulatorOptions) {
    this.protocol = options.protocol;
    this.emulation = options.emulation ?? venueEmulation(options.protocol.venue);
    this.symbols = [...options.symbols];
    const seed = options.seed ?? 1;
    this.walk = new MarketWalk(this.symbols, {
      venue: options.protocol.venue,
      seed,
      maxTradesPerMessage:
        options.maxTradesPerMessage ?? Math.min(this.emulation.maxTradesPerMessage, DEFAULT_MAX_TRADES),
      skipProbability: options.skipProbability ?? 0,
    });
    this.faultRandom = createSeededRandom(seed + 1);
    this.sendTrades = options.trades !== false;
    this.bookChannel =
      options.books === undefined
        ? undefined
        : new SimBookChannel(this.emulation, this.walk, options.books, seed);
    this.garbageTrade = [
      {
        symbol: this.symbols[0] ?? '',
        tradeId: 1,
        price: '1.0',
        size: '1.0',
        side: 'buy',
        timestampMs: this.wallAnchorMs,
        timestampMicros: 0,
      },
    ];
    this.rate = checkNumber('messagesPerSecond', options.messagesPerSecond ?? DEFAULT_RATE, 0);
    this.port = checkNumber('port', options.port ?? 0, 0);
    this.tickMs = checkNumber('tickMs', options.tickMs ?? DEFAULT_TICK_MS, 1);
    this.serverPingIntervalMs = checkNumber('serverPingIntervalMs', options.serverPingIntervalMs ?? 0, 0);
    if (options.heartbeat !== undefined) checkNumber('heartbeat.intervalMs', options.heartbeat.intervalMs, 1);
    this.heartbeat = options.heartbeat;
    this.maxLogEntries = checkNumber('log.maxEntries', options.log?.maxEntries ?? DEFAULT_LOG_ENTRIES, 0);
    this.logFile = options.log?.file;
    this.maxBufferedBytes = checkNumber(
      'maxBufferedBytes',
      options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED,
      1,
    );
  }

  /**
   * The `ws://127.0.0.1:<port>/` URL clients connect to (any path is accepted).
   * @throws {SourceStateError} before `start()` has resolved.
   */
  get url(): string {
    if (this.listeningUrl === null)
      throw new SourceStateError('the simulator is not listening; await start() first');
    return this.listeningUrl;
  }

  /**
   * The `http://127.0.0.1:<port>` base of the REST endpoints on the same port (Binance's
   * `/api/v3/depth` when `books` is on).
   * @throws {SourceStateError} before `start()` has resolved.
   */
  get httpUrl(): string {
    if (this.httpBase === null)
      throw new SourceStateError('the simulator is not listening; await start() first');
    return this.httpBase;
  }

  /** The in-memory log of sent frames, oldest first (up to `log.maxEntries`). */
  get sent(): readonly SentFrame[] {
    return this.sentLog;
  }

  /** Text frames received from clients, oldest first (same limit as the sent log). */
  get received(): readonly ReceivedFrame[] {
    return this.receivedLog;
  }

  /**
   * Listens on 127.0.0.1 and starts the market clock; resolves with the URL.
   * @throws {SourceStateError} when started before (a simulator is single-use).
   */
  async start(): Promise<string> {
    if (this.server !== null || this.stopped) {
      throw new SourceStateError('a simulator starts once: create a new one');
    }
    if (this.logFile !== undefined) {
      const fileLog = createWriteStream(this.logFile);
      // Kept for stop() to report; an unheard 'error' event would crash the process.
      fileLog.on('error', (err) => {
        this.fileLogError ??= err;
      });
      this.fileLog = fileLog;
    }
    const http = createServer((request, response) => this.serveHttp(request, response));
    this.http = http;
    const server = new WebSocketServer({
      server: http,
      // Pongs are answered by hand so that a stalled connection can stay silent like a dead venue.
      autoPong: false,
      perMessageDeflate: false,
      clientTracking: false,
      verifyClient: (_info, accept) => {
        if (this.refuseRemaining > 0) {
          this.refuseRemaining--;
          this.connectionsRefused++;
          accept(false, this.refuseStatus, 'refused by simulator');
        } else {
          accept(true);
        }
      },
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      http.once('listening', resolve);
      http.once('error', reject);
      http.listen(this.port, '127.0.0.1');
    });
    const address = http.address();
    if (address === null || typeof address === 'string') {
      throw new SourceStateError(`the simulator has no TCP address (${String(address)})`);
    }
    this.listeningUrl = `ws://127.0.0.1:${address.port}/`;
    this.httpBase = `http://127.0.0.1:${address.port}`;
    server.on('connection', (ws, request) => this.accept(ws, request.url ?? '/'));
    this.lastTickAt = performance.now();
    this.timers.push(setInterval(this.tick, this.tickMs));
    if (this.serverPingIntervalMs > 0)
      this.timers.push(setInterval(this.pingClients, this.serverPingIntervalMs));
    const heartbeat = this.heartbeat;
    if (heartbeat !== undefined) {
      this.timers.push(setInterval(() => this.sendHeartbeats(heartbeat.frames), heartbeat.intervalMs));
    }
    return this.listeningUrl;
  }

  /**
   * Cuts every client (no close frame), closes the server and flushes the file log. Idempotent.
   * @throws {SimulatorLogError} when the file log could not be written.
   */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    for (const client of this.clients) client.ws.terminate();
    this.clients.clear();
    const server = this.server;
    this.server = null;
    this.stopped = true;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
    const http = this.http;
    this.http = null;
    if (http !== null) {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
    const fileLog = this.fileLog;
    this.fileLog = null;
    if (fileLog !== null) {
      fileLog.end();
      await finished(fileLog).catch(() => undefined);
    }
    if (this.fileLogError !== null) {
      throw new SimulatorLogError(`simulator log ${this.logFile}: ${this.fileLogError.message}`, {
        cause: this.fileLogError,
      });
    }
  }

  /** Changes the trade rate now (0 silences the market, heartbeats and answers go on). */
  setRate(messagesPerSecond: number): void {
    this.rate = checkNumber('messagesPerSecond', messagesPerSecond, 0);
    this.credit = 0;
  }

  /** Fault: terminates every open connection without a close frame; clients see 1006. Returns how many. */
  dropConnections(): number {
    const count = this.clients.size;
    // Forget the clients at once: a tick before their 'close' event would draw trades for sockets that are no
    // longer open, and those ids would be lost without being counted as skipped.
    for (const client of this.clients) client.ws.terminate();
    this.clients.clear();
    return count;
  }

  /**
   * Fault or venue maintenance: closes every open connection with a close frame. Returns how many.
   * @throws {TypeError} (from `ws`) for a code that may not be sent, such as 1005 or 1006: for an abrupt
   * 1006 use {@link dropConnections}.
   */
  closeConnections(code = 1001, reason = 'going away'): number {
    const count = this.clients.size;
    for (const client of this.clients) client.ws.close(code, reason);
    this.clients.clear();
    return count;
  }

  /**
   * Fault: the connections open now go silent (no trades, heartbeats, pings,
   * answers or pongs) while their sockets stay open, as a hung venue does.
   * New connections are healthy. Returns how many were stalled.
   */
  stallConnections(): number {
    for (const client of this.clients) client.stalled = true;
    return this.clients.size;
  }

  /** Ends every stall. */
  resumeConnections(): void {
    for (const client of this.clients) client.stalled = false;
  }

  /** Fault: answers the next `count` upgrade requests with HTTP `status` instead of a WebSocket. */
  refuseConnections(count: number, status = 503): void {
    this.refuseRemaining = checkNumber('count', count, 0);
    this.refuseStatus = status;
  }

  /**
   * Fault: sends `count` garbage frames to every subscribed, healthy client:
   * as text frames, alternately truncated JSON, printable noise and invalid
   * UTF-8; as binary frames, random bytes. Garbage never contains `\n` or
   * `\r`, so the file log stays one frame per line.
   */
  sendGarbage(kind: 'text' | 'binary', count = 1): void {
    for (let i = 0; i < count; i++) {
      const frame =
        kind === 'binary' ? this.randomBytes(1 + Math.floor(this.faultRandom() * 64)) : this.garbageText(i);
      for (const client of this.clients) {
        if (client.subscribed && !client.stalled) this.send(client, frame, kind === 'binary');
      }
    }
  }

  /** Fault: the next trade of `symbol` jumps `count` ids ahead. */
  skipTradeIds(symbol: string, count: number): void {
    this.walk.skipTradeIds(symbol, count);
  }

  /**
   * Fault: the next `count` book messages (`skipSequence`: generated, never sent; `corruptChecksum`: a
   * wrong checksum) or snapshots (`staleSnapshot`: the book of 16 messages before) go wrong. Counted
   * in `stats().books.faults`.
   * @throws {InvalidArgumentError} without `books`, or for a fault this venue's clients cannot detect.
   */
  injectBookFault(kind: BookFaultKind, count = 1): void {
    if (this.bookChannel === undefined)
      throw new InvalidArgumentError('book faults need the books option', { argument: 'books' });
    this.bookChannel.inject(this.emulation.venue, kind, count);
  }

  /** Trade ids skipped so far per symbol, on command or at random (0 for symbols without a skip). */
  skippedTradeIds(): Map<string, number> {
    return this.walk.skippedTradeIds();
  }

  /** The id each symbol's tape started at: a gap check starting there sees every skip. */
  firstTradeIds(): Map<string, number> {
    return this.walk.firstTradeIds();
  }

  /** A snapshot of the counters. */
  stats(): SimulatorStats {
    return {
      connectionsAccepted: this.connectionsAccepted,
      openConnections: this.clients.size,
      connectionsRefused: this.connectionsRefused,
      tradeMessages: this.tradeMessages,
      trades: this.walk.trades,
      framesSent: this.framesSent,
      bytesSent: this.bytesSent,
      logTruncated: this.logTruncated,
      ...(this.bookChannel === undefined ? {} : { books: this.bookChannel.stats() }),
    };
  }

  private accept(ws: WebSocket, url: string): void {
    this.connectionsAccepted++;
    const client: SimClient = {
      id: this.connectionsAccepted,
      ws,
      pendingSubscribes: new Set(this.protocol.subscribeMessages(this.symbols)),
      subscribed: false,
      stalled: false,
      books: new Map(),
    };
    this.clients.add(client);
    ws.on('message', (data: RawData, isBinary: boolean) => this.handleClientFrame(client, data, isBinary));
    ws.on('ping', (data: Buffer) => {
      if (!client.stalled) ws.pong(data);
    });
    ws.on('close', () => this.clients.delete(client));
    // A client vanishing mid-write is an everyday event for a venue; the close handler cleans up.
    ws.on('error', () => undefined);
    if (client.pendingSubscribes.size === 0) this.subscribe(client);
    const fromUrl = this.bookChannel?.emulation.urlSubscription?.(url, this.symbols);
    if (fromUrl !== undefined) this.subscribeBooks(client, fromUrl);
  }

  private handleClientFrame(client: SimClient, data: RawData, isBinary: boolean): void {
    if (client.stalled || isBinary) return;
    const text = (data as Buffer).toString('utf8');
    if (this.receivedLog.length < this.maxLogEntries) this.receivedLog.push({ connection: client.id, text });
    for (const answer of this.emulation.respondTo(text, this.symbols))
      this.send(client, Buffer.from(answer), false);
    const books = this.bookChannel?.emulation.subscription(text, this.symbols);
    if (books !== undefined) this.subscribeBooks(client, books);
    if (!client.subscribed && client.pendingSubscribes.delete(text) && client.pendingSubscribes.size === 0) {
      this.subscribe(client);
    }
  }

  private subscribe(client: SimClient): void {
    client.subscribed = true;
    for (const frame of this.emulation.controlMessages(this.symbols, { trades: this.sendTrades }))
      this.send(client, Buffer.from(frame), false);
  }

  /** Starts (with a snapshot, where the venue sends one) or stops book updates for a client. */
  private subscribeBooks(client: SimClient, subscription: BookSubscription): void {
    const channel = this.bookChannel;
    if (channel === undefined) return;
    for (const symbol of subscription.symbols) {
      if (!this.symbols.includes(symbol)) continue;
      if (!subscription.subscribe) {
        client.books.delete(symbol);
        continue;
      }
      const spelling = subscription.channels?.get(symbol);
      client.books.set(symbol, spelling);
      const snapshot = channel.snapshot(symbol, spelling, this.wallNowMs());
      if (snapshot !== undefined) this.send(client, snapshot, false);
    }
  }

  /** Answers the REST endpoints: Binance's `GET /api/v3/depth` when books are on, 404 otherwise. */
  private serveHttp(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://sim');
    const channel = this.bookChannel;
    if (
      request.method !== 'GET' ||
      url.pathname !== '/api/v3/depth' ||
      channel?.emulation.restSnapshot === undefined
    ) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"code":-1,"msg":"Not found."}');
      return;
    }
    const symbol = url.searchParams.get('symbol') ?? '';
    const limitText = url.searchParams.get('limit');
    const limit = limitText === null ? 100 : Number(limitText);
    const body =
      Number.isInteger(limit) && limit >= 1
        ? channel.restSnapshot(symbol, Math.min(limit, 5000), this.wallNowMs())
        : undefined;
    if (body === undefined) {
      // Binance's answer to an unknown symbol or a bad parameter.
      response
        .writeHead(400, { 'content-type': 'application/json' })
        .end('{"code":-1121,"msg":"Invalid symbol."}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' }).end(body);
  }

  private wallNowMs(): number {
    return this.wallAnchorMs + (performance.now() - this.perfAnchorMs);
  }

  private readonly tick = (): void => {
    const now = performance.now();
    const elapsed = now - this.lastTickAt;
    this.lastTickAt = now;
    let receivers = 0;
    let behind = false;
    for (const client of this.clients) {
      if ((!client.subscribed && client.books.size === 0) || client.stalled) continue;
      receivers++;
      if (client.ws.bufferedAmount > this.maxBufferedBytes) behind = true;
    }
    // No one to trade for: the market holds still, so reconnecting clients see contiguous ids.
    if (receivers === 0 || this.rate === 0) {
      this.credit = 0;
      return;
    }
    const maxCredit = Math.max(1, (this.rate * MAX_CATCH_UP_MS) / 1000);
    this.credit = Math.min(maxCredit, this.credit + (elapsed * this.rate) / 1000);
    if (behind) return;
    const due = Math.floor(this.credit);
    if (due === 0) return;
    this.credit -= due;
    const nowMicros = (this.wallAnchorMs + (now - this.perfAnchorMs)) * 1000;
    const timestampMs = Math.floor(nowMicros / 1000);
    const timestampMicros = Math.floor(nowMicros - timestampMs * 1000);
    this.fileLog?.cork();
    for (let i = 0; i < due; i++) {
      const batch = this.walk.nextBatch(timestampMs, timestampMicros);
      this.tradeMessages++;
      if (this.sendTrades) {
        const frame = Buffer.from(this.emulation.formatTrades(batch));
        for (const client of this.clients) {
          if (client.subscribed && !client.stalled) this.send(client, frame, false);
        }
      }
      // The book moves whether or not anyone watches it, as a venue's does.
      const book = this.bookChannel?.step(batch, timestampMs, timestampMicros);
      if (book === undefined) continue;
      for (const client of this.clients) {
        if (client.stalled || !client.books.has(book.symbol)) continue;
        this.send(client, book.frame(client.books.get(book.symbol)), false);
      }
    }
    this.fileLog?.uncork();
  };

  private readonly pingClients = (): void => {
    for (const client of this.clients) {
      if (!client.stalled) client.ws.ping();
    }
  };

  private sendHeartbeats(frames: (symbols: readonly string[]) => string[]): void {
    for (const client of this.clients) {
      if (!client.subscribed || client.stalled) continue;
      for (const frame of frames(this.symbols)) this.send(client, Buffer.from(frame), false);
    }
  }

  private send(client: SimClient, frame: Buffer, binary: boolean): void {
    if (client.ws.readyState !== client.ws.OPEN) return;
    client.ws.send(frame, binary ? BINARY : TEXT);
    this.framesSent++;
    this.bytesSent += frame.length;
    if (this.sentLog.length < this.maxLogEntries) {
      this.sentLog.push({ connection: client.id, binary, data: frame });
    } else if (this.maxLogEntries > 0) {
      this.logTruncated = true;
    }
    if (this.fileLog !== null) {
      this.fileLog.write(frame);
      this.fileLog.write(NEWLINE);
    }
  }

  private randomBytes(length: number): Buffer {
    const bytes = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) {
      let byte = Math.floor(this.faultRandom() * 256);
      if (byte === NEWLINE_BYTE || byte === CARRIAGE_RETURN_BYTE) byte = 0;
      bytes[i] = byte;
    }
    return bytes;
  }

  private garbageText(index: number): Buffer {
    switch (index % 3) {
      case 0: {
        // A trade message cut short: valid UTF-8, broken JSON. Built outside the market walk so that it
        // uses up no trade ids and the skip accounting stays exact.
        const message = this.emulation.formatTrades(this.garbageTrade);
        return Buffer.from(
          message.slice(0, Math.max(1, Math.floor(message.length / 2))).replace(/[\r\n]/g, ' '),
        );
      }
      case 1: {
        const bytes = this.randomBytes(1 + Math.floor(this.faultRandom() * 64));
        for (let i = 0; i < bytes.length; i++) bytes[i] = 0x20 + ((bytes[i] as number) % 95);
        return bytes;
      }
      default:
        return Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0xc3, 0x28, 0x7d]);
    }
  }
}
