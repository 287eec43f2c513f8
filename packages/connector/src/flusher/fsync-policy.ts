import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import { checkNumber } from '@marketpipe/middleware/internal';

/**
 * When the flusher forces written data to stable storage. A `write` that
 * returned survives a crash of the process (the data is in the kernel's page
 * cache); only `fsync` makes it survive a power loss or kernel panic.
 *
 * - `'none'`: never fsync; the kernel writes back on its own schedule
 *   (typically within ~30 s). Fastest; a power loss can cost that window.
 * - `'batch'`: fsync after every batch write, before the batch is released
 *   from the ring. Slowest; a power loss costs nothing that was released.
 * - `{ intervalMs, maxUnsyncedBytes? }`: fsync once `intervalMs` has passed
 *   since the last one, or sooner once `maxUnsyncedBytes` (default 32 MiB)
 *   were written since it started, while there is unsynced data (the flusher
 *   runs these on a thread of its own, beside the drain), plus in line on
 *   rotation and stop. A power loss costs at most about `intervalMs` of records
 *   (and no more than about `maxUnsyncedBytes` while the disk keeps up) plus
 *   the fsync in progress. The byte bound also keeps the fsync at stop short
 *   after a burst (a fast replay writes ~190 MB a second). The default is
 *   `{ intervalMs: 1000 }`.
 */
export type FsyncPolicy = 'none' | 'batch' | { intervalMs: number; maxUnsyncedBytes?: number };

/** The flusher's default {@link FsyncPolicy}: fsync at most once a second, or after 32 MiB. */
export const DEFAULT_FSYNC_POLICY: FsyncPolicy = { intervalMs: 1000 };

/**
 * The interval policy's default byte bound. Chosen on the development machine: a 1M-trade replay (188 MB of
 * records in ~0.8 s) had a 63 ms fsync at stop without it, ~15 ms with 32 MiB and no slower replay; 8 MiB made
 * the replay slower (docs/design/whole-process.md).
 */
export const DEFAULT_MAX_UNSYNCED_BYTES = 32 * 1024 * 1024;

/**
 * `policy` when it is valid: `'none'`, `'batch'`, or an interval of at least 0 ms with a byte bound, if given, of
 * at least 1 byte.
 *
 * @throws InvalidArgumentError naming the field at fault.
 */
export function checkFsyncPolicy(policy: FsyncPolicy): FsyncPolicy {
  if (policy === 'none' || policy === 'batch') return policy;
  if (typeof policy !== 'object' || policy === null) {
    throw new InvalidArgumentError(`fsync must be 'none', 'batch' or { intervalMs }, got ${String(policy)}`, {
      argument: 'fsync',
    });
  }
  checkNumber('fsync.intervalMs', policy.intervalMs, 0);
  if (policy.maxUnsyncedBytes !== undefined)
    checkNumber('fsync.maxUnsyncedBytes', policy.maxUnsyncedBytes, 1);
  return policy;
}
