/**
 * When the flusher forces written data to stable storage. A `write` that
 * returned survives a crash of the process (the data is in the kernel's page
 * cache); only `fsync` makes it survive a power loss or kernel panic.
 *
 * - `'none'`: never fsync; the kernel writes back on its own schedule
 *   (typically within ~30 s). Fastest; a power loss can cost that window.
 * - `'batch'`: fsync after every batch write, before the batch is released
 *   from the ring. Slowest; a power loss costs nothing that was released.
 * - `{ intervalMs }`: fsync at most every `intervalMs` while there is unsynced
 *   data (the flusher runs these on a thread of its own, beside the drain),
 *   plus in line on rotation and stop. A power loss costs at most about
 *   `intervalMs` of records plus the duration of the fsync in progress. The
 *   default is `{ intervalMs: 1000 }`.
 */
export type FsyncPolicy = 'none' | 'batch' | { intervalMs: number };

/** The flusher's default {@link FsyncPolicy}: fsync at most once a second. */
export const DEFAULT_FSYNC_POLICY: FsyncPolicy = { intervalMs: 1000 };
