/**
 * The book half of the runner: each venue message that is not a trade goes
 * to the venue's sync machine; every update it emits in sync is encoded as one
 * `BookUpdate` into a reused buffer and published under
 * `{env}.{venue}.book.{SYMBOL}`. A symbol out of sync publishes nothing until
 * its next snapshot; the machine says so once per wait (`onOutOfSync`), and
 * the pipeline warns and resynchronizes.
 *
 * A REST snapshot taken live enters as a marked record (see
 * {@link markSnapshotRecord}) through the runner like any venue message, so it
 * is recorded in order with the stream and a replay of the recording rebuilds
 * the same books. So does the reset after a reconnect (a `bookReset` record):
 * without it a replay would keep applying the new connection's deltas to the
 * old book where the live run waited for a fresh snapshot.
 *
 * A venue sends each symbol's snapshot once, so the path also holds every book
 * as its subscribers build it and republishes each in-sync book as a snapshot
 * every `snapshotIntervalMs` (see {@link BookPath.publishDueSnapshots}): a
 * subscriber that starts late has a book within one interval.
 */
import type { Transport } from '@marketpipe/middleware';
import { checkInteger, checkNumber, fastPublishOf } from '@marketpipe/middleware/internal';
import type { FastPublishTransport, PublishTarget } from '@marketpipe/middleware/transport';
import { BinanceBookSync } from '../books/binance-book.js';
import { type BookFrame, createBookFrame } from '../books/book-data.js';
import { BookEncoder } from '../books/book-encoder.js';
import type {
  BookSink,
  BookSync,
  BookSyncCounters,
  BookSyncOptions,
  OutOfSyncReason,
} from '../books/book-sync.js';
import { BybitBookSync } from '../books/bybit-book.js';
import { CoinbaseBookSync } from '../books/coinbase-book.js';
import { KrakenBookSync } from '../books/kraken-book.js';
import { OkxBookSync } from '../books/okx-book.js';
import { SubjectCollisionError } from '../errors.js';
import type { VenueName } from '../feeds/venue-feed.js';
import type { ReceiveTime } from '../publisher/publisher.js';
import { tickerToSubjectToken, validateName } from '../publisher/subject-token.js';
import { HeldBooks } from './held-books.js';

/**
 * Book counters of a pipeline (status, summary, metrics): the venue machine's counters, with the pipeline's
 * meaning of the three below, and what the pipeline adds.
 */
export interface BookCounters extends BookSyncCounters {
  /** `BookUpdate`s published, snapshots included. */
  updates: number;
  /**
   * Book messages not published because their symbol was waiting for a snapshot (Binance: the events
   * still buffered for a snapshot that has not come, plus those dropped from the buffer).
   */
  unsynced: number;
  /** Book messages (or marked snapshot records) that were not valid JSON or lacked a required field. */
  malformed: number;
  /** Updates of tickers not among the listed symbols, not published. */
  unlisted: number;
  /** Updates not published because their subject belongs to another ticker. */
  subjectCollision: number;
  /** Updates the encoder or the transport refused. */
  publishErrors: number;
  /** REST snapshots (marked records) applied. */
  restSnapshots: number;
  /** Times a symbol started waiting for a snapshot, by cause. */
  outOfSync: Partial<Record<OutOfSyncReason, number>>;
  /**
   * Snapshots of held books published again on the refresh interval (`snapshotIntervalMs`), for subscribers
   * that started after the venue's snapshot; not counted in `updates` or `snapshots`.
   */
  refreshSnapshots: number;
  /**
   * Levels the held books behind the refresh snapshots dropped past `maxLevels` (the worst of a side that grew to
   * twice the cap); nothing published is lost, and a refresh still carries the best levels exactly.
   */
  heldLevelsOverCap: number;
}

/** What the runner hands book messages to. */
export interface BookMessageSink {
  /** One venue message the trade parser did not take as trades; `received` is valid during the call only. */
  onMessage(bytes: Uint8Array, received: ReceiveTime): void;
}

/** Options of a {@link BookPath}. */
export interface BookPathOptions {
  venue: VenueName;
  env: string;
  transport: Transport;
  /** Listed tickers; updates of others are counted in `unlisted` unless `allowUnlisted`. */
  symbols: readonly string[];
  allowUnlisted?: boolean;
  /** The depth subscribed at the venue, 0 for a whole book (Kraken truncates its kept book to it). */
  venueDepth: number;
  /**
   * Levels per side a refresh snapshot carries, best first (default `venueDepth`, or 100 where that is 0: Coinbase
   * sends whole books).
   */
  refreshDepth?: number;
  /** Most levels per side of a kept, buffered or held book (default 10 000); excess is counted in `levelsOverCap`. */
  maxLevels?: number;
  /** Most symbols with book state (default 1024). */
  maxSymbols?: number;
  /**
   * How often each in-sync book is published again as a snapshot, in ms (default 5 000), when
   * {@link BookPath.publishDueSnapshots} is called at least that often; 0 holds no books and republishes nothing (a
   * subscriber that starts late then waits for the symbol's next resync).
   */
  snapshotIntervalMs?: number;
  /** Called once each time a symbol starts waiting for a snapshot (count, warn, resync). */
  onOutOfSync?: (symbol: string, reason: OutOfSyncReason) => void;
  /** Called for each snapshot published (a resync request for that symbol is satisfied). */
  onSnapshot?: (symbol: string) => void;
  /** Called for each update the encoder or transport refused, and once per colliding ticker. */
  onIssue?: (cause: 'publishError' | 'subjectCollision', ticker: string, error: unknown) => void;
}

/** {@link BookPathOptions.snapshotIntervalMs}'s default: a late subscriber waits at most about this long for a book. */
const DEFAULT_BOOK_SNAPSHOT_INTERVAL_MS = 5_000;
/** {@link BookPathOptions.refreshDepth} where the venue sends whole books. */
const DEFAULT_REFRESH_DEPTH = 100;

/** Start of a marked REST-snapshot record; no venue message starts with it. */
export const SNAPSHOT_RECORD_MARK = '{"marketpipe":"bookSnapshot"';
const MARK_BYTES = new TextEncoder().encode(SNAPSHOT_RECORD_MARK);

/**
 * The record that carries a REST depth snapshot: `{"marketpipe":"bookSnapshot","venue":...,"symbol":...,
 * "body":<the response body, verbatim>}`. JSON, so `marketpipe cat` shows it and a line file can hold it.
 */
export function markSnapshotRecord(venue: VenueName, symbol: string, body: Uint8Array): Uint8Array {
  const head = new TextEncoder().encode(
    `${SNAPSHOT_RECORD_MARK},"venue":${JSON.stringify(venue)},"symbol":${JSON.stringify(symbol)},"body":`,
  );
  const out = new Uint8Array(head.length + body.length + 1);
  out.set(head, 0);
  out.set(body, head.length);
  out[out.length - 1] = 0x7d;
  return out;
}

/** Start of the marked record that voids every book held (written when a live source reconnected). */
const RESET_RECORD_MARK = '{"marketpipe":"bookReset"';
const RESET_BYTES = new TextEncoder().encode(RESET_RECORD_MARK);

/**
 * The record a pipeline writes through its runner when its live source reconnected: every book held is void,
 * and the record puts that moment in the recording for a replay to see. @internal
 */
export function markResetRecord(venue: VenueName): Uint8Array {
  return new TextEncoder().encode(`${RESET_RECORD_MARK},"venue":${JSON.stringify(venue)}}`);
}

function startsWith(bytes: Uint8Array, mark: Uint8Array): boolean {
  if (bytes.length < mark.length) return false;
  for (let i = 0; i < mark.length; i++) if (bytes[i] !== mark[i]) return false;
  return true;
}

/**
 * Venue book messages in, `BookUpdate`s out on `{env}.{venue}.book.{SYMBOL}`.
 *
 * @example
 * ```ts
 * const books = new BookPath({ venue: 'bybit', env: 'prod', transport, symbols: ['BTCUSDT'], venueDepth: 50 });
 * const runner = new Runner({ parser, publisher, interner, ring, books });
 * ```
 */
export class BookPath implements BookMessageSink {
  readonly #venue: VenueName;
  readonly #prefix: string;
  readonly #transport: FastPublishTransport;
  readonly #sync: BookSync;
  readonly #binance: BinanceBookSync | undefined;
  readonly #encoder = new BookEncoder();
  readonly #listed: Set<string> | undefined;
  /** Ticker -> its prepared target, or null when refused (unlisted or colliding). */
  readonly #targets = new Map<string, PublishTarget | null>();
  readonly #owners = new Map<string, string>();
  readonly #onOutOfSync: BookPathOptions['onOutOfSync'];
  readonly #onSnapshot: BookPathOptions['onSnapshot'];
  readonly #onIssue: BookPathOptions['onIssue'];
  readonly #outOfSync: Partial<Record<OutOfSyncReason, number>> = {};
  /** The books as subscribers build them, for the refresh snapshots; undefined when they are off. */
  readonly #held: HeldBooks | undefined;
  /** The frame refresh snapshots are built in (the machines' frame is theirs). */
  readonly #refreshFrame: BookFrame = createBookFrame();
  #refreshSnapshots = 0;
  #received: ReceiveTime | undefined;
  #published = 0;
  #unlisted = 0;
  #collisions = 0;
  #publishErrors = 0;
  #restSnapshots = 0;
  #malformedMarks = 0;
  #droppedOnReset = 0;

  /** @throws InvalidNameError for a bad env or venue; InvalidArgumentError for a bad cap. */
  constructor(options: BookPathOptions) {
    this.#venue = options.venue;
    this.#prefix = `${validateName('env', options.env)}.${validateName('venue', options.venue)}.book.`;
    this.#transport = fastPublishOf(options.transport);
    this.#listed = options.allowUnlisted === true ? undefined : new Set(options.symbols);
    // Listed tickers claim their subjects first, whatever arrives first (as for trades).
    for (const symbol of options.symbols) this.#target(symbol);
    this.#onOutOfSync = options.onOutOfSync;
    this.#onSnapshot = options.onSnapshot;
    this.#onIssue = options.onIssue;
    const intervalMs = checkInteger(
      'snapshotIntervalMs',
      options.snapshotIntervalMs ?? DEFAULT_BOOK_SNAPSHOT_INTERVAL_MS,
      0,
    );
    this.#held =
      intervalMs === 0
        ? undefined
        : new HeldBooks(
            intervalMs,
            checkInteger('maxLevels', options.maxLevels ?? 10_000, 1),
            checkInteger(
              'refreshDepth',
              options.refreshDepth ?? (options.venueDepth > 0 ? options.venueDepth : DEFAULT_REFRESH_DEPTH),
              1,
            ),
          );
    const syncOptions: BookSyncOptions = {
      ...(options.maxLevels !== undefined ? { maxLevels: options.maxLevels } : {}),
      ...(options.maxSymbols !== undefined ? { maxSymbols: options.maxSymbols } : {}),
      onOutOfSync: this.#lost,
    };
    const sink: BookSink = this.#publish;
    switch (options.venue) {
      case 'binance':
        this.#binance = new BinanceBookSync(sink, syncOptions);
        this.#sync = this.#binance;
        break;
      case 'coinbase':
        this.#sync = new CoinbaseBookSync(sink, syncOptions);
        break;
      case 'kraken':
        this.#sync = new KrakenBookSync(sink, { ...syncOptions, depth: options.venueDepth });
        break;
      case 'bybit':
        this.#sync = new BybitBookSync(sink, syncOptions);
        break;
      case 'okx':
        this.#sync = new OkxBookSync(sink, syncOptions);
        break;
    }
  }

  /**
   * One venue message, or a marked record: a REST snapshot ({@link markSnapshotRecord}) or a reset after a
   * reconnect (as {@link BookPath.reset}). Never throws.
   */
  onMessage(bytes: Uint8Array, received: ReceiveTime): void {
    this.#received = received;
    if (startsWith(bytes, MARK_BYTES)) {
      this.#applySnapshotRecord(bytes, received);
      return;
    }
    if (startsWith(bytes, RESET_BYTES)) {
      this.#applyResetRecord(bytes);
      return;
    }
    this.#sync.onMessage(bytes, received.ms, received.subMsNanos);
  }

  /** Symbols waiting for a snapshot (Binance: those seen on the stream without one). */
  waiting(): string[] {
    return this.#sync.outOfSync();
  }

  /** True when the venue's snapshot comes from REST rather than from the subscription. */
  get restSnapshots(): boolean {
    return this.#binance !== undefined;
  }

  /**
   * Forgets every symbol's state (after a reconnect: the new subscription sends fresh snapshots, Binance
   * needs a new REST one). Events still buffered are counted in `unsynced`.
   */
  reset(): void {
    if (this.#binance !== undefined) this.#droppedOnReset += this.#binance.bufferedEvents;
    this.#sync.reset();
    this.#held?.clear();
  }

  /**
   * Publishes again, as a snapshot, each in-sync book whose last snapshot (the venue's or a refresh) is at
   * least `snapshotIntervalMs` old at `nowMs`, at most `limit` books per call, each with at most `refreshDepth`
   * levels a side. The pipeline calls it on a timer between messages; a book out of sync is skipped until its next
   * venue snapshot. A refused publish is counted in `publishErrors`, not in `refreshSnapshots`.
   *
   * @param nowMs - a monotonic time in ms (`performance.now()`), the same clock at every call.
   * @returns how many snapshots were published.
   * @throws InvalidArgumentError when `nowMs` is not a finite number.
   */
  publishDueSnapshots(nowMs: number, limit = Number.POSITIVE_INFINITY): number {
    const held = this.#held;
    if (held === undefined) return 0;
    // A NaN would make every book due at every call, for ever.
    checkNumber('nowMs', nowMs, -Number.MAX_VALUE);
    const published = held.publishDue(nowMs, limit, this.#isSynced, this.#refreshFrame, this.#publishRefresh);
    this.#refreshSnapshots += published;
    return published;
  }

  /** The refresh interval in ms (0: off). */
  get snapshotIntervalMs(): number {
    return this.#held?.intervalMs ?? 0;
  }

  /** Books held for the refresh snapshots. */
  get heldBooks(): number {
    return this.#held?.size ?? 0;
  }

  /** A snapshot of the counters. */
  counters(): BookCounters {
    const sync = this.#sync.counters;
    return {
      updates: this.#published,
      snapshots: sync.snapshots,
      gaps: sync.gaps,
      checksumFailures: sync.checksumFailures,
      resyncs: sync.resyncs,
      unsynced: sync.unsynced + (this.#binance?.bufferedEvents ?? 0) + this.#droppedOnReset,
      stale: sync.stale,
      malformed: sync.malformed + this.#malformedMarks,
      symbolsOverCap: sync.symbolsOverCap,
      levelsOverCap: sync.levelsOverCap,
      unlisted: this.#unlisted,
      subjectCollision: this.#collisions,
      publishErrors: this.#publishErrors,
      restSnapshots: this.#restSnapshots,
      outOfSync: { ...this.#outOfSync },
      refreshSnapshots: this.#refreshSnapshots,
      heldLevelsOverCap: this.#held?.levelsOverCap ?? 0,
    };
  }

  #applySnapshotRecord(bytes: Uint8Array, received: ReceiveTime): void {
    let record: { venue?: unknown; symbol?: unknown; body?: unknown } | undefined;
    try {
      record = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
    } catch {
      record = undefined;
    }
    if (
      this.#binance === undefined ||
      record?.venue !== this.#venue ||
      typeof record.symbol !== 'string' ||
      typeof record.body !== 'object' ||
      record.body === null
    ) {
      this.#malformedMarks++;
      return;
    }
    this.#restSnapshots++;
    this.#binance.applySnapshot(record.symbol, record.body, received.ms, received.subMsNanos);
  }

  #applyResetRecord(bytes: Uint8Array): void {
    let record: { venue?: unknown } | undefined;
    try {
      record = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
    } catch {
      record = undefined;
    }
    if (record?.venue !== this.#venue) {
      this.#malformedMarks++;
      return;
    }
    this.reset();
  }

  readonly #lost = (symbol: string, reason: OutOfSyncReason): void => {
    this.#outOfSync[reason] = (this.#outOfSync[reason] ?? 0) + 1;
    this.#onOutOfSync?.(symbol, reason);
  };

  readonly #publish = (frame: BookFrame): void => {
    let target = this.#targets.get(frame.ticker);
    if (target === undefined) target = this.#target(frame.ticker);
    if (target === null) {
      if (this.#listed !== undefined && !this.#listed.has(frame.ticker)) this.#unlisted++;
      else this.#collisions++;
    } else {
      if (this.#send(target, frame, this.#received)) this.#published++;
      // Held whether or not the transport took it: the held book is the venue's, which a refresh restores.
      this.#held?.apply(frame);
    }
    if (frame.isSnapshot) this.#onSnapshot?.(frame.ticker);
  };

  /** Publishes a refresh snapshot (only books with a target are held). */
  readonly #publishRefresh = (frame: BookFrame): boolean => {
    const target = this.#targets.get(frame.ticker);
    return target ? this.#send(target, frame, undefined) : false;
  };

  readonly #isSynced = (ticker: string): boolean => this.#sync.isSynced(ticker);

  /** Encodes and publishes one frame; false (counted, reported) when the encoder or the transport refused it. */
  #send(target: PublishTarget, frame: BookFrame, received: ReceiveTime | undefined): boolean {
    try {
      const length = this.#encoder.encodeFrame(frame);
      this.#transport.publish(target, this.#encoder.buffer.subarray(0, length), received);
      return true;
    } catch (error) {
      this.#publishErrors++;
      this.#onIssue?.('publishError', frame.ticker, error);
      return false;
    }
  }

  #target(ticker: string): PublishTarget | null {
    const cached = this.#targets.get(ticker);
    if (cached !== undefined) return cached;
    if (this.#listed !== undefined && !this.#listed.has(ticker)) {
      this.#targets.set(ticker, null);
      return null;
    }
    const token = tickerToSubjectToken(ticker);
    const owner = this.#owners.get(token);
    if (owner !== undefined && owner !== ticker) {
      this.#targets.set(ticker, null);
      this.#onIssue?.(
        'subjectCollision',
        ticker,
        new SubjectCollisionError(this.#prefix + token, owner, ticker),
      );
      return null;
    }
    this.#owners.set(token, ticker);
    const target = this.#transport.prepare(this.#prefix + token);
    this.#targets.set(ticker, target);
    return target;
  }
}
