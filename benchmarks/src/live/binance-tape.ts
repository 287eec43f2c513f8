/**
 * The messages of the live-path suite: Binance spot trades in the combined-stream wrapper, in the field order of
 * Binance's own documentation (`/work/shared/feeds/VENUE_SAMPLES.md` 1a, the `<symbol>@trade` stream the connector
 * subscribes to), numbered by their trade id so every hop can be matched to its send. The values are those of the
 * recorded frames in 1d.
 */

/** The Binance spot trade message with trade id `sequence` (0-based, so ids index the timing arrays). */
export function binanceTrade(sequence: number): string {
  const price = (24_670.9 + (sequence % 200) / 10).toFixed(2);
  return (
    `{"stream":"btcusdt@trade","data":{"e":"trade","E":1660228023980,"s":"BTCUSDT","t":${sequence},` +
    `"p":"${price}","q":"0.022","T":1660228023973,"m":${sequence % 2 === 0},"M":true}}`
  );
}

/**
 * The same trade as Binance's USD-M futures stream sends it (VENUE_SAMPLES.md 1d, recorded: `T` before `s`, an `X`
 * field, no `M`). The spot connector never receives this shape from its own URL; it misses the spot layout's fast
 * path and takes the general scanner, which the whole-process table shows beside the spot run.
 */
export function binanceFuturesTrade(sequence: number): string {
  const price = (24_670.9 + (sequence % 200) / 10).toFixed(2);
  return (
    `{"stream":"btcusdt@trade","data":{"e":"trade","E":1660228023980,"T":1660228023973,"s":"BTCUSDT",` +
    `"t":${sequence},"p":"${price}","q":"0.022","X":"MARKET","m":${sequence % 2 === 0}}}`
  );
}

/** Monotonic time in ns as a double: CLOCK_MONOTONIC is system-wide, so stamps of different processes compare. */
export function monotonicNs(): number {
  return Number(process.hrtime.bigint());
}

// performance.now() reads the same CLOCK_MONOTONIC (libuv's hrtime) from this process's time origin; one offset,
// taken between two reads, turns it into monotonicNs() without the BigInt each hrtime.bigint() allocates.
const perfBefore = performance.now();
const perfOffsetNs = monotonicNs() - ((perfBefore + performance.now()) / 2) * 1e6;

/**
 * {@link monotonicNs} without allocating (within a microsecond of it): for stamps taken inside a measured interval,
 * where a BigInt per read would add its own cost and garbage to what is measured.
 */
export function monotonicNsNoAlloc(): number {
  return performance.now() * 1e6 + perfOffsetNs;
}
