/**
 * Changing a data dir's ring geometry or format version without losing or repeating a record.
 *
 * A ring's geometry and format are fixed in its file. When the pipeline is asked for
 * another geometry (a new default, or `--ring-slot-bytes` / `--ring-slots`), or finds
 * a ring of an older format (version 1, without receive times, which this code reads
 * but does not write), the old ring may still hold records a crash left unwritten. The migration runs
 * a flusher on the old ring until it is empty (the flusher writes each
 * unreleased record to disk once, skipping what is already there), then puts
 * a new ring in its place whose sequence continues the old one, so the record
 * files stay contiguous for `verify`.
 *
 * Crash safety: the new ring is created beside the old one and renamed over
 * it. A crash before the rename leaves the old ring, drained or not, and the
 * next start migrates again; after it, the new ring is in place.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import type { MonotonicClock } from '@marketpipe/middleware/latency';
import { RingFormatError, RingGeometryError } from '../errors.js';
import { DiskFlusher } from '../flusher/disk-flusher.js';
import type { FsyncPolicy } from '../flusher/fsync-policy.js';
import { RingBuffer } from '../ring/ring-buffer.js';
import type { RingGeometry } from '../ring/ring-geometry.js';
import { RING_FORMAT_VERSION } from '../ring/ring-header.js';

/** What {@link migrateRing} did. */
export interface RingMigration {
  from: RingGeometry;
  to: RingGeometry;
  /** The old ring's format version; the new one has the current version. */
  fromFormatVersion: number;
  toFormatVersion: number;
  /** Records the old ring still held unreleased: now in the record files, each once. */
  recordsDrained: number;
  /** Sequence of the first record the new ring will hold (the old ring's next). */
  nextSequence: number;
}

/** Where and how the old ring is drained. */
export interface RingMigrationOptions {
  ringPath: string;
  /** The geometry wanted from now on (complete: defaults already applied). */
  geometry: RingGeometry;
  dataDir: string;
  venue: string;
  fsync?: FsyncPolicy;
  /** Clock whose wall anchor stamps the drained records (the pipeline's); default the process-wide `clock`. */
  clock?: MonotonicClock;
}

function sameGeometry(a: RingGeometry, b: RingGeometry): boolean {
  return a.slotSize === b.slotSize && a.slotCount === b.slotCount;
}

/** Records committed in the ring at `path` and not yet released, and the sequence the next write gets. */
function pendingRecords(path: string): { pending: number; nextSequence: number } {
  const ring = RingBuffer.open(path);
  try {
    const nextSequence = ring.claimProducer();
    return { pending: nextSequence - ring.nextReadSequence, nextSequence };
  } finally {
    ring.close();
  }
}

/**
 * Replaces the ring at `ringPath` by one of `geometry` and the current format version when the file has another
 * geometry or an older version: drains the old ring to the record files first (records of a version 1 ring carry no
 * receive time, so they are stamped as they are written), then continues its sequence in the new one. Returns
 * `undefined` when there is no ring yet or it is already what is wanted. Call it before any producer or flusher
 * opens the ring.
 *
 * @throws {@link RingGeometryError} (another geometry) or {@link RingFormatError} (the same geometry, an older
 *   format) when the old ring could not be drained (the disk refused the writes); the old ring is kept as it was,
 *   and a later start retries.
 */
export async function migrateRing(options: RingMigrationOptions): Promise<RingMigration | undefined> {
  const { ringPath, geometry } = options;
  if (!existsSync(ringPath)) return undefined;
  const probe = RingBuffer.open(ringPath);
  const from = probe.geometry;
  const fromFormatVersion = probe.formatVersion;
  probe.close();
  if (sameGeometry(from, geometry) && fromFormatVersion === RING_FORMAT_VERSION) return undefined;

  const before = pendingRecords(ringPath);
  const flusher = await DiskFlusher.start({
    ringPath,
    ringGeometry: from,
    dataDir: options.dataDir,
    venue: options.venue,
    ...(options.fsync !== undefined ? { fsync: options.fsync } : {}),
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
  });
  // A migration for the format alone fails with the format's error, one that changes the geometry with its error.
  const Failure = sameGeometry(from, geometry) ? RingFormatError : RingGeometryError;
  try {
    await flusher.stop();
  } catch (error) {
    throw new Failure(ringPath, 'the old ring could not be drained to disk; it is kept as it was', {
      cause: error,
    });
  }
  const after = pendingRecords(ringPath);
  if (after.pending !== 0) {
    const reason = flusher.status().lastError?.message ?? 'no error reported';
    throw new Failure(
      ringPath,
      `${after.pending} records of the old ring are not on disk yet (${reason}); it is kept as it was`,
    );
  }

  const replacement = `${ringPath}.new`;
  rmSync(replacement, { force: true });
  const ring = RingBuffer.open(replacement, geometry);
  try {
    ring.startSequenceAt(after.nextSequence);
  } finally {
    ring.close();
  }
  renameSync(replacement, ringPath);
  return {
    from,
    to: { ...geometry },
    fromFormatVersion,
    toFormatVersion: RING_FORMAT_VERSION,
    recordsDrained: before.pending,
    nextSequence: after.nextSequence,
  };
}
