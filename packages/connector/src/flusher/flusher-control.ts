/**
 * Layout of the SharedArrayBuffer the flusher's main-thread handle and its
 * worker share. Status counters live here so `status()` is a few memory reads,
 * never a message round-trip; control flags live here because the worker's
 * loop is synchronous and cannot receive messages while it runs.
 */

/** Int32 slot: the worker's {@link FlusherState} code. */
export const STATE = 0;
/** Int32 slot: 1 once the main thread asked the worker to drain and stop. */
export const STOP = 1;
/** Int32 slot: 1 once the worker drained, closed its file and is about to exit. */
export const DONE = 2;
/** Int32 slot: failed write attempts since start. */
export const RETRIES = 3;
/** Int32 slot: test-only write-fault switch (see `write-fault.ts`). */
export const WRITE_FAULT = 4;
/** Int32 slot: 1 once the main thread posted the wall anchor (see `MainToFlusher`). */
export const ANCHOR_SENT = 5;
/** Int32 slot: test only, 1 once a worker started with `holdStart` may go on (see `holdNextFlusherStart`). */
export const START_GATE = 6;
/** Int32 slot: futex word the idle worker waits on; producers bump it to wake the worker. */
export const WAKE = 16;
/**
 * Int32 slot: {@link NAPPING} or {@link NAPPING_LONG} while the worker is (about to be) asleep, 0 otherwise, so
 * producers only pay for a notify when it helps.
 */
export const SLEEPING = 17;
/** {@link SLEEPING} value: a nap of `idleWaitMs`, the poll that finds records at a steady pace. */
export const NAPPING = 1;
/**
 * {@link SLEEPING} value: a long nap ({@link LONG_NAP_MS}), taken once the ring stayed empty for
 * {@link LONG_NAP_AFTER_MS}. The next record should wake it (`DiskFlusher.notify`, the runner does): its own poll
 * would find the record only when the nap ends.
 */
export const NAPPING_LONG = 2;
/** How long the ring stays empty before the worker naps long: an idle recorder then wakes ~10 times a second. */
export const LONG_NAP_AFTER_MS = 100;
/** Longest long nap in ms; it ends sooner when an fsync falls due, a producer notifies, or a stop is asked. */
export const LONG_NAP_MS = 100;
/** Int32 slots in the control block; WAKE and SLEEPING sit on their own 64-byte line, away from the counters. */
export const CONTROL_INT32_SLOTS = 32;

/** Float64 slot: records written to files. */
export const RECORDS_WRITTEN = 0;
/** Float64 slot: file bytes written. */
export const BYTES_WRITTEN = 1;
/** Float64 slot: highest sequence in a file, -1 before the first. */
export const LAST_SEQUENCE = 2;
const COUNTER_FLOAT64_SLOTS = 8;

/** Size in bytes of the shared block: the Int32 control slots, then the Float64 counters. */
export const SHARED_BYTES = CONTROL_INT32_SLOTS * 4 + COUNTER_FLOAT64_SLOTS * 8;

/** Worker states, as stored in {@link STATE}. */
export const FlusherStateCode = { starting: 0, running: 1, retrying: 2, stopped: 3 } as const;

/** Views over one shared block. */
export interface SharedViews {
  /** Control flags and the retry counter (use `Atomics`). */
  control: Int32Array;
  /**
   * Counters written only by the worker. Aligned 8-byte stores do not tear on
   * the 64-bit targets Node supports, and each slot has a single writer.
   */
  counters: Float64Array;
}

/** Creates the views over `shared` (either side calls this on the same buffer). */
export function sharedViews(shared: SharedArrayBuffer): SharedViews {
  return {
    control: new Int32Array(shared, 0, CONTROL_INT32_SLOTS),
    counters: new Float64Array(shared, CONTROL_INT32_SLOTS * 4, COUNTER_FLOAT64_SLOTS),
  };
}
