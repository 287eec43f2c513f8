/**
 * Single-producer single-consumer ring of variable-length records in a
 * memory-mapped file: the hand-off between the hot path (which must never
 * block on disk) and the flusher (which writes everything to disk).
 */

import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import { DOUBLE_FIELD } from '@marketpipe/middleware/internal';
import type { EpochMsParts } from '../codec/trade-encoder.js';
import { RecordTooLargeError, RingClosedError, RingCorruptError, RingFormatError } from '../errors.js';
import { unmapFile } from './file-mapping.js';
import { RECORD_HEADER_BYTES_V1 } from './record-frame.js';
import { mapRingFile } from './ring-file.js';
import { maxRecordSizeOf, type RingGeometry } from './ring-geometry.js';
import * as header from './ring-header.js';
import { RING_FORMAT_VERSION, type RingFormatVersion, readOnlyRingError } from './ring-header.js';

/**
 * Called by {@link RingBuffer.readBatch} once per record. `bytes` is a view of
 * the whole mapping and the payload is `bytes[start..end)`; the view must be
 * treated as read-only and is only valid during the call, because the
 * producer reuses the slots once the record is released. `received` is the
 * receive time the producer gave the record ({@link RingBuffer.stage}), both
 * fields 0 when it gave none (and in a ring of format version 1); one object
 * reused for every record (a time passed as two numbers would box its
 * milliseconds, a double, into a new heap number at every call V8 does not
 * inline), so read it during the call.
 */
export type RecordVisitor = (
  bytes: Uint8Array,
  start: number,
  end: number,
  sequence: number,
  received: Readonly<EpochMsParts>,
) => void;

/**
 * 32-bit word offsets into the mapping that the hot paths use, as enum members: the build (esbuild)
 * replaces each use by its literal, so `tryWrite` and `readBatch` load no module binding (in an ES module
 * V8 reads those from the module context at run time, ~2-3 ns per `tryWrite` here; some loaders, CJS
 * interop and vitest, even turn imported bindings into getter calls). `ring-buffer.test.ts` checks that
 * this enum and {@link Frame} have exactly the members it lists, each equal to its constant in
 * `ring-header.ts` or `record-frame.ts` (`loopCopyMaxBytes` is a tuning value, not layout).
 *
 * @internal
 */
export enum Words {
  /** `HEADER_BYTES / 4`: the first slot's 32-bit word. */
  headerWords = 1024,
  tailWord = 16,
  reclaimWord = 32,
  writeSequenceALowWord = 18,
  writeSequenceBLowWord = 20,
}

/** How far ahead of the producer {@link RingBuffer.prefaultAhead} touches the ring's pages. */
const PREFAULT_BYTES = 64 * 1024;
/** log2 of the page size the prefault steps by (4 KiB; a larger page is touched more than once, harmlessly). */
const PAGE_SHIFT = 12;

/** Frame numbers and constants of the hot paths, inlined like {@link Words}. @internal */
export enum Frame {
  recordHeaderBytes = 24,
  commitWord = 0,
  receivedSubMsWord = 1,
  sequenceLowWord = 2,
  sequenceHighWord = 3,
  receivedMsWord = 4,
  /** Below this many bytes a loop beats creating the sub-view that `Uint8Array.set` needs for a range. */
  loopCopyMaxBytes = 32,
  twoPow32 = 0x1_0000_0000,
}

/**
 * A single-producer single-consumer ring buffer of variable-length records in
 * a memory-mapped file, with the Aeron/Chronicle commit protocol, so that a
 * record is either complete or invisible, to the other thread and after a
 * crash alike. Records span contiguous slots; the commit word is written last
 * with `Atomics.store` and read with `Atomics.load`, which orders the payload
 * on x64 and arm64 alike. A producer can also stage records and commit them
 * together ({@link RingBuffer.stage}): the batch's first commit word is then
 * the one written last, and it publishes the whole batch. Why that suffices,
 * the layout and crash recovery: docs/design/ring-buffer.md.
 *
 * Exactly one producer and one consumer instance may be active on a file at a
 * time; each recovers its side on first use, safely while the other runs.
 *
 * @example
 * ```ts
 * const ring = RingBuffer.open('/dev/shm/raw.ring', { slotSize: 4096, slotCount: 1024 });
 * // producer (hot path): false means full, so count it or retry later
 * const accepted = ring.tryWrite(new TextEncoder().encode('{"p":"42000.5"}'));
 * // consumer (usually another thread that opened the same path)
 * const n = ring.readBatch(64, (bytes, start, end, sequence) => {
 *   file.write(bytes.subarray(start, end)); // copy out: the view is reused after release
 * });
 * ring.release(n);
 * ring.close();
 * ```
 */
export class RingBuffer {
  /** Path of the ring file. */
  readonly path: string;
  /** Geometry the file was created with. */
  readonly geometry: RingGeometry;
  /** Largest payload {@link RingBuffer.tryWrite} accepts: half the ring minus the 24-byte record header. */
  readonly maxRecordSize: number;
  /**
   * The file's format version: 2 for a ring this code creates. A ring of version 1 (made by an earlier build,
   * without receive times) can be read, so that its records can be drained, but not written: the pipeline migrates
   * it (drains it, then recreates it) at start.
   */
  readonly formatVersion: RingFormatVersion;

  private bytes: Uint8Array;
  private words: Int32Array;
  /** The mapping as doubles: a record's receive milliseconds. */
  private doubles: Float64Array;
  /** Where a payload starts in its frame: the record header's size in this file's format version. */
  private readonly payloadOffset: number;
  /** The receive time {@link RingBuffer.readBatch} hands its visitor, refilled for each record. */
  private readonly visitedTime: EpochMsParts = { ms: DOUBLE_FIELD, subMsNanos: 0 };
  private readonly slotCount: number;
  private readonly slotMask: number;
  private readonly slotShift: number;
  /** `slotSize - 1`: added before shifting to round a byte count up to whole slots. */
  private readonly slotRoundUp: number;
  /** log2 of the slot size in 32-bit words. */
  private readonly slotWordShift: number;
  private readonly maxFrameBytes: number;
  /** The mapped file; `close()` unmaps it. */
  private readonly mapping: ArrayBuffer;
  private closed = false;
  private rejected = 0;

  // The producer's position (slots, kept as an unsigned 32-bit value) and sequence pass 2^31 in a long run: doubles
  // from the start (DOUBLE_FIELD, zeroed in the constructor), or that crossing deoptimizes the hand-off on the hot
  // path. (The consumer's side, in the flusher's thread, still deoptimizes once there: its arithmetic is compiled
  // for 32-bit integers whatever its fields hold.)
  private producerReady = false;
  /** The producer role is taken and the format is current: {@link RingBuffer.stage} may write. */
  private writable = false;
  private tail = DOUBLE_FIELD;
  private writeSequence = DOUBLE_FIELD;
  /** Last `reclaim` read from the consumer line; re-read only when the ring looks full. */
  private cachedReclaim = DOUBLE_FIELD;
  /**
   * The first frame staged since the last {@link RingBuffer.commit}: its commit word's index (-1 when nothing is
   * staged) and value. That word is written last, by `commit`, and it is what publishes the whole batch.
   */
  private heldWord = -1;
  private heldCommit = 0;
  /** Records staged since the last commit. */
  private stagedCount = 0;
  /** The write sequence's high part (a multiple of 2^32) as last published: `commit` republishes it only on change. */
  private publishedHighPart = DOUBLE_FIELD;
  /** The slot counter up to which {@link RingBuffer.prefaultAhead} has touched the pages ahead of the tail. */
  private prefaultedTo = DOUBLE_FIELD;
  /** How many slots ahead of the tail {@link RingBuffer.prefaultAhead} keeps touched: PREFAULT_BYTES, at least one. */
  private readonly prefaultSlots: number;
  /** Slots per page minus one (0 for slots of a page or more): a slot whose index has these bits clear starts a page. */
  private readonly pageSlotMask: number;
  /** {@link RingBuffer.prefaultAhead} tops up once fewer slots than this are touched ahead: a page's worth less. */
  private readonly prefaultLowWater: number;

  private consumerReady = false;
  private head = 0;
  private readSequence = 0;
  /** Where the last readBatch stopped: `peekCount` records past `peekHead` (the head it started from). */
  private peekHead = -1;
  private peekCount = 0;
  private peekPosition = 0;
  private peekSequence = 0;
  private readonly snapshot: header.ConsumerState = { head: 0, sequence: 0 };

  private constructor(
    path: string,
    mapping: ArrayBuffer,
    geometry: RingGeometry,
    formatVersion: RingFormatVersion,
  ) {
    this.tail = this.writeSequence = this.cachedReclaim = this.prefaultedTo = this.publishedHighPart = 0;
    this.path = path;
    this.mapping = mapping;
    this.geometry = Object.freeze({ ...geometry });
    this.formatVersion = formatVersion;
    this.payloadOffset = formatVersion === 1 ? RECORD_HEADER_BYTES_V1 : Frame.recordHeaderBytes;
    this.maxRecordSize = maxRecordSizeOf(geometry);
    this.bytes = new Uint8Array(mapping);
    this.words = new Int32Array(mapping);
    this.doubles = new Float64Array(mapping);
    this.slotCount = geometry.slotCount;
    this.slotMask = geometry.slotCount - 1;
    this.slotShift = Math.log2(geometry.slotSize);
    this.slotRoundUp = geometry.slotSize - 1;
    this.slotWordShift = this.slotShift - 2;
    // Half the ring, whatever the record header's size.
    this.maxFrameBytes = (geometry.slotCount / 2) * geometry.slotSize;
    this.prefaultSlots = Math.max(1, Math.min(geometry.slotCount >>> 1, PREFAULT_BYTES >>> this.slotShift));
    this.pageSlotMask = this.slotShift >= PAGE_SHIFT ? 0 : (1 << (PAGE_SHIFT - this.slotShift)) - 1;
    this.prefaultLowWater = Math.max(1, this.prefaultSlots - (this.pageSlotMask + 1));
  }

  /**
   * Opens the ring file at `path`, creating it (atomically, zero-filled) when
   * missing. Geometry fields left unset default to `DEFAULT_RING_GEOMETRY` when
   * creating and are taken from the file when reopening; fields that are set
   * must match the file.
   *
   * @throws {@link RingGeometryError} (`MP_ERR_RING_GEOMETRY`) when the geometry is invalid or differs from the file's.
   * @throws {@link RingFormatError} (`MP_ERR_RING_FORMAT`) when the file is not a ring of a format version this code
   *   reads (see {@link RingBuffer.formatVersion}).
   */
  static open(path: string, geometry?: Partial<RingGeometry>): RingBuffer {
    const mapped = mapRingFile(path, geometry);
    return new RingBuffer(path, mapped.mapping, mapped.geometry, mapped.formatVersion);
  }

  /** Payloads refused by this instance with {@link RecordTooLargeError}. */
  get rejectedRecords(): number {
    return this.rejected;
  }

  /**
   * Producer: the sequence number the next written record gets. Exact on the
   * producing instance; elsewhere (including an instance that has not written
   * yet) the value the producer last published, which a killed producer may
   * have left behind its last commit: see {@link RingBuffer.claimProducer}.
   */
  get nextWriteSequence(): number {
    if (this.producerReady || this.closed) return this.writeSequence;
    return header.readWriteSequence(this.words);
  }

  /**
   * Consumer: the sequence number of the first unreleased record. Exact on
   * the consuming instance; elsewhere the value the consumer last published.
   */
  get nextReadSequence(): number {
    if (this.consumerReady || this.closed) return this.readSequence;
    return header.readConsumerState(this.words, this.snapshot).sequence;
  }

  /**
   * Numbers the records of a new ring from `sequence` instead of 0, so a ring
   * that replaces another (a geometry change) continues its sequence and the
   * record files stay contiguous. Only for a ring never written nor read.
   *
   * @throws {@link InvalidArgumentError} when the ring has been used or `sequence` is not a safe non-negative integer.
   * @throws {@link RingClosedError} after {@link RingBuffer.close}.
   * @throws {@link RingFormatError} on a ring of format version 1, which is read only.
   */
  startSequenceAt(sequence: number): void {
    if (this.closed) throw new RingClosedError('startSequenceAt');
    if (this.formatVersion !== RING_FORMAT_VERSION) throw readOnlyRingError(this.path, this.formatVersion);
    if (!Number.isSafeInteger(sequence) || sequence < 0) {
      throw new InvalidArgumentError(`start sequence must be a safe non-negative integer, got ${sequence}`, {
        argument: 'sequence',
      });
    }
    const words = this.words;
    const untouched =
      !this.producerReady &&
      !this.consumerReady &&
      Atomics.load(words, Words.tailWord) === 0 &&
      Atomics.load(words, Words.reclaimWord) === 0 &&
      header.readWriteSequence(words) === 0 &&
      header.readConsumerState(words, this.snapshot).sequence === 0 &&
      Atomics.load(words, Words.headerWords + Frame.commitWord) === 0;
    if (!untouched) throw new InvalidArgumentError(`${this.path} has been used: its sequence cannot be set`);
    header.publishConsumerState(words, 0, sequence);
    header.publishWriteSequence(words, sequence);
  }

  /**
   * Takes the producer role now (the first {@link RingBuffer.tryWrite} would
   * otherwise do it), recovering the real end of the committed records after
   * a crash, and returns the sequence the next written record gets. A
   * producer that derives what it writes from sequence numbers must start
   * from this value, not from {@link RingBuffer.nextWriteSequence} read
   * before its first write.
   *
   * @throws {@link RingClosedError} after {@link RingBuffer.close}.
   */
  claimProducer(): number {
    if (!this.producerReady) this.recoverProducer();
    return this.writeSequence;
  }

  /**
   * Producer: appends `bytes[start..end)` as one record, visible to the consumer at once, or returns `false`
   * (writing nothing) when the ring has no room for it now. {@link RingBuffer.stage} then
   * {@link RingBuffer.commit}: records staged before it are committed too, also when it returns `false`.
   *
   * Allocation-free when the whole array is written (the usual case: a
   * message buffer), and for ranges of up to 32 bytes; a longer sub-range
   * costs one short-lived view because `Uint8Array.set` has no range form.
   *
   * @throws {@link RecordTooLargeError} (`MP_ERR_RECORD_TOO_LARGE`, counted in {@link RingBuffer.rejectedRecords}) when the payload exceeds {@link RingBuffer.maxRecordSize}.
   * @throws {@link InvalidArgumentError} when `start`/`end` do not describe a range of `bytes`.
   * @throws {@link RingClosedError} after {@link RingBuffer.close}.
   */
  tryWrite(bytes: Uint8Array, start = 0, end: number = bytes.length, received?: EpochMsParts): boolean {
    const written = this.stage(bytes, start, end, received);
    this.commit();
    return written;
  }

  /**
   * Producer: appends `bytes[start..end)` as one record that the consumer does not see until the next
   * {@link RingBuffer.commit}, or returns `false` (writing nothing) when the ring has no room for it now. Staged
   * records hold their slots: a producer that stages until the ring is full must commit before the consumer can
   * free any. A batch costs one atomic store, at its commit, where {@link RingBuffer.tryWrite} costs one a record
   * (docs/design/ring-buffer.md, "Staged records"). After a crash, the records staged since the last commit are
   * lost, as the one record being written is with `tryWrite`. Allocation as {@link RingBuffer.tryWrite}.
   *
   * `received`, the message's receive time (whole epoch milliseconds and the nanoseconds within, as the middleware's
   * `WallParts` holds them: the runner passes the parts its trades are published with), is stored in the record's
   * frame and handed to the consumer ({@link RecordVisitor}): the flusher stamps the record on disk with it. Without it the record carries 0, and the flusher stamps it when it writes it.
   * It is not checked here (the hot path); the flusher treats an invalid one as none.
   *
   * @throws {@link RecordTooLargeError} (`MP_ERR_RECORD_TOO_LARGE`, counted in {@link RingBuffer.rejectedRecords}) when the payload exceeds {@link RingBuffer.maxRecordSize}.
   * @throws {@link InvalidArgumentError} when `start`/`end` do not describe a range of `bytes`.
   * @throws {@link RingClosedError} after {@link RingBuffer.close}.
   * @throws {@link RingFormatError} on a ring of format version 1, which is read only.
   */
  stage(bytes: Uint8Array, start = 0, end: number = bytes.length, received?: EpochMsParts): boolean {
    const length = end - start;
    if (length > this.maxRecordSize) {
      this.rejected++;
      throw new RecordTooLargeError(length, this.maxRecordSize);
    }
    if (!(start >= 0 && length >= 0 && end <= bytes.length)) {
      // Blame `start` when it is wrong on its own, else `end` (which is then out of range or before `start`).
      const startFits = start >= 0 && start <= bytes.length;
      throw new InvalidArgumentError(`range [${start}, ${end}) is not within ${bytes.length} bytes`, {
        argument: startFits ? 'end' : 'start',
      });
    }
    if (!this.writable) this.startWriting();
    const frameBytes = length + Frame.recordHeaderBytes;
    const slots = (frameBytes + this.slotRoundUp) >>> this.slotShift;
    let tail = this.tail;
    let index = tail & this.slotMask;
    const untilEnd = this.slotCount - index;
    const padding = slots > untilEnd ? untilEnd : 0;
    if (((tail - this.cachedReclaim) >>> 0) + slots + padding > this.slotCount) {
      this.cachedReclaim = Atomics.load(this.words, Words.reclaimWord) >>> 0;
      if (((tail - this.cachedReclaim) >>> 0) + slots + padding > this.slotCount) return false;
    }
    const words = this.words;
    if (padding !== 0) {
      this.writeCommitWord(Words.headerWords + (index << this.slotWordShift), -(padding << this.slotShift));
      tail = (tail + padding) >>> 0;
      index = 0;
    }
    const word = Words.headerWords + (index << this.slotWordShift);
    const payloadAt = (word << 2) + Frame.recordHeaderBytes;
    if (start === 0 && end === bytes.length) {
      this.bytes.set(bytes, payloadAt);
    } else if (length <= Frame.loopCopyMaxBytes) {
      const target = this.bytes;
      for (let i = 0; i < length; i++) target[payloadAt + i] = bytes[start + i]!;
    } else {
      this.bytes.set(bytes.subarray(start, end), payloadAt);
    }
    const sequence = this.writeSequence;
    const low = sequence >>> 0;
    if (received === undefined) {
      words[word + Frame.receivedSubMsWord] = 0;
      this.doubles[(word + Frame.receivedMsWord) >>> 1] = 0;
    } else {
      words[word + Frame.receivedSubMsWord] = received.subMsNanos | 0;
      this.doubles[(word + Frame.receivedMsWord) >>> 1] = received.ms;
    }
    words[word + Frame.sequenceLowWord] = low | 0;
    words[word + Frame.sequenceHighWord] = ((sequence - low) / Frame.twoPow32) | 0;
    this.writeCommitWord(word + Frame.commitWord, frameBytes);
    this.tail = (tail + slots) >>> 0;
    this.writeSequence = sequence + 1;
    this.stagedCount++;
    return true;
  }

  // The batch's first frame (a record's or a padding's) keeps its commit word for commit(); a later one's is a plain
  // store, made visible by that atomic store (and until then behind a zero the consumer stops at).
  private writeCommitWord(word: number, value: number): void {
    if (this.heldWord < 0) {
      this.heldWord = word;
      this.heldCommit = value;
    } else {
      this.words[word] = value;
    }
  }

  /**
   * Producer: makes every record staged since the last commit visible to the consumer, and returns how many.
   * One atomic store however many there are: the first staged frame's commit word, written last, which orders
   * every store before it (docs/design/ring-buffer.md). Costs a few ns when nothing is staged. A no-op after
   * {@link RingBuffer.close}, which commits first.
   */
  commit(): number {
    const held = this.heldWord;
    if (held < 0) return 0;
    const words = this.words;
    // The commit: everything staged becomes visible no later than this store.
    Atomics.store(words, held, this.heldCommit);
    this.heldWord = -1;
    const count = this.stagedCount;
    this.stagedCount = 0;
    const next = this.writeSequence;
    const low = next >>> 0;
    if (next - low === this.publishedHighPart) {
      words[Words.writeSequenceALowWord] = low | 0;
      words[Words.writeSequenceBLowWord] = low | 0;
    } else {
      header.publishWriteSequence(words, next);
      this.publishedHighPart = next - low;
    }
    // Not a commit: nothing reads records by it (readers walk the commit words), only fill() in another instance
    // and the used-ring check, both fine with a value a moment old. An int32 element is tear-free, and a plain store
    // costs ~0.5 ns where Atomics.store, a builtin call V8 does not inline, costs ~8.
    words[Words.tailWord] = this.tail | 0;
    return count;
  }

  /** Records staged by {@link RingBuffer.stage} and not yet committed. */
  get stagedRecords(): number {
    return this.stagedCount;
  }

  /**
   * Producer: makes the memory the next records will be written to writable now, by writing a zero into the first
   * word of each page of the free slots ahead of the producer's position (64 KiB ahead; for slots of a page or more,
   * the first page of each). Call it after a record's work is done, outside the time that matters: the first write
   * to a page of the ring file that the kernel has written back to disk since it was last written is a page fault
   * (~1.6 µs on ext4 here), and at rates where the producer takes more than ~30 s per lap of the ring, that is every
   * page it reaches; a `tryWrite` that lands on a page touched here does not pay it. Free slots' first words are
   * already zero, and no other thread reads them, so the records and crash recovery see no change. Returns the
   * number of pages touched (0 when they are already touched, when nothing is free ahead, and before the first
   * `tryWrite`). Costs a few ns when there is nothing to touch.
   */
  prefaultAhead(): number {
    if (!this.writable) return 0;
    const tail = this.tail;
    // Slots after the tail already touched; none when the producer has passed them (or on the first call).
    let ahead = (this.prefaultedTo - tail) >>> 0;
    if (ahead > this.prefaultSlots) ahead = 0;
    // Topped up a page at a time: on most calls only this test runs.
    if (ahead >= this.prefaultLowWater) return 0;
    return this.prefaultFrom(tail, ahead);
  }

  private prefaultFrom(tail: number, ahead: number): number {
    const free = this.slotCount - ((tail - this.cachedReclaim) >>> 0);
    const want = Math.min(free, this.prefaultSlots);
    // The tail's own slot is left alone (a consumer that has caught up reads its first word): from the next one.
    let next = ahead + 1;
    if (next >= want) return 0;
    const slotMask = this.slotMask;
    const pageSlots = this.pageSlotMask + 1;
    const misaligned = (tail + next) & slotMask & this.pageSlotMask;
    if (misaligned !== 0) next += pageSlots - misaligned;
    const words = this.words;
    let touched = 0;
    for (; next < want; next += pageSlots) {
      words[Words.headerWords + (((tail + next) & slotMask) << this.slotWordShift)] = 0;
      touched++;
    }
    this.prefaultedTo = (tail + want - 1) >>> 0;
    return touched;
  }

  /**
   * Consumer: calls `visit` for up to `max` committed records from the
   * consumer position, oldest first, and returns how many it visited. Nothing
   * is released: calling again without {@link RingBuffer.release} visits the
   * same records again (so a failed disk write can be retried).
   *
   * `skip` passes over that many unreleased records first, so a consumer can
   * gather several batches before releasing them together (the flusher fills
   * its write buffer this way). Continuing right after the previous call's
   * records costs nothing extra; other skips walk the frames.
   *
   * @throws {@link RingCorruptError} when a committed record breaks the frame rules.
   * @throws {@link RingClosedError} after {@link RingBuffer.close}.
   * @throws {@link InvalidArgumentError} when fewer than `skip` records are committed.
   */
  readBatch(max: number, visit: RecordVisitor, skip = 0): number {
    if (!this.consumerReady) this.recoverConsumer('read');
    if (!(Number.isInteger(skip) && skip >= 0)) {
      throw new InvalidArgumentError(`skip must be a non-negative integer, got ${skip}`, {
        argument: 'skip',
      });
    }
    const words = this.words;
    let position = this.head;
    let sequence = this.readSequence;
    let visited = 0;
    if (skip !== 0) {
      if (this.peekHead === this.head && this.peekCount === skip) {
        position = this.peekPosition;
        sequence = this.peekSequence;
      } else {
        let skipped = 0;
        while (skipped < skip) {
          const index = position & this.slotMask;
          const word = Words.headerWords + (index << this.slotWordShift);
          const commit =
            (position - this.head) >>> 0 < this.slotCount ? Atomics.load(words, word + Frame.commitWord) : 0;
          if (commit === 0) {
            throw new InvalidArgumentError(`cannot skip ${skip} records: only ${skipped} are committed`, {
              argument: 'skip',
            });
          }
          position = (position + this.frameSlots(commit, index, word, sequence)) >>> 0;
          if (commit > 0) {
            skipped++;
            sequence++;
          }
        }
      }
    }
    // A full ring's records end exactly where they start: stop after one lap, not at a zero.
    while (visited < max && (position - this.head) >>> 0 < this.slotCount) {
      const index = position & this.slotMask;
      const word = Words.headerWords + (index << this.slotWordShift);
      const commit = Atomics.load(words, word + Frame.commitWord);
      if (commit === 0) break;
      const span = this.frameSlots(commit, index, word, sequence);
      if (commit > 0) {
        const start = (word << 2) + this.payloadOffset;
        const received = this.visitedTime;
        if (this.payloadOffset === Frame.recordHeaderBytes) {
          received.ms = this.doubles[(word + Frame.receivedMsWord) >>> 1]!;
          received.subMsNanos = words[word + Frame.receivedSubMsWord]!;
        } else {
          received.ms = 0;
          received.subMsNanos = 0;
        }
        visit(this.bytes, start, start + commit - this.payloadOffset, sequence, received);
        visited++;
        sequence++;
      }
      position = (position + span) >>> 0;
    }
    this.peekHead = this.head;
    this.peekCount = skip + visited;
    this.peekPosition = position;
    this.peekSequence = sequence;
    return visited;
  }

  /**
   * Consumer: releases the next `count` records (normally the number
   * {@link RingBuffer.readBatch} returned) so the producer can reuse their
   * slots, and persists the new consumer position.
   *
   * @throws {@link InvalidArgumentError} when `count` is not a non-negative integer or exceeds the committed records.
   * @throws {@link RingClosedError} after {@link RingBuffer.close}.
   */
  release(count: number): void {
    if (!this.consumerReady) this.recoverConsumer('release');
    if (!(Number.isInteger(count) && count >= 0)) {
      throw new InvalidArgumentError(`release count must be a non-negative integer, got ${count}`, {
        argument: 'count',
      });
    }
    const words = this.words;
    let position = this.head;
    let sequence = this.readSequence;
    let released = 0;
    for (;;) {
      const index = position & this.slotMask;
      const word = Words.headerWords + (index << this.slotWordShift);
      const lapDone = (position - this.head) >>> 0 === this.slotCount;
      const commit = lapDone ? 0 : Atomics.load(words, word + Frame.commitWord);
      // Padding after the last released record goes too: its slots are of no use to anyone.
      if (released === count && commit >= 0) break;
      if (commit === 0) {
        throw new InvalidArgumentError(`cannot release ${count} records: only ${released} are committed`, {
          argument: 'count',
        });
      }
      position = (position + this.frameSlots(commit, index, word, sequence)) >>> 0;
      if (commit > 0) {
        released++;
        sequence++;
      }
    }
    if (position === this.head) return;
    header.publishConsumerState(words, position, sequence);
    this.zeroSlotStarts(this.head, (position - this.head) >>> 0);
    Atomics.store(words, Words.reclaimWord, position | 0);
    this.head = position;
    this.readSequence = sequence;
    this.peekHead = -1;
  }

  /** Used fraction of the slots, 0..1; approximate when the other side is running. */
  fill(): number {
    if (this.closed) return 0;
    const tail = this.producerReady ? this.tail : Atomics.load(this.words, Words.tailWord);
    const used = (tail - Atomics.load(this.words, Words.reclaimWord)) | 0;
    if (used <= 0) return 0;
    return used >= this.slotCount ? 1 : used / this.slotCount;
  }

  /**
   * Unmaps this instance's mapping now (not at garbage collection) and drops
   * its views; idempotent. A view of the ring obtained earlier (a `readBatch`
   * callback's `bytes`) reads zeros afterwards, and its stores reach no file,
   * instead of touching unmapped memory. Records stay in the file, staged ones
   * committed first. Closing does not slow down the rest of the process: the
   * mapping's `ArrayBuffer` is not detached (docs/design/ring-buffer.md, "Closing").
   */
  close(): void {
    if (this.closed) return;
    this.commit();
    this.closed = true;
    this.producerReady = false;
    this.writable = false;
    this.consumerReady = false;
    this.bytes = new Uint8Array(0);
    this.words = new Int32Array(0);
    this.doubles = new Float64Array(0);
    unmapFile(this.mapping);
  }

  /**
   * Validates the committed frame at slot `index` and returns how many slots
   * it spans. Never allocates unless it throws.
   */
  private frameSlots(commit: number, index: number, word: number, sequence: number): number {
    if (commit < 0) {
      const span = this.slotCount - index;
      if (index === 0 || -commit !== span << this.slotShift) {
        throw new RingCorruptError(this.path, `padding of ${-commit} bytes at slot ${index}`);
      }
      return span;
    }
    const span = (commit + this.slotRoundUp) >>> this.slotShift;
    if (commit < this.payloadOffset || commit > this.maxFrameBytes || index + span > this.slotCount) {
      throw new RingCorruptError(this.path, `frame of ${commit} bytes at slot ${index}`);
    }
    const words = this.words;
    const stored =
      (words[word + Frame.sequenceHighWord]! >>> 0) * Frame.twoPow32 +
      (words[word + Frame.sequenceLowWord]! >>> 0);
    if (stored !== sequence) {
      throw new RingCorruptError(
        this.path,
        `record at slot ${index} has sequence ${stored}, expected ${sequence}`,
      );
    }
    return span;
  }

  /** Zeroes the first word of `count` slots from slot counter `from`: see the class doc for why every slot. */
  private zeroSlotStarts(from: number, count: number): void {
    const words = this.words;
    for (let i = 0; i < count; i++) {
      words[Words.headerWords + (((from + i) & this.slotMask) << this.slotWordShift)] = 0;
    }
  }

  /**
   * {@link zeroSlotStarts} for the recoveries, which mostly find zeros: a word already zero is only read. Writing it
   * would dirty its page, and at a start after a clean stop (every free slot already zero) that was the whole ring
   * file, rewritten to disk by the kernel at every start for nothing. `release` keeps the plain store: the slots it
   * frees held records.
   */
  private clearSlotStarts(from: number, count: number): void {
    const words = this.words;
    for (let i = 0; i < count; i++) {
      const word = Words.headerWords + (((from + i) & this.slotMask) << this.slotWordShift);
      if (words[word] !== 0) words[word] = 0;
    }
  }

  // Off stage's own code: the first write takes the producer role, and a ring of format version 1 is never written.
  private startWriting(): void {
    if (this.closed) throw new RingClosedError('write');
    if (this.formatVersion !== RING_FORMAT_VERSION) throw readOnlyRingError(this.path, this.formatVersion);
    if (!this.producerReady) this.recoverProducer();
    this.writable = true;
  }

  /**
   * Takes the producer role: finds the real end of the committed records by
   * walking them from the consumer head (the published tail may lag the last
   * commit by one crash), and erases whatever a killed producer left half
   * written in the free slots.
   */
  private recoverProducer(): void {
    if (this.closed) throw new RingClosedError('write');
    const words = this.words;
    const state = this.snapshot;
    let tail: number;
    let sequence: number;
    for (;;) {
      // Reclaim before the head: the consumer publishes its head first, so this reclaim is never ahead of it.
      const reclaimed = Atomics.load(words, Words.reclaimWord) >>> 0;
      header.readConsumerState(words, state);
      const head = state.head;
      const headSequence = state.sequence;
      // A producer writes only below reclaim + slotCount. Beyond it lie slots a consumer released but, killed
      // between publishing its head and publishing reclaim, may not have zeroed: frames of the last lap that look
      // committed. The walk stops there; the consumer's own recovery zeroes them.
      const pending = (head - reclaimed) >>> 0;
      if (pending > this.slotCount) {
        throw new RingCorruptError(
          this.path,
          `consumer head ${head} is not within a ring of reclaim ${reclaimed}`,
        );
      }
      const writable = this.slotCount - pending;
      tail = head;
      sequence = headSequence;
      let walked = 0;
      while (walked < writable) {
        const index = tail & this.slotMask;
        const word = Words.headerWords + (index << this.slotWordShift);
        const commit = Atomics.load(words, word + Frame.commitWord);
        if (commit === 0) break;
        const span = this.frameSlots(commit, index, word, sequence);
        if (commit > 0) sequence++;
        tail = (tail + span) >>> 0;
        walked += span;
        if (walked > writable) {
          throw new RingCorruptError(this.path, 'committed records overlap the consumer head');
        }
      }
      // A running consumer may have released (and zeroed) records under the walk: walk again from its new head.
      header.readConsumerState(words, state);
      if (state.head === head && state.sequence === headSequence) break;
    }
    const reclaim = Atomics.load(words, Words.reclaimWord) >>> 0;
    const used = (tail - reclaim) >>> 0;
    if (used > this.slotCount) {
      throw new RingCorruptError(
        this.path,
        `producer position ${tail} is not within a ring of reclaim ${reclaim}`,
      );
    }
    if (used < this.slotCount) this.clearSlotStarts((tail + 1) >>> 0, this.slotCount - used - 1);
    this.tail = tail;
    this.writeSequence = sequence;
    this.cachedReclaim = reclaim;
    header.publishWriteSequence(words, sequence);
    this.publishedHighPart = sequence - (sequence >>> 0);
    Atomics.store(words, Words.tailWord, tail | 0);
    this.heldWord = -1;
    this.stagedCount = 0;
    this.producerReady = true;
  }

  /**
   * Takes the consumer role: loads the last complete consumer state and
   * finishes a reclaim that a killed consumer left half done.
   */
  private recoverConsumer(operation: string): void {
    if (this.closed) throw new RingClosedError(operation);
    const words = this.words;
    const state = header.readConsumerState(words, this.snapshot);
    const reclaim = Atomics.load(words, Words.reclaimWord) >>> 0;
    const pending = (state.head - reclaim) >>> 0;
    if (pending > this.slotCount) {
      throw new RingCorruptError(
        this.path,
        `consumer head ${state.head} is not within a ring of reclaim ${reclaim}`,
      );
    }
    this.clearSlotStarts(reclaim, pending);
    Atomics.store(words, Words.reclaimWord, state.head | 0);
    this.head = state.head;
    this.readSequence = state.sequence;
    this.peekHead = -1;
    this.consumerReady = true;
  }
}
