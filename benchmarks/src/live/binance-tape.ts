/**
 * The messages of the live-path suite: Binance combined-stream trades in the exact shape of the real feed
 * (`/work/shared/feeds/VENUE_SAMPLES.md`), numbered by their trade id so every hop can be matched to its send.
 */

/** The real Binance trade message with trade id `sequence` (0-based, so ids index the timing arrays). */
export function binanceTrade(sequence: number): string {
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
