/**
 * Publishes normalized trades as Cap'n Proto messages on any {@link Transport},
 * under `{env}.{venue}.trade.{SYMBOL}`.
 *
 * Per-message work is only the encode into a reused buffer and the publish:
 * the subject prefix is computed once, and each interned ticker gets its
 * subject token, its prepared transport target and its UTF-8 bytes cached on
 * first sight (indexed by the interner's dense id, so lookups are array reads).
 */
import type { Interner, Transport } from '@marketpipe/middleware';
import { DOUBLE_FIELD, fastPublishOf } from '@marketpipe/middleware/internal';
import type { FastPublishTransport, PublishStamp, PublishTarget } from '@marketpipe/middleware/transport';
import type { TradeData } from '../codec/trade-data.js';
import { type EpochMsParts, TradeEncoder, type TradeNumbers } from '../codec/trade-encoder.js';
import { SubjectCollisionError } from '../errors.js';
import { tickerToSubjectToken, validateName } from './subject-token.js';

/**
 * When a trade was received: wall time (epoch ms and ns within it) for the message, and the monotonic clock
 * reading a stamping transport delivers it with.
 */
export interface ReceiveTime extends EpochMsParts, PublishStamp {}

/** Options for {@link Publisher}. */
export interface PublisherOptions {
  /** Where trades go. */
  transport: Transport;
  /** Environment name, the first subject token (`[a-z0-9_-]{1,64}`), e.g. `prod`. */
  env: string;
  /** Venue name, the second subject token (`[a-z0-9_-]{1,64}`), e.g. `binance`. */
  venue: string;
  /** The interner whose ids the hot path passes to {@link Publisher.publishFields}. */
  interner: Interner;
  /** Encoder to reuse; default a new {@link TradeEncoder}. */
  encoder?: TradeEncoder;
  /** Called once per colliding ticker, when the collision is first detected. */
  onCollision?: (error: SubjectCollisionError) => void;
  /**
   * The tickers asked for. Their subjects are reserved at construction, so a
   * stray ticker mapping to the same subject (`BTC-USD` beside `BTC/USD`)
   * can never take one away from them, whatever arrives first. Unless
   * `allowUnlisted`, trades of any other ticker are refused (see
   * {@link Publisher.isUnlisted}). Omitted: every ticker is published, first
   * come first served.
   */
  symbols?: readonly string[];
  /** With `symbols`: also publish tickers not in it, on subjects no listed ticker owns (default false). */
  allowUnlisted?: boolean;
  /** Called once per ticker refused for not being among `symbols`, when it is first seen. */
  onUnlisted?: (ticker: string) => void;
}

/** Counters of a {@link Publisher}. */
export interface PublisherCounters {
  /** Trades handed to the transport. */
  published: number;
  /** Trades not published because their ticker's subject belongs to another ticker. */
  collisionDrops: number;
  /** Distinct tickers refused for a subject collision. */
  collidingTickers: number;
  /** Trades not published because their ticker is not among `symbols`. */
  unlistedDrops: number;
}

// Marks a ticker id whose subject collided, so later trades are refused without recomputing.
const COLLIDED = null;
// Marks a ticker id that is not in `symbols` (when unlisted tickers are refused).
const UNLISTED = false;

/**
 * Encodes and publishes trades for one `(env, venue)`.
 *
 * @example
 * ```ts
 * import { InMemoryTransport, Interner } from '@marketpipe/middleware';
 * import { Publisher, TradeSide } from '@marketpipe/connector';
 *
 * const transport = new InMemoryTransport();
 * transport.subscribe('prod.binance.trade.>', (payload, subject) => console.log(subject, payload.length));
 * const publisher = new Publisher({ transport, env: 'prod', venue: 'binance', interner: new Interner() });
 * publisher.publish({
 *   timestampNanos: 1_700_000_000_000_000_000n, receivedNanos: 1_700_000_000_000_500_000n,
 *   ticker: 'BTC/USDT', price: 42_000.5, size: 0.01, side: TradeSide.buy, tradeId: '12345',
 * }); // -> prod.binance.trade.BTC-USDT
 * ```
 */
export class Publisher {
  /** `{env}.{venue}.trade.`, computed once. */
  readonly prefix: string;
  readonly #transport: FastPublishTransport;
  readonly #interner: Interner;
  readonly #encoder: TradeEncoder;
  readonly #onCollision: ((error: SubjectCollisionError) => void) | undefined;
  readonly #onUnlisted: ((ticker: string) => void) | undefined;
  /** By ticker id: the prepared target, `COLLIDED`, `UNLISTED`, or undefined when not seen yet. */
  readonly #targets: (PublishTarget | typeof COLLIDED | typeof UNLISTED | undefined)[] = [];
  /** Ticker ids of `symbols`; undefined when every ticker may publish. */
  readonly #listed: Set<number> | undefined;
  readonly #tickerUtf8: Uint8Array[] = [];
  /** Subject token -> ticker id that owns it. */
  readonly #owners = new Map<string, number>();
  readonly #utf8 = new TextEncoder();
  // A double from the start (DOUBLE_FIELD, zeroed in the constructor): it passes 2^31 in a long run.
  #published = DOUBLE_FIELD;
  #collisionDrops = 0;
  #collidingTickers = 0;
  #unlistedDrops = 0;

  /** @throws InvalidNameError when `env` or `venue` is not a valid name. */
  constructor(options: PublisherOptions) {
    this.#published = 0;
    this.prefix = `${validateName('env', options.env)}.${validateName('venue', options.venue)}.trade.`;
    this.#transport = fastPublishOf(options.transport);
    this.#interner = options.interner;
    this.#encoder = options.encoder ?? new TradeEncoder();
    this.#onCollision = options.onCollision;
    this.#onUnlisted = options.onUnlisted;
    if (options.symbols !== undefined) {
      const ids = options.symbols.map((symbol) => this.#interner.intern(symbol));
      // Reserved in the given order: of two listed tickers sharing a subject, the first keeps it.
      for (const id of ids) this.#target(id);
      this.#listed = options.allowUnlisted === true ? undefined : new Set(ids);
    }
  }

  /**
   * The subject trades of this ticker id go to, or `undefined` when the
   * ticker collided with another one. Resolves and caches on first use.
   */
  subjectFor(tickerId: number): string | undefined {
    const target = this.#target(tickerId);
    return target === COLLIDED || target === UNLISTED ? undefined : target.subject;
  }

  /** True when trades of this ticker id are refused because it is not among `symbols`. */
  isUnlisted(tickerId: number): boolean {
    return this.#target(tickerId) === UNLISTED;
  }

  /**
   * The hot path: encodes one trade and publishes it. The numeric fields are
   * read from `fields` (a parser's reused trade object fits) and the receive
   * time from `received` (epoch ms + ns within the ms, and the monotonic
   * reading a stamping transport delivers with, see {@link PublishStamp}), so
   * no double is passed as an argument (V8 boxes those into heap numbers when
   * a call is not inlined). The trade id is `idBytes[idStart, idEnd)` (UTF-8,
   * usually a slice of the raw frame).
   *
   * @returns `false` (and counts a collision or unlisted drop) when the
   *   ticker's subject belongs to another ticker or the ticker is not among
   *   `symbols` ({@link Publisher.isUnlisted} tells which); `true` once handed
   *   to the transport.
   */
  publishFields(
    tickerId: number,
    fields: TradeNumbers,
    received: ReceiveTime,
    idBytes: Uint8Array,
    idStart: number,
    idEnd: number,
  ): boolean {
    let target = this.#targets[tickerId];
    if (target === undefined) target = this.#target(tickerId);
    if (target === COLLIDED || target === UNLISTED) {
      if (target === COLLIDED) this.#collisionDrops++;
      else this.#unlistedDrops++;
      return false;
    }
    const encoder = this.#encoder;
    encoder.encodeFields(fields, received, this.#tickerUtf8[tickerId]!, idBytes, idStart, idEnd);
    this.#transport.publish(target, encoder.bytes, received);
    this.#published++;
    return true;
  }

  /**
   * Convenience path for a whole {@link TradeData}: interns the ticker and
   * publishes. Allocates (interning, UTF-8 of the id); use
   * {@link Publisher.publishFields} on the hot path.
   */
  publish(trade: TradeData): boolean {
    const tickerId = this.#interner.intern(trade.ticker);
    let target = this.#targets[tickerId];
    if (target === undefined) target = this.#target(tickerId);
    if (target === COLLIDED || target === UNLISTED) {
      if (target === COLLIDED) this.#collisionDrops++;
      else this.#unlistedDrops++;
      return false;
    }
    this.#encoder.encode(trade);
    this.#transport.publish(target, this.#encoder.bytes);
    this.#published++;
    return true;
  }

  /** A snapshot of the counters. */
  counters(): PublisherCounters {
    return {
      published: this.#published,
      collisionDrops: this.#collisionDrops,
      collidingTickers: this.#collidingTickers,
      unlistedDrops: this.#unlistedDrops,
    };
  }

  #target(tickerId: number): PublishTarget | typeof COLLIDED | typeof UNLISTED {
    const cached = this.#targets[tickerId];
    if (cached !== undefined) return cached;
    if (this.#listed !== undefined && !this.#listed.has(tickerId)) {
      this.#targets[tickerId] = UNLISTED;
      this.#onUnlisted?.(this.#interner.resolve(tickerId));
      return UNLISTED;
    }
    const ticker = this.#interner.resolve(tickerId);
    const token = tickerToSubjectToken(ticker);
    const owner = this.#owners.get(token);
    if (owner !== undefined && owner !== tickerId) {
      this.#targets[tickerId] = COLLIDED;
      this.#collidingTickers++;
      this.#onCollision?.(
        new SubjectCollisionError(this.prefix + token, this.#interner.resolve(owner), ticker),
      );
      return COLLIDED;
    }
    this.#owners.set(token, tickerId);
    const target = this.#transport.prepare(this.prefix + token);
    this.#tickerUtf8[tickerId] = this.#utf8.encode(ticker);
    this.#targets[tickerId] = target;
    return target;
  }
}
