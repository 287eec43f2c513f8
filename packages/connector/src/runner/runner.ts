/**
 * The design's runner: the hot path, top to bottom, for one venue connection.
 *
 * Per message: take the receive time from the clock, hand the raw bytes with it
 * to the ring (or, when the ring is full, to the bounded overflow queue), then
 * parse the trades straight from the bytes, intern each ticker from its bytes,
 * and publish each trade as Cap'n Proto. Nothing here allocates per message in
 * steady state, and nothing blocks: the disk is the flusher worker's business.
 */
import { type Clock, clock as defaultClock, type Interner, type WallParts } from '@marketpipe/middleware';
import { DOUBLE_FIELD, doubleArray, OutageBuffer } from '@marketpipe/middleware/internal';
import { InternerFullError, type LatencyRecorder } from '@marketpipe/middleware/latency';
import type { OutageBufferOptions } from '@marketpipe/middleware/transport';
import { RecordTooLargeError, type RingFormatError, TradeTextTooLongError } from '../errors.js';
import type { TradeIdRange } from '../feeds/gap-detector.js';
import { MessageKind } from '../feeds/message-kind.js';
import type { ParsedTrade, TradeSink } from '../feeds/venue-feed.js';
import type { Publisher } from '../publisher/publisher.js';
import type { RingBuffer } from '../ring/ring-buffer.js';
import { RING_FORMAT_VERSION, readOnlyRingError } from '../ring/ring-header.js';
import type { BookMessageSink } from './book-path.js';

/** The ring's used fraction from which a long burst wakes the flusher rather than wait for its poll. */
const WAKE_FILL = 0.25;
/** With {@link RunnerOptions.batchCommits}, a synchronous burst commits its staged records at least this often. */
const COMMIT_EVERY = 64;

/** What the runner needs from a venue parser: one call per message, trades to the sink. */
export interface MessageParser {
  parse(bytes: Uint8Array, start: number, end: number, sink: TradeSink): MessageKind;
}

/** Observes each trade's id range for gaps (the feeds' `GapDetector`). */
export interface TradeIdObserver {
  observeRange(tickerId: number, range: TradeIdRange): unknown;
}

/** The part of the disk flusher the runner touches: a cheap wake-up after a ring write. */
export interface FlusherWake {
  /** Wakes the flusher now if it naps (`DiskFlusher.notify`). */
  notify(): void;
  /**
   * True while the flusher is idle and naps long (`DiskFlusher.idle`): the runner then calls {@link notify} once,
   * from a 1 ms timer (after the message's publish has gone out), for the record it just wrote. Read after every
   * record; leave it out when the flusher polls on its own.
   */
  readonly idle?: boolean;
}

/** Everything the runner composes. */
export interface RunnerOptions {
  parser: MessageParser;
  publisher: Publisher;
  interner: Interner;
  ring: RingBuffer;
  /**
   * Woken only when the ring is filling up (checked every `slotCount / 16` ring writes: a quarter full) or full,
   * and 1 ms after the first record that finds it {@link FlusherWake.idle}; otherwise the flusher finds records by
   * its own poll (`DiskFlusherOptions.idleWaitMs`, 1 ms by default). A wake per message or per event-loop turn put
   * the flusher's work in step with each message's way to the broker, and even a wake every `slotCount / 16` writes
   * stalled that write for up to ~50 µs: docs/design/latency-tail.md.
   */
  flusher?: FlusherWake;
  /** Trade-id gap detection. */
  gaps?: TradeIdObserver;
  /** Hot-path latency per message, in ns. */
  latency?: LatencyRecorder;
  clock?: Clock;
  /**
   * The bounded queue that holds raw messages while the ring is full (default 100 000 messages, 64 MiB,
   * `drop-newest`: keep the earliest data, so the recording has one gap rather than many).
   */
  overflow?: OutageBufferOptions;
  /**
   * Slow-lane reports (malformed or oversize messages, interner full, encode errors); never called per healthy
   * message. Called per bad message, so the receiver must aggregate rather than log each one.
   */
  onIssue?: (issue: RunnerIssue) => void;
  /**
   * Called when a message finds the ring full and the overflow queue empty, and the queue keeps it: the recorder
   * is behind. Call {@link Runner.drainOverflow} often from then on, until it returns 0; messages that arrive
   * meanwhile drain it too, so a timer matters only once they stop. `Pipeline` arms a 2 ms timer here, and none
   * while the queue is empty (an idle process then never wakes for it).
   */
  onBacklog?: () => void;
  /**
   * The book path: every message the parser did not take as trades goes here too, with its receive time.
   * Absent (the default), the trade path is all there is.
   */
  books?: BookMessageSink;
  /**
   * Commit the raw messages to the ring in batches instead of one by one: each is staged
   * ({@link RingBuffer.stage}) and they are committed together at the end of the task that delivered them (a
   * microtask), every 64 messages in a longer synchronous burst, and before the runner wakes the flusher or queues
   * for a full ring. One atomic store a batch instead of one a message (~20 ns a message, -2.2% of a 1M-trade
   * replay's wall; docs/design/ring-buffer.md, "Staged records"). For sources that deliver many messages a task:
   * the pipeline sets it for a replay at fast pace. The cost: a process killed (SIGKILL, OOM) loses the records staged since the last
   * commit, whose trades may have been published already; without it, a message's record is committed before its
   * trades are published. Call {@link Runner.commitRecords} before stopping the flusher or exiting in the same
   * task. Default false.
   */
  batchCommits?: boolean;
}

/** A problem the runner counted and skipped. */
export interface RunnerIssue {
  cause: 'malformed' | 'oversize' | 'ringOverflow' | 'internerFull' | 'invalidTicker' | 'publishError';
  /**
   * What went wrong; `null` for `malformed` (the parser only classifies) and `ringOverflow` (the ring was full and
   * the overflow queue's policy dropped a message: this one, or with `drop-oldest` the oldest queued one).
   */
  error: unknown;
  /** The raw message at fault, for `malformed` and `oversize`; valid only during the call (the source reuses it). */
  message?: Uint8Array;
}

/** Counters of a {@link Runner}; every drop is counted by cause. */
export interface RunnerCounters {
  received: number;
  bytesReceived: number;
  /** Trades published. */
  trades: number;
  /** Messages the parser classified as non-trade (acks, heartbeats, snapshots...). */
  nonTrade: number;
  /** Malformed messages (recorded raw, not published). */
  parseErrors: number;
  /** Messages written to the ring (directly or from the overflow queue). */
  recorded: number;
  drops: {
    /** Raw messages dropped by the overflow policy while the ring was full. */
    ringOverflow: number;
    /** Raw messages larger than the ring's largest record (their trades are still published). */
    oversize: number;
    /** Trades of a ticker whose subject belongs to another ticker. */
    subjectCollision: number;
    /** Trades of a ticker not among the publisher's `symbols` (when unlisted tickers are refused). */
    unlistedSymbol: number;
    /** Trades of a new ticker refused because the interner is full. */
    internerFull: number;
    /** Trades whose ticker the interner refused (invalid UTF-8). */
    invalidTicker: number;
    /** Trades the encoder or transport refused (invalid field, transport closed...). */
    publishError: number;
  };
  /** Messages waiting in the overflow queue. */
  overflowQueued: number;
}

/**
 * Bytes in -> raw bytes in the ring + trades published.
 *
 * @example
 * ```ts
 * const runner = new Runner({ parser, publisher, interner, ring, flusher });
 * source.onMessage(runner.onMessage); // bound: pass it directly as the source's handler
 * setInterval(() => runner.tick(), 1000);
 * ```
 */
export class Runner implements TradeSink {
  readonly #parser: MessageParser;
  readonly #publisher: Publisher;
  readonly #interner: Interner;
  readonly #ring: RingBuffer;
  readonly #flusher: FlusherWake | undefined;
  readonly #gaps: TradeIdObserver | undefined;
  readonly #latency: LatencyRecorder | undefined;
  readonly #clock: Clock;
  // The receive time of the current message: its monotonic stamp in, its wall time out (the clock's one anchor).
  readonly #wall: WallParts = { mono: 0.5, ms: 0, subMsNanos: 0 };
  // Each queued message keeps its receive time: the ring record written later carries it.
  readonly #overflow: OutageBuffer<WallParts>;
  readonly #onIssue: ((issue: RunnerIssue) => void) | undefined;
  readonly #onBacklog: (() => void) | undefined;
  readonly #books: BookMessageSink | undefined;
  readonly #idScratch = new Uint8Array(1024);
  readonly #utf8 = new TextEncoder();
  // Doubles for good, as the counters below.
  readonly #tradesByTicker: number[] = doubleArray();
  // The last message the ring was asked to take went to the overflow queue (or was dropped by it).
  #backlogged = false;
  // Records written since the flusher was last woken.
  #unsignalled = 0;
  // batchCommits, and whether a microtask to commit the staged records is queued.
  readonly #batchCommits: boolean;
  #commitQueued = false;
  // A wake of an idle flusher is queued on #idleWakeTimer (made at the first, then re-armed).
  #idleWakeQueued = false;
  #idleWakeTimer: NodeJS.Timeout | undefined;
  readonly #wakeAfter: number;

  // The per-message counters are doubles from the start (DOUBLE_FIELD, zeroed in the constructor): the bytes pass
  // 2^31 after 2 GiB (minutes at 100 000 msg/s), the others after 2^31 messages, and from a small integer that
  // crossing deoptimized the hot path.
  #received = DOUBLE_FIELD;
  #bytesReceived = DOUBLE_FIELD;
  #trades = DOUBLE_FIELD;
  #nonTrade = DOUBLE_FIELD;
  #parseErrors = 0;
  #recorded = DOUBLE_FIELD;
  #oversize = 0;
  #subjectCollision = 0;
  #unlistedSymbol = 0;
  #internerFull = 0;
  #invalidTicker = 0;
  #publishError = 0;

  /**
   * @throws {@link RingFormatError} when `options.ring` is a ring of an older format version (read only: migrate it
   *   first, as `Pipeline.start` does), rather than at every message.
   */
  constructor(options: RunnerOptions) {
    const ring = options.ring;
    if (ring.formatVersion !== RING_FORMAT_VERSION) throw readOnlyRingError(ring.path, ring.formatVersion);
    this.#received = this.#bytesReceived = this.#trades = this.#nonTrade = this.#recorded = 0;
    this.#parser = options.parser;
    this.#publisher = options.publisher;
    this.#interner = options.interner;
    this.#ring = options.ring;
    this.#flusher = options.flusher;
    this.#gaps = options.gaps;
    this.#latency = options.latency;
    this.#clock = options.clock ?? defaultClock;
    // Anchors now if the clock has not yet, so the first trade does not pay for it.
    this.#clock.wallNanos();
    this.#overflow = new OutageBuffer<WallParts>({
      maxMessages: 100_000,
      maxBytes: 64 * 1024 * 1024,
      overflowPolicy: 'drop-newest',
      ...options.overflow,
    });
    this.#onIssue = options.onIssue;
    this.#onBacklog = options.onBacklog;
    this.#books = options.books;
    this.#batchCommits = options.batchCommits === true;
    this.#wakeAfter = Math.max(1, this.#ring.geometry.slotCount >>> 4);
  }

  /** Trades published per interned ticker id (holes for tickers with none); read-only, updated in place. */
  get tradesByTicker(): readonly number[] {
    return this.#tradesByTicker;
  }

  /** The hot path: one raw venue message. Bound to the instance, so it can be passed as a callback. */
  readonly onMessage = (bytes: Uint8Array): void => {
    const start = this.#clock.nowNanos();
    this.#wall.mono = start;
    // Before the record: the ring stores the receive time the trades are published with (the flusher stamps the
    // record on disk with it).
    this.#clock.wallParts(this.#wall);
    this.#received++;
    this.#bytesReceived += bytes.length;
    this.#record(bytes);
    const kind = this.#parser.parse(bytes, 0, bytes.length, this);
    if (kind === MessageKind.nonTrade) this.#nonTrade++;
    else if (kind === MessageKind.malformed) {
      this.#parseErrors++;
      this.#onIssue?.({ cause: 'malformed', error: null, message: bytes });
    }
    if (this.#books !== undefined && kind !== MessageKind.trades) {
      this.#books.onMessage(bytes, this.#wall);
    }
    this.#latency?.record(this.#clock.nowNanos() - start);
    // After the message's own work: the page faults of a ring file the kernel has written back are taken here,
    // ahead of the records that will land there (RingBuffer.prefaultAhead), not inside a later message's hot path.
    this.#ring.prefaultAhead();
  };

  /**
   * With {@link RunnerOptions.batchCommits}: makes the raw messages staged so far visible to the ring's consumer
   * (the flusher) now, rather than at the end of the task. Call it before stopping the flusher or exiting the
   * process in the task that delivered them. Without batchCommits every message is committed at once, and this
   * does nothing. {@link Runner.drainOverflow} (which the pipeline calls when it stops) and {@link Runner.tick}
   * call it.
   */
  commitRecords(): void {
    this.#ring.commit();
  }

  readonly #commitAtTaskEnd = (): void => {
    this.#commitQueued = false;
    this.commitRecords();
  };

  // Waking a napping flusher is a futex syscall (plus V8's wait-list lock, which the woken worker then contends):
  // inside onMessage it tripled the hot path's p50 at 1 000 msg/s, and even once per event-loop turn it set the
  // flusher writing beside every message's trip to the broker. Only a long burst or a full ring wakes it.
  #wakeNow(): void {
    if (this.#unsignalled === 0) return;
    this.#unsignalled = 0;
    this.commitRecords();
    this.#flusher?.notify();
  }

  readonly #wakeIdle = (): void => {
    this.#idleWakeQueued = false;
    this.#flusher?.notify();
  };

  // A flusher that keeps up (its own poll drains the ring every millisecond) needs no wake, and a wake costs the
  // write that makes it: ~2 µs at p50, ~50 µs at p99 on two cores, where the woken worker can take this core.
  #wakeIfFilling(): void {
    if (this.#ring.fill() >= WAKE_FILL) this.#wakeNow();
    else this.#unsignalled = 0;
  }

  /** Called by the parser for each trade of the current message. */
  onTrade(trade: ParsedTrade): void {
    let tickerId: number;
    try {
      tickerId =
        trade.symbol === null
          ? this.#interner.internBytes(trade.bytes, trade.symbolStart, trade.symbolEnd)
          : this.#interner.intern(trade.symbol);
    } catch (error) {
      if (error instanceof InternerFullError) {
        this.#internerFull++;
        this.#issue('internerFull', error);
      } else {
        this.#invalidTicker++;
        this.#issue('invalidTicker', error);
      }
      return;
    }
    this.#gaps?.observeRange(tickerId, trade);
    let idBytes = trade.bytes;
    let idStart = trade.tradeIdStart;
    let idEnd = trade.tradeIdEnd;
    if (trade.tradeId !== null) {
      // Full-parse path only (it allocated already). An id that does not fit the scratch is longer than any
      // encoder accepts: refuse it rather than publish a truncated id.
      const encoded = this.#utf8.encodeInto(trade.tradeId, this.#idScratch);
      if (encoded.read < trade.tradeId.length) {
        this.#publishError++;
        const byteLength = this.#utf8.encode(trade.tradeId).length;
        this.#issue('publishError', new TradeTextTooLongError('tradeId', byteLength, this.#idScratch.length));
        return;
      }
      idBytes = this.#idScratch;
      idStart = 0;
      idEnd = encoded.written;
    }
    try {
      const published = this.#publisher.publishFields(tickerId, trade, this.#wall, idBytes, idStart, idEnd);
      if (published) {
        this.#trades++;
        this.#tradesByTicker[tickerId] = (this.#tradesByTicker[tickerId] ?? 0) + 1;
      } else if (this.#publisher.isUnlisted(tickerId)) {
        this.#unlistedSymbol++;
      } else {
        this.#subjectCollision++;
      }
    } catch (error) {
      this.#publishError++;
      this.#issue('publishError', error);
    }
  }

  /**
   * Moves queued overflow messages into the ring, oldest first, until the
   * ring is full again. Returns how many are still queued. Call it often while
   * {@link RunnerCounters.overflowQueued} is non-zero (from {@link RunnerOptions.onBacklog} on; the pipeline
   * arms a short timer there), and through {@link Runner.tick} once a second.
   */
  drainOverflow(): number {
    // Records staged before the queued ones go first (tryWrite below would commit them too).
    this.commitRecords();
    const queue = this.#overflow;
    let moved = false;
    while (queue.length > 0) {
      const payload = queue.firstPayload();
      if (!this.#ring.tryWrite(payload, 0, payload.length, queue.firstTarget())) break;
      queue.dropFirst();
      this.#recorded++;
      this.#unsignalled++;
      moved = true;
    }
    // The ring is (or was just) full: the flusher cannot wait for the end of the turn.
    if (moved || queue.length > 0) this.#wakeNow();
    return queue.length;
  }

  /** Raw messages waiting in the overflow queue for room in the ring. */
  get overflowQueued(): number {
    return this.#overflow.length;
  }

  /**
   * True from a message the ring could not take (queued in the overflow queue, or dropped by it) until the ring
   * takes one again: the recorder is behind. A replay's backpressure reads it once per message.
   */
  get backlogged(): boolean {
    return this.#backlogged;
  }

  /**
   * Periodic housekeeping: a wall-clock read off the hot path, which lets the clock re-anchor when its policy says
   * so (every thread using its anchor follows), and a drain of the overflow queue.
   */
  tick(): void {
    this.#clock.wallNanos();
    this.drainOverflow();
  }

  /** A snapshot of the counters. */
  counters(): RunnerCounters {
    return {
      received: this.#received,
      bytesReceived: this.#bytesReceived,
      trades: this.#trades,
      nonTrade: this.#nonTrade,
      parseErrors: this.#parseErrors,
      recorded: this.#recorded,
      drops: {
        ringOverflow: this.#overflow.dropped,
        oversize: this.#oversize,
        subjectCollision: this.#subjectCollision,
        unlistedSymbol: this.#unlistedSymbol,
        internerFull: this.#internerFull,
        invalidTicker: this.#invalidTicker,
        publishError: this.#publishError,
      },
      overflowQueued: this.#overflow.length,
    };
  }

  #record(bytes: Uint8Array): void {
    const ring = this.#ring;
    if (bytes.length > ring.maxRecordSize) {
      this.#recordOversize(bytes);
      return;
    }
    if (this.#overflow.length === 0 && ring.stage(bytes, 0, bytes.length, this.#wall)) {
      // Without batchCommits the record is committed here, before the message's trades are published.
      if (this.#batchCommits) this.#commitLater();
      else ring.commit();
      this.#backlogged = false;
      this.#recorded++;
      // A burst faster than the flusher's poll (or a flusher set to nap long) must not fill the ring meanwhile.
      if (++this.#unsignalled >= this.#wakeAfter) this.#wakeIfFilling();
      if (this.#flusher?.idle === true) this.#wakeWhenIdle();
      return;
    }
    this.#queue(bytes);
  }

  // The rare paths of #record live apart from it, so the hot path's own code stays small for the JIT: the same
  // branches inline cost 16 B of allocation per message in the tight loop (a value no longer inlined got boxed).
  #recordOversize(bytes: Uint8Array): void {
    this.#oversize++;
    this.#onIssue?.({
      cause: 'oversize',
      error: new RecordTooLargeError(bytes.length, this.#ring.maxRecordSize),
      message: bytes,
    });
  }

  // The first record after a quiet spell: the flusher naps long and would find it only when the nap ends. Woken
  // 1 ms later, as its own poll would have found the record, rather than at once: a wake in step with the message
  // sets the flusher running while the broker and the subscriber handle it (docs/design/latency-tail.md).
  #wakeWhenIdle(): void {
    if (this.#idleWakeQueued) return;
    this.#idleWakeQueued = true;
    if (this.#idleWakeTimer === undefined) this.#idleWakeTimer = setTimeout(this.#wakeIdle, 1).unref();
    else this.#idleWakeTimer.refresh();
  }

  // Off the hot path's own code (see #recordOversize); queueMicrotask allocates on Node 20 and 22 (an AsyncResource).
  #commitLater(): void {
    if (this.#ring.stagedRecords >= COMMIT_EVERY) this.commitRecords();
    else if (!this.#commitQueued) {
      this.#commitQueued = true;
      queueMicrotask(this.#commitAtTaskEnd);
    }
  }

  // Ring full (or older messages still queued): keep order by queueing behind them.
  #queue(bytes: Uint8Array): void {
    this.#backlogged = true;
    const wasEmpty = this.#overflow.length === 0;
    const dropped = this.#overflow.dropped;
    const wall = this.#wall;
    // The shape of #wall, so that stage's reads of the time stay monomorphic once a queued message is written.
    this.#overflow.offer(
      { mono: wall.mono, ms: wall.ms, subMsNanos: wall.subMsNanos },
      bytes,
      this.#received,
    );
    // The recording's one way to lose data: said to the slow lane (aggregated there), not only counted.
    if (this.#overflow.dropped !== dropped) this.#onIssue?.({ cause: 'ringOverflow', error: null });
    if (this.drainOverflow() > 0 && wasEmpty) this.#onBacklog?.();
  }

  #issue(cause: RunnerIssue['cause'], error: unknown): void {
    this.#onIssue?.({ cause, error });
  }
}
