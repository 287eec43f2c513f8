/**
 * The simulated market behind the simulator and `simulateMessages`: a seeded
 * random walk of prices and sizes per symbol, with contiguous trade ids
 * unless told to skip some. A venue's major symbols start near their real
 * level with the venue's tick and lot; other symbols at a random level.
 */

import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import type { VenueName } from '../feeds/venue-feed.js';
import { createSeededRandom } from '../sources/seeded-random.js';
import { type DecimalStyle, decimalStyle, formatDecimal, simInstrument } from './sim-instruments.js';
import type { SimTrade } from './venue-emulation.js';

/** Options of a {@link MarketWalk}. */
export interface MarketWalkOptions {
  /** The venue whose instruments and decimal style the walk imitates. */
  venue: VenueName;
  /** Seed of the walk; the same seed and symbols give the same trades. */
  seed: number;
  /** Each message carries 1..this many trades of one symbol, drawn uniformly. */
  maxTradesPerMessage: number;
  /** Chance per message (0..1) to skip 1 to 3 trade ids of its symbol first; counted in `skippedTradeIds()`. */
  skipProbability: number;
}

interface SymbolBook {
  readonly symbol: string;
  readonly firstTradeId: number;
  nextTradeId: number;
  /** Price in ticks of `10^-priceDecimals`. */
  priceUnits: number;
  readonly priceDecimals: number;
  readonly sizeDecimals: number;
  /** Mean trade size in lots of `10^-sizeDecimals`. */
  readonly meanSizeUnits: number;
  skipped: number;
}

/** Separates the fault stream from the market stream so enabling faults does not change the trades. */
const FAULT_SEED_SALT = 0x9e3779b9;

/**
 * Generates trade batches one message at a time. Batches are returned in
 * reused arrays of reused {@link SimTrade} objects: valid until the next call.
 */
export class MarketWalk {
  private readonly random: () => number;
  private readonly faultRandom: () => number;
  private readonly books: SymbolBook[];
  private readonly bySymbol = new Map<string, SymbolBook>();
  private readonly maxTrades: number;
  private readonly style: DecimalStyle;
  private readonly skipProbability: number;
  /** `batches[k]` holds the first `k` pooled trades, so a batch of any size costs no allocation. */
  private readonly batches: SimTrade[][];
  private tradeCount = 0;

  /** @throws {InvalidArgumentError} for no symbols, duplicate symbols or out-of-range options. */
  constructor(symbols: readonly string[], options: MarketWalkOptions) {
    if (symbols.length === 0)
      throw new InvalidArgumentError('the simulated market needs at least one symbol', {
        argument: 'symbols',
      });
    if (!(Number.isInteger(options.maxTradesPerMessage) && options.maxTradesPerMessage >= 1)) {
      throw new InvalidArgumentError(
        `maxTradesPerMessage must be an integer >= 1, got ${options.maxTradesPerMessage}`,
        { argument: 'maxTradesPerMessage' },
      );
    }
    if (!(options.skipProbability >= 0 && options.skipProbability <= 1)) {
      throw new InvalidArgumentError(
        `skipProbability must be within [0, 1], got ${options.skipProbability}`,
        { argument: 'skipProbability' },
      );
    }
    this.random = createSeededRandom(options.seed);
    this.faultRandom = createSeededRandom(options.seed ^ FAULT_SEED_SALT);
    this.maxTrades = options.maxTradesPerMessage;
    this.style = decimalStyle(options.venue);
    this.skipProbability = options.skipProbability;
    this.books = symbols.map((symbol) => this.openBook(options.venue, symbol));
    for (const book of this.books) {
      if (this.bySymbol.has(book.symbol)) {
        throw new InvalidArgumentError(`duplicate symbol ${book.symbol}`, { argument: 'symbols' });
      }
      this.bySymbol.set(book.symbol, book);
    }
    const pool: SimTrade[] = [];
    this.batches = [[]];
    for (let k = 1; k <= this.maxTrades; k++) {
      pool.push({
        symbol: '',
        tradeId: 0,
        price: '',
        size: '',
        side: 'buy',
        timestampMs: 0,
        timestampMicros: 0,
      });
      this.batches.push(pool.slice());
    }
  }

  /** Trades generated so far. */
  get trades(): number {
    return this.tradeCount;
  }

  /**
   * The trades of the next message: one symbol picked at random, 1..max trades
   * with consecutive ids, each moving the price by -2..+2 ticks. All carry the
   * given trade time (one taker order sweeping the book).
   */
  nextBatch(timestampMs: number, timestampMicros: number): readonly SimTrade[] {
    const random = this.random;
    const book = this.books[Math.floor(random() * this.books.length)] as SymbolBook;
    if (this.skipProbability > 0 && this.faultRandom() < this.skipProbability) {
      this.skip(book, 1 + Math.floor(this.faultRandom() * 3));
    }
    const count = 1 + Math.floor(random() * this.maxTrades);
    const batch = this.batches[count] as SimTrade[];
    for (let i = 0; i < count; i++) {
      const trade = batch[i] as SimTrade;
      book.priceUnits = Math.max(1, book.priceUnits + Math.floor(random() * 5) - 2);
      // Exponential sizes: mostly small prints, now and then a large one, as on a real tape.
      const sizeUnits = 1 + Math.floor(-Math.log(1 - random()) * book.meanSizeUnits);
      trade.symbol = book.symbol;
      trade.tradeId = book.nextTradeId++;
      trade.price = formatDecimal(book.priceUnits, book.priceDecimals, this.style);
      trade.size = formatDecimal(sizeUnits, book.sizeDecimals, this.style);
      trade.side = random() < 0.5 ? 'buy' : 'sell';
      trade.timestampMs = timestampMs;
      trade.timestampMicros = timestampMicros;
    }
    this.tradeCount += count;
    return batch;
  }

  /**
   * Makes the next trade of `symbol` jump `count` ids ahead, as when a venue
   * drops messages.
   * @throws {InvalidArgumentError} for an unknown symbol or a count that is not a positive integer.
   */
  skipTradeIds(symbol: string, count: number): void {
    const book = this.bySymbol.get(symbol);
    if (book === undefined)
      throw new InvalidArgumentError(`unknown symbol ${symbol}`, { argument: 'symbol' });
    if (!(Number.isInteger(count) && count >= 1)) {
      throw new InvalidArgumentError(`skip count must be an integer >= 1, got ${count}`, {
        argument: 'count',
      });
    }
    this.skip(book, count);
  }

  /** Trade ids skipped so far per symbol (symbols with none skipped included, as 0). */
  skippedTradeIds(): Map<string, number> {
    return new Map(this.books.map((book) => [book.symbol, book.skipped]));
  }

  /**
   * How `symbol` is quoted now: its last price in ticks, the decimals of tick and lot, and the mean
   * trade size in lots; undefined for a symbol the walk does not trade.
   */
  instrument(
    symbol: string,
  ): { priceUnits: number; priceDecimals: number; sizeDecimals: number; meanSizeUnits: number } | undefined {
    const book = this.bySymbol.get(symbol);
    if (book === undefined) return undefined;
    const { priceUnits, priceDecimals, sizeDecimals, meanSizeUnits } = book;
    return { priceUnits, priceDecimals, sizeDecimals, meanSizeUnits };
  }

  /** The id each symbol's tape starts at (before any skip): with it, every skip is visible as a gap. */
  firstTradeIds(): Map<string, number> {
    return new Map(this.books.map((book) => [book.symbol, book.firstTradeId]));
  }

  private skip(book: SymbolBook, count: number): void {
    book.nextTradeId += count;
    book.skipped += count;
  }

  private openBook(venue: VenueName, symbol: string): SymbolBook {
    const random = this.random;
    const listed = simInstrument(venue, symbol);
    if (listed !== undefined) {
      const startPrice = listed.price * (0.98 + 0.04 * random());
      const firstTradeId = 1 + Math.floor(random() * 1e9);
      return {
        symbol,
        firstTradeId,
        nextTradeId: firstTradeId,
        priceUnits: Math.round(startPrice * 10 ** listed.priceDecimals),
        priceDecimals: listed.priceDecimals,
        sizeDecimals: listed.sizeDecimals,
        meanSizeUnits: listed.meanSize * 10 ** listed.sizeDecimals,
        skipped: 0,
      };
    }
    const startPrice = 10 ** (random() * 5);
    // About six significant digits, as venues quote: 30000.1, 152.345, 2.34567.
    const priceDecimals = Math.max(1, 6 - Math.ceil(Math.log10(startPrice + 1)));
    const sizeDecimals = 4 + Math.floor(random() * 5);
    const firstTradeId = 1 + Math.floor(random() * 1e9);
    return {
      symbol,
      firstTradeId,
      nextTradeId: firstTradeId,
      priceUnits: Math.max(1, Math.round(startPrice * 10 ** priceDecimals)),
      priceDecimals,
      sizeDecimals,
      meanSizeUnits: 10 ** sizeDecimals / 10,
      skipped: 0,
    };
  }
}
