/**
 * The whole connector for one venue connection, composed and run:
 * source -> runner (the hot path) -> publisher -> transport, and runner ->
 * memory-mapped ring -> disk flusher worker -> daily record files.
 *
 * The ring file lives inside the data dir, so a restart on the same data dir
 * recovers whatever a crash left in it: the flusher writes the records that
 * never reached the disk, and skips the ones that did.
 */
import { closeSync, openSync, readSync, realpathSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { Interner, type Transport } from '@marketpipe/middleware';
import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import { checkInteger, checkNumber } from '@marketpipe/middleware/internal';
import { LatencyRecorder, type MonotonicClock } from '@marketpipe/middleware/latency';
import type { OutageBufferOptions } from '@marketpipe/middleware/transport';
import { type FlusherWorkerError, SourceConnectionError } from '../errors.js';
import {
  BINANCE_DEPTH_URL,
  type Channel,
  channelProtocol,
  venueBookDepth,
} from '../feeds/book-subscriptions.js';
import { GapDetector } from '../feeds/gap-detector.js';
import { MessageKind, nonTradeKindName } from '../feeds/message-kind.js';
import type { TradeSink, VenueName } from '../feeds/venue-feed.js';
import type { ParserBackend, VenueParser } from '../feeds/venue-parser.js';
import { createParser, venueProtocol } from '../feeds/venues.js';
import {
  type DiskFlusher,
  type FlusherStatus,
  type SpawnedFlusher,
  spawnFlusher,
} from '../flusher/disk-flusher.js';
import { checkFsyncPolicy, type FsyncPolicy } from '../flusher/fsync-policy.js';
import type { SetAsideRange } from '../flusher/record-file-writer.js';
import { DEFAULT_RECORD_FILE_EXTENSION, RECORD_FILE_MAGIC } from '../flusher/record-format.js';
import {
  applyIntakePlacement,
  type CpuPlacement,
  formatCpuList,
  type PipelineCpus,
  planCpuPlacement,
} from '../placement/cpu-placement.js';
import { Publisher } from '../publisher/publisher.js';
import { tickerToSubjectToken, validateName } from '../publisher/subject-token.js';
import { RingBuffer } from '../ring/ring-buffer.js';
import { type RingGeometry, resolveRingGeometry } from '../ring/ring-geometry.js';
import { LineReplaySource } from '../sources/line-replay-source.js';
import type { MessageSource, SourceEvent } from '../sources/message-source.js';
import { type BackoffOptions, DEFAULT_BACKOFF, validateBackoff } from '../sources/reconnect-backoff.js';
import type { SimulatorServer } from '../sources/simulator.js';
import type { WebSocketSource } from '../sources/websocket-source.js';
import { type BookCounters, BookPath, markResetRecord } from './book-path.js';
import { BookResync, type BookResyncCounters } from './book-resync.js';
import { makeWritableFolder } from './data-dir.js';
import { migrateRing } from './ring-migration.js';
import { type MessageParser, Runner, type RunnerIssue } from './runner.js';
import { acquireVenueLock, type VenueLock } from './venue-lock.js';
import { WarningAggregator, type WarningKind } from './warning-aggregator.js';

/** Where messages come from. */
export type SourceSpec =
  /** The venue's public WebSocket (`url` overrides it, e.g. a proxy). */
  | { kind: 'live'; url?: string }
  /**
   * The built-in local WebSocket simulator, at `rate` messages/s, over the real WebSocket path; `logFile` keeps
   * every frame it sent, one per line, for byte-for-byte comparison with the recording.
   */
  | { kind: 'sim'; rate: number; seed?: number; logFile?: string }
  /** A file of one raw venue message per line, or marketpipe record files (a record file or a venue folder). */
  | { kind: 'replay'; path: string; pace: 'fast' | 'recorded' };

/** A pino-compatible logger (the subset the pipeline uses). */
export interface PipelineLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Options of {@link Pipeline.start}. */
export interface PipelineOptions {
  /** The venue whose messages the source delivers: picks the parser, the book sync and the subject's venue token. */
  venue: VenueName;
  /**
   * Venue tickers as the venue spells them (`BTCUSDT`, `BTC-USD`, `BTC/USD`). Their subjects are reserved at
   * start; trades of other tickers are counted in `drops.unlistedSymbol` and not published, unless
   * `allowUnlistedSymbols`.
   */
  symbols: string[];
  /** Also publish trades of tickers not in `symbols` (on subjects no listed ticker owns); default false. */
  allowUnlistedSymbols?: boolean;
  /** Where raw messages come from: the venue live, the built-in simulator, or a replay of a file or recording. */
  source: SourceSpec;
  /** Where trades are published; the caller owns it (the pipeline never closes it). */
  transport: Transport;
  /** Subject env token, `[a-z0-9_-]{1,64}`. */
  env: string;
  /**
   * Ring file at `<dataDir>/ring/<venue>.ring`; records at `<dataDir>/<venue>/<YYYY-MM-DD>.mprec` (so a replay
   * source may not be that folder).
   */
  dataDir: string;
  /** Parser backend; default the measured fastest (the byte scanner). */
  parser?: ParserBackend;
  /**
   * The clock the runner stamps receive times with and whose wall anchor the flusher stamps records by; default
   * the process-wide `clock`.
   */
  clock?: MonotonicClock;
  /**
   * Bounded overflow used while the ring is full (defaults, as `RunnerOptions.overflow`: 100 000 messages, 64 MiB,
   * `'drop-newest'`). A replay keeps room for at least one message of any size the ring takes, whatever this says:
   * the message that finds the ring full then waits with the replay instead of being dropped.
   */
  overflow?: OutageBufferOptions;
  /**
   * Where the hot path's per-message time (ns) is recorded; default a new recorder. Give one to read, merge or
   * reset it yourself, or to take per-interval figures without resetting it (`LatencyRecorder.copyInto` and
   * `subtract`, as the `marketpipe` status line does); `status().latency` summarizes it.
   */
  latency?: LatencyRecorder;
  /** Flusher durability policy (default `{ intervalMs: 1000 }`). */
  fsync?: FsyncPolicy;
  /**
   * Ring geometry; default `DEFAULT_RING_GEOMETRY` (256 B x 65 536 slots, 16 MiB). A data dir whose ring has
   * another geometry, or an older format version, is migrated at start: the old ring is drained to the record files,
   * then replaced.
   */
  ring?: Partial<RingGeometry>;
  /** Where the pipeline logs (start, stop, aggregated warnings); default silent. */
  logger?: PipelineLogger;
  /**
   * Data-path warnings (trade id gaps, malformed, oversize and refused messages, subject collisions) are logged once
   * per symbol or cause per interval, then summed in one summary line at its end (default 10 000 ms; 1 to
   * 2^31 - 1, else {@link Pipeline.start} throws `InvalidArgumentError`).
   */
  warningIntervalMs?: number;
  /**
   * How long {@link Pipeline.stop} waits for the transport to confirm what was published (default 10 000 ms): a
   * broker that is down would otherwise hold the stop until it comes back. After that the stop goes on without it;
   * what the transport still holds is counted in `drops.transportClosed` when its owner closes it, and
   * {@link Pipeline.summary} read after that close includes it.
   */
  stopFlushTimeoutMs?: number;
  /**
   * What to carry: `trades` (the default), `books` (level-2 `BookUpdate`s on `{env}.{venue}.book.{SYMBOL}`),
   * or both. Live and simulated sources subscribe to exactly these channels.
   */
  channels?: readonly Channel[];
  /**
   * Book levels wanted per side (default 100): Kraken and Bybit are subscribed at their next allowed depth,
   * Binance's REST snapshot takes this `limit` (at most 5000); OKX `books` and Coinbase `level2_batch` have
   * fixed depths.
   */
  depth?: number;
  /** Limits of the book state and how live books resynchronize. */
  books?: BookOptions;
  /**
   * Linux: run the hot path's thread on CPUs of its own and the recorder's threads elsewhere (see
   * {@link PipelineCpus}); default: no placement, every thread where the system puts it. On a machine shared with
   * a broker and subscribers, pair it with keeping those processes off `intake` (`taskset`, cpusets).
   */
  cpus?: PipelineCpus;
}

/** Book state limits and resynchronization, for {@link PipelineOptions.books}. */
export interface BookOptions {
  /** Most levels kept per side of a kept book, or buffered per symbol (default 10 000); excess is counted. */
  maxLevels?: number;
  /** Most symbols with book state (default 1024); messages of more are counted. */
  maxSymbols?: number;
  /**
   * Binance REST depth endpoint for snapshots (default the venue's `https://api.binance.com/api/v3/depth`
   * for a live source; a simulated source fetches none unless this is given).
   */
  snapshotUrl?: string;
  /** Delay curve of repeated resyncs of one symbol (default 0.5 s doubling to 30 s, full jitter). */
  resyncBackoff?: Partial<BackoffOptions>;
  /** Binance request weight per minute the snapshots may use (default 1200 of the venue's 6000). */
  weightPerMinute?: number;
  /**
   * How often each in-sync book is published again as a snapshot, in ms (default 5 000, and 0 for a replay at
   * fast pace, whose output should not depend on the wall clock; 0 turns it off). A venue sends a symbol's snapshot
   * once, so without it a subscriber that starts after the sync has no book until the symbol's next resync. A
   * refresh carries at most `depth` levels a side (the venue's depth where it rounds up), with the sequence and
   * times of the last update applied, flagged `isRefresh`: `OrderBook` skips one at the sequence it already holds
   * and applies one when empty or behind. Costs a held copy of each book (its levels set per update: ~0.1-0.2 µs of
   * a Binance or OKX book message in the app) and one snapshot per symbol per interval on the wire; counted in
   * `books.refreshSnapshots`.
   */
  snapshotIntervalMs?: number;
}

/** The `books` section of {@link PipelineStatus}. */
export interface PipelineBookStatus extends BookCounters, BookResyncCounters {}

/** A snapshot of everything the app shows. Counters count from the pipeline's start. */
export interface PipelineStatus {
  /** `draining` from the stop request until the recorder and the transport are flushed. */
  state: 'starting' | 'running' | 'draining' | 'stopped';
  /** Milliseconds since the pipeline started. */
  uptimeMs: number;
  /** Raw messages the source delivered. */
  received: number;
  /** Their bytes. */
  bytesReceived: number;
  /** Trades published. */
  trades: number;
  /** Messages that carried no trade (acks, heartbeats, book messages, snapshots not published...). */
  nonTrade: number;
  /**
   * Non-trade messages by kind (subscribeAck, heartbeat, pong, snapshot...); they add up to `nonTrade`. Book messages
   * are `otherChannel`, with or without the trades channel (without it, so is any trade message).
   */
  nonTradeByKind: Record<string, number>;
  /** Malformed messages: recorded raw, not published, warned about aggregated. */
  parseErrors: number;
  /**
   * Trade-id sequence checks (venues with contiguous ids): gap `events`, ids `missing` (skipped and not arrived
   * late since), ids that arrived `late` (out of order; those filling a gap leave `missing`), `duplicates` (ids
   * seen before, or older than the detector's 32-id window; still published), and per symbol with gaps.
   */
  gaps: {
    events: number;
    missing: number;
    late: number;
    duplicates: number;
    bySymbol: Record<string, { events: number; missing: number }>;
  };
  /**
   * Dropped messages or trades, by cause. Every drop is counted here. `transportClosed` is the transport's
   * `dropped.closed`: it includes trades sent but not acknowledged when the connection closed, which may have
   * arrived, so it is an upper bound; like every drop it makes the run count as lossy.
   */
  drops: Record<string, number>;
  /** The hot path (`Runner.onMessage`) per message since the start, in nanoseconds: samples and percentiles. */
  latency: { count: number; p50: number; p99: number; p999: number; max: number };
  /** The ring's used fraction (0..1) and the raw messages queued in memory while it was full. */
  ring: { fill: number; overflowQueued: number };
  /** The disk flusher: its state, the records and bytes it wrote to the record files. */
  recorder: {
    state: FlusherStatus['state'];
    recordsWritten: number;
    bytesWritten: number;
    /** Bytes of damaged record-file ends cut off and kept beside their files (start-up recovery included). */
    setAsideBytes: number;
    /** The part of `setAsideBytes` whose records the ring could not write again: possibly lost. */
    unrecoveredBytes: number;
    lastError?: { code: string; message: string };
  };
  /** The transport's state, the messages it published, and those it dropped (outage overflow, closed). */
  transport: { status: 'connected' | 'reconnecting' | 'closed'; published: number; dropped: number };
  /**
   * `damagedBytes`: bytes a record-file replay skipped as damaged; `skippedLines`: lines of a line replay that
   * carried no message (empty, or without the timestamp prefix the file's other lines have: a capture's header and
   * client-sent lines); `waitedMs`: how long a replay waited in all because the recorder fell behind (see
   * `MessageSource.setBackpressure`). All 0 for live sources. `connections`: WebSocket connections that opened
   * (0 for replays); `errors`: error events of the source (failed connection attempts, dropped connections, file
   * errors), so `connections: 0` with `errors` above 0 is a venue that was never reached.
   */
  source: {
    state: string;
    reconnects: number;
    connections: number;
    errors: number;
    damagedBytes: number;
    skippedLines: number;
    waitedMs: number;
  };
  /** Trades published per venue ticker. */
  tradesPerSymbol: Record<string, number>;
  /** Present when the `books` channel is on. */
  books?: PipelineBookStatus;
  /** The CPUs the pipeline placed its threads on; present when {@link PipelineOptions.cpus} was given. */
  cpus?: CpuPlacement;
}

/** The final report of a run. */
export interface PipelineSummary extends PipelineStatus {
  /** Records on disk from this run. */
  recordsWritten: number;
  /** Messages or trades accepted but neither recorded nor published as they should have been: the sum of drops. */
  lost: number;
}

const SILENT: PipelineLogger = { info() {}, warn() {}, error() {} };
const CHANNELS: readonly Channel[] = ['trades', 'books'];
const DEFAULT_DEPTH = 100;
/** With the trade channel off the trade parser is not run at all. */
/**
 * The runner's parser in a run without the trades channel: the venue's trade parser still classifies each message,
 * so that `status().nonTradeByKind` accounts for every non-trade message (book messages are another channel to it,
 * as in a run of both channels), and publishes nothing. A trade message (the venue's trades channel is not
 * subscribed, so none is expected) is another channel here too, counted in `tradeMessages`.
 */
class ClassifyOnly implements MessageParser {
  tradeMessages = 0;
  readonly #parser: VenueParser;
  readonly #discard: TradeSink = { onTrade() {} };

  constructor(parser: VenueParser) {
    this.#parser = parser;
  }

  parse(bytes: Uint8Array, start: number, end: number): MessageKind {
    const kind = this.#parser.parse(bytes, start, end, this.#discard);
    if (kind !== MessageKind.trades) return kind;
    this.tradeMessages++;
    return MessageKind.nonTrade;
  }
}

/** The book limits, checked before the data dir is touched (the book path is built after the lock and the ring). */
function checkBookOptions(books: BookOptions | undefined): void {
  if (books === undefined) return;
  if (books.maxLevels !== undefined) checkInteger('books.maxLevels', books.maxLevels, 1);
  if (books.maxSymbols !== undefined) checkInteger('books.maxSymbols', books.maxSymbols, 1);
  if (books.snapshotIntervalMs !== undefined)
    checkInteger('books.snapshotIntervalMs', books.snapshotIntervalMs, 0);
}

/**
 * A replay of the folder the pipeline records into (`{dataDir}/{venue}`), or of a record file the recorder writes
 * there, would append a second copy of every record it reads to the files it reads: refused before anything is
 * touched. Other files and subfolders there are not the recorder's and may be replayed.
 */
function checkReplaySource(source: SourceSpec, dataDir: string, venue: VenueName): void {
  if (source.kind !== 'replay') return;
  const real = (path: string): string => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  const records = real(join(dataDir, venue));
  const replayed = real(source.path);
  if (
    replayed === records ||
    (dirname(replayed) === records && extname(replayed) === `.${DEFAULT_RECORD_FILE_EXTENSION}`)
  ) {
    throw new InvalidArgumentError(
      `source replays ${source.path}, inside this pipeline's own record folder ${records}: the replay would append a second copy of every record it reads; record into another dataDir`,
      { argument: 'source' },
    );
  }
}

/**
 * Each listed symbol once, and no two of them on one subject: `BTC.USDT` and `BTC_USDT` both map to `BTC_USDT`, and
 * the second would publish nothing all run (every trade counted in `drops.subjectCollision`).
 */
function checkSymbols(symbols: readonly string[]): void {
  const owners = new Map<string, string>();
  for (const symbol of symbols) {
    const token = tickerToSubjectToken(symbol);
    const owner = owners.get(token);
    if (owner !== undefined) {
      throw new InvalidArgumentError(
        owner === symbol
          ? `symbols lists ${symbol} twice`
          : `symbols ${owner} and ${symbol} map to one subject token (${token})`,
        { argument: 'symbols' },
      );
    }
    owners.set(token, symbol);
  }
}

function checkChannels(channels: readonly Channel[]): void {
  if (channels.length === 0 || new Set(channels).size !== channels.length) {
    throw new InvalidArgumentError(
      `channels must list trades and/or books once each, got ${channels.join(',')}`,
      { argument: 'channels' },
    );
  }
  for (const channel of channels) {
    if (!CHANNELS.includes(channel)) {
      throw new InvalidArgumentError(`unknown channel ${channel}; expected trades or books`, {
        argument: 'channels',
      });
    }
  }
}
/** Distinct unlisted tickers named in a warning each per interval; beyond that only counted, in one summary. */
const LOGGED_UNLISTED_TICKERS = 10;

function logSetAside(log: PipelineLogger, range: SetAsideRange): void {
  log.warn(
    { file: range.file, offset: range.offset, bytes: range.bytes, kind: range.kind, savedAs: range.savedAs },
    'damaged end of a record file set aside',
  );
}

const DEFAULT_WARNING_INTERVAL_MS = 10_000;
const DEFAULT_STOP_FLUSH_TIMEOUT_MS = 10_000;
/** Characters of a malformed message shown in its warning: enough to recognise it, not a whole snapshot. */
const EXCERPT_CHARS = 120;

function excerpt(message: Uint8Array | undefined): { bytes?: number; excerpt?: string } {
  if (message === undefined) return {};
  const head = Buffer.from(message.buffer, message.byteOffset, Math.min(message.length, EXCERPT_CHARS));
  return { bytes: message.length, excerpt: head.toString('latin1') };
}

function isRecordFile(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(RECORD_FILE_MAGIC.length);
    readSync(fd, head, 0, head.length, 0);
    return head.toString('latin1') === RECORD_FILE_MAGIC;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') return true;
    throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A running connector.
 *
 * @example
 * ```ts
 * import { InMemoryTransport } from '@marketpipe/middleware';
 * import { Pipeline } from '@marketpipe/connector';
 *
 * const transport = new InMemoryTransport();
 * const pipeline = await Pipeline.start({
 *   venue: 'binance', symbols: ['BTCUSDT'], source: { kind: 'sim', rate: 1000 },
 *   transport, env: 'dev', dataDir: './data',
 * });
 * setInterval(() => console.log(pipeline.status()), 1000).unref();
 * process.once('SIGINT', async () => console.log(await pipeline.stop()));
 * ```
 */
export class Pipeline {
  /**
   * Resolves when a finite source (replay) is exhausted, or once stopped; rejects with the source's error when
   * the source fails (an unreadable replay file), so a failed source is never taken for a finished one.
   */
  readonly done: Promise<void>;
  /**
   * Resolves once the recorder (the flusher worker) has recovered its position on disk and writes records out;
   * intake does not wait for it (unless a previous run left records in the ring, see {@link Pipeline.start}),
   * and records wait in the ring meanwhile. Rejects with a `FlusherWorkerError`
   * when the recorder cannot start (an unreadable day file, ...): the pipeline logs it, `status().recorder`
   * shows `'stopped'` with the error, {@link Pipeline.stop} rejects with it, and what was taken in stays in the
   * ring file for the next run (or is counted as dropped once the ring is full).
   */
  readonly recorderReady: Promise<void>;
  readonly #options: PipelineOptions;
  readonly #log: PipelineLogger;
  readonly #ring: RingBuffer;
  readonly #flusher: DiskFlusher;
  readonly #parser: VenueParser;
  /** Without the trades channel: the runner's parser, which classifies messages and publishes no trade. */
  readonly #classifyOnly: ClassifyOnly | undefined;
  readonly #interner: Interner;
  readonly #latency: LatencyRecorder;
  readonly #gaps: GapDetector;
  readonly #publisher: Publisher;
  readonly #runner: Runner;
  readonly #source: MessageSource;
  readonly #simulator: SimulatorServer | undefined;
  readonly #lock: VenueLock | undefined;
  readonly #placement: CpuPlacement | undefined;
  readonly #timers: NodeJS.Timeout[] = [];
  /** The refresh snapshots' timer (cleared first at the stop: nothing is published once it began). */
  #refreshTimer: NodeJS.Timeout | undefined;
  // Drains the runner's overflow queue every 2 ms while it holds messages; unset otherwise, so that an idle
  // pipeline's main thread sleeps (a permanent 2 ms timer woke it ~480 times a second for nothing).
  #backlogTimer: NodeJS.Timeout | undefined;
  readonly #startedAt = Date.now();
  /** Book symbols that had a snapshot at least once (a replay warns at its stop about those that never did). */
  readonly #everSynced = new Set<string>();
  readonly #warnings: WarningAggregator;
  readonly #gapWarnings: WarningKind;
  readonly #dropWarnings: WarningKind;
  readonly #malformedWarnings: WarningKind;
  readonly #collisionWarnings: WarningKind;
  readonly #unlistedWarnings: WarningKind;
  readonly #books: BookPath | undefined;
  readonly #resync: BookResync | undefined;
  readonly #bookWarnings: WarningKind;
  readonly #bookIssueWarnings: WarningKind;
  #state: PipelineStatus['state'] = 'starting';
  /** A replay is waiting for the recorder (see `#backedUp`). */
  #replayWaiting = false;
  #shutdownDropped = 0;
  #stopping: Promise<PipelineSummary> | undefined;

  private constructor(
    options: PipelineOptions,
    placement: CpuPlacement | undefined,
    ring: RingBuffer,
    flusher: DiskFlusher,
    recorderReady: Promise<void>,
    source: MessageSource,
    simulator: SimulatorServer | undefined,
    lock: VenueLock | undefined,
  ) {
    this.#options = options;
    this.#placement = placement;
    this.#lock = lock;
    this.#log = options.logger ?? SILENT;
    this.#warnings = new WarningAggregator(
      this.#log,
      options.warningIntervalMs ?? DEFAULT_WARNING_INTERVAL_MS,
    );
    this.#gapWarnings = this.#warnings.kind('trade id gap', 'symbol', 'missing');
    this.#dropWarnings = this.#warnings.kind('message or trade dropped', 'cause');
    this.#malformedWarnings = this.#warnings.kind(
      'malformed message not published (its raw bytes recorded, unless too large for the ring: see drops.oversize)',
      'venue',
    );
    this.#collisionWarnings = this.#warnings.kind('subject collision', 'subject');
    this.#unlistedWarnings = this.#warnings.kind(
      'trades of a ticker not in symbols are counted and not published',
      'ticker',
      undefined,
      LOGGED_UNLISTED_TICKERS,
    );
    this.#ring = ring;
    this.#flusher = flusher;
    this.recorderReady = recorderReady;
    // The rejection is for whoever awaits it (the CLI ends the run); an embedder that never looks must not crash.
    recorderReady.catch(() => undefined);
    this.#source = source;
    this.#simulator = simulator;
    this.#parser = createParser(options.venue, options.parser ? { backend: options.parser } : undefined);
    this.#classifyOnly = (options.channels ?? ['trades']).includes('trades')
      ? undefined
      : new ClassifyOnly(this.#parser);
    this.#interner = new Interner();
    this.#latency = options.latency ?? new LatencyRecorder();
    this.#gaps = new GapDetector({ onGap: this.#onGap });
    this.#publisher = new Publisher({
      transport: options.transport,
      env: options.env,
      venue: options.venue,
      interner: this.#interner,
      onCollision: (error) => this.#collisionWarnings.note(error.subject, 1, () => ({ err: error.message })),
      symbols: options.symbols,
      allowUnlisted: options.allowUnlistedSymbols === true,
      // Called once per ticker; the trades are counted in drops.unlistedSymbol.
      onUnlisted: (ticker) => this.#unlistedWarnings.note(ticker, 1),
    });
    this.#bookWarnings = this.#warnings.kind(
      'book out of sync, not published until its next snapshot',
      'symbol',
    );
    this.#bookIssueWarnings = this.#warnings.kind('book update not published', 'symbol');
    const channels = options.channels ?? ['trades'];
    if (channels.includes('books')) {
      const venueDepth = venueBookDepth(options.venue, options.depth ?? DEFAULT_DEPTH);
      // `start` gives live and simulated sources a WebSocket, which can resubscribe.
      const socket = options.source.kind === 'replay' ? undefined : (source as WebSocketSource);
      const snapshotUrl =
        options.books?.snapshotUrl ?? (options.source.kind === 'live' ? BINANCE_DEPTH_URL : undefined);
      if (socket !== undefined && (options.venue !== 'binance' || snapshotUrl !== undefined)) {
        const backoff = { ...DEFAULT_BACKOFF, ...options.books?.resyncBackoff };
        validateBackoff(backoff, 'books.resyncBackoff');
        this.#resync = new BookResync({
          venue: options.venue,
          venueDepth,
          send: (frame) => socket.send(frame),
          deliver: (record) => this.#runner.onMessage(record),
          snapshotUrl: snapshotUrl ?? BINANCE_DEPTH_URL,
          backoff,
          ...(options.books?.weightPerMinute !== undefined
            ? { weightPerMinute: options.books.weightPerMinute }
            : {}),
          onError: (symbol, error) =>
            this.#bookIssueWarnings.note(symbol, 1, () => ({ cause: 'snapshotRequest', err: error.message })),
        });
      }
      // A fast replay is a batch job whose output should not depend on the wall clock: no refreshes unless asked.
      const refreshIntervalMs =
        options.books?.snapshotIntervalMs ??
        (options.source.kind === 'replay' && options.source.pace === 'fast' ? 0 : undefined);
      this.#books = new BookPath({
        venue: options.venue,
        env: options.env,
        transport: options.transport,
        symbols: options.symbols,
        allowUnlisted: options.allowUnlistedSymbols === true,
        venueDepth,
        ...(options.books?.maxLevels !== undefined ? { maxLevels: options.books.maxLevels } : {}),
        ...(options.books?.maxSymbols !== undefined ? { maxSymbols: options.books.maxSymbols } : {}),
        ...(refreshIntervalMs !== undefined ? { snapshotIntervalMs: refreshIntervalMs } : {}),
        // Coinbase sends whole books: a refresh carries the depth asked for.
        refreshDepth: venueDepth > 0 ? venueDepth : (options.depth ?? DEFAULT_DEPTH),
        onOutOfSync: (symbol, reason) => {
          // Waiting for the first snapshot is routine, live and in a replay alike: a recording's depth events
          // usually come before the snapshot taken for them. A replay that never brings one is told at its stop.
          if (reason !== 'noSnapshot') this.#bookWarnings.note(symbol, 1, () => ({ reason }));
          this.#resync?.request(symbol, reason);
        },
        onSnapshot: (symbol) => {
          this.#everSynced.add(symbol);
          this.#resync?.satisfied(symbol);
        },
        onIssue: (cause, symbol, error) =>
          this.#bookIssueWarnings.note(symbol, 1, () => ({
            cause,
            err: error instanceof Error ? error.message : String(error),
          })),
      });
    }
    this.#runner = new Runner({
      parser: this.#classifyOnly ?? this.#parser,
      ...(this.#books !== undefined ? { books: this.#books } : {}),
      publisher: this.#publisher,
      interner: this.#interner,
      ring,
      flusher,
      gaps: this.#gaps,
      latency: this.#latency,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.overflow ? { overflow: replayOverflow(options.overflow, options.source.kind, ring) } : {}),
      onIssue: this.#onIssue,
      onBacklog: this.#onBacklog,
      // A fast replay delivers a read chunk's lines in one task: its records are committed a batch at a time. A
      // live feed's message (and a paced replay's) has its record committed before its trades are published.
      batchCommits: options.source.kind === 'replay' && options.source.pace === 'fast',
    });
    source.onMessage(this.#runner.onMessage);
    source.setBackpressure?.(this.#backedUp);
    source.onEvent(this.#onSourceEvent);
    this.done = source.done.then((end) => {
      if (end.reason === 'error')
        throw end.error ?? new SourceConnectionError(`${options.source.kind} source failed`);
    });
    // The rejection is for whoever awaits `done`; an embedder that never looks must not crash on it.
    this.done.catch(() => undefined);
  }

  /**
   * Opens (or recovers) the ring, starts the flusher worker, connects the
   * source and starts the flow.
   *
   * @throws InvalidNameError for a bad env or venue; InvalidArgumentError for a bad option (two `symbols` on one
   *   subject among them); DataDirNotWritableError when the data dir is read-only;
   *   VenueLockedError when another process writes this venue in this data dir; RingGeometryError when the
   *   geometry is invalid, or the ring file has another one and could not be drained for the migration
   *   (RingFormatError when its format alone is older). A
   *   flusher that cannot start is reported through {@link Pipeline.recorderReady}, not here: intake starts
   *   while its worker boots. Except after a crash: when the ring holds records a previous run left unwritten,
   *   start waits for the worker's recovery (and rejects with its `FlusherWorkerError`), so a run that is
   *   killed again and again early still gets what is in the ring to disk before taking in more.
   */
  static async start(options: PipelineOptions): Promise<Pipeline> {
    validateName('env', options.env);
    validateName('venue', options.venue);
    // One timer: beyond its limit Node would fire it at once.
    if (options.stopFlushTimeoutMs !== undefined)
      checkNumber('stopFlushTimeoutMs', options.stopFlushTimeoutMs, 0, 2 ** 31 - 1);
    // The interval of a timer that flushes the warning summaries: 0, NaN or a value past Node's timer limit would
    // fire it every millisecond, one log line per symbol each time.
    if (options.warningIntervalMs !== undefined)
      checkNumber('warningIntervalMs', options.warningIntervalMs, 1, 2 ** 31 - 1);
    // Before the lock and the ring: a bad policy must leave the data dir as it was.
    if (options.fsync !== undefined) checkFsyncPolicy(options.fsync);
    // Checked (against this thread's CPUs) before anything is touched; applied once the data dir is locked.
    const placement = options.cpus === undefined ? undefined : planCpuPlacement(options.cpus);
    const channels = options.channels ?? ['trades'];
    checkChannels(channels);
    checkSymbols(options.symbols);
    checkReplaySource(options.source, options.dataDir, options.venue);
    checkBookOptions(options.books);
    const protocol = channelProtocol(venueProtocol(options.venue), channels, options.depth ?? DEFAULT_DEPTH);
    const dataDir = resolve(options.dataDir);
    makeWritableFolder(join(dataDir, 'ring'));
    // Taken before the ring is touched: a second writer would corrupt it, and its recovery would steal records.
    const lock = await acquireVenueLock(dataDir, options.venue);
    if (lock === undefined) {
      options.logger?.warn(
        { platform: process.platform },
        'no data-dir lock on this platform: never run two connectors on one data dir and venue',
      );
    }
    const ringPath = join(dataDir, 'ring', `${options.venue}.ring`);
    let geometry: RingGeometry;
    let ring: RingBuffer;
    try {
      // Checked before a migration drains anything.
      geometry = resolveRingGeometry(ringPath, options.ring);
      const migration = await migrateRing({
        ringPath,
        geometry,
        dataDir,
        venue: options.venue,
        ...(options.fsync ? { fsync: options.fsync } : {}),
        ...(options.clock ? { clock: options.clock } : {}),
      });
      if (migration !== undefined) options.logger?.info({ ...migration }, 'ring migrated');
      ring = RingBuffer.open(ringPath, geometry);
    } catch (error) {
      await lock?.release();
      throw error;
    }
    const log = options.logger ?? SILENT;
    // The worker boots on its own thread (tens of milliseconds) while this one builds the source and starts
    // intake: records wait in the ring (a file) until it has recovered. It tells a recreated ring by the ring's
    // end as claimed here, before any write. See docs/design/startup.md.
    let spawned: SpawnedFlusher;
    let leftInRing = false;
    try {
      if (placement !== undefined) {
        // libuv starts its thread pool at the first task: one task now makes the pool exist before the placement
        // moves it off the intake CPUs (started later, it would inherit them and read a replay's chunks there).
        await access(dataDir);
        // Before the spawn: the worker inherits the intake CPUs and moves itself to the recorder's first thing at
        // boot. The other way round, this could move the worker off CPUs it had just given itself.
        applyIntakePlacement(placement);
      }
      const ringEnd = ring.claimProducer();
      leftInRing = ringEnd > ring.nextReadSequence;
      spawned = spawnFlusher(
        {
          ...(placement !== undefined ? { cpus: placement.recorder } : {}),
          ringPath,
          ringGeometry: geometry,
          dataDir,
          venue: options.venue,
          ...(options.fsync ? { fsync: options.fsync } : {}),
          ...(options.clock ? { clock: options.clock } : {}),
          onSetAside: (range) => logSetAside(log, range),
        },
        ringEnd,
      );
    } catch (error) {
      ring.close();
      await lock?.release();
      throw error;
    }
    const flusher = spawned.flusher;
    let simulator: SimulatorServer | undefined;
    try {
      let source: MessageSource;
      const spec = options.source;
      if (spec.kind === 'replay') {
        source = isRecordFile(spec.path)
          ? new (await import('../sources/record-replay-source.js')).RecordReplaySource({
              path: spec.path,
              pace: spec.pace,
            })
          : new LineReplaySource({ path: spec.path, pace: spec.pace });
      } else {
        // `ws` and the simulator load only for the sources that use them.
        let url = spec.kind === 'live' ? spec.url : undefined;
        if (spec.kind === 'sim') {
          const books = channels.includes('books');
          const simDepth = books ? venueBookDepth(options.venue, options.depth ?? DEFAULT_DEPTH) : 0;
          const { SimulatorServer } = await import('../sources/simulator.js');
          simulator = new SimulatorServer({
            protocol,
            symbols: options.symbols,
            messagesPerSecond: spec.rate,
            ...(spec.seed !== undefined ? { seed: spec.seed } : {}),
            // Coinbase's depth 0 means its whole book: the simulator keeps its own default there.
            ...(books ? { books: simDepth > 0 ? { depth: simDepth } : {} } : {}),
            // A venue sends trades only to a client that subscribed to them.
            trades: channels.includes('trades'),
            log: { maxEntries: 0, ...(spec.logFile ? { file: spec.logFile } : {}) },
          });
          url = await simulator.start();
          if (books && options.venue === 'binance') {
            // Binance names its streams in the URL and serves the snapshot over REST: both from the simulator.
            const live = new URL(protocol.liveUrl(options.symbols));
            url = `${url}${live.pathname.slice(1)}${live.search}`;
            options = {
              ...options,
              books: {
                ...options.books,
                snapshotUrl: options.books?.snapshotUrl ?? `${simulator.httpUrl}/api/v3/depth`,
              },
            };
          }
        }
        const { WebSocketSource } = await import('../sources/websocket-source.js');
        source = new WebSocketSource({ protocol, symbols: options.symbols, ...(url ? { url } : {}) });
      }
      // Records a crashed run left in the ring go to disk before intake: otherwise a process killed early run
      // after run (before its worker ever writes) fills the ring for good and every later message overflows.
      if (leftInRing) await spawned.ready;
      const recorderReady = spawned.ready.then(
        (recovery) => {
          // Intake starts before this (the ring holds what arrives meanwhile): the line tells an operator when
          // records began reaching disk, and what the recovery found.
          log.info(
            { ringReset: recovery.ringReset, rewrittenFromRing: recovery.rewrittenFromRing },
            'recorder ready',
          );
          for (const range of recovery.setAside) logSetAside(log, range);
          for (const damage of recovery.damage) {
            log.warn(
              { file: damage.file, offset: damage.offset, bytes: damage.bytes, kind: damage.kind },
              'record file has damaged bytes before intact blocks; left in place (readers skip and report them)',
            );
          }
        },
        (error: FlusherWorkerError) => {
          log.error(
            { code: error.code, err: error.message },
            'recorder failed to start: nothing is written to disk; records stay in the ring for the next run',
          );
          throw error;
        },
      );
      const pipeline = new Pipeline(
        { ...options, dataDir },
        placement,
        ring,
        flusher,
        recorderReady,
        source,
        simulator,
        lock,
      );
      pipeline.#run();
      return pipeline;
    } catch (error) {
      await simulator?.stop();
      await flusher.stop().catch(() => undefined);
      ring.close();
      await lock?.release();
      throw error;
    }
  }

  /** A snapshot of the counters; cheap enough to call every second. */
  status(): PipelineStatus {
    const counters = this.#runner.counters();
    const flusher = this.#flusher.status();
    const transport = this.#options.transport.counters();
    const latency = this.#latency.summary();
    const source = this.#source.status() as ReturnType<MessageSource['status']> & {
      reconnects?: number;
      connections?: number;
      damagedBytes?: number;
      emptyLines?: number;
      unprefixedLines?: number;
      pausedMs?: number;
    };
    const nonTradeByKind: Record<string, number> = {};
    this.#parser.nonTradeCounts().forEach((count, kind) => {
      if (count > 0) nonTradeByKind[nonTradeKindName(kind as never)] = count;
    });
    const ignoredTrades = this.#classifyOnly?.tradeMessages ?? 0;
    if (ignoredTrades > 0) nonTradeByKind.otherChannel = (nonTradeByKind.otherChannel ?? 0) + ignoredTrades;
    const tradesPerSymbol: Record<string, number> = {};
    this.#runner.tradesByTicker.forEach((count, id) => {
      if (count > 0) tradesPerSymbol[this.#interner.resolve(id)] = count;
    });
    const bySymbol: Record<string, { events: number; missing: number }> = {};
    // Interned ids are dense: the symbols with a gap are those the detector counted one for.
    for (let id = 0; id < this.#interner.size; id++) {
      const events = this.#gaps.gapCount(id);
      if (events > 0) bySymbol[this.#interner.resolve(id)] = { events, missing: this.#gaps.missingCount(id) };
    }
    const transportDropped = transport.dropped.outageOverflow + transport.dropped.closed;
    return {
      state: this.#state,
      uptimeMs: Date.now() - this.#startedAt,
      received: counters.received,
      bytesReceived: counters.bytesReceived,
      trades: counters.trades,
      nonTrade: counters.nonTrade,
      nonTradeByKind,
      parseErrors: counters.parseErrors,
      gaps: {
        events: this.#gaps.totalGaps,
        missing: this.#gaps.totalMissing,
        late: this.#gaps.totalLate,
        duplicates: this.#gaps.totalDuplicates,
        bySymbol,
      },
      drops: {
        ...counters.drops,
        shutdownOverflow: this.#shutdownDropped,
        transportOutage: transport.dropped.outageOverflow,
        transportClosed: transport.dropped.closed,
      },
      latency: {
        count: latency.count,
        p50: latency.p50,
        p99: latency.p99,
        p999: latency.p999,
        max: latency.max,
      },
      ring: { fill: this.#ring.fill(), overflowQueued: counters.overflowQueued },
      recorder: {
        state: flusher.state,
        recordsWritten: flusher.recordsWritten,
        bytesWritten: flusher.bytesWritten,
        setAsideBytes: flusher.setAsideBytes,
        unrecoveredBytes: flusher.unrecoveredBytes,
        ...(flusher.lastError ? { lastError: flusher.lastError } : {}),
      },
      transport: {
        status: this.#options.transport.status,
        published: transport.published,
        dropped: transportDropped,
      },
      source: {
        state: source.state,
        reconnects: source.reconnects ?? 0,
        connections: source.connections ?? 0,
        errors: source.errors,
        damagedBytes: source.damagedBytes ?? 0,
        skippedLines: (source.emptyLines ?? 0) + (source.unprefixedLines ?? 0),
        waitedMs: source.pausedMs ?? 0,
      },
      tradesPerSymbol,
      ...(this.#books !== undefined
        ? {
            books: {
              ...this.#books.counters(),
              ...(this.#resync?.counters() ?? { snapshotRequests: 0, snapshotErrors: 0, resubscribes: 0 }),
            },
          }
        : {}),
      ...(this.#placement !== undefined
        ? { cpus: { intake: [...this.#placement.intake], recorder: [...this.#placement.recorder] } }
        : {}),
    };
  }

  /**
   * Stops intake, moves what waits in the overflow queue into the ring, lets
   * the flusher drain the ring and flush, then flushes the transport for at
   * most `stopFlushTimeoutMs` (it stays open: the caller owns it). Idempotent.
   */
  stop(): Promise<PipelineSummary> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<PipelineSummary> {
    this.#state = 'draining';
    clearInterval(this.#refreshTimer);
    this.#resync?.stop();
    await this.#source.stop();
    await this.#simulator?.stop();
    const replayStatus = this.#source.status() as { format?: unknown };
    if (
      this.#options.source.kind === 'replay' &&
      this.#options.source.pace === 'recorded' &&
      replayStatus.format === 'raw'
    ) {
      this.#log.warn(
        { path: this.#options.source.path },
        'pace recorded had no effect: the file has no receive timestamps, so it was replayed at fast pace',
      );
    }
    const neverSynced =
      this.#options.source.kind === 'replay'
        ? (this.#books?.waiting() ?? []).filter((symbol) => !this.#everSynced.has(symbol))
        : [];
    if (neverSynced.length > 0) {
      this.#log.warn(
        {
          symbols: neverSynced,
          hint: 'the replay held no snapshot for them; their updates are counted in books.unsynced',
        },
        'books never synced in this replay',
      );
    }
    for (const timer of this.#timers) clearInterval(timer);
    clearInterval(this.#backlogTimer);
    this.#warnings.flush();
    const deadline = Date.now() + 30_000;
    // A recorder that stopped (failed) frees no slot: waiting for it would only delay the exit by the deadline.
    while (this.#runner.drainOverflow() > 0 && Date.now() < deadline && this.#flusher.state !== 'stopped') {
      await new Promise((r) => setTimeout(r, 1));
    }
    this.#shutdownDropped = this.#runner.overflowQueued;
    if (this.#shutdownDropped > 0) {
      this.#log.error({ messages: this.#shutdownDropped }, 'overflow queue not drained at shutdown');
    }
    // A recorder that failed (at start or later) still lets the rest shut down: what was published is flushed,
    // the ring keeps its unwritten records in the file, and the lock is released; then its error is thrown.
    let recorderFailure: { error: unknown } | undefined;
    try {
      await this.#flusher.stop();
    } catch (error) {
      recorderFailure = { error };
    }
    // A closed transport has counted what it dropped; an open one that confirmed everything holds nothing more.
    const transportSettled = this.#options.transport.status === 'closed' || (await this.#flushTransport());
    this.#ring.close();
    await this.#lock?.release();
    this.#state = 'stopped';
    if (recorderFailure !== undefined) throw recorderFailure.error;
    const summary = this.summary();
    const counts = { received: summary.received, trades: summary.trades };
    if (transportSettled) this.#log.info({ ...counts, lost: summary.lost }, 'pipeline stopped');
    // Not a final loss count: the trades the transport still holds are counted when its owner closes it.
    else
      this.#log.info(
        { ...counts, lostSoFar: summary.lost },
        'pipeline stopped; the transport still holds unconfirmed trades, counted as lost when it is closed',
      );
    return summary;
  }

  /**
   * The run's report: {@link status} with the records written and everything lost. {@link stop} returns it;
   * read it again after closing the transport, whose close counts what it still held (an outage's buffer,
   * messages never acknowledged) in `drops.transportClosed`.
   */
  summary(): PipelineSummary {
    const status = this.status();
    const lost = Object.values(status.drops).reduce((sum, n) => sum + n, 0);
    return { ...status, recordsWritten: status.recorder.recordsWritten, lost };
  }

  /**
   * Waits for the transport's flush at most `stopFlushTimeoutMs`: a broker that is down must not hold the stop.
   * True when the transport confirmed everything published.
   */
  async #flushTransport(): Promise<boolean> {
    const transport = this.#options.transport;
    const timeoutMs = this.#options.stopFlushTimeoutMs ?? DEFAULT_STOP_FLUSH_TIMEOUT_MS;
    const flushed = transport.flush().then(() => true);
    // Given up on, the flush settles when the owner closes the transport (rejected, as a closed flush is).
    flushed.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      if (await Promise.race([flushed, timedOut])) return true;
    } catch (error) {
      // Closed under the flush (nats.js gave up reconnecting): its counters hold what it dropped. The stop goes on,
      // so that the ring is closed and the data dir's lock released.
      const err = error instanceof Error ? error.message : String(error);
      this.#log.warn({ err, transport: transport.status }, 'the transport failed its flush at stop');
      return transport.status === 'closed';
    } finally {
      clearTimeout(timer);
    }
    this.#log.warn(
      { timeoutMs, transport: transport.status },
      'the transport did not confirm what was published before the stop timeout; what it still holds counts as lost when it closes',
    );
    return false;
  }

  #run(): void {
    this.#state = 'running';
    this.#timers.push(setInterval(() => this.#runner.tick(), 1000).unref());
    this.#timers.push(setInterval(() => this.#warnings.flush(), this.#warnings.intervalMs).unref());
    const books = this.#books;
    if (books !== undefined && books.snapshotIntervalMs > 0) {
      const intervalMs = books.snapshotIntervalMs;
      // Ten checks an interval (within 50 ms to 1 s), each publishing at most twice its share of the books, so
      // symbols that synced together spread their refreshes over the interval instead of one burst.
      const tickMs = Math.min(1_000, Math.max(50, Math.round(intervalMs / 10)));
      this.#refreshTimer = setInterval(() => {
        if (books.heldBooks === 0) return;
        const share = Math.ceil((books.heldBooks * tickMs) / intervalMs);
        books.publishDueSnapshots(performance.now(), Math.max(1, 2 * share));
      }, tickMs).unref();
    }
    this.#source.start();
    this.#log.info(
      {
        venue: this.#options.venue,
        symbols: this.#options.symbols,
        source: this.#options.source.kind,
        ...(this.#placement !== undefined
          ? {
              intakeCpus: formatCpuList(this.#placement.intake),
              recorderCpus: formatCpuList(this.#placement.recorder),
            }
          : {}),
      },
      'pipeline started',
    );
  }

  /**
   * A replay's backpressure (live sources ignore it). It holds a replay back from the first message the ring could
   * not take (the recorder is slower than the file), and until the runner's overflow queue is empty and the ring at
   * most half full, so the replay then runs a while before its next wait. Without it a fast replay filled the
   * overflow queue and dropped the rest (658 481 of 1M messages with a 64 KiB ring). A recorder retrying a failed
   * write holds the replay too (it retries until the disk recovers, and `status()` shows why the replay waits); one
   * that stopped (failed to start, or failed for good) lets it go on, into the overflow queue and counted drops, as
   * a live source does.
   */
  readonly #backedUp = (): boolean => {
    if (!this.#replayWaiting) {
      if (!this.#runner.backlogged || this.#flusher.state === 'stopped') return false;
      this.#replayWaiting = true;
      return true;
    }
    // Asked every millisecond while waiting: move what is queued into the freed slots (this wakes the flusher).
    this.#runner.drainOverflow();
    if (this.#flusher.state !== 'stopped' && (this.#runner.overflowQueued > 0 || this.#ring.fill() > 0.5)) {
      return true;
    }
    this.#replayWaiting = false;
    return false;
  };

  readonly #onBacklog = (): void => {
    // Once stopping, `#stop` drains the queue itself.
    if (this.#backlogTimer !== undefined || this.#state === 'draining' || this.#state === 'stopped') return;
    this.#backlogTimer = setInterval(this.#drainBacklog, 2).unref();
  };

  readonly #drainBacklog = (): void => {
    if (this.#runner.drainOverflow() > 0) return;
    clearInterval(this.#backlogTimer);
    this.#backlogTimer = undefined;
  };

  readonly #onGap = (
    tickerId: number,
    firstMissing: number,
    missing: number,
    acrossReconnect: boolean,
  ): void => {
    this.#gapWarnings.note(this.#interner.resolve(tickerId), missing, () => ({
      firstMissing,
      acrossReconnect,
    }));
  };

  readonly #onIssue = (issue: RunnerIssue): void => {
    if (issue.cause === 'malformed') {
      this.#malformedWarnings.note(this.#options.venue, 1, () => excerpt(issue.message));
      return;
    }
    this.#dropWarnings.note(issue.cause, 1, () => ({
      ...(issue.error === null
        ? {}
        : { err: issue.error instanceof Error ? issue.error.message : String(issue.error) }),
      ...excerpt(issue.message),
    }));
  };

  readonly #onSourceEvent = (event: SourceEvent): void => {
    switch (event.type) {
      case 'reconnected':
        this.#gaps.onReconnect();
        // The new subscription brings fresh snapshots (Binance: a new REST one); the old state is void. Said
        // through a record, so that a replay of the recording voids it at the same point.
        if (this.#books !== undefined) this.#runner.onMessage(markResetRecord(this.#options.venue));
        this.#log.warn({ url: event.url, downtimeMs: event.downtimeMs }, 'source reconnected');
        break;
      case 'error':
        this.#log.error({ err: event.error.message }, 'source error');
        break;
      case 'stale':
        this.#log.warn({ silentMs: event.silentMs }, 'stale connection');
        break;
      case 'disconnected':
        // A close we asked for is routine; warn only when the venue or the network hung up.
        if (event.requested) this.#log.info({ code: event.code }, 'source disconnected');
        else this.#log.warn({ code: event.code, reason: event.reason }, 'source disconnected');
        break;
      case 'damage':
        this.#log.warn(
          { file: event.file, ranges: event.ranges, bytes: event.bytes },
          'replay skipped damaged bytes in a record file',
        );
        break;
      default:
        this.#log.info({ event: event.type }, 'source event');
    }
  };
}

/** A replay's overflow bounds: room for at least the one message that finds the ring full (see `#backedUp`). */
function replayOverflow(
  overflow: OutageBufferOptions,
  source: PipelineOptions['source']['kind'],
  ring: RingBuffer,
): OutageBufferOptions {
  if (source !== 'replay') return overflow;
  return {
    ...overflow,
    ...(overflow.maxMessages !== undefined ? { maxMessages: Math.max(1, overflow.maxMessages) } : {}),
    ...(overflow.maxBytes !== undefined ? { maxBytes: Math.max(ring.maxRecordSize, overflow.maxBytes) } : {}),
  };
}
