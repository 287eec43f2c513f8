/**
 * Trade-id gap detection per ticker, for venues whose trade ids form a contiguous sequence per symbol: the highest
 * id seen plus a 32-id window tell gaps, late and duplicate trades apart without allocating; a gap across a
 * reconnect is reported as one. The window, the counting rules and the reconnect policy:
 * docs/design/gap-detector.md.
 */

/** What {@link GapDetector.observe} found. */
export const SequenceCheck = {
  /** The first range seen for this ticker (or after a reset). */
  first: 0,
  /** Follows the previous range exactly. */
  contiguous: 1,
  /** Ids were skipped before this range (counted and reported). */
  gap: 2,
  /** Every id of the range was seen before (or is older than the window). */
  duplicate: 3,
  /** At least one id of the range is below the highest seen but was not seen yet. */
  late: 4,
  /** No usable range (`-1`, beyond 2^53, or first > last): not tracked. */
  untracked: 5,
} as const;

/** One of the {@link SequenceCheck} values. */
export type SequenceCheck = (typeof SequenceCheck)[keyof typeof SequenceCheck];

/**
 * Called for each gap, with plain numbers so reporting costs no allocation:
 * the ticker, the first missing id, how many ids are missing, and whether the
 * gap spans a reconnect.
 */
export type GapListener = (
  tickerId: number,
  firstMissing: number,
  missingCount: number,
  acrossReconnect: boolean,
) => void;

/** The contiguous trade ids a trade covers (`ParsedTrade` has these fields). */
export interface TradeIdRange {
  seqFirst: number;
  seqLast: number;
}

/** Options of a {@link GapDetector}. */
export interface GapDetectorOptions {
  /** Gap hook (log, metric, backfill request). */
  onGap?: GapListener;
  /** Tickers to allocate room for up front; the arrays grow when a larger id shows up. */
  initialTickers?: number;
}

const WINDOW_BITS = 32;

function rangeBits(count: number): number {
  return count >= WINDOW_BITS ? 0xffffffff : ((1 << count) - 1) >>> 0;
}

/**
 * Counts missing, duplicate and late trade ids per ticker.
 *
 * @example
 * ```ts
 * const gaps = new GapDetector({ onGap: (ticker, first, count) => log.warn({ ticker, first, count }, 'trade gap') });
 * gaps.observe(tickerId, trade.seqFirst, trade.seqLast);
 * // after the WebSocket reconnects:
 * gaps.onReconnect();
 * ```
 */
export class GapDetector {
  #totalMissing = 0;
  #totalGaps = 0;
  #totalGapsAcrossReconnect = 0;
  #totalDuplicates = 0;
  #totalLate = 0;

  private readonly onGap: GapListener | undefined;
  /** Scratch through which {@link GapDetector.observe} reaches {@link GapDetector.observeRange}. */
  private readonly range: TradeIdRange = { seqFirst: 0.5, seqLast: 0.5 };
  private capacity: number;
  private highest: Float64Array;
  /** The first id of the ticker's sequence (its first range since construction or {@link GapDetector.reset}). */
  private start: Float64Array;
  private window: Uint32Array;
  private reconnected: Uint8Array;
  private missing: Float64Array;
  private gaps: Float64Array;
  private duplicates: Float64Array;
  private late: Float64Array;

  constructor(options: GapDetectorOptions = {}) {
    this.onGap = options.onGap;
    this.capacity = Math.max(1, options.initialTickers ?? 64);
    this.highest = new Float64Array(this.capacity).fill(-1);
    this.start = new Float64Array(this.capacity);
    this.window = new Uint32Array(this.capacity);
    this.reconnected = new Uint8Array(this.capacity);
    this.missing = new Float64Array(this.capacity);
    this.gaps = new Float64Array(this.capacity);
    this.duplicates = new Float64Array(this.capacity);
    this.late = new Float64Array(this.capacity);
  }

  /** Missing ids over all tickers: skipped by a gap and not arrived late since (within the window). */
  get totalMissing(): number {
    return this.#totalMissing;
  }

  /** Gap events over all tickers. */
  get totalGaps(): number {
    return this.#totalGaps;
  }

  /** Gap events that spanned a reconnect. */
  get totalGapsAcrossReconnect(): number {
    return this.#totalGapsAcrossReconnect;
  }

  /** Duplicate ids over all tickers. */
  get totalDuplicates(): number {
    return this.#totalDuplicates;
  }

  /** Late (out-of-order) ids over all tickers. */
  get totalLate(): number {
    return this.#totalLate;
  }

  /** Records the trade ids `first..last` (inclusive) of `tickerId` and classifies them. */
  observe(tickerId: number, first: number, last: number): SequenceCheck {
    const range = this.range;
    range.seqFirst = first;
    range.seqLast = last;
    return this.observeRange(tickerId, range);
  }

  /**
   * The hot-path form of {@link GapDetector.observe}: the id range is read from
   * `range` (a parser's reused trade object fits), because V8 boxes doubles
   * passed as arguments to a call it does not inline, and trade ids are
   * usually above the small-integer range.
   */
  observeRange(tickerId: number, range: TradeIdRange): SequenceCheck {
    const first = range.seqFirst;
    const last = range.seqLast;
    if (
      first < 0 ||
      last < first ||
      !Number.isSafeInteger(last) ||
      !Number.isSafeInteger(first) ||
      !Number.isInteger(tickerId) ||
      tickerId < 0
    ) {
      return SequenceCheck.untracked;
    }
    if (tickerId >= this.capacity) this.grow(tickerId + 1);
    const highest = this.highest[tickerId]!;
    if (highest < 0) {
      this.highest[tickerId] = last;
      this.start[tickerId] = first;
      this.window[tickerId] = rangeBits(last - first + 1);
      this.reconnected[tickerId] = 0;
      return SequenceCheck.first;
    }
    const acrossReconnect = this.reconnected[tickerId] === 1;
    this.reconnected[tickerId] = 0;
    if (first > highest) {
      this.advance(tickerId, highest, first, last);
      const missing = first - highest - 1;
      if (missing === 0) return SequenceCheck.contiguous;
      this.missing[tickerId]! += missing;
      this.gaps[tickerId]!++;
      this.#totalMissing += missing;
      this.#totalGaps++;
      if (acrossReconnect) this.#totalGapsAcrossReconnect++;
      this.onGap?.(tickerId, highest + 1, missing, acrossReconnect);
      return SequenceCheck.gap;
    }
    // Part or all of the range is at or below the highest id seen.
    const upper = Math.min(last, highest);
    const windowFloor = highest - WINDOW_BITS + 1;
    let duplicates = first < windowFloor ? Math.min(upper, windowFloor - 1) - first + 1 : 0;
    let late = 0;
    // Late ids at or above the sequence's start were counted missing by the gap that skipped them: no longer.
    let filled = 0;
    const start = this.start[tickerId]!;
    let window = this.window[tickerId]!;
    for (let id = Math.max(first, windowFloor); id <= upper; id++) {
      const bit = 1 << (highest - id);
      if ((window & bit) !== 0) duplicates++;
      else {
        late++;
        if (id >= start) filled++;
        window |= bit;
      }
    }
    this.window[tickerId] = window >>> 0;
    if (last > highest) this.advance(tickerId, highest, highest + 1, last);
    this.duplicates[tickerId]! += duplicates;
    this.late[tickerId]! += late;
    this.missing[tickerId]! -= filled;
    this.#totalDuplicates += duplicates;
    this.#totalLate += late;
    this.#totalMissing -= filled;
    return late > 0 ? SequenceCheck.late : SequenceCheck.duplicate;
  }

  /**
   * Marks a reconnect: every ticker keeps its last id, and the next range of
   * each is compared with it; a gap found then is flagged `acrossReconnect`.
   */
  onReconnect(): void {
    this.reconnected.fill(1);
  }

  /** Forgets `tickerId`'s sequence (not its counters): its next range is a new {@link SequenceCheck.first}. */
  reset(tickerId: number): void {
    if (tickerId >= this.capacity) return;
    this.highest[tickerId] = -1;
    this.window[tickerId] = 0;
    this.reconnected[tickerId] = 0;
  }

  /** The highest id seen for `tickerId`, or -1. */
  lastId(tickerId: number): number {
    return tickerId < this.capacity ? this.highest[tickerId]! : -1;
  }

  /** Missing ids counted for `tickerId` (less those that arrived late, within the window). */
  missingCount(tickerId: number): number {
    return tickerId < this.capacity ? this.missing[tickerId]! : 0;
  }

  /** Gap events counted for `tickerId`. */
  gapCount(tickerId: number): number {
    return tickerId < this.capacity ? this.gaps[tickerId]! : 0;
  }

  /** Duplicate ids counted for `tickerId`. */
  duplicateCount(tickerId: number): number {
    return tickerId < this.capacity ? this.duplicates[tickerId]! : 0;
  }

  /** Late (out-of-order) ids counted for `tickerId`. */
  lateCount(tickerId: number): number {
    return tickerId < this.capacity ? this.late[tickerId]! : 0;
  }

  /** Moves the high-water mark from `highest` up to `last`, marking `first..last` as seen. */
  private advance(tickerId: number, highest: number, first: number, last: number): void {
    const shift = last - highest;
    const window = shift >= WINDOW_BITS ? 0 : this.window[tickerId]! << shift;
    this.window[tickerId] = (window | rangeBits(last - first + 1)) >>> 0;
    this.highest[tickerId] = last;
  }

  private grow(minimum: number): void {
    let capacity = this.capacity * 2;
    while (capacity < minimum) capacity *= 2;
    const f64 = (a: Float64Array, fill: number) => {
      const b = new Float64Array(capacity).fill(fill);
      b.set(a);
      return b;
    };
    this.highest = f64(this.highest, -1);
    this.start = f64(this.start, 0);
    this.missing = f64(this.missing, 0);
    this.gaps = f64(this.gaps, 0);
    this.duplicates = f64(this.duplicates, 0);
    this.late = f64(this.late, 0);
    const window = new Uint32Array(capacity);
    window.set(this.window);
    this.window = window;
    const reconnected = new Uint8Array(capacity);
    reconnected.set(this.reconnected);
    this.reconnected = reconnected;
    this.capacity = capacity;
  }
}
