/**
 * Live book resynchronization, the way each venue wants it, with backoff per
 * symbol: Binance gets a new REST depth snapshot (within its request-weight
 * budget, honouring `Retry-After` on 429/418), the other venues get their book
 * channel resubscribed for that symbol, which makes them send a snapshot.
 * Cold path only: it runs on timers, never inside a message.
 */
import type { OutOfSyncReason } from '../books/book-sync.js';
import { SourceConnectionError } from '../errors.js';
import { binanceDepthWeight, bookResubscribeMessages } from '../feeds/book-subscriptions.js';
import type { VenueName } from '../feeds/venue-feed.js';
import { type BackoffOptions, fullJitterDelay } from '../sources/reconnect-backoff.js';
import { markSnapshotRecord } from './book-path.js';

/** Counters of a {@link BookResync}. */
export interface BookResyncCounters {
  /** REST snapshots requested. */
  snapshotRequests: number;
  /** REST snapshot requests that failed (network, HTTP status, rate limit). */
  snapshotErrors: number;
  /** Resubscriptions sent. */
  resubscribes: number;
}

/** Options of a {@link BookResync}. */
export interface BookResyncOptions {
  venue: VenueName;
  /** The depth subscribed at the venue (Binance: the REST `limit`). */
  venueDepth: number;
  /** Sends one text frame on the live connection; false when it is not open (retried with backoff). */
  send: (frame: string) => boolean;
  /** Delivers a marked REST-snapshot record through the runner (recorded, then applied). */
  deliver: (record: Uint8Array) => void;
  /** Binance REST depth endpoint (`?symbol=...&limit=...` is appended). */
  snapshotUrl: string;
  /** Delay curve per symbol; the first request of a wait goes at once. */
  backoff: BackoffOptions;
  /** Request weight per minute this process allows itself (default 1200 of Binance's 6000). */
  weightPerMinute?: number;
  /** Reports a failure (aggregated by the caller). */
  onError: (symbol: string, error: Error) => void;
  random?: () => number;
}

interface Pending {
  attempt: number;
  timer: NodeJS.Timeout | undefined;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** A snapshot normally follows a subscribe within a second; resubscribing sooner would only churn. */
const RESUBSCRIBE_PATIENCE_MS = 5_000;
/** OKX allows 480 subscribe/unsubscribe requests per connection and hour (BOOK_SAMPLES.md 6f); others are looser. */
const FRAMES_PER_HOUR: Partial<Record<VenueName, number>> = { okx: 400 };

/**
 * Schedules and performs resyncs. {@link BookResync.request} when a symbol goes out of sync,
 * {@link BookResync.satisfied} when its snapshot is published.
 *
 * @example
 * ```ts
 * const resync = new BookResync({ venue: 'bybit', venueDepth: 50, send: (f) => source.send(f), ... });
 * const books = new BookPath({ ..., onOutOfSync: (s) => resync.request(s), onSnapshot: (s) => resync.satisfied(s) });
 * ```
 */
export class BookResync {
  readonly #options: BookResyncOptions;
  readonly #random: () => number;
  readonly #pending = new Map<string, Pending>();
  readonly #abort = new AbortController();
  readonly #weightPerMinute: number;
  #windowStart = 0;
  #windowWeight = 0;
  #blockedUntil = 0;
  readonly #framesPerHour: number;
  #hourStart = 0;
  #hourFrames = 0;
  #stopped = false;
  #snapshotRequests = 0;
  #snapshotErrors = 0;
  #resubscribes = 0;

  constructor(options: BookResyncOptions) {
    this.#options = options;
    this.#random = options.random ?? Math.random;
    this.#weightPerMinute = options.weightPerMinute ?? 1200;
    this.#framesPerHour = FRAMES_PER_HOUR[options.venue] ?? Number.POSITIVE_INFINITY;
  }

  /** A copy of the counters. */
  counters(): BookResyncCounters {
    return {
      snapshotRequests: this.#snapshotRequests,
      snapshotErrors: this.#snapshotErrors,
      resubscribes: this.#resubscribes,
    };
  }

  /** Asks for a fresh snapshot of `symbol`; a request already scheduled for it stands. */
  request(symbol: string, _reason?: OutOfSyncReason): void {
    if (this.#stopped) return;
    let pending = this.#pending.get(symbol);
    if (pending === undefined) {
      pending = { attempt: 0, timer: undefined };
      this.#pending.set(symbol, pending);
    }
    if (pending.timer !== undefined) return;
    const delay =
      pending.attempt === 0 ? 0 : fullJitterDelay(pending.attempt - 1, this.#options.backoff, this.#random);
    pending.attempt++;
    pending.timer = setTimeout(() => this.#run(symbol), delay);
    pending.timer.unref();
  }

  /** `symbol` is in sync again: the next loss starts the backoff over. */
  satisfied(symbol: string): void {
    const pending = this.#pending.get(symbol);
    if (pending === undefined) return;
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    this.#pending.delete(symbol);
  }

  /** Cancels every timer and request in flight. */
  stop(): void {
    this.#stopped = true;
    this.#abort.abort();
    for (const pending of this.#pending.values())
      if (pending.timer !== undefined) clearTimeout(pending.timer);
    this.#pending.clear();
  }

  #run(symbol: string): void {
    const pending = this.#pending.get(symbol);
    if (pending === undefined || this.#stopped) return;
    pending.timer = undefined;
    if (this.#options.venue === 'binance') {
      void this.#fetchSnapshot(symbol);
      return;
    }
    const frames = bookResubscribeMessages(this.#options.venue, symbol, this.#options.venueDepth);
    const now = Date.now();
    if (now - this.#hourStart >= HOUR_MS) {
      this.#hourStart = now;
      this.#hourFrames = 0;
    }
    if (this.#hourFrames + frames.length > this.#framesPerHour) {
      this.#retryLater(symbol, this.#hourStart + HOUR_MS - now);
      return;
    }
    let sent = true;
    for (const frame of frames) sent = this.#options.send(frame) && sent;
    if (sent) {
      this.#resubscribes++;
      this.#hourFrames += frames.length;
    }
    // Until its snapshot arrives, ask again later: a lost resubscribe must not leave the symbol dark.
    this.#retryLater(symbol, RESUBSCRIBE_PATIENCE_MS);
  }

  #retryLater(symbol: string, atLeastMs = 0): void {
    const pending = this.#pending.get(symbol);
    if (pending === undefined || this.#stopped || pending.timer !== undefined) return;
    const delay = Math.max(atLeastMs, fullJitterDelay(pending.attempt, this.#options.backoff, this.#random));
    pending.attempt++;
    pending.timer = setTimeout(() => this.#run(symbol), delay);
    pending.timer.unref();
  }

  async #fetchSnapshot(symbol: string): Promise<void> {
    const limit = this.#options.venueDepth;
    const weight = binanceDepthWeight(limit);
    const now = Date.now();
    if (now - this.#windowStart >= MINUTE_MS) {
      this.#windowStart = now;
      this.#windowWeight = 0;
    }
    const wait = Math.max(
      this.#blockedUntil - now,
      this.#windowWeight + weight > this.#weightPerMinute ? this.#windowStart + MINUTE_MS - now : 0,
    );
    if (wait > 0) {
      this.#retryLater(symbol, wait);
      return;
    }
    this.#windowWeight += weight;
    this.#snapshotRequests++;
    const url = `${this.#options.snapshotUrl}?symbol=${encodeURIComponent(symbol)}&limit=${limit}`;
    try {
      const response = await fetch(url, { signal: this.#abort.signal });
      const used = Number(response.headers.get('x-mbx-used-weight-1m'));
      if (Number.isFinite(used) && used > this.#windowWeight) this.#windowWeight = used;
      if (response.status === 429 || response.status === 418) {
        const retryAfterS = Number(response.headers.get('retry-after'));
        this.#blockedUntil = Date.now() + (Number.isFinite(retryAfterS) ? retryAfterS * 1000 : MINUTE_MS);
        throw new SourceConnectionError(`HTTP ${response.status} from ${url}: request weight exceeded`);
      }
      if (!response.ok) throw new SourceConnectionError(`HTTP ${response.status} from ${url}`);
      const body = new Uint8Array(await response.arrayBuffer());
      if (this.#stopped || !this.#pending.has(symbol)) return;
      this.#options.deliver(markSnapshotRecord('binance', symbol, body));
    } catch (error) {
      if (this.#stopped) return;
      this.#snapshotErrors++;
      this.#options.onError(
        symbol,
        error instanceof Error ? error : new SourceConnectionError(String(error), { cause: error }),
      );
    }
    // Delivered and in sync: `satisfied` removed it. Otherwise (error, stale snapshot) try again later.
    this.#retryLater(symbol);
  }
}
