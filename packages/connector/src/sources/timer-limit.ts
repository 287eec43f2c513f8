/**
 * The longest delay a Node timer holds (2^31-1 ms, about 24.8 days). A longer
 * one fires after 1 ms with a `TimeoutOverflowWarning`, so paced replays
 * wait in steps of at most this long and check the due time again.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;
