/**
 * The live source: one venue WebSocket, kept alive, watched for silence and
 * reconnected with backoff, delivering every frame to the runner as raw bytes.
 */
import { performance } from 'node:perf_hooks';
import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import { checkNumber } from '@marketpipe/middleware/internal';
import { type RawData, WebSocket } from 'ws';
import { SourceConnectionError } from '../errors.js';
import type { VenueProtocol } from '../feeds/venue-feed.js';
import type {
  MessageSource,
  RawMessageHandler,
  SourceEnd,
  SourceEventListener,
  SourceStatus,
} from './message-source.js';
import {
  type BackoffOptions,
  DEFAULT_BACKOFF,
  fullJitterDelay,
  validateBackoff,
} from './reconnect-backoff.js';
import { SourceLifecycle } from './source-lifecycle.js';

/** Options of a {@link WebSocketSource}. */
export interface WebSocketSourceOptions {
  /** The venue's wire protocol: URL, subscribe frames, keep-alive and stale limit. */
  protocol: VenueProtocol;
  /** Venue tickers to subscribe to, as the venue spells them. */
  symbols: readonly string[];
  /** Connect here instead of `protocol.liveUrl(symbols)` (a simulator, a proxy). */
  url?: string;
  /** Overrides `protocol.keepAlive.intervalMs` (tests, venues that changed their limits). */
  keepAliveIntervalMs?: number;
  /** Overrides `protocol.staleAfterMs`. */
  staleAfterMs?: number;
  /** Reconnect delay curve; missing fields take {@link DEFAULT_BACKOFF}'s. */
  backoff?: Partial<BackoffOptions>;
  /** Give up on an opening handshake after this long (default 10 000 ms); counts as a failed attempt. */
  connectTimeoutMs?: number;
  /** On `stop()`, wait this long for the closing handshake before cutting the socket (default 2 000 ms). */
  closeTimeoutMs?: number;
  /**
   * Offer permessage-deflate (default `false`): compression saves venue bandwidth but costs an inflate per
   * frame on the hot path, and the recorded bytes are the inflated ones either way.
   */
  perMessageDeflate?: boolean;
  /** Largest frame accepted (default 64 MiB); a bigger one closes the connection with 1009 and reconnects. */
  maxPayloadBytes?: number;
}

/** {@link WebSocketSourceOptions} and the seam tests pin the backoff delays with; exported from no entry. */
export interface WebSocketSourceInternalOptions extends WebSocketSourceOptions {
  /** Numbers in `[0, 1)` for the backoff jitter; default `Math.random`. */
  random?: () => number;
}

/** State and counters of a {@link WebSocketSource}. */
export interface WebSocketSourceStatus extends SourceStatus {
  /** Where the source connects. */
  url: string;
  /** Text frames delivered. */
  textMessages: number;
  /** Binary frames delivered (still raw bytes: the runner records them, its parser classifies them). */
  binaryMessages: number;
  /** Connections attempted, successful or not. */
  connectAttempts: number;
  /** Connections that opened. */
  connections: number;
  /** Reconnect attempts scheduled (after a failed attempt or a lost connection). */
  reconnectAttempts: number;
  /** Connections that opened after an earlier one had been open (each emitted `reconnected`). */
  reconnects: number;
  /** Connections dropped because no frame arrived for `staleAfterMs`. */
  staleDetections: number;
  /** Keep-alives sent (ping frames or text pings). */
  keepAlivesSent: number;
  /** Pong frames received (answers to ws-ping keep-alives). */
  pongsReceived: number;
  /** Ping frames received from the venue (answered by `ws` automatically). */
  pingsReceived: number;
  /** Close code of the last closed connection (1006: closed without a close frame), or 0. */
  lastCloseCode: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_CLOSE_TIMEOUT_MS = 2_000;
const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;
const NORMAL_CLOSURE = 1000;

/** `value` when it is a finite number > 0; else throws the shared validator's error, naming `name`. */
function positive(name: string, value: number): number {
  return checkNumber(name, value, 0, Number.MAX_VALUE, true);
}

/**
 * Streams a venue's WebSocket frames to one handler, and keeps doing so
 * across network trouble: subscribes on every connection, sends the venue's
 * keep-alive, reconnects (backoff with jitter) after `staleAfterMs` without a
 * frame, and never throws after `start()` (errors become events and counters).
 * Frames are handed over as `ws` delivers them, uncopied and unvalidated.
 * Details and why: docs/design/websocket-source.md.
 *
 * @example
 * ```ts
 * const source = new WebSocketSource({ protocol: binanceProtocol, symbols: ['btcusdt'] });
 * source.onMessage(runner.onMessage); // Runner.onMessage is bound
 * source.onEvent((event) => {
 *   if (event.type === 'reconnected') gaps.onReconnect(); // the runner's GapDetector: a gap across it is expected
 *   else if (event.type === 'error') log.warn(event.error);
 * });
 * source.start();
 * // ... on shutdown:
 * await source.stop();
 * ```
 */
export class WebSocketSource implements MessageSource {
  /** Resolves with `{ reason: 'stopped' }` once `stop()` has closed everything. */
  readonly done: Promise<SourceEnd>;

  private readonly protocol: VenueProtocol;
  private readonly symbols: readonly string[];
  private readonly url: string;
  private readonly keepAliveIntervalMs: number;
  private readonly staleAfterMs: number;
  private readonly staleCheckMs: number;
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;
  private readonly closeTimeoutMs: number;
  private readonly clientOptions: WebSocket.ClientOptions;
  private readonly life = new SourceLifecycle('WebSocketSource');

  private ws: WebSocket | null = null;

  private keepAliveTimer: NodeJS.Timeout | null = null;
  private staleTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private closeTimer: NodeJS.Timeout | null = null;

  /** Bumped by every frame of any kind; the stale check compares it instead of reading a clock per frame. */
  private traffic = 0;
  private trafficSeen = 0;
  private trafficAtOpen = 0;
  private lastTrafficAt = 0;
  private lastCheckAt = 0;
  private disconnectedAt = 0;
  private backoffStep = 0;

  private textMessages = 0;
  private binaryMessages = 0;
  private connectAttempts = 0;
  private connections = 0;
  private reconnectAttempts = 0;
  private reconnects = 0;
  private staleDetections = 0;
  private keepAlivesSent = 0;
  private pongsReceived = 0;
  private pingsReceived = 0;
  private lastCloseCode = 0;

  /** @throws {InvalidArgumentError} for an unusable URL, interval or backoff curve. */
  constructor(options: WebSocketSourceOptions) {
    // The public type leaves the test seam out; the source still takes it.
    const { random }: WebSocketSourceInternalOptions = options;
    this.protocol = options.protocol;
    this.symbols = [...options.symbols];
    this.url = options.url ?? options.protocol.liveUrl(this.symbols);
    let parsed: URL;
    try {
      parsed = new URL(this.url);
    } catch (err) {
      throw new InvalidArgumentError(`not a URL: ${this.url}`, { argument: 'url', cause: err });
    }
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
      throw new InvalidArgumentError(`WebSocket URL must be ws: or wss:, got ${this.url}`, {
        argument: 'url',
      });
    }
    this.keepAliveIntervalMs = positive(
      'keepAliveIntervalMs',
      options.keepAliveIntervalMs ?? options.protocol.keepAlive.intervalMs,
    );
    this.staleAfterMs = positive('staleAfterMs', options.staleAfterMs ?? options.protocol.staleAfterMs);
    this.staleCheckMs = Math.max(1, Math.floor(this.staleAfterMs / 4));
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    validateBackoff(this.backoff);
    this.random = random ?? Math.random;
    this.closeTimeoutMs = positive('closeTimeoutMs', options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
    this.clientOptions = {
      handshakeTimeout: positive('connectTimeoutMs', options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS),
      perMessageDeflate: options.perMessageDeflate ?? false,
      maxPayload: positive('maxPayloadBytes', options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES),
      skipUTF8Validation: true,
      followRedirects: false,
    };
    this.done = this.life.done;
  }

  /** Sets the frame handler (replaces the previous one). Frames arriving before this is set are counted, not kept. */
  onMessage(handler: RawMessageHandler): void {
    this.life.setHandler(handler);
  }

  /** Adds an event listener; returns its remover. */
  onEvent(listener: SourceEventListener): () => void {
    return this.life.onEvent(listener);
  }

  /**
   * Opens the first connection; returns at once.
   * @throws {SourceStateError} when called a second time or after `stop()`.
   */
  start(): void {
    this.life.start('connecting');
    this.connect();
  }

  /** Closes the connection (close frame 1000, then a hard cut after `closeTimeoutMs`) and stops reconnecting. */
  stop(): Promise<void> {
    return this.life.stop(this.halt);
  }

  /** The first `stop()` of a started source: cancels every timer and closes the socket; `finishStop` settles. */
  private readonly halt = (): void => {
    this.clearConnectionTimers();
    if (this.reconnectTimer !== null) {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
    }
    const ws = this.ws;
    if (ws === null) {
      this.finishStop();
    } else if (ws.readyState === WebSocket.CONNECTING) {
      ws.terminate();
    } else {
      if (ws.readyState === WebSocket.OPEN) ws.close(NORMAL_CLOSURE);
      this.closeTimer = setTimeout(() => ws.terminate(), this.closeTimeoutMs);
    }
  };

  /**
   * Sends one text frame on the open connection (a resubscribe to get a fresh book snapshot); false when no
   * connection is open. Frames sent at connect time come from `protocol.subscribeMessages`, not from here.
   */
  send(frame: string): boolean {
    const ws = this.ws;
    if (ws === null || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(frame);
    return true;
  }

  /** A snapshot of the state and counters. */
  status(): WebSocketSourceStatus {
    return this.life.status({
      url: this.url,
      textMessages: this.textMessages,
      binaryMessages: this.binaryMessages,
      connectAttempts: this.connectAttempts,
      connections: this.connections,
      reconnectAttempts: this.reconnectAttempts,
      reconnects: this.reconnects,
      staleDetections: this.staleDetections,
      keepAlivesSent: this.keepAlivesSent,
      pongsReceived: this.pongsReceived,
      pingsReceived: this.pingsReceived,
      lastCloseCode: this.lastCloseCode,
    });
  }

  /** The hot path: one call per frame, no allocation, no clock read. */
  private readonly handleMessage = (data: RawData, isBinary: boolean): void => {
    // binaryType stays 'nodebuffer', so ws hands over one Buffer per frame (fragments already joined).
    const bytes = data as Buffer;
    this.traffic++;
    if (isBinary) this.binaryMessages++;
    else this.textMessages++;
    this.life.deliver(bytes);
  };

  private readonly handlePing = (): void => {
    this.traffic++;
    this.pingsReceived++;
  };

  private readonly handlePong = (): void => {
    this.traffic++;
    this.pongsReceived++;
  };

  private readonly sendKeepAlive = (): void => {
    const ws = this.ws;
    if (ws === null || ws.readyState !== WebSocket.OPEN) return;
    const keepAlive = this.protocol.keepAlive;
    if (keepAlive.kind === 'ws-ping') ws.ping();
    else ws.send(keepAlive.payload);
    this.keepAlivesSent++;
  };

  private readonly checkStale = (): void => {
    const now = performance.now();
    // Timers run before socket reads in a loop turn: after a blocked loop (GC, a slow handler, a busy
    // machine) frames may be waiting unread, so a late check gives no verdict and waits for the next one.
    const late = now - this.lastCheckAt > 2 * this.staleCheckMs;
    this.lastCheckAt = now;
    if (this.traffic !== this.trafficSeen) {
      this.trafficSeen = this.traffic;
      this.lastTrafficAt = now;
      return;
    }
    const silentMs = now - this.lastTrafficAt;
    if (late || silentMs < this.staleAfterMs || this.ws === null) return;
    this.staleDetections++;
    this.clearConnectionTimers();
    this.life.emit({ type: 'stale', silentMs: Math.round(silentMs), connection: this.connections });
    // terminate(), not close(): a dead peer would never answer the closing handshake.
    this.ws.terminate();
  };

  private readonly connect = (): void => {
    this.reconnectTimer = null;
    this.life.enter('connecting');
    this.connectAttempts++;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url, this.clientOptions);
    } catch (err) {
      this.reportConnectionError(err);
      this.scheduleReconnect(false);
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.on('open', () => {
      opened = true;
      this.handleOpen(ws);
    });
    ws.on('message', this.handleMessage);
    ws.on('ping', this.handlePing);
    ws.on('pong', this.handlePong);
    ws.on('error', (err) => {
      if (this.life.state !== 'stopping') this.reportConnectionError(err);
    });
    ws.on('close', (code, reason) => this.handleClose(ws, opened, code, reason));
  };

  private handleOpen(ws: WebSocket): void {
    if (ws !== this.ws) return;
    if (this.life.state === 'stopping') {
      ws.close(NORMAL_CLOSURE);
      return;
    }
    this.life.enter('running');
    this.connections++;
    const now = performance.now();
    this.trafficAtOpen = this.traffic;
    this.trafficSeen = this.traffic;
    this.lastTrafficAt = now;
    this.lastCheckAt = now;
    for (const frame of this.protocol.subscribeMessages(this.symbols)) ws.send(frame);
    this.keepAliveTimer = setInterval(this.sendKeepAlive, this.keepAliveIntervalMs);
    this.staleTimer = setInterval(this.checkStale, this.staleCheckMs);
    const connection = this.connections;
    this.life.emit({ type: 'connected', url: this.url, connection });
    if (connection > 1) {
      this.reconnects++;
      const downtimeMs = Math.round(now - this.disconnectedAt);
      this.life.emit({ type: 'reconnected', url: this.url, connection, downtimeMs });
    }
  }

  private handleClose(ws: WebSocket, opened: boolean, code: number, reason: Buffer): void {
    if (ws !== this.ws) return;
    this.ws = null;
    this.clearConnectionTimers();
    this.lastCloseCode = code;
    const carriedTraffic = this.traffic !== this.trafficAtOpen;
    if (opened) {
      this.disconnectedAt = performance.now();
      this.life.emit({
        type: 'disconnected',
        code,
        reason: reason.toString('utf8'),
        connection: this.connections,
        requested: this.life.state === 'stopping',
      });
    }
    if (this.life.state === 'stopping') this.finishStop();
    else this.scheduleReconnect(opened && carriedTraffic);
  }

  private scheduleReconnect(healthy: boolean): void {
    // A connection that carried frames proved the venue reachable: start the curve over.
    if (healthy) this.backoffStep = 0;
    const delayMs = fullJitterDelay(this.backoffStep, this.backoff, this.random);
    this.backoffStep++;
    this.reconnectAttempts++;
    this.life.enter('backoff');
    this.life.emit({ type: 'reconnecting', attempt: this.backoffStep, delayMs });
    // The listener may have called stop(): it must win over the timer.
    if (!this.life.stopRequested) this.reconnectTimer = setTimeout(this.connect, delayMs);
  }

  private finishStop(): void {
    if (this.closeTimer !== null) {
      clearTimeout(this.closeTimer);
      this.closeTimer = null;
    }
    this.life.settle({ reason: 'stopped' });
  }

  private clearConnectionTimers(): void {
    if (this.keepAliveTimer !== null) {
      clearInterval(this.keepAliveTimer);
      this.keepAliveTimer = null;
    }
    if (this.staleTimer !== null) {
      clearInterval(this.staleTimer);
      this.staleTimer = null;
    }
  }

  private reportConnectionError(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.life.reportError(new SourceConnectionError(`WebSocket ${this.url}: ${message}`, { cause: err }));
  }
}
