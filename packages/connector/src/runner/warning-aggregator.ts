/**
 * Rate-limited warnings for the data path. A venue that skips a trade id on
 * every message, or sends nothing but garbage, must not turn into one log
 * line per message: writing a line costs ~20 µs, ten times the whole hot
 * path. Per kind and key (a symbol, a drop cause) the first event of each
 * interval is logged in full, the rest are only counted, and one summary line
 * per key closes the interval. Counts stay exact: the events of a key are its
 * full lines plus the `suppressed` of its summaries.
 */

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
  /** Keys seen this interval; the first event of a key is logged, later ones tallied. */
  readonly #tallies = new Map<string, Tally>();

  /** @internal Created by {@link WarningAggregator.kind}. */
  constructor(
    logger: WarningLogger,
    message: string,
    keyField: string,
    amountField: string | undefined,
    intervalMs: number,
  ) {
    this.#logger = logger;
    this.#message = message;
    this.#summaryMessage = `${message} (summary)`;
    this.#keyField = keyField;
    this.#amountField = amountField;
    this.#intervalMs = intervalMs;
  }

  /**
   * Counts one event of `key`. The first of the interval is logged with `detail` (a function, so the
   * suppressed ones cost no formatting); the rest are tallied for the summary.
   */
  note(key: string, amount: number, detail?: () => object): void {
    const tally = this.#tallies.get(key);
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

  /** Logs one summary line per key with suppressed events, then starts a new interval. */
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
  }
}

/**
 * The set of data-path warning kinds of one pipeline, flushed together once
 * per interval (the owner runs the timer) and once at shutdown. A run logs at
 * most two lines per kind and key per interval, whatever the message rate.
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

  /** A new warning kind: `message` is the log message, `keyField` names the key, `amountField` the summed amount. */
  kind(message: string, keyField: string, amountField?: string): WarningKind {
    const kind = new WarningKind(this.#logger, message, keyField, amountField, this.intervalMs);
    this.#kinds.push(kind);
    return kind;
  }

  /** Ends the interval of every kind: summary lines for what was suppressed. */
  flush(): void {
    for (const kind of this.#kinds) kind.flush();
  }
}
