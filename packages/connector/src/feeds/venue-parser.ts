/**
 * The parser a feed runs on every received message: bytes in, trades to the
 * sink, a numeric outcome back, counters updated. It never throws on bad
 * input; a malformed message is recorded as {@link VenueParser.lastError}.
 */

import { checkOneOf } from '@marketpipe/middleware/internal';
import { MalformedVenueMessageError } from '../errors.js';
import { ByteJsonReader } from './byte-json-reader.js';
import { MessageKind, NON_TRADE_KIND_COUNT, type NonTradeKind } from './message-kind.js';
import { parseJsonKeepingBigIntegers } from './raw-json-numbers.js';
import { loadSimdjson } from './simdjson-loader.js';
import { TradeBatch } from './trade-batch.js';
import type { TradeSink, VenueName } from './venue-feed.js';
import {
  LAYOUT_MISSED,
  NEEDS_RAW_NUMBERS,
  ParseState,
  SCAN_GAVE_UP,
  type VenueReader,
} from './venue-reader.js';

/**
 * How messages are parsed:
 * - `scanner`: allocation-free for trade messages. A per-venue fast path reads the exact byte layout the venue
 *   sends; any other message goes to a general byte scanner, which hands anything unusual (escapes, non-ASCII,
 *   odd numbers, duplicate keys, control messages) to the `json` path.
 * - `json`: `JSON.parse` of the decoded text; the reference the other two must match.
 * - `simdjson`: the optional native `simdjson` package; text it rejects is retried with `JSON.parse` (it refuses
 *   some valid JSON `JSON.parse` accepts: numbers beyond 64 bits, lone surrogate escapes).
 */
export type ParserBackend = 'scanner' | 'json' | 'simdjson';

const PARSER_BACKENDS: readonly ParserBackend[] = ['scanner', 'json', 'simdjson'];

/** The backend {@link createParser} uses when none is given: the fastest correct one as measured (see README). */
export const DEFAULT_PARSER_BACKEND: ParserBackend = 'scanner';

/** Options of a venue parser. */
export interface ParserOptions {
  /** Parsing backend; {@link DEFAULT_PARSER_BACKEND} when omitted. */
  backend?: ParserBackend;
  /**
   * Publish the past trades a venue replays on subscribe (Coinbase `last_match`, Kraken `snapshot`). Default
   * `false`: they are real trades but not new ones, usually already recorded before a reconnect, and their old
   * timestamps would reach downstream as if live; they are counted as {@link NonTradeKind.snapshot} instead.
   */
  publishSnapshots?: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// Set by VenueParser's static block: the private constructor keeps the internal VenueReader out of the public API.
let construct: (reader: VenueReader, options: ParserOptions) => VenueParser;

/** A parser on `reader`, one venue's message layout; the venue modules' `create*Parser` functions call this. */
export function venueParserFor(reader: VenueReader, options: ParserOptions = {}): VenueParser {
  return construct(reader, options);
}

/**
 * Parses one venue's messages. Made by {@link createParser} (or a venue's own `create*Parser`), not constructed.
 *
 * @example
 * ```ts
 * const parser = createParser('binance');
 * const sink = { onTrade: (t: ParsedTrade) => console.log(t.price, t.size, t.side) };
 * const bytes = new TextEncoder().encode('{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"1.5","q":"2","T":1,"m":true}');
 * if (parser.parse(bytes, 0, bytes.length, sink) === MessageKind.malformed) console.error(parser.lastError);
 * ```
 */
export class VenueParser {
  readonly venue: VenueName;
  readonly backend: ParserBackend;
  #messages = 0;
  #trades = 0;
  #tradeMessages = 0;
  #nonTradeMessages = 0;
  #malformedMessages = 0;
  #layoutMisses = 0;
  #scannerFallbacks = 0;
  #lastNonTradeKind: NonTradeKind | -1 = -1;
  #lastError: MalformedVenueMessageError | null = null;
  readonly #nonTradeCounts = new Float64Array(NON_TRADE_KIND_COUNT);

  /** Messages seen. */
  get messages(): number {
    return this.#messages;
  }
  /** Trades handed to sinks. */
  get trades(): number {
    return this.#trades;
  }
  /** Messages that carried trades. */
  get tradeMessages(): number {
    return this.#tradeMessages;
  }
  /** Non-trade messages (all kinds). */
  get nonTradeMessages(): number {
    return this.#nonTradeMessages;
  }
  /** Malformed messages. */
  get malformedMessages(): number {
    return this.#malformedMessages;
  }
  /**
   * Messages outside the venue's exact trade-message layout, read by the general scanner instead (scanner backend
   * only). Control messages count here; a count growing with the trades means the venue changed its layout, which
   * costs speed, never correctness.
   */
  get layoutMisses(): number {
    return this.#layoutMisses;
  }
  /** Messages the scanner handed to the full parse (scanner backend only). */
  get scannerFallbacks(): number {
    return this.#scannerFallbacks;
  }
  /** The kind of the last non-trade message. */
  get lastNonTradeKind(): NonTradeKind | -1 {
    return this.#lastNonTradeKind;
  }
  /** The error of the last malformed message, or `null`. */
  get lastError(): MalformedVenueMessageError | null {
    return this.#lastError;
  }

  private readonly reader: VenueReader;
  private readonly bytesReader = new ByteJsonReader();
  private readonly batch = new TradeBatch();
  private readonly state: ParseState;
  private readonly engine: (text: string) => unknown;

  static {
    construct = (reader, options) => new VenueParser(reader, options);
  }

  private constructor(reader: VenueReader, options: ParserOptions) {
    this.reader = reader;
    this.venue = reader.venue;
    this.backend = checkOneOf('backend', options.backend ?? DEFAULT_PARSER_BACKEND, PARSER_BACKENDS);
    this.state = new ParseState(options.publishSnapshots ?? false);
    if (this.backend === 'simdjson') {
      const simdjson = loadSimdjson();
      this.engine = (text) => {
        try {
          return simdjson.parse(text);
        } catch {
          return JSON.parse(text);
        }
      };
    } else {
      this.engine = JSON.parse;
    }
  }

  /**
   * Parses the message in `bytes[start..end)`, handing each trade to `sink`
   * (only once the whole message is known to be valid). Never throws for bad
   * input; an exception thrown by the sink itself propagates.
   */
  parse(bytes: Uint8Array, start: number, end: number, sink: TradeSink): MessageKind {
    this.#messages++;
    const batch = this.batch;
    const state = this.state;
    batch.clear();
    let kind: MessageKind;
    const plain = this.reader.plainFrame(bytes, start, end);
    if (plain !== -1) {
      kind = state.nonTrade(plain);
    } else if (this.backend === 'scanner') {
      let scanned: MessageKind | typeof LAYOUT_MISSED | typeof SCAN_GAVE_UP = this.reader.scanLayout(
        bytes,
        start,
        end,
        batch,
        state,
      );
      if (scanned === LAYOUT_MISSED) {
        this.#layoutMisses++;
        batch.clear();
        this.bytesReader.reset(bytes, start, end);
        scanned = this.reader.scan(this.bytesReader, batch, state);
      }
      if (scanned === SCAN_GAVE_UP) {
        this.#scannerFallbacks++;
        batch.clear();
        kind = this.parseTree(bytes, start, end);
      } else {
        kind = scanned;
      }
    } else {
      kind = this.parseTree(bytes, start, end);
    }
    if (kind === MessageKind.trades) {
      this.#tradeMessages++;
      this.#trades += batch.emit(bytes, sink);
    } else if (kind === MessageKind.nonTrade) {
      this.#nonTradeMessages++;
      this.#nonTradeCounts[state.nonTradeKind]!++;
      this.#lastNonTradeKind = state.nonTradeKind;
    } else {
      this.#malformedMessages++;
      this.#lastError = new MalformedVenueMessageError(this.venue, state.reason, state.field);
    }
    batch.clear();
    return kind;
  }

  /** Number of non-trade messages of one kind. */
  nonTradeCount(kind: NonTradeKind): number {
    return this.#nonTradeCounts[kind] ?? 0;
  }

  /** A copy of the non-trade message counts, indexed by {@link NonTradeKind}. */
  nonTradeCounts(): Float64Array {
    return this.#nonTradeCounts.slice();
  }

  /** Zeroes every counter and forgets the last error. */
  resetCounters(): void {
    this.#messages = 0;
    this.#trades = 0;
    this.#tradeMessages = 0;
    this.#nonTradeMessages = 0;
    this.#malformedMessages = 0;
    this.#layoutMisses = 0;
    this.#scannerFallbacks = 0;
    this.#nonTradeCounts.fill(0);
    this.#lastNonTradeKind = -1;
    this.#lastError = null;
  }

  private parseTree(bytes: Uint8Array, start: number, end: number): MessageKind {
    const state = this.state;
    let text: string;
    try {
      text = utf8.decode(bytes.subarray(start, end));
    } catch {
      return state.fail('invalid-utf8', null);
    }
    let root: unknown;
    try {
      root = this.engine(text);
    } catch {
      return state.fail('invalid-json', null);
    }
    state.rawNumbers = false;
    const kind = this.reader.fromTree(root, this.batch, state);
    if (kind !== NEEDS_RAW_NUMBERS) return kind;
    this.batch.clear();
    state.rawNumbers = true;
    let exactRoot: unknown;
    try {
      exactRoot = parseJsonKeepingBigIntegers(text);
    } catch {
      return state.fail('invalid-json', null);
    }
    const exact = this.reader.fromTree(exactRoot, this.batch, state);
    state.rawNumbers = false;
    return exact === NEEDS_RAW_NUMBERS ? state.fail('invalid-trade-id', null) : exact;
  }
}
