/**
 * The simulator's order-book channel: one {@link SimBook} per symbol, moved
 * by the trade tape, written in the venue's format by its
 * {@link BookChannelEmulation}, with the venue's sequence rules and
 * checksums, and faults on command or at random.
 */
import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import { createSeededRandom } from '../sources/seeded-random.js';
import type { MarketWalk } from './market-walk.js';
import { SimBook, type SimBookState } from './sim-book.js';
import type {
  BookChannelEmulation,
  BookFaultKind,
  BookFormatContext,
  SimTrade,
  VenueEmulation,
} from './venue-emulation.js';

/** Book-channel options of a simulator (see `SimulatorOptions.books`). */
export interface SimulatorBookOptions {
  /**
   * Levels per side the channel serves (default per venue: Binance 100, Coinbase 50, Kraken 10, Bybit 50,
   * OKX 400). Kraken and Bybit clients must subscribe with this depth.
   */
  depth?: number;
  /**
   * Chance per book message (0..1, default 0 each) of a fault: `skipSequence` generates a message but
   * never sends it; `corruptChecksum` sends a wrong checksum (Kraken, OKX); `staleSnapshot` chance per
   * snapshot served (WebSocket or REST) to serve the book of 16 messages before. A venue refuses the
   * faults its clients cannot detect (Coinbase: all; Binance and Bybit: `corruptChecksum`).
   */
  faults?: Partial<Record<BookFaultKind, number>>;
}

/** Counters of a simulator's book channel. */
export interface SimulatorBookStats {
  /** Book messages generated (sent to every book subscriber, unless skipped). */
  messages: number;
  /** Snapshots served, WebSocket and REST. */
  snapshots: number;
  /** Faults injected, by kind. */
  faults: Record<BookFaultKind, number>;
}

/** A book message for one symbol, as frames per channel spelling (`undefined`: the venue's default). */
export interface BookMessage {
  readonly symbol: string;
  /** Frame for a subscriber using this channel spelling; built on demand. */
  frame(channel: string | undefined): Buffer;
}

const FAULT_KINDS: readonly BookFaultKind[] = ['skipSequence', 'corruptChecksum', 'staleSnapshot'];

/** @internal */
export class SimBookChannel {
  readonly depth: number;
  readonly #emulation: BookChannelEmulation;
  readonly #walk: MarketWalk;
  readonly #books = new Map<string, SimBook>();
  readonly #random: () => number;
  readonly #faultRandom: () => number;
  readonly #probability: Record<BookFaultKind, number>;
  readonly #queued: Record<BookFaultKind, number> = { skipSequence: 0, corruptChecksum: 0, staleSnapshot: 0 };
  readonly #stats: SimulatorBookStats = {
    messages: 0,
    snapshots: 0,
    faults: { skipSequence: 0, corruptChecksum: 0, staleSnapshot: 0 },
  };

  constructor(emulation: VenueEmulation, walk: MarketWalk, options: SimulatorBookOptions, seed: number) {
    const book = emulation.book;
    if (book === undefined) {
      throw new InvalidArgumentError(`the ${emulation.venue} emulation has no book channel`, {
        argument: 'books',
      });
    }
    this.#emulation = book;
    this.#walk = walk;
    this.depth = options.depth ?? book.defaultDepth;
    if (!(Number.isInteger(this.depth) && this.depth >= 1 && this.depth <= 5000)) {
      throw new InvalidArgumentError(`books.depth must be an integer in 1..5000, got ${this.depth}`, {
        argument: 'books.depth',
      });
    }
    this.#probability = { skipSequence: 0, corruptChecksum: 0, staleSnapshot: 0 };
    for (const kind of FAULT_KINDS) {
      const p = options.faults?.[kind] ?? 0;
      if (!(p >= 0 && p <= 1)) {
        throw new InvalidArgumentError(`books.faults.${kind} must be within [0, 1], got ${p}`, {
          argument: `books.faults.${kind}`,
        });
      }
      if (p > 0) this.#checkFault(emulation.venue, kind);
      this.#probability[kind] = p;
    }
    this.#random = createSeededRandom(seed ^ 0x6b6f6f62);
    this.#faultRandom = createSeededRandom(seed ^ 0x666c7473);
  }

  /** A copy of the counters. */
  stats(): SimulatorBookStats {
    return { ...this.#stats, faults: { ...this.#stats.faults } };
  }

  /**
   * Queues `count` faults of `kind`: `skipSequence` and `corruptChecksum` hit the next book messages
   * (any symbol), `staleSnapshot` the next snapshots served.
   */
  inject(venue: string, kind: BookFaultKind, count: number): void {
    this.#checkFault(venue, kind);
    if (!(Number.isInteger(count) && count >= 1)) {
      throw new InvalidArgumentError(`fault count must be an integer >= 1, got ${count}`, {
        argument: 'count',
      });
    }
    this.#queued[kind] += count;
  }

  /** The emulation's reading of a client frame as a book (un)subscription. */
  get emulation(): BookChannelEmulation {
    return this.#emulation;
  }

  /**
   * The WebSocket snapshot of `symbol` for a new subscriber (undefined for a symbol the market does not
   * trade, or a venue without one), stale when a fault says so.
   */
  snapshot(symbol: string, channel: string | undefined, nowMs: number): Buffer | undefined {
    const book = this.#bookOf(symbol);
    if (book === undefined) return undefined;
    const state = this.#snapshotState(book);
    const text = this.#emulation.snapshot(state, this.#context(symbol, nowMs, false, channel));
    if (text === undefined) return undefined;
    this.#stats.snapshots++;
    return Buffer.from(text);
  }

  /** The REST depth snapshot body of `symbol` with at most `limit` levels per side, or undefined. */
  restSnapshot(symbol: string, limit: number, nowMs: number): string | undefined {
    const book = this.#bookOf(symbol);
    const format = this.#emulation.restSnapshot;
    if (book === undefined || format === undefined) return undefined;
    this.#stats.snapshots++;
    return format(
      this.#snapshotState(book),
      Math.min(limit, this.depth),
      this.#context(symbol, nowMs, false, undefined),
    );
  }

  /**
   * Moves the book of the batch's symbol by its trades; returns the message to send, or undefined when a
   * `skipSequence` fault swallows it.
   */
  step(trades: readonly SimTrade[], nowMs: number, nowMicros: number): BookMessage | undefined {
    const first = trades[0];
    if (first === undefined) return undefined;
    const book = this.#bookOf(first.symbol);
    const instrument = this.#walk.instrument(first.symbol);
    if (book === undefined || instrument === undefined) return undefined;
    const priceScale = 10 ** instrument.priceDecimals;
    const sizeScale = 10 ** instrument.sizeDecimals;
    const changes = book.step(
      trades.map((t) => ({
        price: Math.round(Number(t.price) * priceScale),
        size: Math.round(Number(t.size) * sizeScale),
        buy: t.side === 'buy',
      })),
    );
    const previous = book.sequence;
    book.sequence = this.#emulation.nextSequence(
      previous,
      changes.bids.size + changes.asks.size,
      this.#random,
    );
    this.#stats.messages++;
    if (this.#fault('skipSequence')) return undefined;
    const corrupt = this.#fault('corruptChecksum');
    const frames = new Map<string | undefined, Buffer>();
    const context = this.#context(first.symbol, nowMs, corrupt, undefined);
    context.timestampMicros = nowMicros;
    const emulation = this.#emulation;
    return {
      symbol: first.symbol,
      frame(channel) {
        let frame = frames.get(channel);
        if (frame === undefined) {
          frame = Buffer.from(emulation.update(book, changes, previous, { ...context, channel }));
          frames.set(channel, frame);
        }
        return frame;
      },
    };
  }

  #checkFault(venue: string, kind: BookFaultKind): void {
    if (!FAULT_KINDS.includes(kind) || !this.#emulation.faults.includes(kind)) {
      throw new InvalidArgumentError(
        `${venue} clients cannot detect a ${kind} fault (this venue supports: ${this.#emulation.faults.join(', ') || 'none'})`,
        { argument: 'kind' },
      );
    }
  }

  #fault(kind: BookFaultKind): boolean {
    let hit = false;
    if (this.#queued[kind] > 0) {
      this.#queued[kind]--;
      hit = true;
    } else if (this.#probability[kind] > 0) {
      hit = this.#faultRandom() < this.#probability[kind];
    }
    if (hit) this.#stats.faults[kind]++;
    return hit;
  }

  #snapshotState(book: SimBook): SimBookState {
    return this.#fault('staleSnapshot') ? book.stale() : book;
  }

  #bookOf(symbol: string): SimBook | undefined {
    let book = this.#books.get(symbol);
    if (book !== undefined) return book;
    const instrument = this.#walk.instrument(symbol);
    if (instrument === undefined) return undefined;
    book = new SimBook(
      symbol,
      this.depth,
      instrument.priceUnits,
      instrument.meanSizeUnits,
      this.#random,
      this.#emulation.firstSequence(this.#random),
    );
    this.#books.set(symbol, book);
    return book;
  }

  #context(symbol: string, nowMs: number, corrupt: boolean, channel: string | undefined): BookFormatContext {
    const instrument = this.#walk.instrument(symbol)!;
    return {
      depth: this.depth,
      priceDecimals: instrument.priceDecimals,
      sizeDecimals: instrument.sizeDecimals,
      timestampMs: Math.floor(nowMs),
      timestampMicros: 0,
      corruptChecksum: corrupt,
      channel,
    };
  }
}
