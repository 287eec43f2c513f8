/**
 * Rate-limited warnings for the data path. A venue that skips a trade id on
 * every message, or sends nothing but garbage, must not turn into one log
 * line per message: writing a line costs ~20 µs, ten times the whole hot
 * path. Per kind and key (a symbol, a drop cause) the first event of each
 * interval is logged in full, the rest are only counted, and one summary line
 * per key closes the interval. The keys tracked per interval are bounded
 * (a feed of endless distinct tickers must not grow memory or the log): events
 * of keys beyond the cap are tallied together in one overflow summary. Counts
 * stay exact: all events of a kind are its full lines plus the `suppressed` of
 * its summaries, the overflow summary included.
 */

/** Distinct keys a kind tracks (and logs in full) per interval unless told otherwise. */
export const DEFAULT_MAX_KEYS = 100;

/** The logger subset the aggregator writes to (pino-compatible). */
export interface WarningLogger {
  warn(obj: object, msg?: string): void;
}

interface Tally {
  suppressed: number;
  /** Sum of the suppressed events' amounts (e.g. missing trade ids). */
  amount: number;
}

/**
 * One kind of data-path warning ("trade id gap"), keyed by `keyField` (`symbol`, `cause`...).
 *
 * @example
 * ```ts
 * const gaps = aggregator.kind('trade id gap', 'symbol', 'missing');
 * gaps.note('BTCUSDT', 3, { firstMissing: 1042 });
 * ```
 */
export class WarningKind {
  readonly #logger: WarningLogger;
  readonly #message: string;
  readonly #summaryMessage: string;
  readonly #keyField: string;
  readonly #amountField: string | undefined;
  readonly #intervalMs: number;
  readonly #maxKeys: number;
  /** Keys seen this interval, at most `#maxKeys`; the first event of a key is logged, later ones tallied. */
  readonly #tallies = new Map<string, Tally>();
  /** Events of keys that did not fit in `#tallies` this interval. */
  readonly #overflow: Tally = { suppressed: 0, amount: 0 };

  /** @internal Created by {@link WarningAggregator.kind}. */
  constructor(
    logger: WarningLogger,
    message: string,
    keyField: string,
    amountField: string | undefined,
    intervalMs: number,
    maxKeys: number,
  ) {
    this.#logger = logger;
    this.#message = message;
    this.#summaryMessage = `${message} (summary)`;
    this.#keyField = keyField;
    this.#amountField = amountField;
    this.#intervalMs = intervalMs;
    this.#maxKeys = maxKeys;
  }

  /**
   * Counts one event of `key`. The first of the interval is logged with `detail` (a function, so the
   * suppressed ones cost no formatting); the rest are tallied for the summary. A new key once the interval
   * already tracks its maximum is tallied in the overflow summary instead.
   */
  note(key: string, amount: number, detail?: () => object): void {
    const tally =
      this.#tallies.get(key) ?? (this.#tallies.size >= this.#maxKeys ? this.#overflow : undefined);
    if (tally !== undefined) {
      tally.suppressed++;
      tally.amount += amount;
      return;
    }
    this.#tallies.set(key, { suppressed: 0, amount: 0 });
    const fields: Record<string, unknown> = { [this.#keyField]: key, ...detail?.() };
    if (this.#amountField !== undefined) fields[this.#amountField] = amount;
    this.#logger.warn(fields, this.#message);
  }

  /**
   * Logs one summary line per key with suppressed events, and one for the events of keys over the limit
   * (`overflow: true`, no key), then starts a new interval.
   */
  flush(): void {
    for (const [key, tally] of this.#tallies) {
      if (tally.suppressed === 0) continue;
      const fields: Record<string, unknown> = {
        [this.#keyField]: key,
        suppressed: tally.suppressed,
        intervalMs: this.#intervalMs,
      };
      if (this.#amountField !== undefined) fields[this.#amountField] = tally.amount;
      this.#logger.warn(fields, this.#summaryMessage);
    }
    this.#tallies.clear();
    const overflow = this.#overflow;
    if (overflow.suppressed > 0) {
      const fields: Record<string, unknown> = {
        overflow: true,
        maxKeys: this.#maxKeys,
        suppressed: overflow.suppressed,
        intervalMs: this.#intervalMs,
      };
      if (this.#amountField !== undefined) fields[this.#amountField] = overflow.amount;
      this.#logger.warn(fields, this.#summaryMessage);
      overflow.suppressed = 0;
      overflow.amount = 0;
    }
  }
}

/**
 * The set of data-path warning kinds of one pipeline, flushed together once
 * per interval (the owner runs the timer) and once at shutdown. A run logs at
 * most two lines per kind and key per interval, and at most `maxKeys` keys
 * (plus one overflow summary) per kind and interval, whatever the message rate.
 *
 * @example
 * ```ts
 * const warnings = new WarningAggregator(logger, 10_000);
 * const drops = warnings.kind('message or trade dropped', 'cause');
 * setInterval(() => warnings.flush(), 10_000).unref();
 * drops.note('oversize', 1, () => ({ bytes: 70_000 }));
 * ```
 */
export class WarningAggregator {
  /** Interval between summaries, as given to the constructor (reported in each summary line). */
  readonly intervalMs: number;
  readonly #logger: WarningLogger;
  readonly #kinds: WarningKind[] = [];

  constructor(logger: WarningLogger, intervalMs: number) {
    this.#logger = logger;
    this.intervalMs = intervalMs;
  }

  /**
   * A new warning kind: `message` is the log message, `keyField` names the key, `amountField` the summed amount,
   * `maxKeys` the distinct keys tracked per interval.
   */
  kind(message: string, keyField: string, amountField?: string, maxKeys = DEFAULT_MAX_KEYS): WarningKind {
    const kind = new WarningKind(this.#logger, message, keyField, amountField, this.intervalMs, maxKeys);
    this.#kinds.push(kind);
    return kind;
  }

  /** Ends the interval of every kind: summary lines for what was suppressed. */
  flush(): void {
    for (const kind of this.#kinds) kind.flush();
  }
}
