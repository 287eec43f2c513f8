/**
 * The simulated market's order book per symbol: integer price ticks and size
 * lots on two sorted sides, moved by the trade tape (each trade sweeps the
 * levels up to its price) and by quote churn. Each call to
 * {@link SimBook.step} records the levels it changed, which a venue emulation
 * writes as one delta in the venue's format.
 */

/** One side of a simulated book: prices best first, sizes by price. */
export class SimBookSide {
  /** Price units, best first (descending for bids, ascending for asks). */
  readonly prices: number[] = [];
  readonly sizes = new Map<number, number>();

  constructor(readonly isBid: boolean) {}

  /** Best price, or undefined when empty. */
  best(): number | undefined {
    return this.prices[0];
  }

  /** Worst price, or undefined when empty. */
  worst(): number | undefined {
    return this.prices[this.prices.length - 1];
  }

  /** True when `a` is a better price than `b` on this side. */
  better(a: number, b: number): boolean {
    return this.isBid ? a > b : a < b;
  }

  /** Sets a level (size 0 removes it). */
  set(price: number, size: number): void {
    const had = this.sizes.has(price);
    if (size === 0) {
      if (!had) return;
      this.sizes.delete(price);
      this.prices.splice(this.prices.indexOf(price), 1);
      return;
    }
    this.sizes.set(price, size);
    if (had) return;
    let at = 0;
    while (at < this.prices.length && this.better(this.prices[at]!, price)) at++;
    this.prices.splice(at, 0, price);
  }

  /** A deep copy, for the history of past books. */
  copy(): SimBookSide {
    const side = new SimBookSide(this.isBid);
    side.prices.push(...this.prices);
    for (const [price, size] of this.sizes) side.sizes.set(price, size);
    return side;
  }
}

/** A frozen book, as a snapshot is built from. */
export interface SimBookState {
  readonly symbol: string;
  readonly bids: SimBookSide;
  readonly asks: SimBookSide;
  /** The venue update id of the last change in this book (see {@link SimBook.sequence}). */
  readonly sequence: number;
}

/** The levels one step changed, per side: price units to the new size (0: removed). */
export interface SimBookChanges {
  readonly bids: Map<number, number>;
  readonly asks: Map<number, number>;
  /** Prices removed because they fell past the depth (Kraken sends no removal for these; other venues do). */
  readonly outOfDepth: { bids: Set<number>; asks: Set<number> };
}

/** How many past books a {@link SimBook} keeps: a stale snapshot is the oldest, older than a resyncing client's buffer. */
const HISTORY = 16;

/**
 * One symbol's simulated book, kept at exactly `depth` levels per side (the
 * venue channel's depth): levels swept by trades are refilled at the back.
 */
export class SimBook implements SimBookState {
  readonly bids = new SimBookSide(true);
  readonly asks = new SimBookSide(false);
  /** The venue's update id of the last step (Binance `u`, Bybit `u`, OKX `seqId`; a counter elsewhere). */
  sequence: number;
  /** Messages this book has stepped through. */
  steps = 0;
  readonly #history: SimBookState[] = [];

  constructor(
    readonly symbol: string,
    readonly depth: number,
    midUnits: number,
    readonly meanSizeUnits: number,
    private readonly random: () => number,
    firstSequence: number,
  ) {
    this.sequence = firstSequence;
    const mid = Math.max(depth + 10, midUnits);
    let bid = mid - 1;
    let ask = mid + 1;
    for (let i = 0; i < depth; i++) {
      this.bids.set(bid, this.#size());
      this.asks.set(ask, this.#size());
      bid -= 1 + Math.floor(random() * 3);
      ask += 1 + Math.floor(random() * 3);
    }
  }

  /** The book as it was `HISTORY` steps ago (or the oldest kept), for a stale snapshot. */
  stale(): SimBookState {
    return this.#history[0] ?? this.frozen();
  }

  /** A frozen copy of the book now. */
  frozen(): SimBookState {
    return { symbol: this.symbol, bids: this.bids.copy(), asks: this.asks.copy(), sequence: this.sequence };
  }

  /**
   * One message's worth of change: the trades (price and size units, taker side) sweep the opposite
   * side up to their price, quotes close a wide spread, 0..2 random quote changes, then both sides are
   * brought back to `depth` levels. Never empty: at least one level changes.
   */
  step(trades: ReadonlyArray<{ price: number; size: number; buy: boolean }>): SimBookChanges {
    this.#history.push(this.frozen());
    if (this.#history.length > HISTORY) this.#history.shift();
    this.steps++;
    const changes: SimBookChanges = {
      bids: new Map(),
      asks: new Map(),
      outOfDepth: { bids: new Set(), asks: new Set() },
    };
    for (const trade of trades) this.#execute(trade.price, trade.size, trade.buy, changes);
    const churn = Math.floor(this.random() * 3);
    for (let i = 0; i < churn; i++) this.#churn(changes);
    if (changes.bids.size === 0 && changes.asks.size === 0) this.#churn(changes);
    this.#refill(this.bids, changes.bids, changes.outOfDepth.bids);
    this.#refill(this.asks, changes.asks, changes.outOfDepth.asks);
    return changes;
  }

  #size(): number {
    return 1 + Math.floor(-Math.log(1 - this.random()) * this.meanSizeUnits * 5);
  }

  #set(side: SimBookSide, changed: Map<number, number>, price: number, size: number): void {
    side.set(price, size);
    changed.set(price, size);
  }

  #execute(price: number, size: number, buy: boolean, changes: SimBookChanges): void {
    const hit = buy ? this.asks : this.bids;
    const hitChanges = buy ? changes.asks : changes.bids;
    const other = buy ? this.bids : this.asks;
    const otherChanges = buy ? changes.bids : changes.asks;
    // Levels better than the trade price were swept by it; the level at its price gives up the size.
    while (hit.best() !== undefined && hit.better(hit.best()!, price))
      this.#set(hit, hitChanges, hit.best()!, 0);
    const resting = hit.sizes.get(price);
    if (resting !== undefined) this.#set(hit, hitChanges, price, resting > size ? resting - size : 0);
    // Quotes on the taker's side cannot cross the trade price.
    while (other.best() !== undefined && !other.better(price, other.best()!))
      this.#set(other, otherChanges, other.best()!, 0);
    // Market makers close a spread the trade opened.
    const inside = buy ? price - 1 : price + 1;
    if (inside > 0 && (other.best() === undefined || other.better(inside, other.best()!)))
      this.#set(other, otherChanges, inside, this.#size());
    const behind = buy ? price + 1 : price - 1;
    if (behind > 0 && (hit.best() === undefined || hit.better(behind, hit.best()!)) && !hit.sizes.has(price))
      this.#set(hit, hitChanges, behind, this.#size());
  }

  #churn(changes: SimBookChanges): void {
    const bid = this.random() < 0.5;
    const side = bid ? this.bids : this.asks;
    const changed = bid ? changes.bids : changes.asks;
    const at = Math.floor(this.random() * side.prices.length);
    const price = side.prices[at];
    if (price === undefined) return;
    const action = this.random();
    if (action < 0.6) this.#set(side, changed, price, this.#size());
    else if (action < 0.8 && side.prices.length > 1) this.#set(side, changed, price, 0);
    else {
      // A new level between this one and the next worse one, when there is room.
      const next = side.prices[at + 1];
      const candidate = bid ? price - 1 : price + 1;
      if (candidate > 0 && candidate !== next && !side.sizes.has(candidate))
        this.#set(side, changed, candidate, this.#size());
      else this.#set(side, changed, price, this.#size());
    }
  }

  #refill(side: SimBookSide, changed: Map<number, number>, outOfDepth: Set<number>): void {
    while (side.prices.length > this.depth) {
      const worst = side.worst()!;
      this.#set(side, changed, worst, 0);
      outOfDepth.add(worst);
    }
    while (side.prices.length < this.depth) {
      const worst = side.worst() ?? (side.isBid ? (this.asks.best() ?? 2) - 1 : (this.bids.best() ?? 1) + 1);
      const price =
        side.prices.length === 0
          ? worst
          : side.isBid
            ? worst - 1 - Math.floor(this.random() * 2)
            : worst + 1 + Math.floor(this.random() * 2);
      if (price <= 0) return;
      this.#set(side, changed, price, this.#size());
    }
  }
}
