/**
 * Appends ring records to per-venue, per-UTC-day record files. Runs inside the
 * flusher worker, but has no thread or ring dependency so tests can drive it
 * on the main thread with a fake clock and a failing disk.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { checkInteger, checkOneOf } from '@marketpipe/middleware/internal';
import type { EpochMsParts } from '../codec/trade-encoder.js';
import type { BackgroundSyncer, ThreadSyncer } from './background-sync.js';
import type { FileSink } from './file-sink.js';
import { nodeFileSink } from './file-sink.js';
import { DEFAULT_FSYNC_POLICY, DEFAULT_MAX_UNSYNCED_BYTES, type FsyncPolicy } from './fsync-policy.js';
import {
  BLOCK_COUNT_OFFSET,
  BLOCK_HEADER_BYTES,
  BLOCK_LENGTH_OFFSET,
  DEFAULT_RECORD_FILE_EXTENSION,
  encodeFileHeader,
  FILE_HEADER_BYTES,
  MAX_BLOCK_BYTES,
  RECORD_HEADER_BYTES,
  SEQUENCE_OFFSET,
  setUint64,
  setWallNanos,
  WALL_NANOS_OFFSET,
} from './record-format.js';
import { type RecordDamage, type RecordFileSummary, scanRecordFile } from './record-reader.js';
import { saveAside } from './set-aside-file.js';
import { dayOfSeconds, formatDay } from './utc-day.js';
import { assertRecordPathParts } from './venue-name.js';
import { ClockWallClock, FunctionWallClock, type WallClock } from './wall-clock.js';

/** Options of {@link RecordFileWriter}. */
export interface RecordFileWriterOptions {
  /** Root data directory; files go to `<dataDir>/<venue>/<YYYY-MM-DD>.<extension>`. */
  dataDir: string;
  /** Venue name, `[a-z0-9_-]{1,64}`. */
  venue: string;
  /** File extension, `[a-z0-9]{1,16}`; default `mprec`. */
  extension?: string;
  /**
   * Initial write-buffer size in bytes; default 64 KiB, at least 36. It grows when what is appended before a
   * write needs more.
   *
   * @throws {InvalidArgumentError} (from the constructor) for anything else than an integer >= 36.
   */
  bufferBytes?: number;
  /** Durability policy; default {@link DEFAULT_FSYNC_POLICY}. */
  fsync?: FsyncPolicy;
  /**
   * When the wall clock (`@marketpipe/middleware`'s process-wide `clock`, never stepping back) is read:
   * `'record'` (default) on every {@link RecordFileWriter.append}; `'batch'` only in
   * {@link RecordFileWriter.sampleClock}, every record appended after it carrying that time. The flusher samples
   * once per ring batch: a clock read per record cost it ~10%.
   */
  clockSampling?: 'record' | 'batch';
  /**
   * A {@link ThreadSyncer} that runs the interval policy's fsyncs off the calling thread, as the flusher's does:
   * {@link RecordFileWriter.syncIfDue} starts one there and returns at once. Rotation, close and the `'batch'`
   * policy still sync in line, after waiting for a running background fsync. The writer does not close it.
   */
  syncer?: ThreadSyncer;
  /**
   * Told of each damaged end cut off a day file when it is opened for appending after {@link RecordFileWriter.recover}
   * (a day file recovery did not scan); those recovery cut off are in its result.
   */
  onSetAside?: (range: SetAsideRange) => void;
}

/**
 * {@link RecordFileWriterOptions} and what the flusher worker and tests inject: file operations, clocks, a stand-in
 * for the fsync thread. Reached through {@link createRecordFileWriter} (`@marketpipe/connector/internal`), never a
 * public entry.
 */
export interface RecordFileWriterInternalOptions extends Omit<RecordFileWriterOptions, 'syncer'> {
  /** File operations; default `node:fs`. Tests and the worker's fault injection pass a failing sink. */
  sink?: FileSink;
  /** Wall-clock source in ns since the epoch (tests cross a UTC midnight with it); default the process clock. */
  wallNanos?: () => bigint;
  /** Clock object used instead of `wallNanos` (the worker passes one on the runner's anchor). */
  clock?: WallClock;
  /** Monotonic milliseconds for the fsync interval; default `performance.now`. */
  monotonicMs?: () => number;
  /** As {@link RecordFileWriterOptions.syncer}, or a test's stand-in for the thread. */
  syncer?: BackgroundSyncer;
}

/**
 * Damaged bytes at the end of a day file (a torn tail, or corruption after its last intact block), cut off so
 * that appending goes on after the last intact block, and copied first to `savedAs` (`<file>.torn-<offset>` or
 * `<file>.damaged-<offset>`), which readers read in its place.
 */
export interface SetAsideRange {
  /** The day file. */
  file: string;
  /** Where the cut bytes started in it. */
  offset: number;
  bytes: number;
  /** `'tornTail'` when the file ended inside a block (a cut write), `'corruption'` otherwise. */
  kind: RecordDamage['kind'];
  /** The set-aside file that holds the bytes now. */
  savedAs: string;
}

/** What {@link RecordFileWriter.recover} found on disk. */
export interface WriterRecovery {
  /** Highest sequence already in a file, -1 when the venue has no records yet. */
  lastSequence: number;
  /** The file that record is in. */
  file: string | undefined;
  /** Bytes cut off the end of day files: the sum of `setAside`. */
  truncatedBytes: number;
  /** Damaged ends cut off (and kept beside their files). */
  setAside: SetAsideRange[];
  /** Damage in the middle of the files scanned, left in place: readers skip it and report it. */
  damage: RecordDamage[];
}

const DEFAULT_BUFFER_BYTES = 64 * 1024;
const NANOS_PER_MS = 1_000_000;
/**
 * Receive times at or past this (2^32 s, in 2106: the end of the range `setWallNanos` writes) are taken for damage,
 * and the record is stamped with the clock.
 */
const MAX_RECEIVED_MS = 4_294_967_296_000;
/** Smallest write buffer accepted: room for a block header and a record header (it grows for payloads). */
const MIN_BUFFER_BYTES = BLOCK_HEADER_BYTES + RECORD_HEADER_BYTES;
/**
 * Up to this size a byte loop is as fast as copying by 32-bit words; above it words are ~2.5x faster. Words go
 * through DataViews (unaligned access on either side), not `set(subarray())`: that view is an allocation per
 * record, which kept the flusher's isolate scavenging (docs/design/whole-process.md).
 */
const COPY_LOOP_MAX = 32;

/**
 * Buffers records and writes them to the file of their UTC day. Each record
 * is stamped with its receive time when {@link RecordFileWriter.append} is
 * given one (the flusher passes the time each ring record carries), else with
 * the wall clock when it is appended (or, with `clockSampling: 'batch'`, at
 * the last {@link RecordFileWriter.sampleClock});
 * {@link writePending} then seals each day's records as a block (length,
 * count, one CRC-32 from zlib; a new block past `MAX_BLOCK_BYTES`) and
 * writes each block with one positional `write` (more after a short write).
 *
 * Failure model: every file operation may throw (ENOSPC, EIO, ...). When
 * `writePending` throws, the pending bytes stay buffered and the next call
 * rewrites them at the same offset, so retrying is always safe and never
 * duplicates; the caller keeps the records in the ring until it returns.
 * Sequences at or below the last one written are skipped, which is how
 * records already on disk before a crash are not written twice.
 *
 * @example
 * ```ts
 * const writer = new RecordFileWriter({ dataDir: 'data', venue: 'binance' });
 * writer.recover();
 * writer.append(bytes, 0, bytes.length, 0);
 * writer.writePending();
 * writer.close();
 * ```
 */
export class RecordFileWriter {
  #recordsWritten = 0;
  #bytesWritten = 0;
  #lastSequence = -1;
  #currentFile: string | undefined;

  /** Records written to files (the write syscall returned) since construction. */
  get recordsWritten(): number {
    return this.#recordsWritten;
  }
  /** File bytes (block and record headers, payloads) written since construction. */
  get bytesWritten(): number {
    return this.#bytesWritten;
  }
  /** Highest sequence in a file: found by {@link RecordFileWriter.recover}, then advanced by each write. -1 for none. */
  get lastSequence(): number {
    return this.#lastSequence;
  }
  /** Path of the file being appended to, once one is open. */
  get currentFile(): string | undefined {
    return this.#currentFile;
  }

  private readonly venueDir: string;
  private readonly extension: string;
  private readonly sink: FileSink;
  private readonly clock: WallClock;
  private readonly fsync: FsyncPolicy;
  private readonly monotonicMs: () => number;
  private readonly samplePerRecord: boolean;
  private readonly syncer: BackgroundSyncer | undefined;
  private readonly onSetAside: ((range: SetAsideRange) => void) | undefined;
  /** The clock sample whose u64 wall nanoseconds are in `stampView`. */
  private stampSeconds = Number.NaN;
  private stampNanos = Number.NaN;
  private readonly stampView = new DataView(new ArrayBuffer(8));
  private buffer: Uint8Array;
  private view: DataView;
  /**
   * The last source array, its byte offset, and a view of its whole buffer (the ring's mapping, in the flusher): made
   * once, not per record. Keyed by the array itself so that a record costs one compare: on Node 20 TurboFan leaves
   * `buffer` and `byteOffset` to the generic inline cache (`buffer` even calls into the runtime), three of them per
   * record (docs/design/whole-process.md).
   */
  private sourceBytes: Uint8Array | undefined;
  private sourceOffset = 0;
  private sourceBuffer: ArrayBufferLike | undefined;
  private sourceView: DataView | undefined;
  private used = 0;
  /** Pending bytes form runs ("segments") of consecutive records of one day, each a block with its header first. */
  private segmentEnd = new Float64Array(4);
  private segmentDay = new Float64Array(4);
  private segmentRecords = new Float64Array(4);
  private segmentLastSequence = new Float64Array(4);
  private segmentCount = 0;
  private segmentsWritten = 0;
  private appendedSequence = -1;
  private fd = -1;
  private fileDay = Number.NaN;
  private filePosition = 0;
  private unsynced = false;
  /** Bytes written since the last fsync started (the interval policy's byte bound). */
  private unsyncedBytes = 0;
  private lastSyncMs: number;
  /** Where each file scanned by {@link recover} ends intact. */
  private readonly validEnds = new Map<string, number>();

  constructor(options: RecordFileWriterOptions) {
    // The public type leaves the seams out; the writer still takes them (createRecordFileWriter passes them).
    const internal: RecordFileWriterInternalOptions = options;
    this.extension = options.extension ?? DEFAULT_RECORD_FILE_EXTENSION;
    assertRecordPathParts(options.venue, this.extension);
    this.venueDir = join(options.dataDir, options.venue);
    this.sink = internal.sink ?? nodeFileSink;
    this.clock =
      internal.clock ??
      (internal.wallNanos === undefined ? new ClockWallClock() : new FunctionWallClock(internal.wallNanos));
    this.fsync = options.fsync ?? DEFAULT_FSYNC_POLICY;
    this.monotonicMs = internal.monotonicMs ?? performance.now.bind(performance);
    const sampling = checkOneOf('clockSampling', options.clockSampling ?? 'record', ['record', 'batch']);
    this.samplePerRecord = sampling === 'record';
    this.syncer = internal.syncer;
    this.onSetAside = options.onSetAside;
    if (!this.samplePerRecord) this.clock.sample();
    const bufferBytes = checkInteger(
      'bufferBytes',
      options.bufferBytes ?? DEFAULT_BUFFER_BYTES,
      MIN_BUFFER_BYTES,
    );
    this.buffer = new Uint8Array(bufferBytes);
    this.view = new DataView(this.buffer.buffer);
    this.lastSyncMs = this.monotonicMs();
  }

  /** Bytes appended but not yet written to a file. */
  get pendingBytes(): number {
    return this.used;
  }

  /**
   * Finds the highest sequence already on disk (newest day file with a
   * record), and cuts damaged ends (torn tails, corruption after the last
   * intact block) off the files it looks at, after copying them beside the
   * file (see {@link SetAsideRange}). Damage with intact blocks after it stays
   * in place. Call once before the first append.
   *
   * @throws {RecordFileHeaderError} when a day file is not a record file.
   */
  recover(): WriterRecovery {
    const result: WriterRecovery = {
      lastSequence: -1,
      file: undefined,
      truncatedBytes: 0,
      setAside: [],
      damage: [],
    };
    const suffix = `.${this.extension}`;
    let names: string[];
    try {
      names = readdirSync(this.venueDir).filter((n) => n.endsWith(suffix) && /^\d{4}-\d{2}-\d{2}\./.test(n));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return result;
      throw err;
    }
    for (const name of names.sort().reverse()) {
      const path = join(this.venueDir, name);
      const summary = scanRecordFile(path);
      const cut = damagedEnd(summary);
      result.damage.push(...summary.damage.filter((damage) => damage !== cut));
      if (cut !== undefined) {
        const savedAs = saveAside(path, cut.offset, cut.kind);
        const fd = this.sink.open(path);
        try {
          this.sink.truncate(fd, summary.validBytes);
          this.sink.sync(fd);
        } finally {
          this.sink.close(fd);
        }
        result.setAside.push({ file: path, offset: cut.offset, bytes: cut.bytes, kind: cut.kind, savedAs });
        result.truncatedBytes += cut.bytes;
      }
      this.validEnds.set(path, summary.validBytes);
      if (summary.lastSequence >= 0) {
        result.lastSequence = summary.lastSequence;
        result.file = path;
        // Stamps go on from the newest one on disk, not before it (a wall clock set back between runs): the
        // newest day file keeps the highest sequence, which is what this recovery reads.
        this.holdStampsFrom(summary.lastWallNanos);
        break;
      }
    }
    this.#lastSequence = result.lastSequence;
    this.appendedSequence = result.lastSequence;
    return result;
  }

  private holdStampsFrom(wallNanos: bigint): void {
    this.stampSeconds = Number(wallNanos / 1_000_000_000n);
    this.stampNanos = Number(wallNanos % 1_000_000_000n);
    setWallNanos(this.stampView, 0, this.stampSeconds, this.stampNanos);
  }

  /**
   * Forgets the recovered sequence so every record is written: used when the
   * ring was recreated and its sequences restarted below what is on disk.
   */
  acceptAllSequences(): void {
    this.appendedSequence = -1;
  }

  /**
   * Stamps and buffers `bytes[start, end)` as record `sequence`. Returns false
   * (and buffers nothing) when that sequence is already on disk. Never does I/O.
   *
   * The stamp is the record's receive time when one is given (`received`: whole epoch milliseconds and the
   * nanoseconds within, as a ring record carries it, see `RecordVisitor`; `ms` 0 for none), otherwise (and for an
   * invalid one) the wall clock now (see `clockSampling`); never earlier than the stamp before it, in this writer
   * or, after {@link RecordFileWriter.recover}, on disk. The record goes to the file of its stamp's UTC day.
   */
  append(
    bytes: Uint8Array,
    start: number,
    end: number,
    sequence: number,
    received?: Readonly<EpochMsParts>,
  ): boolean {
    if (sequence <= this.appendedSequence) return false;
    const receivedMs = received === undefined ? 0 : received.ms;
    const receivedSubMsNanos = received === undefined ? 0 : received.subMsNanos;
    const length = end - start;
    const recordBytes = RECORD_HEADER_BYTES + length;
    let seconds: number;
    let nanos: number;
    if (
      receivedMs > 0 &&
      receivedMs < MAX_RECEIVED_MS &&
      Number.isInteger(receivedMs) &&
      receivedSubMsNanos >= 0 &&
      receivedSubMsNanos < NANOS_PER_MS
    ) {
      seconds = Math.floor(receivedMs / 1000);
      nanos = (receivedMs - seconds * 1000) * NANOS_PER_MS + receivedSubMsNanos;
    } else {
      const clock = this.clock;
      if (this.samplePerRecord) clock.sample();
      seconds = clock.seconds;
      nanos = clock.nanos;
    }
    // Never before the last stamp (a backward step of the system clock moves receive times back; a clock sample can
    // precede a receive time read after it), so a file's records stay in time order. Before the first stamp the
    // NaN fields compare false.
    if (seconds < this.stampSeconds || (seconds === this.stampSeconds && nanos < this.stampNanos)) {
      seconds = this.stampSeconds;
      nanos = this.stampNanos;
    }
    const day = dayOfSeconds(seconds);
    let segment = this.segmentCount - 1;
    if (
      segment < 0 ||
      this.segmentDay[segment] !== day ||
      this.used + recordBytes - this.segmentStart(segment) > MAX_BLOCK_BYTES
    ) {
      segment = this.openSegment(day, recordBytes);
    } else if (this.used + recordBytes > this.buffer.length) {
      this.grow(this.used + recordBytes);
    }
    const at = this.used;
    const buffer = this.buffer;
    const view = this.view;
    view.setUint32(at, length, true);
    setUint64(view, at + SEQUENCE_OFFSET, sequence);
    if (seconds !== this.stampSeconds || nanos !== this.stampNanos) {
      // The u64 of a stamp is computed once, however many records carry it.
      this.stampSeconds = seconds;
      this.stampNanos = nanos;
      setWallNanos(this.stampView, 0, seconds, nanos);
    }
    view.setUint32(at + WALL_NANOS_OFFSET, this.stampView.getUint32(0, true), true);
    view.setUint32(at + WALL_NANOS_OFFSET + 4, this.stampView.getUint32(4, true), true);
    const payloadAt = at + RECORD_HEADER_BYTES;
    if (length <= COPY_LOOP_MAX) {
      for (let i = 0; i < length; i++) buffer[payloadAt + i] = bytes[start + i]!;
    } else {
      this.copyWords(bytes, start, end, payloadAt);
    }
    this.used = at + recordBytes;
    this.segmentEnd[segment] = this.used;
    this.segmentRecords[segment]! += 1;
    this.segmentLastSequence[segment] = sequence;
    this.appendedSequence = sequence;
    return true;
  }

  /** Copies `bytes[start, end)` to `buffer[to..]` by 32-bit words, then the last 0-3 bytes; allocates nothing. */
  private copyWords(bytes: Uint8Array, start: number, end: number, to: number): void {
    if (bytes !== this.sourceBytes) this.useSource(bytes);
    const source = this.sourceView as DataView;
    const target = this.view;
    const buffer = this.buffer;
    const offset = this.sourceOffset;
    let from = offset + start;
    const wordsEnd = offset + end - 3;
    let at = to;
    for (; from < wordsEnd; from += 4, at += 4) target.setInt32(at, source.getInt32(from, true), true);
    for (let i = from - offset; i < end; i++, at++) buffer[at] = bytes[i]!;
  }

  /** Makes `bytes` the source {@link copyWords} reads through, reusing the view when its buffer is the last one's. */
  private useSource(bytes: Uint8Array): void {
    const sourceBuffer = bytes.buffer;
    if (sourceBuffer !== this.sourceBuffer || this.sourceView === undefined) {
      this.sourceBuffer = sourceBuffer;
      this.sourceView = new DataView(sourceBuffer);
    }
    this.sourceBytes = bytes;
    this.sourceOffset = bytes.byteOffset;
  }

  /** Reads the wall clock for the records appended next (with `clockSampling: 'batch'`). */
  sampleClock(): void {
    this.clock.sample();
  }

  /**
   * Writes everything appended so far to the files of their days (opening or
   * rotating files as needed), then fsyncs under the `'batch'` policy. When it
   * returns, every appended record has been written; when it throws, call it
   * again later: it resumes where it failed.
   */
  writePending(): void {
    while (this.segmentsWritten < this.segmentCount) {
      const segment = this.segmentsWritten;
      const day = this.segmentDay[segment]!;
      if (day !== this.fileDay) this.openDay(day);
      const from = this.segmentStart(segment);
      const to = this.segmentEnd[segment]!;
      const records = this.segmentRecords[segment]!;
      // Sealing again on a retry writes the same bytes.
      sealBlock(this.buffer, this.view, from, to, records);
      writeFully(this.sink, this.fd, this.buffer, from, to - from, this.filePosition);
      const written = to - from;
      this.filePosition += written;
      this.#bytesWritten += written;
      this.unsyncedBytes += written;
      this.#recordsWritten += records;
      this.#lastSequence = this.segmentLastSequence[segment]!;
      this.unsynced = true;
      this.segmentsWritten = segment + 1;
    }
    this.used = 0;
    this.segmentCount = 0;
    this.segmentsWritten = 0;
    if (this.fsync === 'batch') this.syncNow();
  }

  /**
   * Fsyncs when the interval policy says it is time (the worker calls this
   * after every write and when idle); with a `syncer`, starts the fsync there
   * and returns at once. Throws the error of a failed background fsync (the
   * data stays due, so the next call syncs it again).
   */
  syncIfDue(): void {
    if (typeof this.fsync !== 'object') return;
    const syncer = this.syncer;
    if (syncer !== undefined) {
      // Busy first: a result is collected only once the thread is idle, so a failure that lands between
      // the two checks cannot be overwritten by the next start before anyone has seen it.
      if (syncer.busy) return;
      this.raiseBackgroundError();
    }
    if (!this.unsynced) return;
    const maxBytes = this.fsync.maxUnsyncedBytes ?? DEFAULT_MAX_UNSYNCED_BYTES;
    if (this.monotonicMs() - this.lastSyncMs < this.fsync.intervalMs && this.unsyncedBytes < maxBytes) return;
    // Data written from here on sets `unsynced` again and waits for the next interval or byte bound. A syncer
    // that refuses (closed) leaves the fsync to this thread.
    if (syncer !== undefined && this.fd >= 0 && syncer.start(this.fd)) {
      this.unsynced = false;
      this.unsyncedBytes = 0;
      this.lastSyncMs = this.monotonicMs();
    } else {
      this.syncNow();
    }
  }

  /**
   * Ms until {@link syncIfDue} has an fsync to start under the interval policy; `Infinity` when no written data
   * waits for one. Once due (a background fsync still running, since `syncIfDue` starts one otherwise), a whole
   * interval: nobody is told when that fsync ends, and answering 0 would have the caller poll until it does.
   */
  msUntilSyncDue(): number {
    if (typeof this.fsync !== 'object' || !this.unsynced) return Number.POSITIVE_INFINITY;
    const dueIn = this.lastSyncMs + this.fsync.intervalMs - this.monotonicMs();
    return dueIn > 0 ? dueIn : this.fsync.intervalMs;
  }

  /** Waits for a running background fsync; throws its error, leaving the data due for another sync. */
  private settleBackgroundSync(): void {
    if (this.syncer === undefined) return;
    this.syncer.wait();
    this.raiseBackgroundError();
  }

  private raiseBackgroundError(): void {
    const error = this.syncer?.takeError();
    if (error === undefined) return;
    this.unsynced = true;
    this.lastSyncMs = Number.NEGATIVE_INFINITY;
    throw error;
  }

  /** Writes what is pending, fsyncs unless the policy is `'none'`, and closes the file. Retry on throw. */
  close(): void {
    this.writePending();
    if (this.fd < 0) return;
    this.settleBackgroundSync();
    if (this.fsync !== 'none') this.syncNow();
    this.sink.close(this.fd);
    this.fd = -1;
    this.fileDay = Number.NaN;
  }

  private syncNow(): void {
    if (this.fd >= 0 && this.unsynced) this.sink.sync(this.fd);
    this.unsynced = false;
    this.unsyncedBytes = 0;
    this.lastSyncMs = this.monotonicMs();
  }

  /** Starts a block for `day` with room for its header and a first record of `recordBytes`. */
  private openSegment(day: number, recordBytes: number): number {
    const segment = this.segmentCount;
    if (segment === this.segmentEnd.length) {
      this.segmentEnd = growFloat64(this.segmentEnd);
      this.segmentDay = growFloat64(this.segmentDay);
      this.segmentRecords = growFloat64(this.segmentRecords);
      this.segmentLastSequence = growFloat64(this.segmentLastSequence);
    }
    if (this.used + BLOCK_HEADER_BYTES + recordBytes > this.buffer.length) {
      this.grow(this.used + BLOCK_HEADER_BYTES + recordBytes);
    }
    this.used += BLOCK_HEADER_BYTES;
    this.segmentDay[segment] = day;
    this.segmentEnd[segment] = this.used;
    this.segmentRecords[segment] = 0;
    this.segmentCount = segment + 1;
    return segment;
  }

  /** Buffer offset where `segment` (its block header) starts: segments are contiguous. */
  private segmentStart(segment: number): number {
    return segment === 0 ? 0 : this.segmentEnd[segment - 1]!;
  }

  /** Closes the current file and opens (creating, or resuming after its last intact record) the one for `day`. */
  private openDay(day: number): void {
    if (this.fd >= 0) {
      this.settleBackgroundSync();
      if (this.fsync !== 'none') this.syncNow();
      this.sink.close(this.fd);
      this.fd = -1;
      this.fileDay = Number.NaN;
    }
    const path = join(this.venueDir, `${formatDay(day)}.${this.extension}`);
    const fd = this.sink.open(path);
    try {
      const size = this.sink.size(fd);
      const known = this.validEnds.get(path);
      this.validEnds.delete(path);
      let position = known;
      if (known === undefined && size > 0) {
        const summary = scanRecordFile(path);
        const cut = damagedEnd(summary);
        if (cut !== undefined) {
          const savedAs = saveAside(path, cut.offset, cut.kind);
          this.onSetAside?.({ file: path, offset: cut.offset, bytes: cut.bytes, kind: cut.kind, savedAs });
        }
        position = summary.validBytes;
      }
      // validBytes is 0 when the file header is missing or incomplete.
      if (position === undefined || position < FILE_HEADER_BYTES) {
        const header = encodeFileHeader();
        writeFully(this.sink, fd, header, 0, header.length, 0);
        position = FILE_HEADER_BYTES;
        if (this.fsync !== 'none') this.sink.syncDirectory(this.venueDir);
      }
      if (size > position) this.sink.truncate(fd, position);
      this.filePosition = position;
    } catch (err) {
      this.sink.close(fd);
      throw err;
    }
    this.fd = fd;
    this.fileDay = day;
    this.#currentFile = path;
  }

  private grow(minimum: number): void {
    let size = this.buffer.length * 2;
    while (size < minimum) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.used));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }
}

/**
 * A {@link RecordFileWriter} with the seams of {@link RecordFileWriterInternalOptions}: for the flusher worker, the
 * tests and the reference app's test fixtures. Internal: exported from `@marketpipe/connector/internal` only.
 */
export function createRecordFileWriter(options: RecordFileWriterInternalOptions): RecordFileWriter {
  // Only the public type of `syncer` is narrower (a ThreadSyncer); the constructor takes any BackgroundSyncer.
  return new RecordFileWriter(options as RecordFileWriterOptions);
}

/** Fills in the header of the block at `[from, to)` of `buffer`: length, record count, then the CRC-32 over both and the records. */
function sealBlock(buffer: Uint8Array, view: DataView, from: number, to: number, records: number): void {
  view.setUint32(from + BLOCK_LENGTH_OFFSET, to - from, true);
  view.setUint32(from + BLOCK_COUNT_OFFSET, records, true);
  view.setUint32(from + BLOCK_COUNT_OFFSET + 4, 0, true);
  view.setUint32(from, crc32(buffer.subarray(from + BLOCK_LENGTH_OFFSET, to)), true);
}

/** Writes all `length` bytes at `position`, continuing after short writes. */
function writeFully(
  sink: FileSink,
  fd: number,
  bytes: Uint8Array,
  offset: number,
  length: number,
  position: number,
): void {
  let done = 0;
  while (done < length) {
    const wrote = sink.write(fd, bytes, offset + done, length - done, position + done);
    if (wrote <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    done += wrote;
  }
}

function growFloat64(array: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const next = new Float64Array(array.length * 2);
  next.set(array);
  return next;
}

/** The damage that runs from a file's last intact block to its end (what appending must cut off), if any. */
function damagedEnd(summary: RecordFileSummary): RecordDamage | undefined {
  const last = summary.damage.at(-1);
  return last !== undefined && last.file === summary.file && last.offset === summary.validBytes
    ? last
    : undefined;
}
