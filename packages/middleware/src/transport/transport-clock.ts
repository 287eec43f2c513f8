/**
 * The clock transports stamp deliveries with unless a `now` function is
 * injected. Kept local until the shared `latency/clock` lands; swapping it is
 * a one-line change of this export.
 */

/** Monotonic nanoseconds (fractional) from `performance.now()`; the default `now` of every transport. */
export const transportNowNanos = (): number => performance.now() * 1e6;
